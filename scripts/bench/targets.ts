/** The targets issue 4 judges the numbers against, and the yardsticks they need. */
import { adaptiveSchedule } from '../../nodes/GptImage/engine/poll';
import { gatewayById } from '../../nodes/GptImage/gateways';
import type { GatewayId } from '../../test/support';

export function minPollIntervalMs(gateway: GatewayId): number {
	return gatewayById(gateway)?.limits.minPollIntervalMs ?? 0;
}

export function defaultConcurrency(gateway: GatewayId): number {
	return gatewayById(gateway)?.limits.defaultConcurrency ?? 0;
}

export interface PollInterval {
	/** The schedule's wait that spans the task's completion. */
	intervalMs: number;
	/** The plain schedule's reads: time after the create, up to the first one at or after L. */
	readsAtMs: number[];
	/** Its waits before those reads. */
	waitsMs: number[];
}

/**
 * "One poll interval" for a task of latency L, from the node's own adaptive schedule
 * (nodes/GptImage/engine/poll.ts), taken plain: `adaptiveSchedule(minPollIntervalMs).delayBefore(k)`
 * without a progress trend, i.e. the cadence the node falls back to when it cannot predict the end.
 * Walk its reads (k = 0, 1, …, each after the previous one's wait) to the first one at or after L;
 * the interval is the wait before that read: the gap between the last read before completion and
 * the first read after it.
 */
export function pollIntervalAt(latencyMs: number, minIntervalMs: number): PollInterval {
	const schedule = adaptiveSchedule(minIntervalMs);
	const readsAtMs: number[] = [];
	const waitsMs: number[] = [];
	let at = 0;
	for (let k = 0; k < 1000; k++) {
		const wait = schedule.delayBefore(k);
		at += wait;
		readsAtMs.push(Math.round(at));
		waitsMs.push(Math.round(wait));
		if (at >= latencyMs) return { intervalMs: Math.round(wait), readsAtMs, waitsMs };
	}
	throw new Error('the adaptive schedule never reaches the task latency');
}

/** Kie refuses the 21st create in a sliding 10 s: the last of N creates cannot go before this. */
export function rateLimitFloorMs(gateway: GatewayId, items: number, kieCreatesPer10s: number): number {
	if (gateway !== 'kieAi') return 0;
	return (Math.ceil(items / kieCreatesPer10s) - 1) * 10_000;
}

export interface TargetCheck {
	id: string;
	description: string;
	gateway?: GatewayId;
	/** The cases the check covers, by item count, with their values. */
	values: Array<{ items: number; value: number | null; met: boolean }>;
	limit: number;
	unit: string;
	/** The worst value over the cases. */
	worst: number | null;
	met: boolean;
}

export function check(
	partial: Omit<TargetCheck, 'worst' | 'met' | 'values'>,
	values: Array<{ items: number; value: number | null }>,
	passes: (value: number) => boolean,
	worse: (a: number, b: number) => number,
): TargetCheck {
	const judged = values.map((v) => ({ ...v, met: v.value !== null && passes(v.value) }));
	const present = values.map((v) => v.value).filter((v): v is number => v !== null);
	const worst = present.length ? present.reduce((a, b) => worse(a, b)) : null;
	return { ...partial, values: judged, worst, met: judged.every((v) => v.met) };
}
