import { NodeConnectionTypes } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';

import { GptImage } from '../nodes/GptImage/GptImage.node';
import { expectNoKey } from './checks';
import { registerNodeType, runWorkflow } from './engine/runWorkflow';
import type { WorkflowJson } from './engine/runWorkflow';
import { GatewaySimulator } from './simulator';
import { FAST, simulatorCredentials, workflowOf } from './support';

/**
 * As an AI agent's tool the node answers with task ids and image URLs only: binary data cannot
 * cross the tool boundary. n8n runs a tool in two ways, and both are tested:
 * - through n8n-core's tool machinery (an agent asks for its `ai_tool` inputs and invokes them):
 *   the node runs in a context whose `isToolExecution()` is true, whatever its type is called;
 * - as a node of type `<type>Tool` in the main flow (n8n 2.41's AI Agent v3 runs tools so, and
 *   n8n 1.x has no `isToolExecution`): the type's name is then all the node can go by.
 */

/** Registered under a name that does not end in "Tool", so only `isToolExecution()` can tell. */
const AGENT_TOOL_TYPE = 'test.gptImageForAgent';
const TOOL_TYPE = 'n8n-nodes-gpt-image.gptImageTool';
const CALLER_TYPE = 'test.toolCaller';

/** The node as n8n's loader offers it to agents: same node, `ai_tool` as its only output. */
function asAgentTool(node: INodeType): INodeType {
	const tool = Object.create(node) as INodeType;
	tool.description = { ...node.description, inputs: [], outputs: [NodeConnectionTypes.AiTool] };
	return tool;
}

/**
 * A stand-in for an AI agent without a model: asks n8n-core for the tools connected to its
 * `ai_tool` input, invokes each once with the arguments a model would give, and outputs what the
 * tool answered (a string, as an agent sees it).
 */
const toolCaller: INodeType = {
	description: {
		displayName: 'Tool Caller',
		name: 'toolCaller',
		group: ['transform'],
		version: 1,
		description: 'Test only: invokes the connected tools like an agent',
		defaults: { name: 'Tool Caller' },
		inputs: [NodeConnectionTypes.Main, NodeConnectionTypes.AiTool],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Arguments', name: 'arguments', type: 'json', default: '{}' }],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const given = JSON.parse(this.getNodeParameter('arguments', 0) as string) as Record<string, unknown>;
		const tools = (await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0)) as Array<{
			invoke(input: Record<string, unknown>): Promise<unknown>;
		}>;
		const answers = [];
		for (const tool of tools) answers.push({ json: { answer: String(await tool.invoke(given)) } });
		return [answers];
	},
};

let sim: GatewaySimulator;

beforeAll(async () => {
	registerNodeType(AGENT_TOOL_TYPE, asAgentTool(new GptImage()));
	registerNodeType(TOOL_TYPE, new GptImage());
	registerNodeType(CALLER_TYPE, toolCaller);
	sim = await GatewaySimulator.start({ latencyMs: 500 });
});
afterAll(async () => await sim.stop());
beforeEach(() => sim.clearLog());

/** Manual Trigger → Tool Caller ⇠ GPT Image (as the agent's tool), with $fromAI parameters. */
function agentWorkflow(parameters: IDataObject, args: IDataObject): WorkflowJson {
	const base = workflowOf([{ name: 'Make Image', gateway: 'evoLink', parameters }]);
	const tool = { ...base.nodes.at(-1)!, type: AGENT_TOOL_TYPE };
	return {
		nodes: [
			base.nodes[0],
			{ id: 'caller', name: 'Tool Caller', type: CALLER_TYPE, typeVersion: 1, position: [200, 0], parameters: { arguments: JSON.stringify(args) } },
			tool,
		],
		connections: {
			[base.nodes[0].name]: { main: [[{ node: 'Tool Caller', type: 'main', index: 0 }]] },
			'Make Image': { ai_tool: [[{ node: 'Tool Caller', type: 'ai_tool', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

test("an agent's tool call (isToolExecution) gets task ids and URLs, and nothing is downloaded", async () => {
	const run = await runWorkflow({
		workflow: agentWorkflow(
			{
				operation: 'generate',
				prompt: "={{ $fromAI('prompt', 'What the image shows', 'string') }}",
				size: '1:1',
				numberOfImages: 2,
				options: FAST,
			},
			{ prompt: 'a logo for a bakery' },
		),
		credentials: simulatorCredentials(sim),
	});

	expect(run.error).toBeUndefined();
	const answer = String(run.output('Tool Caller')[0].json.answer);
	const [create] = sim.creates('evoLink');
	expect((create.body as { prompt: string }).prompt).toBe('a logo for a bakery');
	expect(answer).toContain(create.taskId!);
	expect(answer).toContain(`${sim.cdnUrl}/files/${create.taskId}_0.png`);
	expect(answer).toContain(`${sim.cdnUrl}/files/${create.taskId}_1.png`);
	expect(sim.requestsOf('download')).toHaveLength(0);
	expectNoKey(run);
});

test('a <type>Tool node run in the main flow (AI Agent v3, n8n 1.x) answers with URLs too', async () => {
	const workflow = workflowOf([
		{ gateway: 'evoLink', parameters: { operation: 'generate', prompt: 'a logo', size: '1:1', numberOfImages: 2, options: FAST } },
	]);
	workflow.nodes.at(-1)!.type = TOOL_TYPE;
	const run = await runWorkflow({ workflow, credentials: simulatorCredentials(sim) });

	expect(run.error).toBeUndefined();
	const items = run.output('GPT Image');
	expect(items).toHaveLength(2);
	for (const item of items) {
		expect(item.binary).toBeUndefined();
		expect(item.json).toMatchObject({ gateway: 'evoLink', state: 'succeeded', taskId: sim.creates('evoLink')[0].taskId });
	}
	expect(sim.requestsOf('download')).toHaveLength(0);
});

test('the same node outside an agent downloads its images', async () => {
	const run = await runWorkflow({
		workflow: workflowOf([{ gateway: 'evoLink', parameters: { operation: 'generate', prompt: 'a logo', size: '1:1', options: FAST } }]),
		credentials: simulatorCredentials(sim),
	});
	expect(run.output('GPT Image')[0].binary?.data).toBeDefined();
	expect(sim.requestsOf('download')).toHaveLength(1);
});

test("Download as an agent's tool returns the URLs of the task", async () => {
	const submitted = await runWorkflow({
		workflow: workflowOf([
			{ gateway: 'evoLink', parameters: { operation: 'generate', prompt: 'later', size: '1:1', options: { ...FAST, downloadImages: false } } },
		]),
		credentials: simulatorCredentials(sim),
	});
	const taskId = String(submitted.output('GPT Image')[0].json.taskId);
	sim.clearLog();

	const run = await runWorkflow({
		workflow: agentWorkflow({ operation: 'download', source: 'task', taskId: "={{ $fromAI('taskId', 'The task', 'string') }}" }, { taskId }),
		credentials: simulatorCredentials(sim),
	});
	expect(run.error).toBeUndefined();
	const answer = String(run.output('Tool Caller')[0].json.answer);
	expect(answer).toContain(taskId);
	expect(answer).toContain(`${sim.cdnUrl}/files/${taskId}_0.png`);
	expect(sim.requestsOf('download')).toHaveLength(0);
});

test('as a tool, every list the model picks from is also text the agent can fill in, and binary options are hidden', () => {
	const properties = new GptImage().description.properties;
	const lists = properties.filter((property) => property.type === 'options' && property.displayOptions?.hide?.['@tool']);
	expect(lists.map((property) => property.name)).toEqual(expect.arrayContaining(['size', 'resolution', 'quality']));
	for (const list of lists) {
		const show = { ...list.displayOptions?.show };
		delete show['@tool'];
		const twin = properties.find(
			(property) =>
				property.name === list.name &&
				property.type === 'string' &&
				JSON.stringify(property.displayOptions?.show) === JSON.stringify({ ...show, '@tool': [true] }),
		);
		expect([list.name, twin?.description]).toEqual([list.name, expect.stringContaining('One of: ')]);
	}
	const options = properties.filter((property) => property.name === 'options').flatMap((property) => property.options ?? []);
	for (const name of ['downloadImages', 'binaryPropertyName']) {
		const option = options.find((candidate) => 'name' in candidate && candidate.name === name) as { displayOptions?: { hide?: IDataObject } };
		expect(option.displayOptions?.hide?.['@tool']).toEqual([true]);
	}
});

test("the agent fills Size, Resolution and Number of Images of GPT Image 2 with $fromAI, as text and a number", async () => {
	const run = await runWorkflow({
		workflow: agentWorkflow(
			{
				operation: 'generate',
				model: 'gpt-image-2',
				prompt: "={{ $fromAI('prompt', 'What the image shows', 'string') }}",
				size: "={{ $fromAI('size', 'Aspect ratio', 'string') }}",
				resolution: "={{ $fromAI('resolution', 'Resolution', 'string') }}",
				numberOfImages: "={{ $fromAI('numberOfImages', 'How many images', 'number') }}",
				options: FAST,
			},
			{ prompt: 'a poster', size: '16:9', resolution: '2K', numberOfImages: 2 },
		),
		credentials: simulatorCredentials(sim),
	});
	expect(run.error).toBeUndefined();
	const [create] = sim.creates('evoLink');
	expect(create.body).toMatchObject({ model: 'gpt-image-2', prompt: 'a poster', size: '16:9', resolution: '2K', n: 2 });
});
