import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { GATEWAYS } from '../nodes/GptImage/gateways';
import { expectNoKey } from './checks';
import { loadWorkflowFile, runWorkflow } from './engine/runWorkflow';
import { isKnownNodeType } from './engine/nodeTypes';
import { GatewaySimulator } from './simulator';
import { imageHeader } from './simulator/wire';
import { exampleOnSimulator, gatewaysFor, NODE_TYPE, simulatorCredentials } from './support';

/**
 * Every workflow in examples/ (but the AI Agent's, which needs a language model) on every gateway
 * that offers its models, on n8n's engine against the simulator: each ends with real images of the
 * size the simulator made. What `npm run demo` shows, as a test.
 */

const EXAMPLES = join(__dirname, '..', 'examples');
const files = readdirSync(EXAMPLES).filter((name) => name.endsWith('.json')).sort();

const cases = files.flatMap((file) => {
	const workflow = loadWorkflowFile(join(EXAMPLES, file));
	if (workflow.nodes.some((node) => !isKnownNodeType(node.type))) return [];
	return gatewaysFor(workflow).map((gateway) => ({ file, gateway, workflow }));
});

let sim: GatewaySimulator;
beforeAll(async () => {
	sim = await GatewaySimulator.start({ latencyMs: 500 });
});
afterAll(async () => await sim.stop());

test('GPT Image 2 examples run on every gateway; the official-channel edit on ToAPIs only', () => {
	const on = (file: string) => cases.filter((c) => c.file === file).map((c) => c.gateway);
	const all = Object.values(GATEWAYS).map((gateway) => gateway.id);
	expect(on('product-shots.json')).toEqual(all);
	expect(on('gpt-image-2-sizes.json')).toEqual(all);
	expect(on('edit-official-channel.json')).toEqual(['toApis']);
});

test.each(cases.map(({ file, gateway }) => [file, gateway] as const))('%s on %s', async (file, gateway) => {
	const { workflow } = cases.find((c) => c.file === file && c.gateway === gateway)!;
	const run = await runWorkflow({ workflow: exampleOnSimulator(workflow, sim, gateway), credentials: simulatorCredentials(sim) });
	expect(run.error).toBeUndefined();
	const sources = new Set(Object.keys(workflow.connections));
	const last = workflow.nodes.filter((node) => node.type === NODE_TYPE && !sources.has(node.name));
	let images = 0;
	for (const node of last) {
		for (const item of run.output(node.name)) {
			const task = sim.getTask(String(item.json.taskId))!;
			const header = imageHeader(await run.binaryBuffer(item.binary!.data));
			expect([item.json.taskId, header.width, header.height]).toEqual([task.id, task.width, task.height]);
			images++;
		}
	}
	expect(images).toBeGreaterThan(0);
	expectNoKey(run);
}, 60_000);
