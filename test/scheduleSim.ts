/**
 * Runs the node's poll loop (PollLoop with the adaptive schedule) on jest's fake clock against
 * simulated tasks with the simulator's own progress profiles and latency jitter: a whole cohort of
 * 60-second tasks in milliseconds of real time. Call it inside a test after jest.useFakeTimers().
 */
import { adaptiveSchedule, PollLoop } from '../nodes/GptImage/engine/poll';
import type { PollSchedule } from '../nodes/GptImage/engine/poll';
import { jitteredLatency, profileProgress } from './simulator/tasks';
import type { ProgressProfile } from './simulator/types';

export interface CohortSpec {
	profile: ProgressProfile;
	latencyMs: number;
	jitter: number;
	tasks: number;
	/** The gateway's minimum interval between two reads of one task; default 500 ms. */
	minIntervalMs?: number;
	/** Creates go in waves of this many, `waveEveryMs` apart (Kie: 20 per 10 s); default all at once. */
	wave?: { size: number; everyMs: number };
	/** Round trip of one read; the gateway answers half-way. Default 60 ms. */
	roundTripMs?: number;
	seed?: number;
	/** How long a task stays queued before it runs, as a share of its latency; default 0.1 as the simulator. */
	queuedShare?: number;
	/** Give up after this long; default 10 minutes. */
	maxWaitMs?: number;
	/** 'none': every task polled on its own, learning from nobody. Default: one cohort. */
	cohorts?: 'one' | 'none';
	/** The first `stuck` tasks never end: their progress stays where the profile leaves it at 99 %. */
	stuck?: number;
	schedule?: PollSchedule;
}

export interface TaskOutcome {
	createdAt: number;
	doneAt: number;
	/** When the gateway answered each read. */
	polls: number[];
	/** The first read answered at or after doneAt, minus doneAt; null if none (timed out). */
	lagMs: number | null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Progress as ToAPIs and EvoLink report it (whole percents, 99 at most while running); undefined while queued. */
function reportedProgress(profile: ProgressProfile, at: number, runningAt: number, doneAt: number): number | undefined {
	if (at < runningAt) return undefined;
	return Math.min(99, Math.floor(profileProgress(profile, (at - runningAt) / (doneAt - runningAt)) * 100));
}

export async function runCohort(spec: CohortSpec): Promise<TaskOutcome[]> {
	const loop = new PollLoop();
	const roundTrip = spec.roundTripMs ?? 60;
	const schedule = spec.schedule ?? adaptiveSchedule(spec.minIntervalMs ?? 500);
	const outcomes: TaskOutcome[] = [];
	const one = async (index: number) => {
		if (spec.wave) await sleep(Math.floor(index / spec.wave.size) * spec.wave.everyMs);
		const latency = jitteredLatency(spec.latencyMs, spec.jitter, `${spec.seed ?? 1}\u0000${index}`);
		const createdAt = Date.now();
		const runningAt = createdAt + latency * (spec.queuedShare ?? 0.1);
		const endsAt = createdAt + latency;
		const doneAt = index < (spec.stuck ?? 0) ? Infinity : endsAt;
		const outcome: TaskOutcome = { createdAt, doneAt, polls: [], lagMs: null };
		outcomes.push(outcome);
		await sleep(roundTrip / 2);
		try {
			await loop.waitUntilDone({
				read: async () => {
					await sleep(roundTrip / 2);
					const at = Date.now();
					outcome.polls.push(at);
					await sleep(roundTrip / 2);
					return { done: at >= doneAt, progress: reportedProgress(spec.profile, at, runningAt, endsAt) };
				},
				isDone: (value) => value.done,
				progressOf: (value) => value.progress,
				cohort: spec.cohorts === 'none' ? undefined : 'cohort',
				schedule,
				deadline: createdAt + (spec.maxWaitMs ?? 600_000),
				onTimeout: () => new Error('timed out'),
			});
			outcome.lagMs = outcome.polls.at(-1)! - doneAt;
		} catch {
			// timed out: lagMs stays null
		}
	};
	const all = Promise.all(Array.from({ length: spec.tasks }, (_, i) => one(i)));
	let settled = false;
	void all.then(() => (settled = true));
	while (!settled) await jest.advanceTimersByTimeAsync(1000);
	await all;
	return outcomes;
}

/** The value at share `p` (0..1) of the sorted values, interpolated linearly between ranks. */
export function percentile(values: readonly number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	const rank = (sorted.length - 1) * p;
	const low = Math.floor(rank);
	return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (rank - low);
}

/** Most reads of one task within any 1-second window that starts 10 s or later after its create. */
export function maxReadsPerSecondAfter10s(outcome: TaskOutcome): number {
	const late = outcome.polls.filter((at) => at - outcome.createdAt >= 10_000);
	let most = 0;
	for (let i = 0; i < late.length; i++) {
		let j = i;
		while (j + 1 < late.length && late[j + 1] - late[i] < 1000) j++;
		most = Math.max(most, j - i + 1);
	}
	return most;
}

export interface CohortSummary {
	pollsPerTask: number;
	pollsMax: number;
	lagP50: number;
	lagP95: number;
	lagMax: number;
	/** Tasks never seen done. */
	missing: number;
	readsPerSecondMax: number;
}

export function summarize(outcomes: readonly TaskOutcome[]): CohortSummary {
	const lags = outcomes.flatMap((o) => (o.lagMs === null ? [] : [o.lagMs]));
	const polls = outcomes.map((o) => o.polls.length);
	return {
		pollsPerTask: polls.reduce((a, b) => a + b, 0) / polls.length,
		pollsMax: Math.max(...polls),
		lagP50: percentile(lags, 0.5),
		lagP95: percentile(lags, 0.95),
		lagMax: Math.max(...lags),
		missing: outcomes.length - lags.length,
		readsPerSecondMax: Math.max(...outcomes.map(maxReadsPerSecondAfter10s)),
	};
}
