/**
 * Debian's Chromium for the browser test: installed with apt-get when it is missing (Playwright's
 * own browser download does not work on these machines), launched with the flags this machine needs.
 */
import { existsSync } from 'node:fs';

import { chromium, selectors, type Browser } from 'playwright-core';

import { run, seconds } from '../real-n8n/proc';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * As root, with a closed network: no sandbox (root), no GPU, and none of Chromium's background
 * connections, which this machine refuses many at a time.
 */
const ARGS = [
	'--no-sandbox',
	'--headless',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

/** The Chromium to drive: $CHROMIUM, else Debian's, installed now if missing (and said so). */
export async function ensureChromium(log: (line: string) => void): Promise<string> {
	const wanted = process.env.CHROMIUM;
	if (wanted) {
		if (!existsSync(wanted)) throw new Error(`CHROMIUM=${wanted} does not exist`);
		return wanted;
	}
	if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;

	if (process.getuid?.() !== 0) {
		throw new Error(`${DEBIAN_CHROMIUM} is missing: run "apt-get install -y chromium" as root, or set CHROMIUM=/path/to/chromium`);
	}
	const started = Date.now();
	log(`${DEBIAN_CHROMIUM} is missing: installing Debian's chromium with apt-get`);
	const install = ['install', '-y', 'chromium'];
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const first = await run('apt-get', install, { env, allowFailure: true });
	if (first.code !== 0) {
		// A fresh machine may have no package lists yet.
		await run('apt-get', ['update'], { env });
		await run('apt-get', install, { env });
	}
	if (!existsSync(DEBIAN_CHROMIUM)) throw new Error(`apt-get installed chromium, but ${DEBIAN_CHROMIUM} is still missing`);
	log(`  installed in ${seconds(started).toFixed(0)} s`);
	return DEBIAN_CHROMIUM;
}

export async function launchChromium(executablePath: string): Promise<Browser> {
	// n8n's editor marks its elements with data-test-id (Playwright's default is data-testid).
	selectors.setTestIdAttribute('data-test-id');
	return chromium.launch({ executablePath, args: ARGS, headless: true });
}
