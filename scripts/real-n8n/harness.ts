/**
 * One run's world around the cached real n8n: a fresh N8N_USER_FOLDER (temp dir) with this package
 * packed and installed into .n8n/nodes the way n8n's Community Nodes installer does, the gateway
 * simulator as its own process, credentials for every gateway pointing at it, and the examples
 * retargeted to every gateway.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { MODEL_PARAMETER } from '../../nodes/GptImage/actions/parameters';
import { GATEWAYS as REGISTRY } from '../../nodes/GptImage/gateways';
import type { GatewayId } from '../../nodes/GptImage/gateways';
import type { N8nInstall } from './install';
import { run, startBackground, type Background, type RunOptions, type RunResult } from './proc';

export const ROOT = join(__dirname, '..', '..', '..');
export const EXAMPLES = join(ROOT, 'examples');
export const NODE_TYPE = 'n8n-nodes-gpt-image.gptImage';
/** Fixed, so that import, execute and start all decrypt the same credentials. */
const ENCRYPTION_KEY = 'gpt-image-real-n8n-test-key-0001';

export interface Gateway {
	/** The node's `gateway` parameter value. */
	id: GatewayId;
	credentialType: string;
	/** The examples use the first gateway's id; the others are derived the same way. */
	credentialId: string;
	credentialName: string;
}

/** n8n credential ids are 16 characters: the gateway id, padded. */
function credentialIdOf(id: string): string {
	return `gptImage${id}`.padEnd(16, '0').slice(0, 16);
}

/** Every gateway of the node's registry, with the credential the runs import for it. */
export const GATEWAYS: Gateway[] = Object.values(REGISTRY).map((gateway) => ({
	id: gateway.id,
	credentialType: gateway.credentialType,
	credentialId: credentialIdOf(gateway.id),
	credentialName: `${gateway.displayName} account`,
}));

export interface SimulatorInfo {
	url: string;
	cdnUrl: string;
	apiKey: string;
	latencyMs: number;
	/** GET it (`?from=<n>`) for the simulator's request log. */
	requestsUrl: string;
	gateways: Record<GatewayId, { baseUrl: string; uploadBaseUrl: string }>;
}

/** An n8n workflow as the examples hold it (the parts we touch). */
export interface WorkflowFile {
	id?: string;
	name: string;
	active?: boolean;
	nodes: Array<{
		id: string;
		name: string;
		type: string;
		parameters: Record<string, unknown>;
		credentials?: Record<string, { id: string; name: string }>;
		webhookId?: string;
		[key: string]: unknown;
	}>;
	/** Source node → connection type (main, ai_tool, …) → outputs → targets. */
	connections: Record<string, Record<string, Array<Array<{ node: string; type: string; index: number }> | null>>>;
	[key: string]: unknown;
}

export interface RetargetedExample {
	file: string;
	gateway: Gateway;
	workflow: WorkflowFile & { id: string };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

/** Builds the package and packs it as npm would publish it; returns the tarball's path. */
export async function buildAndPack(into: string, logFile: string): Promise<string> {
	await run('npm', ['run', 'build'], { cwd: ROOT, logFile });
	const packed = await run('npm', ['pack', '--json', '--pack-destination', into], { cwd: ROOT, logFile });
	const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string }>;
	return join(into, info.filename);
}

export interface InstalledPackage {
	name: string;
	version: string;
	/** `<user folder>/.n8n/nodes/node_modules/<name>`: where n8n loads it from. */
	dir: string;
}

/**
 * Installs a packed tarball into `<userFolder>/.n8n/nodes` exactly as n8n's Community Nodes
 * installer does (`CommunityPackagesService.downloadPackage` in n8n 2.41.1, and in 1.123.81 with the
 * same flags):
 * extract it into `node_modules/<name>`, delete its dev, peer and optional dependencies from its
 * package.json, run `npm install` with n8n's flags in that folder, and record it in the folder's
 * package.json. n8n's own `npm pack <name>@<version>` from the registry is replaced by our tarball,
 * and npm uses the configured registry (n8n passes `--registry=` its own setting, whose default is
 * the public one; a package without dependencies never asks it).
 *
 * So `n8n-workflow` and zod are NOT installed beside the package: at start n8n puts its own
 * `module.paths` on NODE_PATH, and the package resolves them from n8n's installation. This checks
 * that, and throws if plain Node resolution from the package folder could find either of them (a
 * copy there, or in a folder above, would hide what users get).
 */
export async function installLikeN8n(
	tarball: string,
	userFolder: string,
	options: { env?: NodeJS.ProcessEnv; logFile?: string } = {},
): Promise<InstalledPackage> {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const runOptions = { env: options.env, logFile: options.logFile };
	const manifest = await run('tar', ['-xzOf', tarball, 'package/package.json'], runOptions);
	const { name } = JSON.parse(manifest.stdout) as { name: string };
	const dir = join(nodesDir, 'node_modules', name);
	mkdirSync(dir, { recursive: true });
	await run('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1'], runOptions);

	const packageJsonPath = join(dir, 'package.json');
	const packageJson = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as Record<string, unknown> & { version: string };
	for (const field of ['devDependencies', 'peerDependencies', 'optionalDependencies']) delete packageJson[field];
	writeFileSync(packageJsonPath, JSON.stringify(packageJson, null, 2));
	await run(
		'npm',
		[
			'install',
			'--audit=false',
			'--fund=false',
			'--bin-links=false',
			'--install-strategy=shallow',
			'--ignore-scripts=true',
			'--package-lock=false',
		],
		{ ...runOptions, cwd: dir },
	);

	// n8n keeps the folder's package.json as the list of installed packages.
	const listPath = join(nodesDir, 'package.json');
	const list = existsSync(listPath)
		? (JSON.parse(readFileSync(listPath, 'utf8')) as { dependencies?: Record<string, string> })
		: { name: 'installed-nodes', private: true, dependencies: {} };
	list.dependencies = { ...list.dependencies, [name]: packageJson.version };
	writeFileSync(listPath, JSON.stringify(list, null, 2));

	const found = ['n8n-workflow', 'zod'].flatMap((module) => {
		try {
			return [`${module} at ${require.resolve(module, { paths: [dir] })}`];
		} catch {
			return [];
		}
	});
	if (found.length > 0) {
		throw new Error(`${name} would not resolve its runtime imports from n8n: ${found.join(', ')} (${dir})`);
	}
	return { name, version: packageJson.version, dir };
}

/** The package's name: what n8n's log lines and warning stacks name when they are about us. */
export const PACKAGE_NAME = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string }).name;

/** Timer warnings: our waits are the only timers in an execution of the examples. */
const TIMER_WARNING = /^Timeout(Negative|Overflow)Warning$/;

/**
 * The package in a stack frame (its installed files) or a log line (its name on its own, as in
 * `n8n-nodes-gpt-image.gptImage`), but not inside another path, such as the cache folder that
 * holds n8n (…/.cache/n8n-nodes-gpt-image/n8n-2.41.1/…).
 */
const ABOUT_US = new RegExp(
	`node_modules/${PACKAGE_NAME}/|(?:^|[^\\w/.-])${PACKAGE_NAME.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`,
);

/**
 * What an n8n process's output says against the node: a Node.js process warning about timers
 * (TimeoutNegativeWarning, TimeoutOverflowWarning) or whose stack (n8n runs with
 * --trace-warnings) passes through the package, and any log line naming the package (n8n names a
 * package only to warn about it or to report its failure). Give it the log without its data (such
 * as `n8n execute`'s result JSON).
 */
export function warningsAboutUs(output: string): string[] {
	const lines = output.split('\n');
	const found: string[] = [];
	for (let index = 0; index < lines.length; index++) {
		const line = lines[index];
		const warning = /^\(node:\d+\) (?:\[[\w-]+\] )?(\w*Warning): /.exec(line);
		if (warning) {
			// The message may go on for a line or two before the stack.
			let first = index + 1;
			while (first < index + 4 && first < lines.length && !lines[first].startsWith('    at ')) first++;
			const message = lines.slice(index, lines[first]?.startsWith('    at ') ? first : index + 1);
			const stack: string[] = [];
			index += message.length - 1;
			while (lines[index + 1]?.startsWith('    at ')) stack.push(lines[++index]);
			if (TIMER_WARNING.test(warning[1]) || stack.some((frame) => ABOUT_US.test(frame))) {
				found.push([...message, ...stack.slice(0, 8)].join('\n'));
			}
		} else if (ABOUT_US.test(line)) {
			found.push(line);
		}
	}
	return found;
}

export class Harness {
	readonly userFolder: string;
	readonly logs: string;
	/** The environment every n8n command of this run gets. */
	readonly env: NodeJS.ProcessEnv;
	sim?: SimulatorInfo;
	private simProcess?: Background;

	/** `userFolder`: this run's N8N_USER_FOLDER (created), else a new temp folder. */
	constructor(
		readonly install: N8nInstall,
		userFolder?: string,
	) {
		this.userFolder = userFolder ?? mkdtempSync(join(tmpdir(), 'gpt-image-n8n-'));
		this.logs = join(this.userFolder, 'logs');
		mkdirSync(this.logs, { recursive: true });
		this.env = {
			...process.env,
			PATH: `${install.nodeBinDir}:${process.env.PATH ?? ''}`,
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			// `n8n execute` prints its result through the logger: below info it prints nothing.
			N8N_LOG_LEVEL: 'info',
			// A process warning comes with its stack, so that warningsAboutUs can tell whose it is.
			NODE_OPTIONS: [process.env.NODE_OPTIONS, '--trace-warnings'].filter(Boolean).join(' '),
			N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_SECURE_COOKIE: 'false',
			N8N_HOST: '127.0.0.1',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			...install.release.env,
		};
	}

	/** Installs the packed tarball into this run's user folder the way n8n's installer does. */
	async installPackage(tarball: string): Promise<InstalledPackage> {
		return installLikeN8n(tarball, this.userFolder, {
			env: this.install.npmEnv,
			logFile: join(this.logs, 'install-package.log'),
		});
	}

	/** Starts `node .build/scripts/simulator.js` (with SimulatorOptions, e.g. its apiKey) and reads the URLs it prints. */
	async startSimulator(latencyMs = 1000, options: Record<string, unknown> = {}): Promise<SimulatorInfo> {
		const script = join(ROOT, '.build', 'scripts', 'simulator.js');
		this.simProcess = startBackground(process.execPath, [script, String(latencyMs), JSON.stringify(options)], {
			logFile: join(this.logs, 'simulator.log'),
			stdout: 'pipe',
		});
		const child = this.simProcess.child;
		const line = await new Promise<string>((resolve, reject) => {
			const lines = createInterface({ input: child.stdout! });
			const timer = setTimeout(() => reject(new Error('the simulator printed nothing in 15 s')), 15000);
			lines.once('line', (first) => {
				clearTimeout(timer);
				resolve(first);
			});
			child.once('exit', (code) => reject(new Error(`the simulator exited with ${code}`)));
		});
		this.sim = JSON.parse(line) as SimulatorInfo;
		return this.sim;
	}

	/** Runs the n8n CLI on Node 24 with this run's environment. */
	n8n(args: string[], options: RunOptions = {}): Promise<RunResult> {
		return run(this.install.node, [this.install.n8nBin, ...args], {
			cwd: this.userFolder,
			...options,
			env: { ...this.env, ...options.env },
		});
	}

	/** `n8n start` in the background; stop it with `.stop()` (SIGTERM by pid). */
	startN8n(port: number, extraEnv: NodeJS.ProcessEnv = {}): Background {
		return this.startCommand(['start'], { N8N_PORT: String(port), ...extraEnv });
	}

	/** An n8n command that keeps running (`start`, `worker`), its output in logs/n8n-<command>.log. */
	startCommand(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Background {
		return startBackground(this.install.node, [this.install.n8nBin, ...args], {
			cwd: this.userFolder,
			env: { ...this.env, ...extraEnv },
			logFile: join(this.logs, `n8n-${args[0]}.log`),
		});
	}

	/** Imports one credential per gateway, pointing at the simulator, under the ids the examples use. */
	async importCredentials(): Promise<RunResult> {
		const sim = this.sim!;
		const credentials = GATEWAYS.map((g) => ({
			id: g.credentialId,
			name: g.credentialName,
			type: g.credentialType,
			// A plain object: n8n encrypts it with N8N_ENCRYPTION_KEY on import.
			data: { apiKey: sim.apiKey, baseUrl: sim.gateways[g.id].baseUrl, uploadBaseUrl: sim.gateways[g.id].uploadBaseUrl },
		}));
		const file = join(this.userFolder, 'credentials.json');
		writeFileSync(file, JSON.stringify(credentials, null, 2));
		return await this.n8n(['import:credentials', `--input=${file}`], { logFile: join(this.logs, 'import-credentials.log') });
	}

	/** Imports workflows (one file, an array); ids are the workflows' own. */
	async importWorkflows(workflows: WorkflowFile[], name = 'workflows'): Promise<RunResult> {
		const file = join(this.userFolder, `${name}.json`);
		writeFileSync(file, JSON.stringify(workflows, null, 2));
		return await this.n8n(['import:workflow', `--input=${file}`], { logFile: join(this.logs, `import-${name}.log`) });
	}

	/** Stops the simulator and removes the temp folder unless `keep` (logs, DB and binaries stay). */
	async stop(keep = false): Promise<void> {
		await this.simProcess?.stop();
		if (!keep) rmSync(this.userFolder, { recursive: true, force: true });
	}
}

export function exampleFiles(): string[] {
	return readdirSync(EXAMPLES)
		.filter((name) => name.endsWith('.json'))
		.sort();
}

/**
 * A copy of an example for one gateway: every GPT Image node (and GPT Image Tool node) switched to
 * it (parameter and credential), Wait nodes shortened to 2 s (the simulator finishes tasks in about a second), fresh
 * webhook ids, and a workflow id of our own.
 */
export function retarget(file: string, gateway: Gateway, index: number): RetargetedExample {
	const source = JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as WorkflowFile;
	// 16 characters like n8n's own ids, e.g. gptImg0toApis000.
	const id = `gptImg${index}${gateway.id}`.padEnd(16, '0');
	const workflow: WorkflowFile & { id: string } = {
		...source,
		id,
		name: `${source.name} [${gateway.credentialName.replace(/ account$/, '')}]`,
		active: false,
		nodes: source.nodes.map((node) => {
			if (node.type === NODE_TYPE || node.type === `${NODE_TYPE}Tool`) {
				return {
					...node,
					parameters: { ...node.parameters, gateway: gateway.id },
					credentials: { [gateway.credentialType]: { id: gateway.credentialId, name: gateway.credentialName } },
				};
			}
			if (node.type === 'n8n-nodes-base.wait') {
				return { ...node, parameters: { ...node.parameters, amount: 2 }, webhookId: randomUUID() };
			}
			return node;
		}),
	};
	return { file, gateway, workflow };
}

/**
 * The models an example's GPT Image nodes name that `gateway` does not offer (an example made for
 * one gateway's own model runs on that gateway only).
 */
export function modelsNotOffered(file: string, gateway: Gateway): string[] {
	const workflow = JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as WorkflowFile;
	const offered = new Set(REGISTRY[gateway.id].models.map((model) => model.id));
	return workflow.nodes
		.filter((node) => node.type === NODE_TYPE || node.type === `${NODE_TYPE}Tool`)
		.flatMap((node) => Object.values(MODEL_PARAMETER).map((name) => node.parameters[name]))
		.filter((model): model is string => typeof model === 'string' && !model.startsWith('=') && !offered.has(model));
}

/** GPT Image nodes that no other node follows: what a workflow's result is. */
export function terminalGptImageNodes(workflow: WorkflowFile): string[] {
	const sources = new Set(
		Object.entries(workflow.connections)
			.filter(([, outputs]) => (outputs.main ?? []).some((targets) => (targets ?? []).length > 0))
			.map(([name]) => name),
	);
	return workflow.nodes.filter((node) => node.type === NODE_TYPE && !sources.has(node.name)).map((node) => node.name);
}
