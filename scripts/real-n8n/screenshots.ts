/**
 * `npm run screenshots`: the README's pictures, taken from a REAL n8n editor.
 *
 * Starts `n8n start` on 127.0.0.1 (default port 5688; `-- --port=N` to change) with the packed
 * package installed and the gateway simulator running, sets up the owner, imports the product-shots
 * example (on ToAPIs), runs it from the editor in headless Chromium and saves
 *
 *   docs/product-shots-run.png   the canvas after the finished run
 *   docs/node-panel.png          the GPT Image node's panel: Generate, its options list open
 *
 * Needs /usr/bin/chromium (Debian: `apt-get install -y chromium`); override with CHROMIUM=/path.
 * `-- --keep` keeps the temp N8N_USER_FOLDER (n8n's log is in logs/n8n-start.log there); on a
 * failure it is kept anyway, with a picture of the page at that moment in logs/failure.png.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';

import { buildAndPack, freePort, GATEWAYS, Harness, retarget, ROOT } from './harness';
import { ensureN8n } from './install';
import { seconds, waitFor, type Background } from './proc';

const DOCS = join(ROOT, 'docs');
const EXAMPLE = 'product-shots.json';
const GPT_NODE = 'Generate Shots';
const OWNER = { email: 'owner@example.com', firstName: 'Demo', lastName: 'Owner', password: 'Screenshots-2026!' };
const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--headless',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

async function httpStatus(url: string): Promise<number | undefined> {
	try {
		const response = await fetch(url);
		return response.status;
	} catch {
		return undefined;
	}
}

/** Closes whatever n8n pops up on a first visit (what's-new, banners, tours). */
async function dismissPopups(page: Page): Promise<void> {
	for (let i = 0; i < 3; i++) await page.keyboard.press('Escape');
	for (const selector of ['.el-dialog__headerbtn', '[data-test-id="banner-close"]', '.el-notification__closeBtn']) {
		for (const button of await page.locator(selector).all()) {
			if (await button.isVisible()) await button.click({ timeout: 2000 }).catch(() => undefined);
		}
	}
}

async function main(): Promise<number> {
	const args = process.argv.slice(2);
	const port = Number(args.find((arg) => arg.startsWith('--port='))?.slice('--port='.length) ?? 5688);
	const keep = args.includes('--keep');
	const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
	if (!existsSync(executablePath)) {
		console.error(`${executablePath} is missing: apt-get update && apt-get install -y chromium (or set CHROMIUM=)`);
		return 1;
	}
	const log = (line: string) => console.log(line);
	const startedAll = Date.now();

	const { install } = await ensureN8n(log);
	const harness = new Harness(install);
	let n8n: Background | undefined;
	let browser: Browser | undefined;
	let page: Page | undefined;
	let failed = true;
	try {
		const tarball = await buildAndPack(harness.userFolder, join(harness.logs, 'build.log'));
		await harness.installPackage(tarball);
		await harness.startSimulator(3000);
		await harness.importCredentials();
		const toApis = GATEWAYS.find((g) => g.id === 'toApis')!;
		const { workflow } = retarget(EXAMPLE, toApis, 0);
		workflow.name = JSON.parse(readFileSync(join(ROOT, 'examples', EXAMPLE), 'utf8')).name as string;
		await harness.importWorkflows([workflow], 'screenshot-workflow');

		const base = `http://127.0.0.1:${port}`;
		if ((await httpStatus(`${base}/healthz`)) !== undefined) throw new Error(`port ${port} is in use; pass --port=`);
		const started = Date.now();
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
		log(`n8n started on ${base} in ${seconds(started).toFixed(1)} s`);

		browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
		const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, baseURL: base });
		// The owner, created through the REST API; the response's auth cookie lands in the browser context.
		const setup = await context.request.post('/rest/owner/setup', { data: OWNER });
		if (!setup.ok()) throw new Error(`owner setup: HTTP ${setup.status()} ${await setup.text()}`);
		page = await context.newPage();

		// The canvas: run the workflow from the editor, as a user would.
		await page.goto(`/workflow/${workflow.id}`);
		await page.locator('.vue-flow__node').first().waitFor({ timeout: 60000 });
		await page.waitForTimeout(1500);
		await dismissPopups(page);
		// The canvas' own "Execute workflow" button (the trigger node has one of its own on hover).
		await page.locator('[data-test-id="execute-workflow-button"]').click();
		// Finished: the GPT Image node shows its success mark.
		const gptNodeId = workflow.nodes.find((node) => node.name === GPT_NODE)!.id;
		const gptNode = page.locator(`.vue-flow__node[data-id="${gptNodeId}"]`);
		await waitFor(
			'the run to finish',
			async () => ((await gptNode.locator('[data-test-id="canvas-node-status-success"]').count()) > 0 ? true : undefined),
			90000,
			500,
		);
		// Keep the "Workflow executed successfully" toast: it belongs to the picture.
		await page.waitForTimeout(1000);
		mkdirSync(DOCS, { recursive: true });
		await page.screenshot({ path: join(DOCS, 'product-shots-run.png') });
		log('saved docs/product-shots-run.png');

		// The node panel: open the GPT Image node, then its "Add option" list.
		await gptNode.dblclick();
		const ndv = page.locator('[data-test-id="ndv"]');
		await ndv.waitFor({ timeout: 30000 });
		await page.waitForTimeout(1000);
		// "Add Option" is a dropdown, not a button: click it to show the list of Generate's options.
		const addOption = ndv
			.getByPlaceholder(/add option/i)
			.or(ndv.getByText(/^add option$/i))
			.first();
		await addOption.scrollIntoViewIfNeeded();
		await addOption.click();
		await page.waitForTimeout(1000);
		await page.screenshot({ path: join(DOCS, 'node-panel.png') });
		log('saved docs/node-panel.png');
		failed = false;
		return 0;
	} finally {
		if (failed) await page?.screenshot({ path: join(harness.logs, 'failure.png') }).catch(() => undefined);
		await browser?.close().catch(() => undefined);
		if (n8n) {
			await n8n.stop();
			log(`n8n stopped (exit ${n8n.child.exitCode ?? n8n.child.signalCode})`);
		}
		await harness.stop(keep || failed);
		if (keep || failed) log(`kept ${harness.userFolder}`);
		log(`screenshots took ${seconds(startedAll).toFixed(0)} s`);
	}
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	},
);
