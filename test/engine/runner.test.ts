import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import type {
	ICredentialType,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeType,
	IConnections,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes } from 'n8n-workflow';

import { engineUserFolder } from './engine';
import {
	registerCredentialType,
	registerNodeType,
	runWorkflow,
	testCredentials,
	type WorkflowJson,
} from './runWorkflow';

const PNG_BYTES = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');

// ---- a tiny local API ---------------------------------------------------------------------------

let server: Server;
let baseUrl: string;
const seen: Array<{ path?: string; authorization?: string }> = [];
/** Per request: resolves when its connection closes, with whether that happened before a reply. */
const closedEarly: Array<Promise<boolean>> = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
	seen.push({ path: req.url, authorization: req.headers.authorization });
	closedEarly.push(new Promise((resolve) => res.on('close', () => resolve(!res.writableEnded))));
	if (req.headers.authorization !== 'Bearer secret-key') {
		res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Invalid API key' }));
		return;
	}
	if (req.url === '/echo') {
		res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
	} else if (req.url === '/image.png') {
		res.writeHead(200, { 'content-type': 'image/png' }).end(PNG_BYTES);
	}
	// '/hang' never answers: only a cancelled request ends it.
}

beforeAll(async () => {
	server = createServer(handle);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	server.closeAllConnections();
	await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
	seen.length = 0;
	closedEarly.length = 0;
});

// ---- test-only credential type and nodes --------------------------------------------------------

const engineTestApi: ICredentialType = {
	name: 'engineTestApi',
	displayName: 'Engine Test API',
	properties: [
		{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: 'http://127.0.0.1:9' },
	],
	authenticate: { type: 'generic', properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } } },
	test: {
		request: { baseURL: '={{$credentials.baseUrl}}', url: '/echo' },
		rules: [{ type: 'responseCode', properties: { value: 401, message: 'The API key is wrong' } }],
	},
};
registerCredentialType(engineTestApi);

/** Calls the local API with the credential; `/image.png` is attached as binary data. */
const fetchNode: INodeType = {
	description: {
		displayName: 'Engine Test Fetch',
		name: 'engineTestFetch',
		group: ['transform'],
		version: 1,
		description: 'test only',
		defaults: { name: 'Fetch' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'engineTestApi', required: true }],
		properties: [{ displayName: 'Path', name: 'path', type: 'string', default: '/echo' }],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const { baseUrl: apiUrl } = await this.getCredentials<{ baseUrl: string }>('engineTestApi');
		const path = this.getNodeParameter('path', 0) as string;
		if (path === '/image.png') {
			const bytes = (await this.helpers.httpRequestWithAuthentication.call(this, 'engineTestApi', {
				url: `${apiUrl}${path}`,
				encoding: 'arraybuffer',
			})) as ArrayBuffer;
			const data = await this.helpers.prepareBinaryData(Buffer.from(bytes), 'image.png', 'image/png');
			return [[{ json: { fileName: 'image.png' }, binary: { data } }]];
		}
		const response = await this.helpers.httpRequestWithAuthentication.call(this, 'engineTestApi', {
			url: `${apiUrl}${path}`,
			json: true,
		});
		return [[{ json: response as INodeExecutionData['json'] }]];
	},
};
registerNodeType('engineTest.fetch', fetchNode);

/** Does nothing until the execution is stopped, then reports what it saw. */
const cancelSeen: Array<{ aborted: boolean }> = [];
const waitForCancelNode: INodeType = {
	description: {
		...fetchNode.description,
		displayName: 'Wait For Cancel',
		name: 'engineTestWaitForCancel',
		credentials: [],
		properties: [],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const signal = this.getExecutionCancelSignal();
		await new Promise<void>((resolve) => {
			const fallback = setTimeout(resolve, 10_000);
			signal?.addEventListener('abort', () => {
				clearTimeout(fallback);
				resolve();
			});
		});
		cancelSeen.push({ aborted: signal?.aborted === true });
		return [this.getInputData()];
	},
};
registerNodeType('engineTest.waitForCancel', waitForCancelNode);

// ---- workflow builders ---------------------------------------------------------------------------

function node(name: string, type: string, parameters: INode['parameters'] = {}, extra: Partial<INode> = {}): INode {
	return { id: name, name, type, typeVersion: 1, position: [0, 0], parameters, ...extra };
}

function chain(...nodes: INode[]): IConnections {
	return Object.fromEntries(
		nodes
			.slice(0, -1)
			.map((from, index) => [from.name, { main: [[{ node: nodes[index + 1].name, type: 'main', index: 0 }]] }]),
	);
}

function manualThen(...rest: INode[]): WorkflowJson {
	const nodes = [node('Start', 'n8n-nodes-base.manualTrigger'), ...rest];
	return { nodes, connections: chain(...nodes), settings: { executionOrder: 'v1' } };
}

const credentialRef = { credentials: { engineTestApi: { id: '1', name: 'Engine test account' } } };

// ---- tests ----------------------------------------------------------------------------------------

describe('runWorkflow on n8n-core', () => {
	it('sends the credential through the generic authenticate block', async () => {
		const result = await runWorkflow({
			workflow: manualThen(node('Fetch', 'engineTest.fetch', { path: '/echo' }, credentialRef)),
			credentials: { engineTestApi: { apiKey: 'secret-key', baseUrl } },
		});

		expect(result.status).toBe('success');
		expect(result.output('Fetch')).toEqual([{ json: { ok: true }, pairedItem: { item: 0 } }]);
		expect(seen).toEqual([{ path: '/echo', authorization: 'Bearer secret-key' }]);
	});

	it('stores binary data on disk and reads the bytes back', async () => {
		const result = await runWorkflow({
			workflow: manualThen(node('Fetch', 'engineTest.fetch', { path: '/image.png' }, credentialRef)),
			credentials: { engineTestApi: { apiKey: 'secret-key', baseUrl } },
		});

		expect(result.status).toBe('success');
		const binary = result.output('Fetch')[0].binary?.data;
		expect(binary).toMatchObject({ mimeType: 'image/png', fileName: 'image.png', data: 'filesystem-v2' });
		const [mode, fileId] = binary!.id!.split(':');
		expect(mode).toBe('filesystem-v2');
		expect(fileId).toMatch(/^workflows\/test-workflow\/executions\/[\w-]+\/binary_data\/[\w-]+$/);
		expect(existsSync(path.join(engineUserFolder(), '.n8n', 'storage', fileId))).toBe(true);
		expect(await result.binaryBuffer(binary!)).toEqual(PNG_BYTES);
	});

	it('surfaces a failing node as the workflow error, with the instance the node threw', async () => {
		const result = await runWorkflow({
			workflow: manualThen(node('Fetch', 'engineTest.fetch', { path: '/echo' }, credentialRef)),
			credentials: { engineTestApi: { apiKey: 'wrong-key', baseUrl } },
		});

		expect(result.status).toBe('error');
		expect(result.error).toBeInstanceOf(NodeApiError);
		expect(result.error).toBe(result.nodeError('Fetch'));
		expect(result.nodeError('Fetch')).toMatchObject({ httpCode: '401', node: { name: 'Fetch' } });
		expect(result.output('Fetch')).toEqual([]);
		// httpRequestWithAuthentication retries a 401 once after re-authenticating.
		expect(seen).toHaveLength(2);
	});

	it('stops a running node promptly when cancelled after a delay', async () => {
		cancelSeen.length = 0;
		const startedAt = Date.now();
		const result = await runWorkflow({
			workflow: manualThen(node('Wait For Cancel', 'engineTest.waitForCancel'), node('After', 'n8n-nodes-base.noOp')),
			cancelAfterMs: 200,
		});

		expect(result.status).toBe('canceled');
		expect(Date.now() - startedAt).toBeLessThan(3000);
		expect(cancelSeen).toEqual([{ aborted: true }]);
		expect(result.runData.After).toBeUndefined();
	});

	it('aborts an HTTP request in flight when the signal aborts', async () => {
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 200);
		const result = await runWorkflow({
			workflow: manualThen(node('Fetch', 'engineTest.fetch', { path: '/hang' }, credentialRef)),
			credentials: { engineTestApi: { apiKey: 'secret-key', baseUrl } },
			signal: controller.signal,
		});

		expect(result.status).toBe('canceled');
		expect(seen).toEqual([{ path: '/hang', authorization: 'Bearer secret-key' }]);
		expect(await Promise.all(closedEarly)).toEqual([true]);
		expect(result.nodeError('Fetch')).toBeInstanceOf(NodeApiError);
	});

	it('runs Manual Trigger → Code → Code (per item) → Wait → NoOp, keeping pairedItem', async () => {
		const workflow = manualThen(
			node(
				'Make Items',
				'n8n-nodes-base.code',
				{ jsCode: 'return ["a", "b", "c"].map((letter, i) => ({ letter, i, from: $input.first().json }));' },
				{ typeVersion: 2 },
			),
			node(
				'Per Item',
				'n8n-nodes-base.code',
				{
					mode: 'runOnceForEachItem',
					jsCode: 'return { json: { ...$json, upper: $input.item.json.letter.toUpperCase() } };',
				},
				{ typeVersion: 2 },
			),
			node('Pause', 'n8n-nodes-base.wait', { amount: 0.05, unit: 'seconds' }, { typeVersion: 1.1 }),
			node('Done', 'n8n-nodes-base.noOp'),
		);
		workflow.nodes.push(node('Note', 'n8n-nodes-base.stickyNote', { content: 'ignored' }));

		const result = await runWorkflow({ workflow });

		expect(result.status).toBe('success');
		expect(result.output('Make Items')).toEqual([
			{ json: { letter: 'a', i: 0, from: {} }, pairedItem: { item: 0 } },
			{ json: { letter: 'b', i: 1, from: {} }, pairedItem: { item: 0 } },
			{ json: { letter: 'c', i: 2, from: {} }, pairedItem: { item: 0 } },
		]);
		expect(result.output('Done')).toEqual([
			{ json: { letter: 'a', i: 0, from: {}, upper: 'A' }, pairedItem: { item: 0 } },
			{ json: { letter: 'b', i: 1, from: {}, upper: 'B' }, pairedItem: { item: 1 } },
			{ json: { letter: 'c', i: 2, from: {}, upper: 'C' }, pairedItem: { item: 2 } },
		]);
		expect(result.runData.Note).toBeUndefined();
	});

	it('interrupts the Wait stand-in when the execution is stopped', async () => {
		const startedAt = Date.now();
		const result = await runWorkflow({
			workflow: manualThen(node('Wait', 'n8n-nodes-base.wait', { amount: 30 }, { typeVersion: 1.1 })),
			cancelAfterMs: 100,
		});

		expect(result.status).toBe('canceled');
		expect(Date.now() - startedAt).toBeLessThan(3000);
		expect(result.nodeError('Wait')?.message).toBe('Wait was interrupted: the execution was stopped');
	});

	it('tests a credential with its declarative test request, like the editor does', async () => {
		expect(await testCredentials('engineTestApi', { apiKey: 'secret-key', baseUrl })).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(await testCredentials('engineTestApi', { apiKey: 'wrong-key', baseUrl })).toEqual({
			status: 'Error',
			message: 'The API key is wrong',
		});
		// The default base URL points at a closed port.
		expect(await testCredentials('engineTestApi', { apiKey: 'secret-key' })).toEqual({
			status: 'Error',
			message: 'The service refused the connection - perhaps it is offline',
		});
		expect(seen).toEqual([
			{ path: '/echo', authorization: 'Bearer secret-key' },
			// n8n-core re-authenticates and resends once on a 401, whatever the credential type.
			{ path: '/echo', authorization: 'Bearer wrong-key' },
			{ path: '/echo', authorization: 'Bearer wrong-key' },
		]);
	});
});
