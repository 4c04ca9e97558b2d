import { waitFor } from './wait';

/**
 * The wait-and-poll loop, free of any gateway: it asks `read` until `isDone`, waiting the
 * schedule's interval between reads, and gives up at the deadline with the caller's error.
 * The last read happens at the deadline at the latest, and nothing sleeps after it.
 */

export interface PollSchedule {
	/** Milliseconds before read number `attempt` (0 = the first read after the create). */
	delayBefore(attempt: number): number;
}

/** Fixed interval chosen by the user, never shorter than the gateway allows. */
export function fixedSchedule(intervalMs: number, minIntervalMs: number): PollSchedule {
	const interval = Math.max(intervalMs, minIntervalMs);
	return { delayBefore: () => interval };
}

/**
 * Starts short (results can come quickly) and grows by half each time up to a ceiling, so a
 * 60-second task costs about a dozen reads and is seen within a few seconds of finishing.
 */
export function adaptiveSchedule(minIntervalMs: number, firstMs = 1000, ceilingMs = 10_000): PollSchedule {
	return {
		delayBefore: (attempt) => Math.max(minIntervalMs, Math.min(ceilingMs, firstMs * 1.5 ** attempt)),
	};
}

export interface PollOptions<T> {
	read: () => Promise<T | undefined>;
	isDone: (value: T) => boolean;
	schedule: PollSchedule;
	/** Absolute time (ms since epoch) after which no more reads are made. */
	deadline: number;
	signal?: AbortSignal;
	/** The error to throw at the deadline, given the last value read (undefined: never seen). */
	onTimeout: (last: T | undefined) => Error;
	/** Called with every value read, e.g. to remember the last progress. */
	onRead?: (value: T | undefined) => void;
}

export async function pollUntilDone<T>(options: PollOptions<T>): Promise<T> {
	const { read, isDone, schedule, deadline, signal, onTimeout, onRead } = options;
	let last: T | undefined;
	for (let attempt = 0; ; attempt++) {
		const remaining = deadline - Date.now();
		await waitFor(Math.min(schedule.delayBefore(attempt), Math.max(0, remaining)), signal);
		const value = await read();
		onRead?.(value);
		if (value !== undefined) {
			last = value;
			if (isDone(value)) return value;
		}
		if (Date.now() >= deadline) throw onTimeout(last);
	}
}
