/**
 * The scale case: 1,000 items at L = 10 s on a gateway without a create limit, all in flight at
 * once, in a fresh process (see child.ts) with the simulator in another process: makespan, CPU
 * time of the process that runs n8n and the node per image, and its peak RSS growth.
 */
import type { INodeProperties } from 'n8n-workflow';

import { GptImage } from '../../nodes/GptImage/GptImage.node';
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

/** The most tasks the node lets run at once: the Max Concurrent Tasks option's maximum. */
export function maxConcurrentTasks(): number {
	const find = (properties: readonly unknown[]): INodeProperties | undefined => {
		for (const property of properties as Array<INodeProperties & { values?: unknown[] }>) {
			if (property.name === 'maxConcurrentTasks') return property;
			const found = find([...((property.options as unknown[]) ?? []), ...(property.values ?? [])]);
			if (found) return found;
		}
		return undefined;
	};
	return Number(find(new GptImage().description.properties)?.typeOptions?.maxValue ?? Infinity);
}

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
			// All at once where the node allows it; else in waves of its maximum (then L × waves at best).
			options: { maxConcurrentTasks: Math.min(SCALE.items, maxConcurrentTasks()) },
			sampleRssEveryMs: SCALE.sampleEveryMs,
		});
	} finally {
		await host.terminate();
	}
}
