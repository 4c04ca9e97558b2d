/**
 * The demo: starts the gateway simulator, runs every workflow in examples/ on n8n's real engine
 * once per gateway, and writes the images the workflows end with to ./output/<gateway>/.
 * Nothing leaves this machine. Run it with `npm run demo`.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';

import { loadWorkflowFile, runWorkflow } from '../test/engine/runWorkflow';
import type { WorkflowJson } from '../test/engine/runWorkflow';
import { GatewaySimulator } from '../test/simulator';
import { imageHeader } from '../test/simulator/wire';
import type { IDataObject } from 'n8n-workflow';
import { GATEWAYS } from '../nodes/GptImage/gateways';
import type { GatewayId, ModelSpec, OptionValue } from '../nodes/GptImage/gateways';
import { isKnownNodeType } from '../test/engine/nodeTypes';
import { exampleOnSimulator, gatewaysFor, simulatorCredentials } from '../test/support';

const ROOT = join(__dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');
const OUTPUT = join(ROOT, 'output');

/** The pixel size the gateway documents for an output item's model and options, if it does. */
function documentedPixels(gateway: GatewayId, json: IDataObject): [number, number] | undefined {
	const model = GATEWAYS[gateway].models.find((spec) => spec.id === json.model) as ModelSpec | undefined;
	const values = Object.fromEntries(model?.options.map((option) => [option.key, json[option.key] as OptionValue]) ?? []);
	return model?.pixels?.(values);
}

/** Nodes nothing follows: what a workflow ends with. */
function lastNodes(workflow: WorkflowJson): string[] {
	const sources = new Set(Object.keys(workflow.connections));
	return workflow.nodes
		.filter((node) => node.type !== 'n8n-nodes-base.stickyNote' && !sources.has(node.name))
		.map((node) => node.name);
}

async function main(): Promise<number> {
	const sim = await GatewaySimulator.start({ latencyMs: 1500 });
	rmSync(OUTPUT, { recursive: true, force: true });
	let failures = 0;
	const rows: string[] = [];
	try {
		for (const file of readdirSync(EXAMPLES).filter((name) => name.endsWith('.json')).sort()) {
			const example = loadWorkflowFile(join(EXAMPLES, file));
			// The AI Agent example needs a language model: import it into n8n to try it.
			const missing = example.nodes.map((node) => node.type).filter((type) => !isKnownNodeType(type));
			if (missing.length) {
				rows.push(`skip  ${file}: needs ${[...new Set(missing)].join(', ')} (run it in n8n)`);
				continue;
			}
			for (const gateway of gatewaysFor(example).map((id) => ({ id }))) {
				const started = Date.now();
				const run = await runWorkflow({
					workflow: exampleOnSimulator(example, sim, gateway.id),
					credentials: simulatorCredentials(sim),
				});
				const seconds = ((Date.now() - started) / 1000).toFixed(1);
				if (run.error) {
					failures++;
					rows.push(`FAIL  ${file} on ${gateway.id}: ${run.error.message}`);
					continue;
				}
				const directory = join(OUTPUT, gateway.id);
				mkdirSync(directory, { recursive: true });
				const written: string[] = [];
				for (const nodeName of lastNodes(example)) {
					for (const item of run.output(nodeName)) {
						for (const binary of Object.values(item.binary ?? {})) {
							const bytes = await run.binaryBuffer(binary);
							const { width, height } = imageHeader(bytes);
							const name = `${file.replace(/\.json$/, '')}-${binary.fileName}`;
							writeFileSync(join(directory, name), bytes);
							const documented = documentedPixels(gateway.id, item.json);
							const matches = !documented || (documented[0] === width && documented[1] === height);
							if (!matches) failures++;
							const note = documented
								? matches
									? `the documented ${item.json.size}${item.json.resolution ? ` at ${String(item.json.resolution)}` : ''}`
									: `NOT the documented ${documented.join('x')}`
								: 'no pixel size documented';
							written.push(`${name} (${width}x${height}, ${item.json.model}: ${note})`);
						}
					}
				}
				rows.push(`ok    ${file} on ${gateway.id} in ${seconds} s: ${written.length} image(s) → output/${gateway.id}/`);
				for (const line of written) rows.push(`        ${line}`);
			}
		}
	} finally {
		await sim.stop();
	}
	console.log(rows.join('\n'));
	return failures ? 1 : 0;
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
