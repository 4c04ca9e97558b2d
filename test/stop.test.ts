import { expectNoKey, stopWhen } from './checks';
import { runWorkflow } from './engine/runWorkflow';
import { GatewaySimulator } from './simulator';
import type { LoggedRequest } from './simulator';
import { FAST, GATEWAYS, simulatorCredentials, workflowOf } from './support';

/**
 * Stop (the execution is cancelled) while tasks are in every phase: a create the gateway is slow
 * to answer, a task being polled, a result file that stalls, a download and a poll that were told
 * to come back in 30 s. Nothing may reach a gateway more than 1 s after Stop, and the node must
 * return within about 1 s: no loop, sleep or request is left behind.
 */

const promptOf = (sim: GatewaySimulator, request: LoggedRequest) =>
	request.kind === 'create'
		? String((request.body as { prompt?: unknown } | undefined)?.prompt ?? '')
		: (sim.getTask(request.taskId ?? '')?.prompt ?? '');

/** Timers of this process that would fire later (setTimeout / setInterval). */
const pendingTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

// The first run of a process loads (and compiles) the node and n8n's engine: not what is timed here.
beforeAll(async () => {
	const sim = await GatewaySimulator.start({ latencyMs: 0 });
	await runWorkflow({
		workflow: workflowOf([{ gateway: 'toApis', parameters: { operation: 'generate', prompt: 'warm-up', size: '1:1', options: FAST } }]),
		credentials: simulatorCredentials(sim),
	});
	await sim.stop();
});

test.each(GATEWAYS)('Stop on $id: every phase ends at once and nothing is sent afterwards', async ({ id }) => {
	const sim = await GatewaySimulator.start({ latencyMs: 60_000 });
	try {
		const is = (text: string) => (request: LoggedRequest) => promptOf(sim, request).includes(text);
		// Creating: the gateway takes 20 s to answer this create.
		sim.inject({ kind: 'create', when: is('slow create'), response: { type: 'delay', ms: 20_000 } });
		// Downloading: this file stalls for 30 s.
		sim.inject({ kind: 'download', when: is('stalled file'), response: { type: 'stall', ms: 30_000 } });
		// Waiting: this file and this task's third poll are answered "429, come back in 30 s".
		const tooMany = { type: 'status', status: 429, headers: { 'retry-after': '30' } } as const;
		sim.inject({ kind: 'download', when: is('rate-limited file'), response: tooMany });
		sim.inject({ kind: 'poll', when: is('rate-limited poll'), afterMatches: 2, response: tooMany });

		const prompts = [
			'polling',
			'slow create',
			'[[latency:200]] stalled file',
			'[[latency:200]] rate-limited file',
			'rate-limited poll',
		];
		const timersBefore = pendingTimers();
		// Stop once every phase is under way (a slow first start of the engine must not matter).
		let atCancel: LoggedRequest[] = [];
		const stop = stopWhen(() => {
			const answered = (kind: LoggedRequest['kind'], text: string, status?: number) =>
				sim.requests.some((r) => r.kind === kind && promptOf(sim, r).includes(text) && r.status === status);
			const ready =
				answered('create', 'slow create') &&
				answered('poll', 'polling', 200) &&
				answered('download', 'stalled file') &&
				answered('download', 'rate-limited file', 429) &&
				answered('poll', 'rate-limited poll', 429);
			if (ready) atCancel = sim.requests.map((request) => ({ ...request }));
			return ready;
		});

		const run = await runWorkflow({
			workflow: workflowOf(
				[{ gateway: id, parameters: { operation: 'generate', prompt: '={{ $json.prompt }}', size: '1:1', options: FAST } }],
				prompts.map((prompt) => ({ prompt })),
			),
			credentials: simulatorCredentials(sim),
			signal: stop.signal,
		});
		const settledAt = Date.now();
		const cancelledAt = stop.dispose();

		expect(run.status).toBe('canceled');
		// The run returned promptly: nothing in the node waited on.
		expect(cancelledAt).toBeGreaterThan(0);
		expect(settledAt - cancelledAt).toBeLessThan(1000);

		// Every phase was really under way at Stop.
		const seen = (kind: LoggedRequest['kind'], text: string) =>
			atCancel.filter((request) => request.kind === kind && promptOf(sim, request).includes(text));
		const phase = (request: LoggedRequest) => `${request.fault ?? 'normal'} → ${request.status ?? 'no answer yet'}`;
		expect(seen('create', 'slow create').map(phase)).toEqual(['delay → no answer yet']);
		expect(seen('poll', 'polling').length).toBeGreaterThan(0);
		expect(seen('download', 'stalled file').map(phase)).toEqual(['stall → no answer yet']);
		expect(seen('download', 'rate-limited file').map(phase)).toEqual(['status → 429']);
		expect(seen('poll', 'rate-limited poll').map(phase).at(-1)).toBe('status → 429');

		// Nothing reaches the gateways later than 1 s after Stop …
		await new Promise((resolve) => setTimeout(resolve, 2000));
		const late = sim.requests.filter((request) => request.at > cancelledAt + 1000);
		expect(late).toEqual([]);
		// … and no timer of the node is left to send something later (the 30 s waits included).
		await sim.stop();
		expect(pendingTimers()).toBeLessThanOrEqual(timersBefore);

		expect(sim.creates(id)).toHaveLength(prompts.length);
		expectNoKey(run);
	} finally {
		await sim.stop();
	}
});
