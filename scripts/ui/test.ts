/**
 * `npm run test:ui`: a new user's first walk through n8n's editor with this package, in a real
 * n8n (the 2.41.1 that test:n8n caches, one `n8n start` on 127.0.0.1) driven by Playwright in
 * Debian's headless Chromium, against the gateway simulator running as its own process.
 *
 * Each step fails the test when it fails, and leaves a screenshot in output/ui/ (NN-step.png, or
 * NN-step-FAILED.png):
 *
 *   owner setup → new workflow → the nodes panel finds GPT Image (its name, "image", each gateway's
 *   name) as a first step → add it with its Generate action → the panel finds it again under
 *   "What happens next?" → for every gateway of the node's registry: a credential created in the
 *   node panel, pointing at the simulator, whose credential test passes, and on Edit the notice
 *   "Mask on <gateway>: …" for that gateway alone → Generate runs and its output panel shows a PNG
 *   image → the product-shots example, imported from its file, runs from the canvas.
 *
 *   npm run test:ui                  the walk; exit 0 only if every step passed
 *   npm run test:ui -- --docs        also copy the README's pictures into docs/
 *   npm run test:ui -- --keep        keep the temp N8N_USER_FOLDER (kept anyway on a failure)
 *   npm run test:ui -- --port=N      n8n's port (default: a free one)
 *
 * Chromium: $CHROMIUM, else /usr/bin/chromium, installed with apt-get when missing.
 */
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';

import { GATEWAYS } from '../../nodes/GptImage/gateways';
import type { GatewayId } from '../../nodes/GptImage/gateways';
import { OPERATIONS } from '../../nodes/GptImage/actions/router';
import { buildAndPack, freePort, Harness, NODE_TYPE, ROOT } from '../real-n8n/harness';
import { ensureN8n } from '../real-n8n/install';
import { seconds, waitFor, type Background } from '../real-n8n/proc';
import { ensureChromium, launchChromium } from './chromium';
import { Editor, type SavedCredential } from './editor';

const SHOTS = join(ROOT, 'output', 'ui');
const DOCS = join(ROOT, 'docs');
const OWNER = { email: 'owner@example.com', firstName: 'Demo', lastName: 'Owner', password: 'Walkthrough-2026!' };
const NODE_NAME = 'GPT Image';
const PROMPT = 'A studio photo of a ceramic mug on a white background, soft light';
const EXAMPLE = 'product-shots.json';
const EXAMPLE_NODE = 'Generate Shots';

const gateways = Object.values(GATEWAYS);

/** What a user types to find the node: its name, a plain word, and every gateway's name (and its first word). */
const SEARCH_TERMS = [
	NODE_NAME,
	'image',
	...new Set(gateways.flatMap((gateway) => [gateway.displayName, gateway.displayName.split('.')[0]])),
];

function operation(value: string): { name: string; action: string } {
	const found = OPERATIONS.find((candidate) => candidate.value === value);
	if (!found) throw new Error(`the node has no operation "${value}"`);
	return found;
}

interface StepResult {
	name: string;
	result: 'PASS' | 'FAIL' | 'SKIP';
	seconds: number;
	problem?: string;
	screenshot?: string;
}

/** Runs the steps in order; a failed step is recorded with a screenshot and the walk goes on unless it was critical. */
class Walk {
	readonly results: StepResult[] = [];
	/** README pictures: docs file name → screenshot. */
	readonly docs = new Map<string, string>();
	private stopped?: string;

	constructor(
		private readonly page: Page,
		private readonly log: (line: string) => void,
	) {}

	/**
	 * `work` may call `shot(docsName?)` for the step's picture at the moment that shows it best;
	 * otherwise the picture is taken when the step ends.
	 */
	async step(
		name: string,
		work: (shot: (docsName?: string) => Promise<void>) => Promise<void>,
		options: { critical?: boolean; needs?: unknown } = {},
	): Promise<boolean> {
		const index = String(this.results.length + 1).padStart(2, '0');
		const slug = `${index}-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
		if (this.stopped || ('needs' in options && !options.needs)) {
			const problem = this.stopped ? `not run: "${this.stopped}" failed` : 'not run: what it needs failed earlier';
			this.results.push({ name, result: 'SKIP', seconds: 0, problem });
			this.log(`SKIP  ${name} (${problem})`);
			return false;
		}
		const started = Date.now();
		let screenshot: string | undefined;
		let docsName: string | undefined;
		const shot = async (forDocs?: string) => {
			screenshot = join(SHOTS, `${slug}.png`);
			await this.page.screenshot({ path: screenshot, animations: 'disabled' });
			docsName = forDocs;
		};
		try {
			await work(shot);
			if (!screenshot) await shot();
			// Only a passing step's picture may go into the README.
			if (docsName) this.docs.set(docsName, screenshot!);
			this.results.push({ name, result: 'PASS', seconds: seconds(started), screenshot });
			this.log(`PASS  ${name} (${seconds(started).toFixed(1)} s)`);
			return true;
		} catch (error) {
			const problem = (error instanceof Error ? error.message : String(error)).split('\n').slice(0, 6).join('\n        ');
			screenshot = join(SHOTS, `${slug}-FAILED.png`);
			await this.page.screenshot({ path: screenshot }).catch(() => undefined);
			this.results.push({ name, result: 'FAIL', seconds: seconds(started), problem, screenshot });
			this.log(`FAIL  ${name} (${seconds(started).toFixed(1)} s): ${problem}`);
			if (options.critical) this.stopped = name;
			// Leave menus and windows a failed step may have left open.
			for (let i = 0; i < 2; i++) await this.page.keyboard.press('Escape').catch(() => undefined);
			return false;
		}
	}
}

async function main(): Promise<number> {
	const args = process.argv.slice(2);
	const keep = args.includes('--keep');
	const updateDocs = args.includes('--docs');
	const portArg = args.find((arg) => arg.startsWith('--port='));
	const log = (line: string) => console.log(line);
	const startedAll = Date.now();

	const executablePath = await ensureChromium(log);
	const { install } = await ensureN8n(log);
	const harness = new Harness(install);
	rmSync(SHOTS, { recursive: true, force: true });
	mkdirSync(SHOTS, { recursive: true });

	let n8n: Background | undefined;
	let browser: Browser | undefined;
	let walk: Walk | undefined;
	let broken = true;
	try {
		const tarball = await buildAndPack(harness.userFolder, join(harness.logs, 'build.log'));
		await harness.installPackage(tarball);
		const sim = await harness.startSimulator(1000);

		const port = portArg ? Number(portArg.slice('--port='.length)) : await freePort();
		const base = `http://127.0.0.1:${port}`;
		let started = Date.now();
		n8n = harness.startN8n(port, { N8N_RUNNERS_BROKER_PORT: String(await freePort()) });
		const startLog = join(harness.logs, 'n8n-start.log');
		await waitFor(
			'n8n start ("Editor is now accessible")',
			() => {
				if (n8n!.child.exitCode !== null) throw new Error(`n8n start exited with ${n8n!.child.exitCode}; see ${startLog}`);
				return readFileSync(startLog, 'utf8').includes('Editor is now accessible') ? true : undefined;
			},
			120000,
			500,
		);
		log(`n8n started on ${base} in ${seconds(started).toFixed(1)} s; simulator ${sim.url}`);

		started = Date.now();
		browser = await launchChromium(executablePath);
		const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: base });
		const page = await context.newPage();
		page.setDefaultTimeout(20000);
		// Leaving a workflow with unsaved changes asks "Leave site?": yes, as a user would.
		page.on('dialog', (dialog) => void (dialog.type() === 'beforeunload' ? dialog.accept() : dialog.dismiss()));
		const browserLog = join(harness.logs, 'browser.log');
		page.on('pageerror', (error) => appendFileSync(browserLog, `pageerror: ${error.message}\n`));
		page.on('console', (message) => {
			if (message.type() === 'error') appendFileSync(browserLog, `console: ${message.text()}\n`);
		});
		log(`Chromium ${browser.version()} in ${seconds(started).toFixed(1)} s`);

		const editor = new Editor(page);
		walk = new Walk(page, log);
		const credentials = new Map<GatewayId, SavedCredential>();
		const generate = operation('generate');
		const edit = operation('edit');

		await walk.step('owner setup', () => editor.setupOwner(OWNER), { critical: true });
		await walk.step('new workflow', () => editor.newWorkflow(), { critical: true });

		/** Every search term must list GPT Image; the picture shows the first term. */
		const findNode = async (shot: (docsName?: string) => Promise<void>, docsName?: string) => {
			const missed: string[] = [];
			for (const term of SEARCH_TERMS) {
				const titles = await editor.searchNodes(term);
				if (!titles.includes(NODE_NAME)) missed.push(`"${term}" → ${titles.slice(0, 5).join(', ') || 'no results'}`);
			}
			await editor.searchNodes(SEARCH_TERMS[0]);
			await shot(docsName);
			if (missed.length) throw new Error(`the nodes panel does not list ${NODE_NAME} for: ${missed.join('; ')}`);
		};

		await walk.step(
			`search the nodes panel for ${NODE_NAME} as a first step`,
			async (shot) => {
				await editor.openNodesPanelForFirstStep();
				await findNode(shot, 'node-search.png');
			},
			{ critical: true },
		);

		await walk.step(
			`add ${NODE_NAME} with "${generate.action}"`,
			async () => {
				await editor.clickPanelItem(NODE_NAME);
				await editor.nodeCreator.getByTestId('item-iterator-item').filter({ hasText: generate.action }).first().waitFor();
				await editor.clickPanelItem(generate.action);
				await editor.ndv.waitFor();
				const type = await page.locator(`[data-test-id="canvas-node"][data-node-name="${NODE_NAME}"]`).getAttribute('data-node-type');
				if (type !== NODE_TYPE) throw new Error(`the canvas holds "${NODE_NAME}" of type ${type}, not ${NODE_TYPE}`);
			},
			{ critical: true },
		);

		await walk.step(`search for ${NODE_NAME} under "What happens next?"`, async (shot) => {
			await editor.closeNode();
			await editor.openNodesPanelAfter(NODE_NAME);
			try {
				await findNode(shot);
			} finally {
				await editor.closeNodesPanel();
				await editor.openNode(NODE_NAME);
			}
		});

		for (const gateway of gateways) {
			await walk.step(`credential for ${gateway.displayName}: created and its test passes`, async (shot) => {
				const modal = await editor.openNewCredential();
				if (!(await editor.openCredentialModeMenu(modal))) throw new Error('the credential window offers no choice of gateway');
				await shot(gateway === gateways[0] ? 'credential-gateways.png' : undefined);
				await editor.pickCredentialMode(gateway.displayName);
				const endpoints = sim.gateways[gateway.id];
				const filled = await editor.fillCredential(modal, { apiKey: sim.apiKey, ...endpoints });
				for (const required of ['apiKey', 'baseUrl']) {
					if (!filled.includes(required)) throw new Error(`the credential window has no "${required}" field (filled: ${filled.join(', ')})`);
				}
				const { saved, test } = await editor.saveCredential(modal);
				if (saved.type !== gateway.credentialType) throw new Error(`saved a ${saved.type} credential, not ${gateway.credentialType}`);
				if (test.status !== 'OK') throw new Error(`credential test: ${test.status}: ${test.message ?? ''}`);
				// A new credential that tests well closes its window and is selected in the node.
				await modal.waitFor({ state: 'hidden', timeout: 10000 });
				credentials.set(gateway.id, saved);
			});

			await walk.step(
				`Edit on ${gateway.displayName} shows its mask hint`,
				async (shot) => {
					await editor.selectCredential(credentials.get(gateway.id)!.id);
					await editor.selectOption('operation', edit.name);
					const hints = (await editor.parameterLines()).filter((line) => line.startsWith('Mask on '));
					if (hints.length > 0) {
						await editor.ndv
							.getByText(/^Mask on /)
							.first()
							.evaluate((notice: { scrollIntoView(options: { block: string }): void }) => notice.scrollIntoView({ block: 'center' }));
					}
					await shot(gateway === gateways[0] ? 'edit-mask-hint.png' : undefined);
					const expected = `Mask on ${gateway.displayName}:`;
					if (hints.length !== 1 || !hints[0].startsWith(expected)) {
						throw new Error(`expected one notice starting "${expected}", the panel shows ${hints.length ? hints.map((h) => `"${h}"`).join(', ') : 'none'}`);
					}
					// It must say which pixels mean "edit".
					if (!/pixel/i.test(hints[0])) throw new Error(`the notice does not say which pixels mean edit: "${hints[0]}"`);
				},
				{ needs: credentials.get(gateway.id) },
			);
		}

		const first = gateways[0];
		await walk.step(
			`Generate on ${first.displayName} outputs a PNG image`,
			async (shot) => {
				await editor.selectCredential(credentials.get(first.id)!.id);
				await editor.selectOption('operation', generate.name);
				await editor.ndv.getByTestId('parameter-input-prompt').locator('textarea').fill(PROMPT);
				await editor.executeStep();
				const output = editor.ndv.getByTestId('output-panel');
				const binaryTab = output.getByTestId('radio-button-binary');
				if (await binaryTab.isVisible()) await binaryTab.click();
				const item = output.getByTestId('ndv-binary-data_0');
				await item.waitFor();
				const described = await item.innerText();
				if (!/image\/png/.test(described)) throw new Error(`the output's binary is not image/png: ${described.replace(/\n/g, ' ')}`);
				await item.getByTestId('ndv-view-binary-data').click();
				// The image itself, served by n8n from its binary store, decoded by the browser.
				const image = output.locator('img[src*="/rest/binary-data"]');
				await image.waitFor();
				const size = await waitFor(
					'the output image to load',
					() => image.evaluate((img: { complete: boolean; naturalWidth: number; naturalHeight: number }) => (img.complete && img.naturalWidth > 0 ? [img.naturalWidth, img.naturalHeight] : undefined)),
					15000,
				);
				log(`        output image ${size[0]}x${size[1]}`);
				await shot('generate-output.png');
			},
			{ needs: credentials.get(first.id) },
		);

		await walk.step(
			'the product-shots example, imported from its file, runs from the canvas',
			async (shot) => {
				// As the README says: a new workflow, Import → From file, pick the credential in the node, run.
				await editor.newWorkflow();
				await editor.importWorkflowFile(join(ROOT, 'examples', EXAMPLE));
				await editor.openNode(EXAMPLE_NODE);
				await editor.selectCredential(credentials.get(first.id)!.id);
				await editor.closeNode();
				await editor.byTestId('execute-workflow-button').click();
				const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${EXAMPLE_NODE}"]`);
				await node.getByTestId('canvas-node-status-success').waitFor({ timeout: 90000 });
				// The "Workflow executed successfully" toast belongs to the picture.
				await page.waitForTimeout(800);
				await shot('product-shots-run.png');
			},
			{ needs: credentials.get(first.id) },
		);
		broken = false;
	} finally {
		await browser?.close().catch(() => undefined);
		if (n8n) await n8n.stop();
		const failed = broken || !walk || walk.results.some((r) => r.result !== 'PASS');
		await harness.stop(keep || failed);
		if (keep || failed) log(`kept ${harness.userFolder} (logs/: n8n-start.log, browser.log, simulator.log)`);
	}

	if (!walk) return 1;
	console.log(`\nSteps (real n8n ${install.dir.split('n8n-').pop()}, Chromium, simulator); screenshots in ${SHOTS}`);
	for (const r of walk.results) {
		console.log(`${r.result}  ${r.seconds.toFixed(1).padStart(5)} s  ${r.name}${r.problem ? `\n        ${r.problem}` : ''}`);
	}
	if (updateDocs) {
		for (const [file, screenshot] of walk.docs) {
			copyFileSync(screenshot, join(DOCS, file));
			console.log(`docs/${file} ← ${screenshot.slice(ROOT.length + 1)}`);
		}
	}
	const failed = walk.results.filter((r) => r.result !== 'PASS').length;
	console.log(`\n${walk.results.length - failed} passed, ${failed} failed or not run, in ${seconds(startedAll).toFixed(0)} s`);
	return failed === 0 ? 0 : 1;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	},
);
