import { waitFor } from './wait';

/** The wait-and-poll loop and its schedules, free of any gateway. */

/** Two progress readings (0–100) with their times; the rate between them predicts the end. */
export interface ProgressTrend {
	previous?: { at: number; progress: number };
	latest: { at: number; progress: number };
	/** When the task was created. */
	startedAt: number;
}

export interface PollSchedule {
	/** Milliseconds before read number `attempt` (0 = the first read after the create). */
	delayBefore(attempt: number, trend?: ProgressTrend): number;
}

/** Milliseconds until the task should reach 100 %, from its progress so far; undefined if unknown. */
export function predictedRemainingMs(trend: ProgressTrend): number | undefined {
	const { previous, latest, startedAt } = trend;
	if (latest.progress <= 0 || latest.progress >= 100) return undefined;
	const [from, fromProgress] =
		previous && previous.progress > 0 && latest.progress > previous.progress
			? [previous.at, previous.progress]
			: [startedAt, 0];
	const rate = (latest.progress - fromProgress) / Math.max(1, latest.at - from);
	return rate > 0 ? (100 - latest.progress) / rate : undefined;
}

/** Fixed interval chosen by the user, never shorter than the gateway allows. */
export function fixedSchedule(intervalMs: number, minIntervalMs: number): PollSchedule {
	const interval = Math.max(intervalMs, minIntervalMs);
	return { delayBefore: () => interval };
}

/** Slack after the predicted end, so the read that sees it finished is the first one after it. */
const PREDICTION_SLACK_MS = 100;

/**
 * Starts short (results can come quickly) and grows by half each time up to a ceiling, so a
 * 60-second task costs about a dozen reads. Where the gateway reports progress, the next read
 * goes just after the end that progress predicts when that comes sooner: the result is seen
 * within moments of finishing, without reading more often than the plain schedule.
 */
export function adaptiveSchedule(minIntervalMs: number, firstMs = 500, ceilingMs = 10_000): PollSchedule {
	return {
		delayBefore: (attempt, trend) => {
			const planned = Math.min(ceilingMs, firstMs * 1.5 ** attempt);
			const remaining = trend ? predictedRemainingMs(trend) : undefined;
			const aimed = remaining === undefined ? planned : Math.min(planned, remaining + PREDICTION_SLACK_MS);
			return Math.max(minIntervalMs, aimed);
		},
	};
}

export interface PollOptions<T> {
	/** One read; `signal` aborts when the task leaves the loop or reaches its deadline mid-read. */
	read: (signal: AbortSignal) => Promise<T | undefined>;
	isDone: (value: T) => boolean;
	schedule: PollSchedule;
	/** Absolute time (ms since epoch) after which no more reads are made. */
	deadline: number;
	signal?: AbortSignal;
	/** The error to throw at the deadline, given the last value read (undefined: never seen). */
	onTimeout: (last: T | undefined) => Error;
	/** A value's progress 0–100, where it has one; lets the schedule aim at the predicted end. */
	progressOf?: (value: T) => number | undefined;
	/** When the polled thing started, for progress predictions. */
	startedAt?: number;
}

interface Entry {
	options: PollOptions<unknown>;
	attempt: number;
	due: number;
	reading: boolean;
	last: unknown;
	trend?: ProgressTrend;
	settle: (error: Error | undefined, value?: unknown) => void;
}

/**
 * One loop polls every task of an execution, each on its own cadence: it sleeps until the next
 * read is due, starts every due read (they run side by side), and wakes early when a task is
 * added or leaves. A task leaves when it is done, at its deadline (the last read happens at the
 * deadline at the latest and nothing sleeps after it), on a read error, or when its signal aborts.
 * With no task left the loop ends, so nothing sleeps on after Stop.
 */
export class PollLoop {
	private readonly entries = new Set<Entry>();
	private running = false;
	private wake?: AbortController;

	async waitUntilDone<T>(options: PollOptions<T>): Promise<T> {
		options.signal?.throwIfAborted();
		return await new Promise<T>((resolve, reject) => {
			const onAbort = () => entry.settle(new Error('The execution was stopped'));
			const entry: Entry = {
				options: options as PollOptions<unknown>,
				attempt: 0,
				due: Math.min(Date.now() + options.schedule.delayBefore(0), options.deadline),
				reading: false,
				last: undefined,
				settle: (error, value) => {
					if (!this.entries.delete(entry)) return;
					options.signal?.removeEventListener('abort', onAbort);
					this.kick();
					if (error) reject(error);
					else resolve(value as T);
				},
			};
			this.entries.add(entry);
			options.signal?.addEventListener('abort', onAbort, { once: true });
			this.kick();
		});
	}

	/** Re-plans the loop's sleep, starting the loop when it is not running. */
	private kick(): void {
		this.wake?.abort();
		if (!this.running && this.entries.size) {
			this.running = true;
			void this.run();
		}
	}

	private async run(): Promise<void> {
		while (this.entries.size) {
			const now = Date.now();
			let nextDue = Infinity;
			for (const entry of this.entries) {
				if (entry.reading) continue;
				if (entry.due <= now) void this.read(entry);
				else nextDue = Math.min(nextDue, entry.due);
			}
			this.wake = new AbortController();
			// Sleeps until the next read is due, or until kick() aborts the sleep; with every
			// task reading, only a kick (a read ending, a task leaving) ends it.
			await waitFor(nextDue === Infinity ? 60_000 : nextDue - now, this.wake.signal).catch(
				(error: unknown) => {
					if (!this.wake?.signal.aborted) throw error;
				},
			);
		}
		this.running = false;
	}

	private async read(entry: Entry): Promise<void> {
		const { read, isDone, schedule, deadline, onTimeout, progressOf, startedAt, signal } = entry.options;
		entry.reading = true;
		// A read ends with its task: on Stop, and at the deadline even while the gateway has not
		// answered (a stalled request, a retry's back-off), so that Max Wait holds.
		const reading = new AbortController();
		const stop = () => reading.abort();
		signal?.addEventListener('abort', stop, { once: true });
		let pastDeadline = false;
		void waitFor(deadline - Date.now(), reading.signal).then(
			() => {
				pastDeadline = true;
				stop();
			},
			() => undefined,
		);
		try {
			const value = await read(reading.signal);
			if (value !== undefined) {
				entry.last = value;
				if (isDone(value)) return entry.settle(undefined, value);
				const progress = progressOf?.(value);
				if (progress !== undefined && startedAt !== undefined) {
					entry.trend = { previous: entry.trend?.latest, latest: { at: Date.now(), progress }, startedAt };
				}
			}
			if (Date.now() >= deadline) return entry.settle(onTimeout(entry.last));
			entry.attempt++;
			entry.due = Math.min(Date.now() + schedule.delayBefore(entry.attempt, entry.trend), deadline);
			entry.reading = false;
			this.kick();
		} catch (error) {
			entry.settle(pastDeadline ? onTimeout(entry.last) : (error as Error));
		} finally {
			stop();
			signal?.removeEventListener('abort', stop);
		}
	}
}
