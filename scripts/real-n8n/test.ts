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
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
	buildAndPack,
	exampleFiles,
	freePort,
	GATEWAYS,
	Harness,
	modelsNotOffered,
	retarget,
	ROOT,
	terminalGptImageNodes,
	type Gateway,
	type RetargetedExample,
	type WorkflowFile,
	warningsAboutUs,
} from './harness';
import { ensureN8n, RELEASES, shippedVersion, type N8nInstall, type N8nRelease } from './install';
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

/** What n8n printed around the result: its log lines (stdout before the run's JSON, and stderr). */
function logOf(result: { stdout: string; stderr: string }): string {
	const start = result.stdout.search(/^\{/m);
	return `${start < 0 ? result.stdout : result.stdout.slice(0, start)}\n${result.stderr}`;
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

/** The cases of one run: every example (filtered by `only`) on every gateway that offers its models. */
function casesOf(only: string | undefined, release: N8nRelease): Case[] {
	const files = exampleFiles().filter((file) => !only || file.includes(only));
	return files.flatMap((file, index) =>
		GATEWAYS.filter((gateway) => modelsNotOffered(file, gateway).length === 0).map((gateway): Case => {
			const example = retarget(file, gateway, index);
			const expectation = EXPECTATIONS[file] ?? {};
			if (toolNodes(example.workflow).length > 0) {
				// An agent example: its tool node(s) called by n8n's Tool Executor, no model.
				const workflow = viaToolExecutor(example.workflow, expectation.arguments, release.toolQuery);
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
}

/**
 * The n8n-workflow a release ships must be one that test/hostSleep.test.ts runs the node's waits
 * against: a devDependency alias `npm:n8n-workflow@<version>`.
 */
function hostSleepTested(install: N8nInstall): string[] {
	const shipped = shippedVersion(install, 'n8n-workflow');
	const { devDependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
		devDependencies: Record<string, string>;
	};
	const tested = Object.values(devDependencies).includes(`npm:n8n-workflow@${shipped}`) || devDependencies['n8n-workflow'] === shipped;
	return tested
		? []
		: [`n8n ${install.release.version} ships n8n-workflow ${shipped}, which test/hostSleep.test.ts does not run (add "n8n-workflow-${shipped}": "npm:n8n-workflow@${shipped}" to devDependencies and to its HOSTS)`];
}

interface ReleaseRun {
	install: N8nInstall;
	/** Problems outside any one case: installing, loading, importing. */
	problems: string[];
	outcomes: Outcome[];
}

/** Every case on one n8n release, in a fresh user folder. */
async function runRelease(
	release: N8nRelease,
	options: { only?: string; keep: boolean; tarball: string },
	time: <T>(step: string, work: () => Promise<T>) => Promise<T>,
	log: (line: string) => void,
): Promise<ReleaseRun> {
	const { install, fresh } = await time(`n8n ${release.version}: install (cache check)`, () => ensureN8n(log, release));
	log(`n8n ${release.version} on Node ${install.nodeVersion}: ${install.dir} (${fresh ? 'installed now' : 'cached'})`);
	const harness = new Harness(install);
	const result: ReleaseRun = { install, problems: hostSleepTested(install), outcomes: [] };
	let broken = true;
	try {
		const installed = await time(`n8n ${release.version}: install like n8n's installer`, () => harness.installPackage(options.tarball));
		log(`installed ${installed.name}@${installed.version} into ${installed.dir} (n8n-workflow and zod come from n8n)`);
		const sim = await harness.startSimulator(1000);
		log(`simulator ${sim.url} (tasks finish after ${sim.latencyMs} ms)`);
		// `execute` starts a task broker for the Code node; a port of our own avoids clashes with a running n8n.
		harness.env.N8N_RUNNERS_BROKER_PORT = String(await freePort());
		const cases = casesOf(options.only, release);
		const imports = await time(`n8n ${release.version}: import credentials and ${cases.length} workflows`, async () => [
			await harness.importCredentials(),
			await harness.importWorkflows(cases.map((c) => c.workflow)),
		]);
		// Every n8n command loads the installed packages: a complaint about ours shows here first.
		for (const imported of imports) result.problems.push(...warningsAboutUs(logOf(imported)).map((w) => `n8n's output: ${w}`));

		for (const test of cases) {
			const label = `${test.name} on ${test.gateway.id}`;
			const started = Date.now();
			const executed = await harness.n8n(['execute', `--id=${test.workflow.id}`, '--rawOutput'], {
				allowFailure: true,
				timeoutMs: 180000,
				logFile: join(harness.logs, `execute-${test.workflow.id}.log`),
			});
			const took = seconds(started);
			const run = parseRawOutput(executed.stdout);
			const warnings = warningsAboutUs(logOf(executed));
			let outcome: Outcome;
			if (!run) {
				const tail = (executed.stdout + executed.stderr).trim().split('\n').slice(-8);
				outcome = { test, ok: false, seconds: took, summary: `exit ${executed.code}, no run JSON`, problems: tail };
			} else {
				const { problems, summary } = await test.check(run, harness.userFolder);
				if (executed.code !== 0) problems.unshift(`n8n execute exited with ${executed.code}`);
				problems.push(...warnings.map((warning) => `n8n's output: ${warning}`));
				outcome = { test, ok: problems.length === 0, seconds: took, summary, problems };
			}
			result.outcomes.push(outcome);
			log(`${outcome.ok ? 'PASS' : 'FAIL'}  n8n ${release.version}: ${label} (${took.toFixed(1)} s)`);
		}
		broken = false;
	} catch (error) {
		result.problems.push(error instanceof Error ? error.message : String(error));
	} finally {
		const kept = options.keep || broken || result.problems.length > 0 || result.outcomes.some((o) => !o.ok);
		await harness.stop(kept);
		if (kept) log(`kept ${harness.userFolder} (logs/ holds every command's output)`);
	}
	return result;
}

async function main(): Promise<number> {
	const args = process.argv.slice(2);
	const only = args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
	const n8nFilter = args.find((arg) => arg.startsWith('--n8n='))?.slice('--n8n='.length);
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

	const releases = RELEASES.filter((release) => !n8nFilter || release.version.startsWith(n8nFilter));
	if (releases.length === 0) throw new Error(`no n8n release matches --n8n=${n8nFilter}`);
	for (const file of exampleFiles().filter((name) => !only || name.includes(only))) {
		const skipped = GATEWAYS.map((gateway) => ({ gateway, models: modelsNotOffered(file, gateway) })).filter((g) => g.models.length);
		for (const { gateway, models } of skipped) log(`${file}: not on ${gateway.id}, which does not offer ${models.join(', ')}`);
	}
	const runs: ReleaseRun[] = [];
	const packDir = mkdtempSync(join(tmpdir(), 'gpt-image-pack-'));
	try {
		const tarball = await time('build + npm pack', () => buildAndPack(packDir, join(packDir, 'build.log')));
		for (const release of releases) runs.push(await runRelease(release, { only, keep, tarball }, time, log));
	} finally {
		rmSync(packDir, { recursive: true, force: true });
	}
	timings.push(['total', seconds(startedAll).toFixed(1)]);

	console.log('\nTimings');
	console.log(table(timings));
	const outcomes = runs.flatMap((r) => r.outcomes.map((o) => ({ ...o, n8n: `${r.install.release.version} (Node ${r.install.nodeVersion})` })));
	console.log('\nResults (real n8n, the simulator)');
	console.log(
		table([
			['result', 'n8n', 'workflow', 'gateway', 'seconds', 'output'],
			...outcomes.map((o) => [o.ok ? 'PASS' : 'FAIL', o.n8n, o.test.name, o.test.gateway.id, o.seconds.toFixed(1), o.summary]),
		]),
	);
	for (const outcome of outcomes.filter((o) => !o.ok)) {
		console.log(`\nFAIL n8n ${outcome.n8n}: ${outcome.test.name} on ${outcome.test.gateway.id}:`);
		for (const problem of outcome.problems) console.log(`  - ${problem.replace(/\n/g, '\n      ')}`);
	}
	for (const releaseRun of runs.filter((r) => r.problems.length > 0)) {
		console.log(`\nFAIL n8n ${releaseRun.install.release.version}:`);
		for (const problem of releaseRun.problems) console.log(`  - ${problem.replace(/\n/g, '\n      ')}`);
	}
	const failed = outcomes.filter((o) => !o.ok).length;
	const setupFailed = runs.filter((r) => r.problems.length > 0).length;
	console.log(`\n${outcomes.length - failed} passed, ${failed} failed${setupFailed ? `, ${setupFailed} n8n release(s) with problems` : ''}`);
	return failed === 0 && setupFailed === 0 && outcomes.length > 0 ? 0 : 1;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	},
);
