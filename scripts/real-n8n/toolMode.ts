/**
 * Examples that use the node as an AI Agent's tool, run without a language model.
 *
 * n8n turns every `usableAsTool` node into a second node type, `<type>Tool` ("GPT Image Tool"),
 * whose only output is `ai_tool`. An agent normally calls it; n8n's hidden **Tool Executor** node
 * (`@n8n/n8n-nodes-langchain.toolExecutor`, which the editor uses to run one tool node on its own)
 * can call it too: its Query is `{ "<tool name>": { <the $fromAI arguments> } }` (n8n 1.x: just the
 * arguments), it calls the connected tools and outputs what they returned (a JSON string). The tool name is the node's
 * name with spaces etc. as "_" ("Make Image" → "Make_Image").
 *
 * So an agent example is run as: Manual Trigger → Tool Executor ⇠ the example's own GPT Image Tool
 * node(s), unchanged but for the gateway; the chat trigger, agent and chat model are left out.
 */
import { randomUUID } from 'node:crypto';

import { NODE_TYPE, type Gateway, type WorkflowFile } from './harness';
import { pngDimensions } from './png';

export const TOOL_TYPE = `${NODE_TYPE}Tool`;

/** What a model would fill in for `$fromAI('<key>')`, when an example's expectation does not say. */
const DEFAULT_ARGUMENTS: Record<string, unknown> = {
	prompt: 'A lighthouse on a cliff at dusk, wide banner, photographic',
	size: '1:1',
};

export function toolNodes(workflow: WorkflowFile): WorkflowFile['nodes'] {
	return workflow.nodes.filter((node) => node.type === TOOL_TYPE);
}

/** How n8n names a node's tool for the model. */
export function toolName(nodeName: string): string {
	return nodeName.replace(/[^A-Za-z0-9_-]+/g, '_');
}

/** The `$fromAI('key', …)` keys of a node's parameters, with the values we play the model with. */
export function toolArguments(node: WorkflowFile['nodes'][number], given: Record<string, unknown> = {}): Record<string, unknown> {
	const keys = [...JSON.stringify(node.parameters).matchAll(/\$fromAI\(\s*\\?['"`]([^'"`\\]+)/g)].map((match) => match[1]);
	return Object.fromEntries(keys.map((key) => [key, given[key] ?? DEFAULT_ARGUMENTS[key] ?? 'test']));
}

/**
 * How a Tool Executor's Query gives the arguments: n8n 2.x reads each tool's under its name, n8n
 * 1.x hands the whole Query to every tool.
 */
export type ToolQueryShape = 'by tool name' | 'the arguments';

/** The example's tool nodes behind a Manual Trigger and a Tool Executor instead of chat + agent + model. */
export function viaToolExecutor(
	workflow: WorkflowFile & { id: string },
	given: Record<string, unknown> = {},
	shape: ToolQueryShape = 'by tool name',
): WorkflowFile & { id: string } {
	const tools = toolNodes(workflow);
	const query =
		shape === 'by tool name'
			? Object.fromEntries(tools.map((node) => [toolName(node.name), toolArguments(node, given)]))
			: Object.assign({}, ...tools.map((node) => toolArguments(node, given)));
	return {
		...workflow,
		name: `${workflow.name} (Tool Executor, no model)`,
		nodes: [
			{ id: randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: randomUUID(),
				name: 'Tool Executor',
				type: '@n8n/n8n-nodes-langchain.toolExecutor',
				typeVersion: 1,
				position: [240, 0],
				parameters: { query: JSON.stringify(query), toolName: '' },
			},
			...tools,
		],
		connections: {
			Start: { main: [[{ node: 'Tool Executor', type: 'main', index: 0 }]] },
			...Object.fromEntries(
				tools.map((node) => [node.name, { ai_tool: [[{ node: 'Tool Executor', type: 'ai_tool', index: 0 }]] }]),
			),
		},
		pinData: {},
	};
}

type RunData = Record<string, Array<{ data?: Record<string, Array<Array<{ json: unknown }> | null>> }>>;

/**
 * Problems with a Tool Executor run: every tool returned `items` finished tasks (default ≥ 1) with
 * taskId, gateway, url and the arguments it was given; each URL serves a PNG (of `width`×`height`).
 */
export async function checkToolRun(
	workflow: WorkflowFile,
	runData: RunData,
	gateway: Gateway,
	expect: { arguments?: Record<string, unknown>; items?: number; width?: number; height?: number },
): Promise<{ problems: string[]; summary: string }> {
	const problems: string[] = [];
	const summaries: string[] = [];
	for (const node of toolNodes(workflow)) {
		const args = toolArguments(node, expect.arguments);
		const nodeRun = runData[node.name]?.at(-1);
		const response = (nodeRun?.data?.ai_tool?.[0]?.[0]?.json as { response?: unknown } | undefined)?.response;
		const results = (Array.isArray(response) ? response : response === undefined ? [] : [response]) as Array<
			Record<string, unknown>
		>;
		if (!nodeRun) problems.push(`${node.name}: the Tool Executor did not call it`);
		if (expect.items !== undefined ? results.length !== expect.items : results.length < 1) {
			problems.push(`${node.name}: returned ${results.length} result(s), expected ${expect.items ?? '≥ 1'}`);
		}
		const sizes = new Set<string>();
		for (const [index, result] of results.entries()) {
			const where = `${node.name}[${index}]`;
			for (const field of ['taskId', 'gateway', 'url']) if (!result[field]) problems.push(`${where}: ${field} missing`);
			if (result.gateway !== gateway.id) problems.push(`${where}: gateway ${String(result.gateway)}`);
			if (result.state !== undefined && result.state !== 'succeeded') problems.push(`${where}: state ${String(result.state)}`);
			for (const key of ['prompt', 'size']) {
				if (key in args && result[key] !== undefined && result[key] !== args[key]) {
					problems.push(`${where}: ${key} "${String(result[key])}", the model gave "${String(args[key])}"`);
				}
			}
			// The link is what the agent hands on: it must serve the image.
			if (typeof result.url === 'string') {
				try {
					const response = await fetch(result.url);
					const size = pngDimensions(Buffer.from(await response.arrayBuffer()));
					if (!response.ok || !size) problems.push(`${where}: ${result.url} → HTTP ${response.status}, not a PNG`);
					else {
						sizes.add(`${size.width}x${size.height}`);
						if (expect.width !== undefined && (size.width !== expect.width || size.height !== expect.height)) {
							problems.push(`${where}: PNG ${size.width}x${size.height}, expected ${expect.width}x${expect.height}`);
						}
					}
				} catch (error) {
					problems.push(`${where}: fetching ${result.url} failed: ${(error as Error).message}`);
				}
			}
		}
		summaries.push(`${node.name} (tool): ${results.length} URL(s) to PNG ${[...sizes].join(',')}`);
	}
	return { problems, summary: summaries.join('; ') };
}
