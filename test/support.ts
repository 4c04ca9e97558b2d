import type { ICredentialDataDecryptedObject, IDataObject, INode } from 'n8n-workflow';

import { MODEL_PARAMETER, modelsFor } from '../nodes/GptImage/actions/parameters';
import { GATEWAYS as REGISTRY } from '../nodes/GptImage/gateways';
import type { GatewayId } from '../nodes/GptImage/gateways';
import { runWorkflow } from './engine/runWorkflow';
import type { RunWorkflowOptions, RunWorkflowResult, WorkflowJson } from './engine/runWorkflow';
import { fileOf, IMAGES_NODE_TYPE, maskConvention } from './images';
import type { FileSpec } from './images';
import type { GatewaySimulator } from './simulator';

/** What the tests share: workflows around one GPT Image node, credentials for the simulator. */

export type { GatewayId };

/** Every gateway of the node's registry, as the tests use it: its id (also the simulator's name) and credential. */
export const GATEWAYS: Array<{ id: GatewayId; credential: string }> = Object.values(REGISTRY).map(
	(gateway) => ({ id: gateway.id, credential: gateway.credentialType }),
);

export const NODE_TYPE = 'n8n-nodes-gpt-image.gptImage';


export function credentialType(gateway: GatewayId): string {
	return GATEWAYS.find((g) => g.id === gateway)!.credential;
}

/** Credentials of every gateway, pointing at the simulator. */
export function simulatorCredentials(
	sim: GatewaySimulator,
	apiKey = 'sk-sim-test',
): Record<string, ICredentialDataDecryptedObject> {
	return Object.fromEntries(
		GATEWAYS.map((g) => [
			g.credential,
			{ apiKey, baseUrl: sim.baseUrl(g.id), uploadBaseUrl: sim.uploadBaseUrl(g.id) },
		]),
	);
}

export interface NodeSpec {
	name?: string;
	gateway: GatewayId;
	parameters: IDataObject;
	continueOnFail?: boolean;
}

let nodeCounter = 0;

/**
 * The tests were written for GPT-4o Image (1, 2 or 4 images in one task, on every gateway): a
 * Generate or Edit that names no model gets it, rather than the gateway's default (GPT Image 2).
 */
function withModel(parameters: IDataObject): IDataObject {
	if (parameters.operation === 'generate' && parameters.model === undefined) return { model: 'gpt-4o-image', ...parameters };
	if (parameters.operation === 'edit' && parameters.editModel === undefined) return { editModel: 'gpt-4o-image', ...parameters };
	return parameters;
}

function gptImageNode(spec: NodeSpec, position: [number, number]): INode {
	const credential = credentialType(spec.gateway);
	return {
		id: `node-${++nodeCounter}`,
		name: spec.name ?? 'GPT Image',
		type: NODE_TYPE,
		typeVersion: 1,
		position,
		parameters: { gateway: spec.gateway, ...withModel(spec.parameters) },
		credentials: { [credential]: { id: `cred-${credential}`, name: credential } },
		...(spec.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
}

/**
 * Manual Trigger → Items (a Code node returning `items`) → one or more GPT Image nodes in a row.
 * `items` defaults to one empty item.
 */
export function workflowOf(specs: NodeSpec[], items: IDataObject[] = [{}], source?: INode): WorkflowJson {
	const nodes: INode[] = [
		{
			id: 'trigger',
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		source ?? {
			id: 'items',
			name: 'Items',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [200, 0],
			parameters: { jsCode: `return ${JSON.stringify(items.map((json) => ({ json })))};` },
		},
		...specs.map((spec, index) => gptImageNode(spec, [400 + 200 * index, 0])),
	];
	const names = nodes.map((node) => node.name);
	const connections = Object.fromEntries(
		names.slice(0, -1).map((name, index) => [
			name,
			{ main: [[{ node: names[index + 1], type: 'main' as const, index: 0 }]] },
		]),
	);
	return { nodes, connections, settings: { executionOrder: 'v1' } };
}

export async function runNode(
	sim: GatewaySimulator,
	spec: NodeSpec,
	items?: IDataObject[],
	extra: Partial<RunWorkflowOptions> = {},
): Promise<RunWorkflowResult> {
	return await runWorkflow({
		workflow: workflowOf([spec], items),
		credentials: simulatorCredentials(sim),
		...extra,
	});
}

/** Like runNode, with input items that carry image binaries (see test/images.ts). */
export async function runNodeWithFiles(
	sim: GatewaySimulator,
	spec: NodeSpec,
	items: Array<{ json?: IDataObject; files: FileSpec[] }>,
): Promise<RunWorkflowResult> {
	const source: INode = {
		id: 'images',
		name: 'Images',
		type: IMAGES_NODE_TYPE,
		typeVersion: 1,
		position: [200, 0],
		parameters: { items: JSON.stringify(items) },
	};
	return await runWorkflow({ workflow: workflowOf([spec], [], source), credentials: simulatorCredentials(sim) });
}

/** Fast polling for tests: the simulator's tasks take a second or two. */
export const FAST = { pollIntervalSeconds: 0.2 };

/** Points every GPT Image node of a workflow at another gateway (and that gateway's credential). */
export function retarget(workflow: WorkflowJson, gateway: GatewayId): WorkflowJson {
	const credential = credentialType(gateway);
	return {
		...workflow,
		nodes: workflow.nodes.map((node) =>
			node.type === NODE_TYPE
				? {
						...node,
						parameters: { ...node.parameters, gateway },
						credentials: { [credential]: { id: `cred-${credential}`, name: credential } },
					}
				: node,
		),
	};
}

/**
 * The gateways a workflow can run on: those that offer every model its GPT Image nodes name (an
 * example made for one gateway's model, like ToAPIs' official channel, runs on that one only).
 */
export function gatewaysFor(workflow: WorkflowJson): GatewayId[] {
	const nodes = workflow.nodes.filter((node) => node.type === NODE_TYPE || node.type === `${NODE_TYPE}Tool`);
	return GATEWAYS.map((gateway) => gateway.id).filter((id) =>
		nodes.every((node) => {
			const operation = node.parameters.operation === 'edit' ? 'edit' : 'generate';
			const model = node.parameters[MODEL_PARAMETER[operation]];
			if (typeof model !== 'string' || model.startsWith('=')) return true;
			return modelsFor(REGISTRY[id], operation).some((spec) => spec.id === model);
		}),
	);
}

/** The sample URLs the examples ship with; on the simulator they are served for real. */
export const SAMPLE_URLS = {
	photo: 'https://example.com/products/mug.png',
	mask: 'https://example.com/products/mug-mask.png',
};

/**
 * An example workflow ready for the simulator: its GPT Image nodes on `gateway`, Wait nodes
 * shortened (the simulator finishes in seconds), and the sample photo and mask hosted by the
 * simulator (the mask drawn in that gateway's convention).
 */
export function exampleOnSimulator(workflow: WorkflowJson, sim: GatewaySimulator, gateway: GatewayId): WorkflowJson {
	const photo = sim.hostFile(fileOf({ field: 'photo', kind: 'photo', width: 1024, height: 1024 }).bytes, 'mug.png');
	const mask = sim.hostFile(
		fileOf({ field: 'mask', kind: 'mask', width: 1024, height: 1024, convention: maskConvention(gateway) }).bytes,
		'mug-mask.png',
	);
	const retargeted = retarget(workflow, gateway);
	const text = JSON.stringify(retargeted).split(SAMPLE_URLS.photo).join(photo).split(SAMPLE_URLS.mask).join(mask);
	const bound = JSON.parse(text) as WorkflowJson;
	for (const node of bound.nodes) {
		if (node.type === 'n8n-nodes-base.wait') node.parameters = { ...node.parameters, amount: 1.5 };
	}
	return bound;
}
