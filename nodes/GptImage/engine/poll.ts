import { waitFor } from './wait';

/**
 * The wait-and-poll loop and its schedules, free of any gateway.
 *
 * Times are a task's age: milliseconds since it entered the loop, which is when the gateway
 * answered its create.
 */

/** A progress reading (0–100, exclusive) and the age it was read at. */
export interface Reading {
	age: number;
	progress: number;
}

/** The ages between which a task should end, from its progress so far. */
export interface EndEstimate {
	from: number;
	to: number;
}

/** What a task's cohort (tasks polled together that take about as long) has learnt so far. */
export interface CohortKnowledge {
	/** Its tasks being polled now. */
	members: number;
	/** The ages at which its tasks were seen to succeed, with margins, and how densely to read there. */
	band?: { from: number; to: number; step: number };
	/** Whether progress predicted their ends; undefined until one ended with a prediction. */
	progressTrusted?: boolean;
}

/** One task's schedule: it hears each read that did not find the task done, and plans the next. */
export interface TaskPlan {
	observe(age: number, progress: number | undefined): void;
	/** Milliseconds from `age` until the next read. Must not change the plan: the loop re-plans freely. */
	delay(age: number, cohort: CohortKnowledge): number;
	/** The end the task's progress predicts now, for its cohort to learn whether progress can be trusted. */
	estimate(): EndEstimate | undefined;
}

export interface PollSchedule {
	/** A plan for one task; `phase` in [0, 1) spreads the reads of tasks started together. */
	start(phase: number): TaskPlan;
}

/** A fixed interval (the user's, say), never shorter than the gateway allows; the first read after `firstMs`. */
export function fixedSchedule(intervalMs: number, minIntervalMs: number, firstMs?: number): PollSchedule {
	const interval = Math.max(intervalMs, minIntervalMs);
	const first = firstMs ?? interval;
	return {
		start: () => {
			let reads = 0;
			return {
				observe: () => void reads++,
				delay: () => (reads ? interval : first),
				estimate: () => undefined,
			};
		},
	};
}

/** Progress is read in whole percents: each reading may be up to this much below the truth. */
const PROGRESS_STEP = 1;
/** Readings this far (in percent) off the line between two others still lie on it. */
const LINE_TOLERANCE = 1.5;

/**
 * When a task should end, from the last stretch of its progress readings that lies on one line
 * (the latest reading and the oldest one the readings in between agree with), allowing for
 * readings in whole percents. None when progress has not moved by 2 % on that stretch: a stall
 * predicts nothing.
 */
export function estimateEnd(readings: readonly Reading[]): EndEstimate | undefined {
	const latest = readings.at(-1);
	if (!latest) return undefined;
	let reference: Reading | undefined;
	for (let r = readings.length - 2; r >= 0; r--) {
		const candidate = readings[r];
		const slope = (latest.progress - candidate.progress) / Math.max(1, latest.age - candidate.age);
		const onLine = readings
			.slice(r + 1, -1)
			.every((between) => Math.abs(candidate.progress + slope * (between.age - candidate.age) - between.progress) <= LINE_TOLERANCE);
		if (!onLine) break;
		reference = candidate;
	}
	if (!reference) return undefined;
	const advance = latest.progress - reference.progress;
	if (advance < 2 * PROGRESS_STEP) return undefined;
	const span = latest.age - reference.age;
	const fastest = (advance + PROGRESS_STEP) / span;
	const slowest = (advance - PROGRESS_STEP) / span;
	const left = 100 - latest.progress;
	return { from: latest.age + Math.max(0, left - PROGRESS_STEP) / fastest, to: latest.age + left / slowest };
}

/** A read aimed at a predicted end goes this long after it, so that it finds the task done. */
const AIM_SLACK_MS = 150;
/** Where progress pins the end down to this, one read goes just after it. */
const AIM_TOLERANCE_MS = 1000;
/** After a task's first 10 s, at most one read per second, whatever its progress does. */
const SETTLED_AGE_MS = 10_000;
const SETTLED_MIN_INTERVAL_MS = 1000;

interface PlainCadence {
	/** The first wait. */
	firstMs: number;
	/** Each wait is this share longer than the one before… */
	growth: number;
	/** …up to this. */
	ceilingMs: number;
}

const PLAIN_CADENCE: PlainCadence = { firstMs: 750, growth: 0.75, ceilingMs: 10_000 };

/**
 * The plain cadence, for a task nothing is known about: a first wait of 0.75 s, each wait 75 %
 * longer than the one before, up to 10 s (reads at 0.75, 2.1, 4.4, 8.4, 16 s, then every 10 s).
 * It is a clock that ticks once per
 * read: `position` says how many reads the plain cadence has made by an age, and `age` when it
 * makes read x. A task reads at ticks k + phase, so that tasks started together (phases spread
 * over [0, 1)) take turns instead of reading in step: together they look every ceiling / n.
 */
class PlainClock {
	private readonly base: number;
	/** Where the waits reach the ceiling: read number and age. */
	private readonly capAt: number;
	private readonly capAge: number;

	constructor(private readonly cadence: PlainCadence) {
		this.base = 1 + cadence.growth;
		this.capAt = Math.max(0, Math.log(cadence.ceilingMs / cadence.firstMs) / Math.log(this.base));
		this.capAge = this.geometricAge(this.capAt);
	}

	private geometricAge(x: number): number {
		return (this.cadence.firstMs / this.cadence.growth) * (this.base ** x - 1);
	}

	age(x: number): number {
		return x <= this.capAt ? this.geometricAge(x) : this.capAge + (x - this.capAt) * this.cadence.ceilingMs;
	}

	position(age: number): number {
		if (age >= this.capAge) return this.capAt + (age - this.capAge) / this.cadence.ceilingMs;
		return Math.log(1 + (age * this.cadence.growth) / this.cadence.firstMs) / Math.log(this.base);
	}

	/** The wait from `age` to this task's next tick, at least half a wait away. */
	delay(age: number, phase: number): number {
		const tick = Math.max(1, Math.ceil(this.position(age) + 0.5 - phase)) + phase;
		return this.age(tick) - age;
	}
}

const GOLDEN = 0.6180339887498949;

/**
 * Until a cohort has seen one of its tasks end, its members read in turns (see PlainClock) and the
 * first end any of them sees wakes them all; a larger cohort looks as often with fewer reads each:
 * its ceiling grows with the square root of its size over this, up to MAX_CEILING_SCALE times.
 */
const COHORT_SIZE_PER_CEILING = 10;
const MAX_CEILING_SCALE = 1.5;

/**
 * The schedule that learns. Each read goes at the plain cadence, unless something better is known:
 * - the task's own progress, where it moves: reads go half-way to the earliest predicted end
 *   (never closer together than the plain cadence) until the end is pinned down to a second, then
 *   one read just after it. A task whose progress misses its predicted end is not aimed at again
 *   unless its cohort has seen progress keep its word, and then only once its progress moves on:
 *   a task stuck at 99 % is read at the plain cadence or its cohort's, never in a storm;
 * - else its cohort: where mates of the task succeeded (a band of ages), reads there go `step`
 *   apart, and before the band they jump towards it; past the band, the plain cadence again.
 * Progress is ignored in a cohort where it has misled (tasks ended after their prediction).
 * Never faster than the gateway's minimum interval, nor more than once a second after 10 s.
 */
export function adaptiveSchedule(minIntervalMs: number): PollSchedule {
	const cadence = PLAIN_CADENCE;
	const clocks = new Map<number, PlainClock>();
	/** The plain clock for a cohort of `members` that knows nothing yet (see COHORT_SIZE_PER_CEILING). */
	const clockFor = (cohort: CohortKnowledge) => {
		const scale = cohort.band ? 1 : Math.min(MAX_CEILING_SCALE, Math.max(1, Math.round(4 * Math.sqrt(cohort.members / COHORT_SIZE_PER_CEILING)) / 4));
		let clock = clocks.get(scale);
		if (!clock) clocks.set(scale, (clock = new PlainClock({ ...cadence, ceilingMs: cadence.ceilingMs * scale })));
		return clock;
	};
	return {
		start: (phase) => {
			const readings: Reading[] = [];
			let estimate: EndEstimate | undefined;
			/** Set when progress missed its end: no aim until it moves past this. */
			let missedAt: number | undefined;
			let lastProgress = 0;
			let misses = 0;
			const plain = (age: number, cohort: CohortKnowledge) => clockFor(cohort).delay(age, phase);
			return {
				observe(age, progress) {
					if (estimate && missedAt === undefined && age >= estimate.to + AIM_SLACK_MS) {
						missedAt = lastProgress;
						misses++;
					}
					// Only a move tells something new: a reading that repeats the last one keeps the
					// estimate (else a stall would push its own end ahead at every read).
					if (progress === undefined || progress <= 0 || progress >= 100 || progress === lastProgress) return;
					if (progress < lastProgress) readings.length = 0;
					lastProgress = progress;
					readings.push({ age, progress });
					estimate = estimateEnd(readings);
					if (missedAt !== undefined && progress > missedAt) missedAt = undefined;
				},
				estimate: () => estimate,
				delay(age, cohort) {
					const floor = Math.max(minIntervalMs, age >= SETTLED_AGE_MS - SETTLED_MIN_INTERVAL_MS ? SETTLED_MIN_INTERVAL_MS : 0);
					// Progress that missed its end once is believed again only where the cohort vouches for it.
					const trusted =
						estimate &&
						missedAt === undefined &&
						(cohort.progressTrusted === true || (cohort.progressTrusted === undefined && misses === 0));
					const planned = trusted
						? aimAt(age, estimate!, plain(age, cohort), floor, cohort.progressTrusted === true)
						: cohort.band
							? towardsBand(age, cohort.band, plain(age, cohort))
							: plain(age, cohort);
					return Math.max(floor, planned);
				},
			};
		},
	};
}

/**
 * Reads that close in on a predicted end: half way there, never closer than `plain`, then just
 * after it. Where the cohort has seen progress keep its word, a few reads also go across a window
 * it leaves open; elsewhere that would be a storm of reads wherever progress misleads.
 */
function aimAt(age: number, end: EndEstimate, plain: number, floor: number, vouched: boolean): number {
	const last = end.to + AIM_SLACK_MS - age;
	if (last <= floor || end.to - end.from <= AIM_TOLERANCE_MS) return last;
	const before = end.from - age;
	if (before > plain) return Math.max(plain, before / 2);
	if (!vouched) return last;
	return Math.min(last, Math.max(AIM_TOLERANCE_MS, (end.to - end.from) / 4, before));
}

/** Before the band: towards it (at most twice the plain wait at a time); in it: `step`; past it: plain. */
function towardsBand(age: number, band: NonNullable<CohortKnowledge['band']>, plain: number): number {
	if (age < band.from) return Math.min(band.from - age, 2 * plain);
	if (age <= band.to) return band.step;
	return plain;
}

/** Within the band, reads go this share of the typical duration apart, at most BAND_STEP_MAX_MS. */
const BAND_STEP_SHARE = 0.05;
const BAND_STEP_MAX_MS = 2250;

/**
 * What one cohort learns: the ages at which its tasks succeeded (the first ones of a batch are the
 * fast ones, so the band grows upwards as later ones come in, and stays open a while past the
 * latest) and whether its tasks' progress predicted their ends.
 */
export class Cohort {
	private readonly durations: number[] = [];
	private accurate = 0;
	private misled = 0;
	private knowledge: CohortKnowledge = { members: 0 };

	/**
	 * Records a task that succeeded between the ages `after` (its last read that found it running)
	 * and `by` (the read that found it done), and what its progress predicted; true when the band
	 * moved so that members may want to read sooner.
	 */
	learn(after: number, by: number, predicted?: EndEstimate): boolean {
		let age = (after + by) / 2;
		if (predicted) {
			// Kept its word: not seen running after the read aimed just past its end, nor done well before it.
			const margin = Math.max(AIM_TOLERANCE_MS, by * BAND_STEP_SHARE);
			if (after <= predicted.to + AIM_SLACK_MS && by >= predicted.from - margin) {
				this.accurate++;
				// Where the prediction and the reads agree.
				age = Math.min(by, Math.max(after, (predicted.from + predicted.to) / 2));
			} else this.misled++;
		}
		const at = this.durations.findIndex((d) => d > age);
		this.durations.splice(at === -1 ? this.durations.length : at, 0, age);
		const before = this.knowledge.band;
		const band = this.band();
		this.knowledge = {
			members: this.knowledge.members,
			band,
			...(this.accurate + this.misled ? { progressTrusted: this.accurate >= this.misled } : {}),
		};
		return !before || band.from < before.from || band.to > before.to;
	}

	get known(): CohortKnowledge {
		return this.knowledge;
	}

	/** A task joins (+1) or leaves (-1) the loop. */
	count(change: 1 | -1): void {
		this.knowledge = { ...this.knowledge, members: this.knowledge.members + change };
	}

	private band(): NonNullable<CohortKnowledge['band']> {
		const sorted = this.durations;
		const median = sorted[Math.floor(sorted.length / 2)];
		// A result far faster than the rest (a cached one, say) does not open the band early.
		const first = sorted.find((d) => d >= median / 2)!;
		const last = sorted.at(-1)!;
		const step = Math.min(BAND_STEP_MAX_MS, median * BAND_STEP_SHARE);
		return { from: first - step, to: last + Math.max(2 * step, last / 10), step };
	}
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
	/** A value's progress 0–100, where it has one. */
	progressOf?: (value: T) => number | undefined;
	/**
	 * Tasks of one cohort (same key) take about as long: their successes teach the schedule when
	 * the others will end. Without a key, a task learns from nobody.
	 */
	cohort?: string;
	/** Which done values teach the cohort (a failure's timing says nothing); default: all. */
	isSuccess?: (value: T) => boolean;
}

interface Entry {
	options: PollOptions<unknown>;
	plan: TaskPlan;
	cohort: Cohort;
	phase: number;
	/** Date.now() when the task entered the loop: age 0. */
	origin: number;
	/** Age of the last read (the middle of the request), and of the one before. */
	lastReadAge: number;
	previousReadAge: number;
	/** Age when the last read's answer came: waits count from there. */
	readEndAge: number;
	due: number;
	reading: boolean;
	last: unknown;
	/** Aborts the read in flight when the task leaves: on Stop, at its deadline. */
	abort: AbortController;
	pastDeadline: boolean;
	settle: (error: Error | undefined, value?: unknown) => void;
}

/**
 * One loop polls every task of an execution, each on its own cadence: it sleeps until the next
 * read is due, starts every due read (they run side by side), and wakes early when a read becomes
 * due sooner or the last task leaves. A task leaves when it is done, at its deadline (a read in
 * flight then is cut off and nothing sleeps after it), on a read error, or when its signal aborts.
 * With no task left the loop ends, so nothing sleeps on after Stop.
 * When a task of a cohort succeeds, the others' next reads are planned again with what it taught.
 */
export class PollLoop {
	private readonly entries = new Set<Entry>();
	private readonly cohorts = new Map<string, Cohort>();
	private started = 0;
	private running = false;
	private wake?: AbortController;
	/** When the loop's current sleep ends; it is woken only for a read due before that. */
	private sleepUntil = -Infinity;

	async waitUntilDone<T>(options: PollOptions<T>): Promise<T> {
		options.signal?.throwIfAborted();
		const phase = (this.started++ * GOLDEN) % 1;
		const cohort = this.cohortOf(options.cohort);
		cohort.count(1);
		const plan = options.schedule.start(phase);
		const origin = Date.now();
		return await new Promise<T>((resolve, reject) => {
			const onStop = () => entry.settle(new Error('The execution was stopped'));
			const entry: Entry = {
				options: options as PollOptions<unknown>,
				plan,
				cohort,
				phase,
				origin,
				lastReadAge: 0,
				previousReadAge: 0,
				readEndAge: 0,
				due: Math.min(origin + plan.delay(0, cohort.known), options.deadline),
				reading: false,
				last: undefined,
				abort: new AbortController(),
				pastDeadline: false,
				settle: (error, value) => {
					if (!this.entries.delete(entry)) return;
					cohort.count(-1);
					options.signal?.removeEventListener('abort', onStop);
					entry.abort.abort();
					if (!this.entries.size) this.kick(-Infinity);
					if (error) reject(error);
					else resolve(value as T);
				},
			};
			this.entries.add(entry);
			options.signal?.addEventListener('abort', onStop, { once: true });
			// Max Wait: a read in flight is cut off (and ends the task), an idle task ends at once.
			void waitFor(options.deadline - origin, entry.abort.signal).then(
				() => {
					entry.pastDeadline = true;
					if (entry.reading) entry.abort.abort();
					else entry.settle(options.onTimeout(entry.last as T | undefined));
				},
				() => undefined,
			);
			this.kick(entry.due);
		});
	}

	private cohortOf(key: string | undefined): Cohort {
		if (key === undefined) return new Cohort();
		let cohort = this.cohorts.get(key);
		if (!cohort) this.cohorts.set(key, (cohort = new Cohort()));
		return cohort;
	}

	/** Starts the loop, or wakes it when a read is now due before it would wake (or no task is left). */
	private kick(due: number): void {
		if (!this.running) {
			if (!this.entries.size) return;
			this.running = true;
			void this.run();
		} else if (due < this.sleepUntil) {
			this.wake?.abort();
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
			// Sleeps until the next read is due, or until kick() wakes it; with every task reading,
			// only a read ending (or the last task leaving) does.
			const wait = nextDue === Infinity ? 60_000 : nextDue - now;
			this.wake = new AbortController();
			this.sleepUntil = now + wait;
			await waitFor(wait, this.wake.signal).catch((error: unknown) => {
				if (!this.wake?.signal.aborted) throw error;
			});
			this.sleepUntil = -Infinity;
		}
		this.running = false;
	}

	/** Plans the next read of every idle member of `cohort` again; those already due are spread over one step. */
	private replan(cohort: Cohort): void {
		const known = cohort.known;
		const now = Date.now();
		const spread = (known.band?.step ?? 0) / 4;
		let soonest = Infinity;
		for (const entry of this.entries) {
			if (entry.cohort !== cohort || entry.reading) continue;
			const due = entry.origin + entry.readEndAge + entry.plan.delay(entry.readEndAge, known);
			// Reads that are due already go over the next step, not all at once, and never later than planned.
			const next = due > now ? due : Math.min(entry.due, now + entry.phase * spread);
			entry.due = Math.min(next, entry.options.deadline);
			soonest = Math.min(soonest, entry.due);
		}
		this.kick(soonest);
	}

	private async read(entry: Entry): Promise<void> {
		const { read, isDone, isSuccess, deadline, onTimeout, progressOf } = entry.options;
		entry.reading = true;
		try {
			const sent = Date.now();
			const value = await read(entry.abort.signal);
			entry.readEndAge = Date.now() - entry.origin;
			entry.previousReadAge = entry.lastReadAge;
			entry.lastReadAge = (sent - entry.origin + entry.readEndAge) / 2;
			if (value !== undefined) {
				entry.last = value;
				if (isDone(value)) {
					if (isSuccess?.(value) ?? true) {
						const { previousReadAge, lastReadAge } = entry;
						if (entry.cohort.learn(previousReadAge, lastReadAge, entry.plan.estimate())) this.replan(entry.cohort);
					}
					return entry.settle(undefined, value);
				}
				entry.plan.observe(entry.lastReadAge, progressOf?.(value));
			} else {
				entry.plan.observe(entry.lastReadAge, undefined);
			}
			if (entry.pastDeadline || Date.now() >= deadline) return entry.settle(onTimeout(entry.last));
			entry.due = Math.min(entry.origin + entry.readEndAge + entry.plan.delay(entry.readEndAge, entry.cohort.known), deadline);
			entry.reading = false;
			this.kick(entry.due);
		} catch (error) {
			entry.settle(entry.pastDeadline ? onTimeout(entry.last) : (error as Error));
		}
	}
}
