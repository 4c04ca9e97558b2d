/**
 * The memory case: 100 items of one incompressible 4 MiB PNG each, the node's peak RSS growth
 * (filesystem binary mode), in a fresh process (see child.ts) with the simulator in another.
 */
import type { GatewayId } from '../../test/support';
import { measureRun } from './measure';
import type { RunMetrics } from './measure';
import { SimulatorHost } from './simHost';

export const MEMORY = {
	gateway: 'toApis' as GatewayId,
	items: 100,
	latencyMs: 2000,
	width: 1024,
	height: 1024,
	sampleEveryMs: 20,
	limitBytes: 64 * 1024 * 1024,
};

export interface MemoryResult {
	imageBytes: number;
	run: RunMetrics;
}

/** The noise PNG is rendered (by the simulator) before the baseline sample, a one-item run warms the
 * download path, then 100 items of one 4 MiB image each, RSS sampled every 20 ms. */
export async function memoryCase(): Promise<MemoryResult> {
	// The simulator serves 400 MiB from a process of its own: only the node's memory is measured.
	const host = new SimulatorHost('process');
	try {
		const imageBytes = await host.prerenderNoise(MEMORY.width, MEMORY.height, 0);
		await measureRun(host, { gateway: MEMORY.gateway, items: 1, latencyMs: 100, mode: 'concurrent', imagePayload: 'noise' });
		const run = await measureRun(host, {
			gateway: MEMORY.gateway,
			items: MEMORY.items,
			latencyMs: MEMORY.latencyMs,
			mode: 'concurrent',
			imagePayload: 'noise',
			sampleRssEveryMs: MEMORY.sampleEveryMs,
		});
		return { imageBytes, run };
	} finally {
		await host.terminate();
	}
}
