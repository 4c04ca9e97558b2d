/**
 * `npm run scan`: n8n's official package scanner, `@n8n/scan-community-package` (pinned), on both
 * of the legs n8n's verification lints:
 *
 *   source    package.json + {nodes,credentials}/**\/*.{js,ts,json} of this checkout (what the
 *             scanner fetches from the commit the npm provenance names)
 *   tarball   every .js, .ts and .json file of the packed package (`npm pack`, as published); the
 *             scanner's CLI lints only its .js files and package.json, so this is a superset
 *
 * Both must report zero violations. Each leg is then run once more on a copy with violations put
 * in (source: a `console.log` and a parameter without a default in the node; tarball: a
 * `console.log` and a `*.credentials.d.ts` in dist), which must report those rules: so a scan that
 * lints nothing, or without the rule sets, cannot pass.
 *
 * The scanner is installed once, from the npm registry, into a cache folder outside the clone,
 * keyed by its version (`${XDG_CACHE_HOME:-~/.cache}/n8n-nodes-gpt-image/scan-community-package-<v>`):
 * `--legacy-peer-deps --ignore-scripts`, with its declared TypeScript 7 replaced by 5.9 (the
 * typescript-estree it uses crashes on 7) and `n8n-workflow` added (one of its rules requires it).
 * Provenance, the scanner's third check, exists only for a published version.
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

import { run, seconds } from './real-n8n/proc';

const SCANNER = '@n8n/scan-community-package';
export const SCANNER_VERSION = '0.32.0';
/** What the scanner's own dependencies need to run here (see the header). */
const TYPESCRIPT_VERSION = '5.9.3';
const N8N_WORKFLOW_VERSION = '2.11.1';

const ROOT = join(__dirname, '..', '..');

/** The scanner module's exports that we call. */
interface ScanResult {
	passed: boolean;
	message?: string;
	details?: string;
}
interface Scanner {
	analyzePackage(dir: string, patterns?: string[]): Promise<ScanResult>;
	SOURCE_FILE_PATTERNS: string[];
}

function cacheDir(): string {
	const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
	return join(base, 'n8n-nodes-gpt-image', `scan-community-package-${SCANNER_VERSION}`);
}

/** The marker, written last: a half-finished install has none and is redone. */
interface Marker {
	scanner: string;
	typescript: string;
	n8nWorkflow: string;
}

/** Installs the scanner into its cache folder unless the marker says it is there; returns its entry. */
async function ensureScanner(log: (line: string) => void): Promise<string> {
	const dir = cacheDir();
	const entry = join(dir, 'node_modules', ...SCANNER.split('/'), 'scanner', 'scanner.mjs');
	const markerFile = join(dir, 'installed.json');
	const wanted: Marker = { scanner: SCANNER_VERSION, typescript: TYPESCRIPT_VERSION, n8nWorkflow: N8N_WORKFLOW_VERSION };
	if (existsSync(markerFile) && existsSync(entry) && readFileSync(markerFile, 'utf8') === JSON.stringify(wanted)) return entry;

	const started = Date.now();
	log(`installing ${SCANNER}@${SCANNER_VERSION} into ${dir}`);
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	const wrapper = {
		name: 'scan-community-package-for-gpt-image',
		private: true,
		dependencies: { [SCANNER]: SCANNER_VERSION, 'n8n-workflow': N8N_WORKFLOW_VERSION },
		overrides: { typescript: TYPESCRIPT_VERSION },
	};
	writeFileSync(join(dir, 'package.json'), JSON.stringify(wrapper, null, 2));
	await run('npm', ['install', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund'], {
		cwd: dir,
		logFile: join(dir, 'npm-install.log'),
	});
	const installed = JSON.parse(readFileSync(join(dir, 'node_modules', 'typescript', 'package.json'), 'utf8')) as { version: string };
	if (installed.version !== TYPESCRIPT_VERSION) throw new Error(`the scanner got typescript ${installed.version}, not ${TYPESCRIPT_VERSION}`);
	writeFileSync(markerFile, JSON.stringify(wanted));
	log(`  installed in ${seconds(started).toFixed(0)} s`);
	return entry;
}

/** The scanner is an ES module; this file compiles to CommonJS, whose `import()` would become `require`. */
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

/**
 * Builds from a clean dist/ (as the release workflow does on a fresh checkout: files an older build
 * left behind would otherwise be packed too), packs and unpacks the package as npm publishes it;
 * returns the unpacked folder.
 */
async function packed(work: string, logFile: string): Promise<string> {
	rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
	await run('npm', ['run', 'build'], { cwd: ROOT, logFile });
	const pack = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, logFile });
	const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string }>;
	const dir = join(work, 'package');
	mkdirSync(dir);
	await run('tar', ['-xzf', join(work, info.filename), '-C', dir, '--strip-components=1']);
	return dir;
}

interface Leg {
	name: string;
	/** The folder the scanner lints. */
	dir: string;
	patterns?: string[];
	/** A file that must be there, so that a leg cannot pass by linting nothing. */
	expect: string;
	/** Puts violations into a copy of `dir` and names the rules that must then report. */
	breakCopy(copy: string): string[];
}

/** The rule ids of the errors in the scanner's report (eslint's stylish format: `  1:2  error  text  rule`). */
function rulesIn(details = ''): Set<string> {
	return new Set([...details.matchAll(/^\s+\d+:\d+\s+error\s.*\s(\S+)$/gm)].map((match) => match[1]));
}

async function main(): Promise<number> {
	const log = (line: string) => console.log(line);
	const startedAll = Date.now();
	const entry = await ensureScanner(log);
	const scanner = (await importModule(entry)) as Scanner;

	const work = mkdtempSync(join(tmpdir(), 'gpt-image-scan-'));
	let failed = 0;
	try {
		const tarball = await packed(work, join(work, 'build.log'));
		const legs: Leg[] = [
			{
				name: 'source',
				dir: ROOT,
				patterns: scanner.SOURCE_FILE_PATTERNS,
				expect: 'nodes/GptImage/GptImage.node.ts',
				breakCopy(copy) {
					appendFileSync(
						join(copy, 'nodes/GptImage/GptImage.node.ts'),
						"\nconsole.log('scan canary');\nexport const scanCanary = { displayName: 'Canary', name: 'canary', type: 'string' };\n",
					);
					return ['no-console', 'n8n-nodes-base/node-param-default-missing'];
				},
			},
			{
				name: 'tarball',
				dir: tarball,
				expect: 'dist/nodes/GptImage/GptImage.node.js',
				breakCopy(copy) {
					appendFileSync(join(copy, 'dist/nodes/GptImage/GptImage.node.js'), "\nconsole.log('scan canary');\n");
					// What `declaration: true` would put beside each credential.
					writeFileSync(
						join(copy, 'dist/credentials/Canary.credentials.d.ts'),
						"import type { ICredentialType } from 'n8n-workflow';\nexport declare class CanaryApi implements ICredentialType {\n\tname: string;\n}\n",
					);
					return ['no-console', 'n8n-nodes-base/cred-filename-against-convention'];
				},
			},
		];

		for (const leg of legs) {
			if (!existsSync(join(leg.dir, leg.expect))) throw new Error(`${leg.name}: ${leg.expect} is missing`);
			const started = Date.now();
			const result = await scanner.analyzePackage(leg.dir, leg.patterns);
			const took = seconds(started).toFixed(1);
			if (result.passed) {
				log(`PASS  ${leg.name}: no violations (${took} s)`);
			} else {
				failed++;
				log(`FAIL  ${leg.name}: ${result.message ?? 'violations'} (${took} s)\n${result.details ?? ''}`);
				continue;
			}

			// The same leg with violations put in must fail, with the rules we put in.
			const copy = join(work, `${leg.name}-broken`);
			const include = leg.name === 'source' ? ['package.json', 'nodes', 'credentials'] : ['.'];
			for (const part of include) cpSync(join(leg.dir, part), join(copy, part), { recursive: true });
			const expected = leg.breakCopy(copy);
			const broken = await scanner.analyzePackage(copy, leg.patterns);
			const reported = rulesIn(broken.details);
			const missing = expected.filter((rule) => !reported.has(rule));
			if (broken.passed || missing.length > 0) {
				failed++;
				log(`FAIL  ${leg.name} with violations put in: not reported: ${missing.join(', ') || '(it passed)'}\n${broken.details ?? ''}`);
			} else {
				log(`PASS  ${leg.name} with violations put in: reported ${expected.join(', ')}`);
			}
		}
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
	log(`${SCANNER}@${SCANNER_VERSION}: ${failed === 0 ? 'passed' : `${failed} failure(s)`} in ${seconds(startedAll).toFixed(0)} s`);
	return failed === 0 ? 0 : 1;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	},
);
