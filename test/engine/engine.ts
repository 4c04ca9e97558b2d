/**
 * One-time, per-process setup of the n8n-core services the engine needs.
 *
 * n8n-core's config classes read their environment variables lazily, the first time the DI
 * container builds them, so setting the variables here — before any `Container.get` — is
 * enough even if n8n-core was already `require`d.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
// Not re-exported by n8n-core's index; the same module instance its node contexts use.
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';

const FOLDER_PREFIX = 'n8n-engine-';

let ready: Promise<void> | undefined;
let userFolder: string | undefined;

/** The temporary N8N_USER_FOLDER of this process (binary files live under `<it>/.n8n/storage`). */
export function engineUserFolder(): string {
	if (!userFolder) throw new Error('The n8n engine is not initialised yet: call initEngine() first');
	return userFolder;
}

function isRunning(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/**
 * Each process removes its folder on exit, but jest hands test files a copy of `process` whose
 * 'exit' never fires: so folders of processes that are gone are swept at the next start.
 */
function sweepFoldersOfEndedProcesses(): void {
	for (const name of readdirSync(tmpdir())) {
		const pid = Number(name.startsWith(FOLDER_PREFIX) ? name.slice(FOLDER_PREFIX.length).split('-')[0] : NaN);
		if (Number.isInteger(pid) && pid !== process.pid && !isRunning(pid)) {
			rmSync(path.join(tmpdir(), name), { recursive: true, force: true });
		}
	}
}

export async function initEngine(): Promise<void> {
	ready ??= (async () => {
		// Never touch a developer's real ~/.n8n: n8n-core writes an instance config with an
		// encryption key there and stores binary data below it.
		sweepFoldersOfEndedProcesses();
		const folder = mkdtempSync(path.join(tmpdir(), `${FOLDER_PREFIX}${process.pid}-`));
		process.on('exit', () => rmSync(folder, { recursive: true, force: true }));
		userFolder = folder;
		process.env.N8N_USER_FOLDER = folder;
		process.env.N8N_DEFAULT_BINARY_DATA_MODE = 'filesystem';
		// Node failures are returned to the caller; n8n's error reporter would also log each one.
		process.env.N8N_LOG_LEVEL ??= 'silent';
		await Container.get(BinaryDataService).init();
		// The SSH tunnel manager, created with every node context, starts a 60-second interval to reap
		// idle tunnels; test workflows open none, and that timer alone would keep the process (and
		// jest's workers) alive. Its shutdown only clears the timer and closes (no) tunnels.
		Container.get(SSHClientsManager).onShutdown();
	})();
	await ready;
}
