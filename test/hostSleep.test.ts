/**
 * The node waits with the sleep of whatever n8n-workflow its host n8n ships (engine/wait.ts), so
 * the waits and the poll loop run here against each version the tested n8n releases ship (npm
 * aliases in devDependencies; `npm run test:n8n` checks that they are what the cached n8n
 * installs hold), against 2.11.1 that the other tests build on, and against a host that offers
 * only a plain sleep. Every host must be told apart correctly, end a wait at once on Stop where
 * it can, and never be asked for a timer Node warns about.
 */
import type * as Wait from '../nodes/GptImage/engine/wait';
import type * as Poll from '../nodes/GptImage/engine/poll';

type HostWorkflow = Wait.HostWorkflow;

interface Host {
	name: string;
	load: () => HostWorkflow;
	form: Wait.HostSleep['form'];
}

const plainSleep = async (ms: number) => await new Promise<void>((resolve) => setTimeout(resolve, ms));

const HOSTS: Host[] = [
	{ name: 'n8n-workflow 2.41.0 (n8n 2.41.1)', load: () => jest.requireActual('n8n-workflow-2.41.0'), form: 'sleep(ms, signal)' },
	{ name: 'n8n-workflow 1.120.31 (n8n 1.123.81)', load: () => jest.requireActual('n8n-workflow-1.120.31'), form: 'sleepWithAbort(ms, signal)' },
	{ name: 'n8n-workflow 2.11.1 (the tests)', load: () => jest.requireActual('n8n-workflow'), form: 'sleepWithAbort(ms, signal)' },
	{ name: 'a plain sleep(ms) only', load: () => ({ sleep: plainSleep }), form: 'sleep(ms) in slices' },
];

/** The host's sleeps, recording every duration asked for. */
function recording(host: HostWorkflow): { host: HostWorkflow; asked: number[] } {
	const asked: number[] = [];
	const { sleep, sleepWithAbort } = host;
	return {
		asked,
		host: {
			sleep: sleep && (async (ms: number, signal?: AbortSignal) => (asked.push(ms), await sleep(ms, signal))),
			sleepWithAbort: sleepWithAbort && (async (ms: number, signal: AbortSignal) => (asked.push(ms), await sleepWithAbort(ms, signal))),
		},
	};
}

/** wait.ts and poll.ts as the node loads them, with `n8n-workflow` being `host`. */
function loadEngine(host: HostWorkflow): { wait: typeof Wait; poll: typeof Poll } {
	let engine: { wait: typeof Wait; poll: typeof Poll } | undefined;
	jest.isolateModules(() => {
		jest.doMock('n8n-workflow', () => host);
		engine = { wait: jest.requireActual('../nodes/GptImage/engine/wait'), poll: jest.requireActual('../nodes/GptImage/engine/poll') };
	});
	return engine!;
}

const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
beforeAll(() => process.on('warning', onWarning));
afterAll(() => process.off('warning', onWarning));

describe.each(HOSTS)('on $name', ({ load, form }) => {
	let wait: typeof Wait;
	let poll: typeof Poll;
	let asked: number[];

	beforeEach(() => {
		const recorded = recording(load());
		asked = recorded.asked;
		({ wait, poll } = loadEngine(recorded.host));
		warnings.length = 0;
	});
	afterEach(() => expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]));

	test(`waits with ${form}`, async () => {
		expect((await wait.runningHostSleep()).form).toBe(form);
	});

	test('a wait lasts its time, and only an abortable sleep does it in one go', async () => {
		const started = Date.now();
		await wait.waitFor(450);
		expect(Date.now() - started).toBeGreaterThanOrEqual(449);
		const waits = asked.filter((ms) => ms > 0);
		if (form === 'sleep(ms) in slices') {
			expect(waits.length).toBeGreaterThanOrEqual(3);
			expect(Math.max(...waits)).toBeLessThanOrEqual(200);
		} else {
			expect(waits).toEqual([450]);
		}
	});

	test('Stop ends a long wait, with the abort', async () => {
		const stop = new AbortController();
		const waiting = wait.waitFor(30_000, stop.signal);
		setTimeout(() => stop.abort(), 50);
		const started = Date.now();
		await expect(waiting).rejects.toBeDefined();
		// A slice is 200 ms; an abortable sleep ends at once. Far below the 30 s either way.
		expect(Date.now() - started).toBeLessThan(5_000);
	});

	test('never asks for a timer of 0 or less, or longer than Node allows', async () => {
		await wait.waitFor(0);
		await wait.waitFor(-5);
		await wait.waitFor(Number.NaN);
		// Longer than a 32-bit timer: Node would fire it at once with a TimeoutOverflowWarning.
		const stop = new AbortController();
		const long = wait.waitFor(3e9, stop.signal);
		setTimeout(() => stop.abort(), 20);
		await expect(long).rejects.toBeDefined();
		// Many short waits, where the clock moves between deciding and sleeping.
		await Promise.all(Array.from({ length: 50 }, (_, i) => wait.waitFor(1 + (i % 3))));
		const waits = asked.slice(1); // the first is the host probe's 0 ms with an aborted signal
		expect(waits.filter((ms) => !(ms > 0 && ms <= 2_147_483_647))).toEqual([]);
	});

	test('the poll loop finishes every task, and after Stop reads nothing more', async () => {
		const loop = new poll.PollLoop();
		const reads = new Map<number, number>();
		const task = (id: number, doneAfter: number, signal?: AbortSignal) =>
			loop.waitUntilDone<number>({
				read: async () => {
					reads.set(id, (reads.get(id) ?? 0) + 1);
					return reads.get(id)!;
				},
				isDone: (count) => count >= doneAfter,
				schedule: poll.fixedSchedule(30, 0),
				deadline: Date.now() + 20_000,
				signal,
				onTimeout: () => new Error(`task ${id} timed out`),
			});
		await expect(Promise.all([1, 2, 3, 4, 5].map((id) => task(id, id + 1)))).resolves.toEqual([2, 3, 4, 5, 6]);

		const stop = new AbortController();
		const never = [6, 7, 8].map((id) => task(id, Infinity, stop.signal));
		await new Promise((resolve) => setTimeout(resolve, 200));
		stop.abort();
		await Promise.all(never.map((running) => expect(running).rejects.toThrow('stopped')));
		const readsAtStop = [...reads.values()].reduce((a, b) => a + b, 0);
		await new Promise((resolve) => setTimeout(resolve, 400));
		expect([...reads.values()].reduce((a, b) => a + b, 0)).toBe(readsAtStop);
	});
});
