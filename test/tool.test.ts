import { GptImage } from '../nodes/GptImage/GptImage.node';
import { registerNodeType, runWorkflow } from './engine/runWorkflow';
import { GatewaySimulator } from './simulator';
import { FAST, simulatorCredentials, workflowOf } from './support';

/**
 * As an AI agent's tool (n8n names the tool variant `<type>Tool`), the node answers with task ids
 * and image URLs only: binary data cannot cross the tool boundary.
 */

const TOOL_TYPE = 'n8n-nodes-gpt-image.gptImageTool';

let sim: GatewaySimulator;

beforeAll(async () => {
	registerNodeType(TOOL_TYPE, new GptImage());
	sim = await GatewaySimulator.start({ latencyMs: 500 });
});
afterAll(async () => await sim.stop());
beforeEach(() => sim.clearLog());

function asTool<T extends { nodes: Array<{ type: string }> }>(workflow: T): T {
	for (const node of workflow.nodes) if (node.type === 'n8n-nodes-gpt-image.gptImage') node.type = TOOL_TYPE;
	return workflow;
}

test('Generate as a tool returns task id and URLs, without downloading', async () => {
	const run = await runWorkflow({
		workflow: asTool(
			workflowOf([
				{ gateway: 'evoLink', parameters: { operation: 'generate', prompt: 'a logo', size: '1:1', numberOfImages: 2, options: FAST } },
			]),
		),
		credentials: simulatorCredentials(sim),
	});

	expect(run.error).toBeUndefined();
	const items = run.output('GPT Image');
	expect(items).toHaveLength(2);
	for (const item of items) {
		expect(item.binary).toBeUndefined();
		expect(item.json).toMatchObject({ gateway: 'evoLink', state: 'succeeded' });
		expect(String(item.json.url)).toMatch(new RegExp(`^${sim.cdnUrl}/`));
		expect(item.json.taskId).toBe(sim.creates('evoLink')[0].taskId);
	}
	expect(sim.requestsOf('download')).toHaveLength(0);
});

test('Download as a tool returns the URLs of the task', async () => {
	const submitted = await runWorkflow({
		workflow: workflowOf([
			{ gateway: 'toApis', parameters: { operation: 'generate', prompt: 'later', size: '1:1', options: { ...FAST, downloadImages: false } } },
		]),
		credentials: simulatorCredentials(sim),
	});
	const taskId = String(submitted.output('GPT Image')[0].json.taskId);
	sim.clearLog();

	const run = await runWorkflow({
		workflow: asTool(workflowOf([{ gateway: 'toApis', parameters: { operation: 'download', source: 'task', taskId } }])),
		credentials: simulatorCredentials(sim),
	});
	const [item] = run.output('GPT Image');
	expect(item.binary).toBeUndefined();
	expect(item.json).toMatchObject({ taskId, state: 'succeeded' });
	expect(sim.requestsOf('download')).toHaveLength(0);
});
