/**
 * The editor's "Test credential" button for credential types with a declarative `test` request:
 * like n8n, the request runs through n8n-core's RoutingNode on a one-node throwaway workflow, so
 * expressions, the `authenticate` block and the HTTP client are the real ones, and the verdict
 * follows n8n's: a matching `responseCode` rule, else the error's message; on success a matching
 * `responseSuccessBody` rule, else "Connection successful!".
 */
import { randomUUID } from 'node:crypto';

import { ExecuteContext, RoutingNode } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeCredentialTestResult,
	INodeType,
	INodeTypes,
} from 'n8n-workflow';
import { createRunExecutionData, NodeConnectionTypes, Workflow } from 'n8n-workflow';

import { additionalDataFor } from './additionalData';
import { getCredentialType, withCredentialDefaults } from './credentials';
import { initEngine } from './engine';

function valueAt(data: IDataObject, path: string): unknown {
	return path.split('.').reduce<unknown>((value, key) => (value as IDataObject | undefined)?.[key], data);
}

export async function testCredentials(
	typeName: string,
	data: ICredentialDataDecryptedObject,
): Promise<INodeCredentialTestResult> {
	await initEngine();
	const { test } = getCredentialType(typeName);
	if (test === undefined) return { status: 'Error', message: 'No testing function found for this credential.' };

	const tester: INodeType = {
		description: {
			displayName: 'Credential Test',
			name: 'credentialTest',
			group: ['transform'],
			version: 1,
			description: 'Sends a credential type’s test request',
			defaults: { name: 'Credential Test' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: typeName, required: true }],
			properties: [
				{ displayName: 'Request', name: 'request', type: 'string', default: '', routing: { request: test.request } },
			],
		},
	};
	const nodeTypes: INodeTypes = {
		getByName: () => tester,
		getByNameAndVersion: () => tester,
		getKnownTypes: () => ({}),
	};
	const node: INode = {
		id: randomUUID(),
		name: 'Credential Test',
		type: 'credentialTest',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [typeName]: { id: 'test', name: 'Tested credential' } },
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const credentials = withCredentialDefaults(typeName, data);
	const context = new ExecuteContext(
		workflow,
		node,
		additionalDataFor(randomUUID(), { [typeName]: credentials }),
		'internal',
		createRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);

	let response: Awaited<ReturnType<RoutingNode['runNode']>>;
	try {
		response = await new RoutingNode(context, tester, {
			id: 'test',
			name: 'Tested credential',
			type: typeName,
			data: credentials,
		}).runNode();
	} catch (caught) {
		// n8n-core 2.11.1's RoutingNode throws a NodeApiError (no `cause`): its `httpCode` is the HTTP
		// status or a network code, its message n8n's wording ("Authorization failed - ...").
		const error = caught as { message: string; httpCode?: string | null };
		const rule = test.rules?.find(
			(candidate) => candidate.type === 'responseCode' && String(candidate.properties.value) === error.httpCode,
		);
		return { status: 'Error', message: rule?.properties.message ?? String(error.message) };
	}

	const body = response?.[0]?.[0]?.json ?? {};
	for (const rule of test.rules ?? []) {
		if (rule.type === 'responseSuccessBody' && valueAt(body, String(rule.properties.key)) === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
