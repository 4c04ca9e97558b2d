/**
 * The scale case: 1,000 items at L = 10 s on a gateway without a create limit, all in flight at
 * once, in a fresh process (see child.ts) with the simulator in another process: makespan, CPU
 * time of the process that runs n8n and the node per image, and its peak RSS growth.
 */
import { GATEWAYS } from '../../nodes/GptImage/gateways';
import type { GatewayId } from '../../test/support';
import { measureRun } from './measure';
import type { RunMetrics } from './measure';
import { SimulatorHost } from './simHost';

export const SCALE = {
	items: 1000,
	latencyMs: 10_000,
	sampleEveryMs: 50,
	makespanOverL: 1.1,
	cpuMsPerImage: 5,
	rssGrowthBytes: 128 * 1024 * 1024,
};

/** The first gateway of the registry that documents no create limit. */
export function unlimitedGateway(): GatewayId {
	const gateway = Object.values(GATEWAYS).find((candidate) => !candidate.capabilities.createsPerWindow);
	if (!gateway) throw new Error('every gateway has a create limit');
	return gateway.id;
}

export async function scaleCase(): Promise<RunMetrics> {
	const host = new SimulatorHost('process');
	const gateway = unlimitedGateway();
	try {
		// Loads n8n-core, the node and the HTTP stack, so the baseline is that of a warm engine.
		await measureRun(host, { gateway, items: 10, latencyMs: 100, mode: 'concurrent' });
		return await measureRun(host, {
			gateway,
			items: SCALE.items,
			latencyMs: SCALE.latencyMs,
			mode: 'concurrent',
			options: { maxConcurrentTasks: SCALE.items },
			sampleRssEveryMs: SCALE.sampleEveryMs,
		});
	} finally {
		await host.terminate();
	}
}
