import { adaptiveSchedule, Cohort, estimateEnd, fixedSchedule } from '../nodes/GptImage/engine/poll';
import type { CohortKnowledge, Reading } from '../nodes/GptImage/engine/poll';
import { maxReadsPerSecondAfter10s, runCohort, summarize } from './scheduleSim';
import type { CohortSpec, TaskOutcome } from './scheduleSim';
import { PROGRESS_PROFILES } from './simulator/tasks';

/**
 * The poll schedules: how long the node waits between status reads. The cohort cases run the real
 * PollLoop on jest's fake clock (test/scheduleSim.ts): 100 tasks of 60 s ± 30 % in a few seconds.
 */

const alone: CohortKnowledge = { members: 1 };

/** The ages at which a schedule reads a task nothing is known about, up to `untilMs`. */
function plainReads(minIntervalMs: number, untilMs: number, phase = 0): number[] {
	const plan = adaptiveSchedule(minIntervalMs).start(phase);
	const ages: number[] = [];
	for (let age = plan.delay(0, alone); age <= untilMs; age += plan.delay(age, alone)) {
		ages.push(Math.round(age));
		plan.observe(age, undefined);
	}
	return ages;
}

describe('plain cadence', () => {
	it('starts under a second, grows by three quarters each time, stops growing at 10 s', () => {
		const reads = plainReads(0, 60_000);
		expect(reads.slice(0, 4)).toEqual([750, 2063, 4359, 8379]);
		const gaps = reads.slice(1).map((age, i) => age - reads[i]);
		expect(gaps.slice(4)).toEqual([10_000, 10_000, 10_000, 10_000]);
	});

	it('spreads tasks started together over one wait (phases), each as sparse as the others', () => {
		const late = (phase: number) => plainReads(0, 100_000, phase).filter((age) => age > 20_000);
		const offsets = (phase: number) => late(phase).map((age) => (((age - late(0)[0]) % 10_000) + 10_000) % 10_000);
		expect(new Set(offsets(0.5))).toEqual(new Set([5000]));
		expect(new Set(offsets(0.25))).toEqual(new Set([2500]));
		expect(late(0.5).length).toBeGreaterThanOrEqual(late(0).length - 1);
	});

	it('never reads faster than the gateway allows (Kie: 3 per second per task), nor the user asked', () => {
		expect(plainReads(3000, 20_000)[0]).toBe(3000);
		expect(fixedSchedule(100, 340).start(0).delay(5000, alone)).toBe(340);
		expect(fixedSchedule(5000, 340).start(0).delay(5000, alone)).toBe(5000);
	});
});

describe('progress', () => {
	it('predicts the end from the last straight stretch of readings, allowing for whole percents', () => {
		const linear: Reading[] = [10_000, 20_000, 30_000].map((age) => ({ age, progress: Math.floor(age / 600) }));
		const end = estimateEnd(linear)!;
		expect(end.from).toBeLessThanOrEqual(60_000);
		expect(end.to).toBeGreaterThanOrEqual(60_000);
		expect(end.to - end.from).toBeLessThan(3000);
		// Fast then slow: only the slow stretch counts.
		const bent: Reading[] = [
			{ age: 5000, progress: 40 },
			{ age: 10_000, progress: 90 },
			{ age: 20_000, progress: 93 },
			{ age: 30_000, progress: 96 },
		];
		expect(estimateEnd(bent)!.from).toBeGreaterThan(35_000);
	});

	it('predicts nothing from a stall or a move of one percent', () => {
		expect(estimateEnd([{ age: 1000, progress: 99 }])).toBeUndefined();
		expect(estimateEnd([{ age: 1000, progress: 98 }, { age: 5000, progress: 99 }])).toBeUndefined();
	});

	it('aims one read just after the predicted end once progress pins it down', () => {
		const plan = adaptiveSchedule(0).start(0);
		for (const age of [10_000, 20_000, 40_000, 55_000]) plan.observe(age, Math.floor(age / 600));
		const delay = plan.delay(55_000, alone);
		expect(55_000 + delay).toBeGreaterThanOrEqual(60_000);
		expect(55_000 + delay).toBeLessThan(61_000);
	});
});

describe('a cohort', () => {
	it('learns where its tasks end and how densely to read there; one slow-poke or fast fluke does not stretch it', () => {
		const cohort = new Cohort();
		for (const age of [44_000, 48_000, 52_000, 56_000, 5000]) cohort.learn(age - 500, age + 500);
		const band = cohort.known.band!;
		expect(band.from).toBeGreaterThan(40_000);
		expect(band.from).toBeLessThan(44_000);
		expect(band.to).toBeGreaterThan(56_000);
		expect(band.step).toBeLessThanOrEqual(2500);
	});

	it('stops believing progress that misled its tasks', () => {
		const cohort = new Cohort();
		cohort.learn(59_000, 61_000, { from: 59_500, to: 60_500 });
		expect(cohort.known.progressTrusted).toBe(true);
		cohort.learn(70_000, 72_000, { from: 50_000, to: 51_000 });
		cohort.learn(70_000, 72_000, { from: 50_000, to: 51_000 });
		expect(cohort.known.progressTrusted).toBe(false);
	});
});

describe('no storm when progress stalls (issue 9, item 7)', () => {
	it('a task stuck at 99 % for 5 minutes is read no more often than one that reports nothing', () => {
		const reads = (progressAt: (age: number) => number | undefined) => {
			const plan = adaptiveSchedule(340).start(0);
			const ages: number[] = [];
			for (let age = plan.delay(0, alone); age <= 300_000; age += plan.delay(age, alone)) {
				ages.push(age);
				plan.observe(age, progressAt(age));
			}
			return ages;
		};
		// Kie's "0.99": linear to 99 % at 8 s, then stuck.
		const stuck = reads((age) => Math.min(99, Math.floor(age / 80)));
		const silent = reads(() => undefined);
		expect(stuck.length).toBeLessThanOrEqual(silent.length + 2);
		const gaps = stuck.slice(1).map((age, i) => age - stuck[i]);
		expect(Math.min(...gaps.filter((_, i) => stuck[i] >= 10_000))).toBeGreaterThanOrEqual(1000);
	});
});

describe('cohorts on a fake clock: 60 s ± 30 % tasks, each progress profile', () => {
	beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
	afterEach(() => jest.useRealTimers());

	const spec = (profile: CohortSpec['profile'], tasks: number): CohortSpec => ({ profile, latencyMs: 60_000, jitter: 0.3, tasks });
	const seconds = (ms: number) => ms / 1000;

	/** Issue 12's targets, at N = 100: p95 detection lag and polls per task. */
	const TARGET = {
		linear: { lagP95: 1, polls: 10 },
		none: { lagP95: 3, polls: 15 },
		stall: { lagP95: 3, polls: 15 },
		fastThenSlow: { lagP95: 3, polls: 15 },
	};

	it.each(PROGRESS_PROFILES.map((profile) => [profile]))('%s: every task seen, lag and polls within the targets, no storm', async (profile) => {
		const outcomes = await runCohort(spec(profile, 100));
		const summary = summarize(outcomes);
		expect(summary.missing).toBe(0);
		expect(seconds(summary.lagP95)).toBeLessThanOrEqual(TARGET[profile].lagP95);
		expect(summary.pollsPerTask).toBeLessThanOrEqual(TARGET[profile].polls);
		expect(summary.readsPerSecondMax).toBe(1);
	});

	it('learns: the later half of a cohort is seen sooner than its first tasks, for fewer reads each', async () => {
		const outcomes = await runCohort(spec('none', 100));
		const byEnd = [...outcomes].sort((a, b) => a.doneAt - b.doneAt);
		const mean = (list: TaskOutcome[], pick: (o: TaskOutcome) => number) => list.reduce((sum, o) => sum + pick(o), 0) / list.length;
		const first = byEnd.slice(0, 5);
		const later = byEnd.slice(50);
		expect(mean(later, (o) => o.lagMs!)).toBeLessThan(mean(first, (o) => o.lagMs!));
		// Without a cohort (each task alone), the same tasks are seen later.
		const alone = summarize(await runCohort({ ...spec('none', 100), cohorts: 'none' }));
		expect(alone.lagP95).toBeGreaterThan(2 * summarize(outcomes).lagP95);
	});

	it('a task stuck at 99 % among mates that end is read at most once a second, and less once they are done', async () => {
		const outcomes = await runCohort({ ...spec('stall', 20), stuck: 1 });
		const stuck = outcomes.find((o) => o.lagMs === null)!;
		expect(maxReadsPerSecondAfter10s(stuck)).toBe(1);
		// 10 minutes of being stuck cost about as much as 10 minutes of the plain cadence (60 reads).
		expect(stuck.polls.length).toBeLessThanOrEqual(80);
	});
});
