/** Real-looking simulated tasks: progress profiles, latency jitter, queueing for a free worker. */
import { GatewaySimulator } from './index';
import { jitteredLatency, profileProgress, PROGRESS_PROFILES } from './tasks';

describe('progress profiles', () => {
	const at = (profile: (typeof PROGRESS_PROFILES)[number]) => [0, 0.25, 0.5, 0.69, 0.7, 0.99].map((x) => profileProgress(profile, x));

	it('linear rises with time; none stays at 0 until done', () => {
		expect(at('linear')).toEqual([0, 0.25, 0.5, 0.69, 0.7, 0.99]);
		expect(at('none')).toEqual([0, 0, 0, 0, 0, 0]);
	});

	it('stall climbs in steps to 90 % by half-time, then sits at 99 % from 70 % of the time until done', () => {
		const stall = at('stall');
		expect(stall.slice(0, 3)).toEqual([0, 0.36, 0.9]);
		expect(stall.slice(3)).toEqual([0.95, 0.99, 0.99]);
	});

	it('fastThenSlow reaches 90 % at 30 % of the time and crawls the rest', () => {
		expect(profileProgress('fastThenSlow', 0.3)).toBeCloseTo(0.9);
		expect(profileProgress('fastThenSlow', 0.65)).toBeCloseTo(0.95);
	});
});

describe('latency jitter', () => {
	it('spreads latencies over L ± jitter, the same for the same seed', () => {
		const latencies = Array.from({ length: 200 }, (_, i) => jitteredLatency(60_000, 0.3, `seed ${i}`));
		expect(Math.min(...latencies)).toBeGreaterThanOrEqual(42_000);
		expect(Math.max(...latencies)).toBeLessThanOrEqual(78_000);
		expect(Math.min(...latencies)).toBeLessThan(45_000);
		expect(Math.max(...latencies)).toBeGreaterThan(75_000);
		expect(jitteredLatency(60_000, 0.3, 'seed 7')).toBe(latencies[7]);
		expect(jitteredLatency(60_000, 0, 'seed 7')).toBe(60_000);
	});
});

describe('through the simulator', () => {
	let sim: GatewaySimulator;
	afterEach(async () => await sim.stop());

	const create = async (prompt: string) => {
		const res = await fetch(`${sim.baseUrl('toApis')}/v1/images/generations`, {
			method: 'POST',
			headers: { authorization: 'Bearer sk-sim-test', 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'gpt-4o-image', prompt, size: '1:1', n: 1 }),
		});
		return ((await res.json()) as { id: string }).id;
	};

	it('per run: a profile and jitter for every task; per prompt: directives override them', async () => {
		sim = await GatewaySimulator.start({ latencyMs: 10_000, jitter: 0.3, profile: 'none' });
		const ids = [await create('a'), await create('a'), await create('b [[profile:stall]] [[jitter:0]]')];
		const [first, second, third] = ids.map((id) => sim.getTask(id)!);
		expect(first.doneAt - first.createdAt).not.toBe(second.doneAt - second.createdAt);
		for (const task of [first, second]) {
			expect(task.doneAt - task.createdAt).toBeGreaterThanOrEqual(7000);
			expect(task.doneAt - task.createdAt).toBeLessThanOrEqual(13_000);
			expect(task.profile).toBe('none');
		}
		expect(third).toMatchObject({ profile: 'stall' });
		expect(third.doneAt - third.createdAt).toBe(10_000);
		expect(third.progressAt(third.runningAt + 0.8 * (third.doneAt - third.runningAt))).toBe(0.99);
	});

	it('queues tasks while every worker is busy', async () => {
		sim = await GatewaySimulator.start({ latencyMs: 5000, workers: 1 });
		const [first, second] = [await create('one'), await create('two')].map((id) => sim.getTask(id)!);
		expect(second.runningAt).toBeGreaterThanOrEqual(first.doneAt);
		expect(second.stateAt(first.doneAt - 1)).toBe('queued');
		expect(second.doneAt - first.doneAt).toBeGreaterThanOrEqual(5000);
	});
});
