/** The targets the benchmark judges its numbers against, and the yardsticks they need. */
import { adaptiveSchedule } from '../../nodes/GptImage/engine/poll';
import { gatewayById } from '../../nodes/GptImage/gateways';
import type { GatewayId } from '../../test/support';

export function minPollIntervalMs(gateway: GatewayId): number {
	return gatewayById(gateway)?.capabilities.minPollIntervalMs ?? 0;
}

export function defaultConcurrency(gateway: GatewayId): number {
	return gatewayById(gateway)?.capabilities.defaultConcurrency ?? 0;
}

export interface PollInterval {
	/** The longest wait of the plain cadence that spans L, over the phases a task can have. */
	intervalMs: number;
	/** The most reads the plain cadence makes up to and including its first at or after L. */
	readsToL: number;
	/** The reads of phase 0, for the printout. */
	readsAtMs: number[];
}

/**
 * "One poll interval" for a task of latency L, from the node's own schedule
 * (nodes/GptImage/engine/poll.ts) taken plain: a task alone that reports no progress. Its reads go
 * at ticks k + phase of the plain clock; walk them for phases 0, 0.05, … 0.95 to the first read at
 * or after L: the interval is the wait before that read (the gap between the last read before
 * completion and the first after it), the worst over the phases.
 */
export function pollIntervalAt(latencyMs: number, minIntervalMs: number): PollInterval {
	const alone = { members: 1 };
	let intervalMs = 0;
	let readsToL = 0;
	let readsAtMs: number[] = [];
	for (let phase = 0; phase < 1; phase += 0.05) {
		const plan = adaptiveSchedule(minIntervalMs).start(phase);
		const reads: number[] = [];
		let age = 0;
		let wait = 0;
		while (age < latencyMs) {
			wait = plan.delay(age, alone);
			age += wait;
			reads.push(Math.round(age));
			plan.observe(age, undefined);
		}
		intervalMs = Math.max(intervalMs, Math.round(wait));
		readsToL = Math.max(readsToL, reads.length);
		if (phase === 0) readsAtMs = reads;
	}
	return { intervalMs, readsToL, readsAtMs };
}

/** Creates per window where the gateway documents a limit: the last of N creates cannot go before this. */
export function rateLimitFloorMs(gateway: GatewayId, items: number): number {
	const limit = gatewayById(gateway)?.capabilities.createsPerWindow;
	if (!limit) return 0;
	return (Math.ceil(items / limit.count) - 1) * limit.windowMs;
}

export interface TargetCheck {
	id: string;
	description: string;
	gateway?: GatewayId;
	/** The cases the check covers, by label (item count, profile …), with their values. */
	values: Array<{ items: number | string; value: number | null; met: boolean }>;
	limit: number;
	unit: string;
	/** The worst value over the cases. */
	worst: number | null;
	met: boolean;
}

export function check(
	partial: Omit<TargetCheck, 'worst' | 'met' | 'values'>,
	values: Array<{ items: number | string; value: number | null }>,
	passes: (value: number) => boolean,
	worse: (a: number, b: number) => number,
): TargetCheck {
	const judged = values.map((v) => ({ ...v, met: v.value !== null && passes(v.value) }));
	const present = values.map((v) => v.value).filter((v): v is number => v !== null);
	const worst = present.length ? present.reduce((a, b) => worse(a, b)) : null;
	return { ...partial, values: judged, worst, met: judged.every((v) => v.met) };
}
