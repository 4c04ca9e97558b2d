/**
 * `npm run test:n8n`: every workflow in examples/ on every gateway, executed by a REAL n8n
 * (2.41.1 on Node 24, cached outside the clone) with this package installed from its npm tarball
 * the way n8n's Community Nodes installer installs it (see installLikeN8n in harness.ts),
 * against the gateway simulator running as its own process. Examples that use the node as an AI
 * Agent's tool run their tool node through n8n's Tool Executor instead (no model; see toolMode.ts).
 *
 *   npm run test:n8n                      all examples × all gateways
 *   npm run test:n8n -- --only=product    examples whose file name contains "product"
 *   npm run test:n8n -- --keep            keep the temp N8N_USER_FOLDER (logs, DB, stored binaries);
 *                                         it is always kept when something failed
 *
 * Exit code 0 only when every run passed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import {
	buildAndPack,
	exampleFiles,
	freePort,
	GATEWAYS,
	Harness,
	retarget,
	terminalGptImageNodes,
	type Gateway,
	type RetargetedExample,
	type WorkflowFile,
} from './harness';
import { ensureN8n } from './install';
import { seconds } from './proc';
import { parseFileSize, pngDimensions } from './png';
import { checkToolRun, toolNodes, viaToolExecutor } from './toolMode';

/** What an example must end with. Examples not listed: every terminal GPT Image node ≥ 1 PNG item. */
interface Expectation {
	/** The node whose output is checked (default: every terminal GPT Image node). */
	node?: string;
	/** Exact number of items (default: at least one). */
	items?: number;
	/** IHDR size of every image. */
	width?: number;
	height?: number;
	/** More checks on the whole run; return problems. */
	extra?: (run: RunData) => string[];
	/** Agent examples: what the model would fill in for the tool's `$fromAI` keys. */
	arguments?: Record<string, unknown>;
}

const EXPECTATIONS: Record<string, Expectation> = {
	// The agent's tool, called by the Tool Executor with the arguments a model would give.
	'ai-agent-tool.json': {
		arguments: { prompt: 'A square banner of a lighthouse at dusk', size: '3:2' },
		items: 1,
		width: 1536,
		height: 1024,
	},
	// One photo edited at 1:1 (the simulator accepts the example's placeholder URLs).
	'edit-product-photo.json': { node: 'Edit Background', items: 1, width: 1024, height: 1024 },
	// 3 products × 1 image, size 1:1.
	'product-shots.json': { node: 'Generate Shots', items: 3, width: 1024, height: 1024 },
	// One task of 2 images at 3:2, submitted without waiting, then read and downloaded.
	'submit-now-collect-later.json': {
		node: 'Download',
		items: 2,
		width: 1536,
		height: 1024,
		extra: (run) => {
			const problems: string[] = [];
			const submitted = outputOf(run, 'Submit');
			if (submitted.length !== 1 || submitted[0].json.state !== 'queued' || !submitted[0].json.taskId) {
				problems.push(`Submit: expected 1 item {state: "queued", taskId}, got ${brief(submitted.map((i) => i.json))}`);
			}
			const status = outputOf(run, 'Check Status');
			if (status.length !== 1 || status[0].json.state !== 'succeeded') {
				problems.push(`Check Status: expected state "succeeded", got ${brief(status.map((i) => i.json.state))}`);
			}
			return problems;
		},
	},
};

interface Item {
	json: Record<string, unknown>;
	binary?: Record<string, { id?: string; mimeType?: string; fileSize?: string | number; fileName?: string; bytes?: number }>;
}

/** The part of `n8n execute --rawOutput`'s JSON (an IRun) that we read. */
interface RunData {
	status?: string;
	data: {
		resultData: {
			error?: { message?: string; description?: string };
			lastNodeExecuted?: string;
			runData: Record<string, Array<{ error?: { message?: string }; data?: { main?: Item[][] } }>>;
		};
	};
}

function brief(value: unknown): string {
	const text = JSON.stringify(value);
	return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function outputOf(run: RunData, node: string): Item[] {
	const runs = run.data.resultData.runData[node] ?? [];
	return runs.at(-1)?.data?.main?.[0] ?? [];
}

/** `--rawOutput` prints log lines first; the run's JSON starts at the first line that is `{`. */
function parseRawOutput(stdout: string): RunData | undefined {
	const start = stdout.search(/^\{/m);
	if (start < 0) return undefined;
	try {
		return JSON.parse(stdout.slice(start)) as RunData;
	} catch {
		return undefined;
	}
}

/**
 * Where n8n (filesystem mode) stored a binary: its id is `filesystem-v2:<relative path>` (or
 * `filesystem:<file id>` in older n8n), relative to the storage folder under .n8n.
 */
function locateBinary(userFolder: string, id: string): string | undefined {
	const relative = id.replace(/^filesystem(-v2)?:/, '');
	const n8nFolder = join(userFolder, '.n8n');
	for (const base of ['storage', 'binaryData']) {
		const candidate = join(n8nFolder, base, relative);
		if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
	}
	// Fall back to a search by file name under .n8n (the layout has moved between versions).
	const name = relative.split('/').pop()!;
	const stack = [n8nFolder];
	while (stack.length) {
		const dir = stack.pop()!;
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			if (entry.name === 'nodes') continue;
			const path = join(dir, entry.name);
			if (entry.isDirectory()) stack.push(path);
			else if (entry.name === name) return path;
		}
	}
	return undefined;
}

/** One workflow to execute: an example on a gateway (agent examples as their Tool Executor form). */
interface Case {
	/** What the table shows in its first columns. */
	name: string;
	gateway: Gateway;
	workflow: WorkflowFile & { id: string };
	check(run: RunData, userFolder: string): Promise<{ problems: string[]; summary: string }>;
}

interface Outcome {
	test: Case;
	ok: boolean;
	seconds: number;
	summary: string;
	problems: string[];
}

/** Whether n8n itself calls the run a success. */
function runProblems(run: RunData): string[] {
	const problems: string[] = [];
	const { resultData } = run.data;
	if (run.status !== undefined && run.status !== 'success') problems.push(`execution status "${run.status}"`);
	if (resultData.error) problems.push(`workflow error: ${resultData.error.message ?? brief(resultData.error)}`);
	for (const [node, runs] of Object.entries(resultData.runData)) {
		for (const nodeRun of runs) if (nodeRun.error) problems.push(`${node}: ${nodeRun.error.message ?? 'error'}`);
	}
	return problems;
}

/** An example's result: the expected PNG items, stored by n8n on disk. */
function checkExample(example: RetargetedExample, run: RunData, userFolder: string): { problems: string[]; summary: string } {
	const problems = runProblems(run);

	const expectation = EXPECTATIONS[example.file] ?? {};
	const nodes = expectation.node ? [expectation.node] : terminalGptImageNodes(example.workflow);
	if (nodes.length === 0) problems.push('no terminal GPT Image node');
	const summaries: string[] = [];
	for (const node of nodes) {
		const items = outputOf(run, node);
		if (expectation.items !== undefined ? items.length !== expectation.items : items.length < 1) {
			problems.push(`${node}: ${items.length} item(s), expected ${expectation.items ?? '≥ 1'}`);
		}
		const sizes = new Set<string>();
		items.forEach((item, index) => {
			const where = `${node}[${index}]`;
			for (const field of ['taskId', 'gateway', 'url']) {
				if (item.json[field] === undefined || item.json[field] === '') problems.push(`${where}: json.${field} missing`);
			}
			if (item.json.gateway !== undefined && item.json.gateway !== example.gateway.id) {
				problems.push(`${where}: json.gateway "${String(item.json.gateway)}", expected "${example.gateway.id}"`);
			}
			const binaries = Object.entries(item.binary ?? {});
			if (binaries.length === 0) {
				problems.push(`${where}: no binary data`);
				return;
			}
			for (const [field, binary] of binaries) {
				const label = `${where}.binary.${field}`;
				if (binary.mimeType !== 'image/png') problems.push(`${label}: mimeType ${String(binary.mimeType)}`);
				const declared = parseFileSize(binary.fileSize);
				if (!(declared > 1000)) problems.push(`${label}: implausible fileSize ${String(binary.fileSize)}`);
				if (!binary.id?.startsWith('filesystem')) {
					problems.push(`${label}: not stored by n8n on disk (id ${String(binary.id)})`);
					continue;
				}
				const path = locateBinary(userFolder, binary.id);
				if (!path) {
					problems.push(`${label}: stored file for ${binary.id} not found under .n8n`);
					continue;
				}
				const bytes = readFileSync(path);
				const size = pngDimensions(bytes);
				if (!size) {
					problems.push(`${label}: stored file is not a PNG`);
					continue;
				}
				// fileSize is rounded to 3 significant digits ("245 kB"); n8n 2.x also records exact `bytes`.
				if (binary.bytes !== undefined ? binary.bytes !== bytes.length : Math.abs(bytes.length - declared) > 0.01 * bytes.length) {
					problems.push(`${label}: fileSize ${String(binary.fileSize)} (bytes ${String(binary.bytes)}) but ${bytes.length} bytes stored`);
				}
				if (expectation.width !== undefined && (size.width !== expectation.width || size.height !== expectation.height)) {
					problems.push(`${label}: PNG ${size.width}x${size.height}, expected ${expectation.width}x${expectation.height}`);
				}
				sizes.add(`${size.width}x${size.height}`);
			}
		});
		summaries.push(`${node}: ${items.length} PNG item(s) ${[...sizes].join(',')}`);
	}
	if (expectation.extra) problems.push(...expectation.extra(run));
	return { problems, summary: summaries.join('; ') };
}

function table(rows: string[][]): string {
	const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
	return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

async function main(): Promise<number> {
	const args = process.argv.slice(2);
	const only = args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
	const keep = args.includes('--keep');
	const log = (line: string) => console.log(line);
	const timings: string[][] = [['step', 'seconds']];
	const time = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
		const started = Date.now();
		const result = await work();
		timings.push([step, seconds(started).toFixed(1)]);
		return result;
	};
	const startedAll = Date.now();

	const { install, fresh } = await time('n8n install (cache check)', () => ensureN8n(log));
	if (fresh) timings[timings.length - 1][0] = 'n8n install (cold)';
	log(`n8n ${install.dir} (${fresh ? 'installed now' : 'cached'})`);

	const harness = new Harness(install);
	let broken = true;
	const outcomes: Outcome[] = [];
	try {
		const tarball = await time('build + npm pack', () => buildAndPack(harness.userFolder, join(harness.logs, 'build.log')));
		const installed = await time("install like n8n's installer", () => harness.installPackage(tarball));
		log(`installed ${installed.name}@${installed.version} into ${installed.dir} (n8n-workflow and zod come from n8n)`);
		const sim = await time('start simulator', () => harness.startSimulator(1000));
		log(`simulator ${sim.url} (tasks finish after ${sim.latencyMs} ms)`);
		// `execute` starts a task broker for the Code node; a port of our own avoids clashes with a running n8n.
		harness.env.N8N_RUNNERS_BROKER_PORT = String(await freePort());
		await time('import credentials (+ DB setup)', () => harness.importCredentials());

		const files = exampleFiles().filter((file) => !only || file.includes(only));
		const cases: Case[] = files.flatMap((file, index) =>
			GATEWAYS.map((gateway): Case => {
				const example = retarget(file, gateway, index);
				const expectation = EXPECTATIONS[file] ?? {};
				if (toolNodes(example.workflow).length > 0) {
					// An agent example: its tool node(s) called by n8n's Tool Executor, no model.
					const workflow = viaToolExecutor(example.workflow, expectation.arguments);
					return {
						name: `${file} (tool, via Tool Executor)`,
						gateway,
						workflow,
						check: async (run) => {
							const { problems, summary } = await checkToolRun(workflow, run.data.resultData.runData, gateway, expectation);
							return { problems: [...runProblems(run), ...problems], summary };
						},
					};
				}
				return {
					name: file,
					gateway,
					workflow: example.workflow,
					check: async (run, userFolder) => checkExample(example, run, userFolder),
				};
			}),
		);
		await time(`import ${cases.length} workflows`, () => harness.importWorkflows(cases.map((c) => c.workflow)));

		for (const test of cases) {
			const label = `${test.name} on ${test.gateway.id}`;
			const started = Date.now();
			const result = await harness.n8n(['execute', `--id=${test.workflow.id}`, '--rawOutput'], {
				allowFailure: true,
				timeoutMs: 180000,
				logFile: join(harness.logs, `execute-${test.workflow.id}.log`),
			});
			const took = seconds(started);
			timings.push([`execute ${label}`, took.toFixed(1)]);
			const run = parseRawOutput(result.stdout);
			let outcome: Outcome;
			if (!run) {
				const tail = (result.stdout + result.stderr).trim().split('\n').slice(-8);
				outcome = { test, ok: false, seconds: took, summary: `exit ${result.code}, no run JSON`, problems: tail };
			} else {
				const { problems, summary } = await test.check(run, harness.userFolder);
				if (result.code !== 0) problems.unshift(`n8n execute exited with ${result.code}`);
				outcome = { test, ok: problems.length === 0, seconds: took, summary, problems };
			}
			outcomes.push(outcome);
			log(`${outcome.ok ? 'PASS' : 'FAIL'}  ${label} (${took.toFixed(1)} s)`);
		}
		broken = false;
	} finally {
		const kept = keep || broken || outcomes.some((o) => !o.ok);
		await harness.stop(kept);
		if (kept) log(`kept ${harness.userFolder} (logs/ holds every command's output)`);
	}
	timings.push(['total', seconds(startedAll).toFixed(1)]);

	console.log('\nTimings');
	console.log(table(timings));
	console.log(`\nResults (real n8n ${install.dir.split('n8n-').pop()}, Node 24, simulator)`);
	console.log(
		table([
			['result', 'workflow', 'gateway', 'seconds', 'output'],
			...outcomes.map((o) => [o.ok ? 'PASS' : 'FAIL', o.test.name, o.test.gateway.id, o.seconds.toFixed(1), o.summary]),
		]),
	);
	for (const outcome of outcomes.filter((o) => !o.ok)) {
		console.log(`\nFAIL ${outcome.test.name} on ${outcome.test.gateway.id}:`);
		for (const problem of outcome.problems) console.log(`  - ${problem}`);
	}
	const failed = outcomes.filter((o) => !o.ok).length;
	const passed = outcomes.length - failed;
	console.log(`\n${passed} passed, ${failed} failed`);
	return failed === 0 && outcomes.length > 0 ? 0 : 1;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	},
);
