import { adaptiveSchedule, fixedSchedule, predictedRemainingMs } from '../nodes/GptImage/engine/poll';

/** The poll schedules: how long the node waits between status reads. */

test('adaptive: starts at half a second, grows by half, stops growing at 10 s', () => {
	const schedule = adaptiveSchedule(0);
	expect([0, 1, 2, 3].map((attempt) => schedule.delayBefore(attempt))).toEqual([500, 750, 1125, 1687.5]);
	expect(schedule.delayBefore(30)).toBe(10_000);
});

test("never reads faster than the gateway allows (Kie: 3 per second per task)", () => {
	expect(adaptiveSchedule(340).delayBefore(0)).toBe(500);
	expect(adaptiveSchedule(1000).delayBefore(0)).toBe(1000);
	expect(fixedSchedule(100, 340).delayBefore(5)).toBe(340);
});

test('progress predicts the end: from the rate between two readings, else since the start', () => {
	const startedAt = 0;
	expect(predictedRemainingMs({ startedAt, latest: { at: 1000, progress: 50 } })).toBe(1000);
	expect(
		predictedRemainingMs({ startedAt, previous: { at: 1000, progress: 20 }, latest: { at: 2000, progress: 60 } }),
	).toBe(1000);
	expect(predictedRemainingMs({ startedAt, latest: { at: 1000, progress: 0 } })).toBeUndefined();
});

test('the next read goes just after the predicted end when that is sooner than planned', () => {
	const schedule = adaptiveSchedule(0);
	const trend = { startedAt: 0, latest: { at: 9000, progress: 90 } };
	// Planned: 10 s; predicted end in 1 s: read 1.1 s later.
	expect(schedule.delayBefore(20, trend)).toBe(1100);
	// A prediction further away than planned does not stretch the plan.
	expect(schedule.delayBefore(0, { startedAt: 0, latest: { at: 1000, progress: 10 } })).toBe(500);
});
