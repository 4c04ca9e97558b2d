/**
 * The memory case, in a child process of its own: a process that has already run 15 workflows keeps
 * freed pages resident, and new allocations reuse them without raising RSS, so "peak − baseline"
 * there says little (it came out anywhere from 3 to 61 MiB for the same run). A fresh process makes
 * the baseline that of an engine that has run one small warm-up workflow.
 */
import { fork } from 'child_process';

import type { GatewayId } from '../../test/support';
import { measureRun } from './measure';
import type { RunMetrics } from './measure';
import { SimulatorHost } from './simHost';

export const MEMORY = {
	gateway: 'toApis' as GatewayId,
	items: 100,
	width: 1024,
	height: 1024,
	sampleEveryMs: 20,
	limitBytes: 64 * 1024 * 1024,
};

export const MEMORY_CASE_FLAG = '--memory-case';

export interface MemoryResult {
	imageBytes: number;
	run: RunMetrics;
}

/** Runs in the child: the noise PNG is rendered (in the simulator's worker) before the baseline sample,
 * a one-item run warms the download path, then 100 items of one 4 MiB image each, RSS sampled every 20 ms. */
export async function memoryCase(latencyMs: number): Promise<MemoryResult> {
	// The simulator serves 400 MiB from a process of its own: only the node's memory is measured.
	const host = new SimulatorHost('process');
	try {
		const imageBytes = await host.prerenderNoise(MEMORY.width, MEMORY.height, 0);
		await measureRun(host, { gateway: MEMORY.gateway, items: 1, latencyMs: 100, mode: 'concurrent', imagePayload: 'noise' });
		const run = await measureRun(host, {
			gateway: MEMORY.gateway,
			items: MEMORY.items,
			latencyMs,
			mode: 'concurrent',
			imagePayload: 'noise',
			sampleRssEveryMs: MEMORY.sampleEveryMs,
		});
		return { imageBytes, run };
	} finally {
		await host.terminate();
	}
}

/** Runs `script` (the compiled bench) with the memory flag and returns what the child reports. */
export async function memoryCaseInChild(script: string, latencyMs: number): Promise<MemoryResult> {
	return await new Promise<MemoryResult>((resolve, reject) => {
		const child = fork(script, [MEMORY_CASE_FLAG, String(latencyMs)], { stdio: 'inherit' });
		let result: MemoryResult | undefined;
		child.on('message', (message) => (result = message as MemoryResult));
		child.on('error', reject);
		child.on('exit', (code) =>
			result ? resolve(result) : reject(new Error(`the memory case process ended with code ${code} and no result`)),
		);
	});
}

/** The child's side: run the case, send the result, exit. */
export async function memoryCaseChildMain(): Promise<void> {
	const latencyMs = Number(process.argv[process.argv.indexOf(MEMORY_CASE_FLAG) + 1]);
	const result = await memoryCase(latencyMs);
	await new Promise<void>((resolve, reject) => process.send!(result, (error: Error | null) => (error ? reject(error) : resolve())));
}
