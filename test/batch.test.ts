import type { IDataObject } from 'n8n-workflow';

import { expectNoKey, expectNoKeyOnCdn, stopWhen } from './checks';
import type { RunWorkflowOptions, RunWorkflowResult } from './engine/runWorkflow';
import { GatewaySimulator } from './simulator';
import type { LoggedRequest } from './simulator';
import { FAST, GATEWAYS, runNode } from './support';
import type { GatewayId } from './support';

/**
 * The batch engine, through n8n's engine against the simulator: many items at once, in input
 * order, each with its own outcome, stopping together, and slowing down together on 429.
 * Every test has its own simulator, so they run side by side.
 */

async function withSimulator<T>(use: (sim: GatewaySimulator) => Promise<T>, latencyMs = 300): Promise<T> {
	const sim = await GatewaySimulator.start({ latencyMs });
	try {
		return await use(sim);
	} finally {
		await sim.stop();
	}
}

/** Runs one Generate node over items that each carry their own prompt. */
async function generate(
	sim: GatewaySimulator,
	gateway: GatewayId,
	prompts: string[],
	{ options = {}, continueOnFail = false, run = {} }: { options?: IDataObject; continueOnFail?: boolean; run?: Partial<RunWorkflowOptions> } = {},
): Promise<RunWorkflowResult> {
	return await runNode(
		sim,
		{
			gateway,
			continueOnFail,
			parameters: { operation: 'generate', prompt: '={{ $json.prompt }}', size: '1:1', options: { ...FAST, ...options } },
		},
		prompts.map((prompt) => ({ prompt })),
		run,
	);
}

const promptOf = (sim: GatewaySimulator, request: LoggedRequest) =>
	request.kind === 'create'
		? String((request.body as { prompt?: unknown } | undefined)?.prompt ?? '')
		: (sim.getTask(request.taskId ?? '')?.prompt ?? '');

const taskOf = (sim: GatewaySimulator, text: string) => sim.tasks().find((task) => task.prompt.includes(text));

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

// The first run of a process loads (and compiles) the node and n8n's engine; the timing of the
// tests below is about the node, not that.
beforeAll(async () => {
	await withSimulator(async (sim) => {
		await generate(sim, 'toApis', ['warm-up']);
	}, 0);
});

test.concurrent('Kie.ai: 25 items are created without a single 429, spaced to 20 per 10 s', async () => {
	await withSimulator(async (sim) => {
		const prompts = Array.from({ length: 25 }, (_, i) => `item ${i}`);
		const run = await generate(sim, 'kieAi', prompts, { options: { downloadImages: false } });

		expect(run.error).toBeUndefined();
		expect(run.output('GPT Image').map((item) => item.json.prompt)).toEqual(prompts);
		expect(sim.requests.filter((r) => r.rateLimited).map((r) => `${r.kind} ${r.taskId ?? ''}`)).toEqual([]);
		expect(sim.stats().rateLimited).toBe(0);
		const creates = sim.creates('kieAi');
		expect(creates).toHaveLength(25);
		expect(sim.tasks('kieAi')).toHaveLength(25);
		// As the gateway counts: never more than 20 arrivals in a 10 s window.
		for (const create of creates) {
			expect(creates.filter((other) => other.at >= create.at && other.at < create.at + 10_000).length).toBeLessThanOrEqual(20);
		}
	});
});

describe.each(GATEWAYS)('on $id', ({ id }) => {
	test.concurrent('output order is input order, with items finishing in reverse order', async () => {
		await withSimulator(async (sim) => {
			const count = 8;
			// Item 0 takes longest, item 7 is done first: 650 ms apart, more than a poll interval.
			const prompts = Array.from({ length: count }, (_, i) => `[[latency:${(count - i) * 650}]] item ${i}`);
			const run = await generate(sim, id, prompts);

			expect(run.error).toBeUndefined();
			const items = run.output('GPT Image');
			expect(items.map((item) => item.json.prompt)).toEqual(prompts);
			expect(items.map((item) => item.pairedItem)).toEqual(prompts.map((_, i) => ({ item: i })));
			for (const [i, item] of items.entries()) {
				expect(item.json.taskId).toBe(taskOf(sim, `item ${i}`)!.id);
				expect(item.binary?.data).toBeDefined();
			}
			// They really finished the other way round …
			const doneAt = prompts.map((_, i) => taskOf(sim, `item ${i}`)!.doneAt);
			expect([...doneAt].sort((a, b) => b - a)).toEqual(doneAt);
			// … and were collected that way: the last items' files were fetched before the first items'.
			const downloaded = sim.requestsOf('download').map((request) => Number(promptOf(sim, request).replace(/^.*item /, '')));
			expect(downloaded).toHaveLength(count);
			expect(downloaded.slice(0, count / 2).every((item) => item >= count / 2)).toBe(true);
			expect(sim.creates(id)).toHaveLength(count);
			expectNoKeyOnCdn(sim);
		});
	});

	test.concurrent('with continueOnFail, failing items become error items in place and the others succeed', async () => {
		await withSimulator(async (sim) => {
			// Item 1: the task fails. Item 3: the create is refused (no credits). Item 4: its file is gone.
			sim.inject({ kind: 'create', when: (r) => promptOf(sim, r).includes('no credits'), response: { type: 'status', status: 402 } });
			sim.inject({ kind: 'download', when: (r) => promptOf(sim, r).includes('file gone'), response: { type: 'status', status: 404 } });
			const prompts = ['fine 0', '[[fail]] refused 1', 'fine 2', 'no credits 3', 'file gone 4', 'fine 5'];
			const run = await generate(sim, id, prompts, { continueOnFail: true });

			expect(run.error).toBeUndefined();
			const items = run.output('GPT Image');
			expect(items.map((item) => item.pairedItem)).toEqual(prompts.map((_, i) => ({ item: i })));
			for (const i of [0, 2, 5]) {
				expect(items[i].json).toMatchObject({ prompt: prompts[i], state: 'succeeded' });
				expect(items[i].binary?.data).toBeDefined();
			}
			for (const i of [1, 3, 4]) {
				expect(items[i].binary).toBeUndefined();
				expect(Object.keys(items[i].json).sort()).toEqual(i === 3 ? ['description', 'error'] : ['description', 'error', 'taskId']);
			}
			expect(items[1].json.taskId).toBe(taskOf(sim, 'refused 1')!.id);
			expect(String(items[1].json.description)).toMatch(/content policy/);
			expect(String(items[3].json.description)).toMatch(/Top up credits/);
			expect(items[4].json.taskId).toBe(taskOf(sim, 'file gone 4')!.id);
			expect(String(items[4].json.error)).toContain('HTTP 404');
			// One create per item: the refused one was not repeated.
			expect(sim.creates(id)).toHaveLength(prompts.length);
			expectNoKey(run);
		});
	});

	test.concurrent('without continueOnFail the first failure fails the node, stops the others and names their tasks', async () => {
		await withSimulator(async (sim) => {
			// Item 2's first poll hangs, and still does when item 1 fails: the node must not wait for it.
			sim.inject({ kind: 'poll', when: (r) => promptOf(sim, r).includes('stalled poll'), response: { type: 'stall', ms: 30_000 } });
			const prompts = ['[[latency:60000]] long 0', '[[fail]] [[latency:2000]] failing 1', '[[latency:60000]] stalled poll 2', '[[latency:60000]] long 3'];
			const run = await generate(sim, id, prompts);
			const returnedAt = Date.now();

			expect(run.status).toBe('error');
			const error = run.nodeError('GPT Image')!;
			const failing = taskOf(sim, 'failing 1')!;
			expect(error.name).toBe('NodeApiError');
			expect(error.message).toContain(failing.id);
			expect((error.context as { itemIndex?: number }).itemIndex).toBe(1);
			const description = String(error.description);
			expect(description).toMatch(/content policy/);
			const others = ['long 0', 'stalled poll 2', 'long 3'].map((text) => taskOf(sim, text)!.id);
			expect(description).toContain(`Tasks already created may still finish (and are billed): ${others.join(', ')}.`);

			// The node returned right after the poll that saw the failure, stalled poll or not …
			const failedPoll = sim.requestsOf('poll').filter((r) => r.taskId === failing.id).at(-1)!;
			expect(returnedAt - failedPoll.at).toBeLessThan(1000);
			const stalled = sim.requestsOf('poll').find((r) => r.fault === 'stall')!;
			expect(stalled.at).toBeLessThan(failedPoll.at);
			expect(stalled.status).toBeUndefined();
			// … and nothing was sent for the other tasks afterwards (a request already on its way
			// through n8n's HTTP helper may still land a few ms after the node returned).
			await sleep(1500);
			const late = sim.requests.filter((r) => r.at > returnedAt + 250);
			expect(late.map((r) => `${r.kind} of "${promptOf(sim, r)}", ${r.at - returnedAt} ms after the node returned`)).toEqual([]);
			expect(sim.creates(id)).toHaveLength(prompts.length);
			expectNoKey(run);
		});
	});

	// Fails until engine/batch.ts names the tasks once every job has ended (see the report to the lead).
	test.concurrent('a task whose create was under way when another item failed is named too', async () => {
		await withSimulator(async (sim) => {
			// Item 1's create is answered late: after item 0 has failed. It is billed, so it is named.
			sim.inject({ kind: 'create', when: (r) => promptOf(sim, r).includes('late create'), response: { type: 'delay', ms: 1500 } });
			const run = await generate(sim, id, ['[[fail]] [[latency:200]] failing 0', '[[latency:60000]] late create 1']);

			expect(run.status).toBe('error');
			const late = taskOf(sim, 'late create')!;
			expect(String(run.nodeError('GPT Image')!.description)).toContain(`may still finish (and are billed): ${late.id}.`);
			// Its create was waited for, not repeated, and the task was never polled.
			expect(sim.creates(id)).toHaveLength(2);
			expect(sim.requestsOf('poll').filter((r) => r.taskId === late.id)).toEqual([]);
		});
	});

	test.concurrent('Stop in the middle of a batch ends every task’s loop, and items not started are never created', async () => {
		await withSimulator(async (sim) => {
			const prompts = Array.from({ length: 12 }, (_, i) => `[[latency:60000]] item ${i}`);
			// Stop once the four tasks in flight have been polled a few times.
			const stop = stopWhen(() => sim.requestsOf('poll').length >= 12);
			const run = await generate(sim, id, prompts, { options: { maxConcurrentTasks: 4 }, run: { signal: stop.signal } });
			const returnedAt = Date.now();
			const stoppedAt = stop.dispose();

			expect(run.status).toBe('canceled');
			expect(returnedAt - stoppedAt).toBeLessThan(1000);
			// Four in flight, each polled; the other eight never started.
			expect(sim.creates(id)).toHaveLength(4);
			const polled = new Set(sim.requestsOf('poll').filter((r) => r.at <= stoppedAt).map((r) => r.taskId));
			expect(polled.size).toBe(4);
			await sleep(1500);
			expect(sim.requests.filter((r) => r.at > stoppedAt + 1000)).toEqual([]);
		});
	});

	test.concurrent('a 429 with Retry-After on one item’s poll pauses every item’s polls, and fails none', async () => {
		await withSimulator(async (sim) => {
			const prompts = Array.from({ length: 4 }, (_, i) => `[[latency:4000]] item ${i}`);
			// Item 2's second poll is told to come back in 2 s.
			sim.inject({
				kind: 'poll',
				when: (r) => promptOf(sim, r).includes('item 2'),
				afterMatches: 1,
				response: { type: 'status', status: 429, headers: { 'retry-after': '2' } },
			});
			const run = await generate(sim, id, prompts);

			expect(run.error).toBeUndefined();
			expect(run.output('GPT Image')).toHaveLength(4);
			expect(sim.creates(id)).toHaveLength(4);
			const polls = sim.requestsOf('poll');
			const limited = polls.find((r) => r.status === 429)!;
			expect(limited).toBeDefined();
			// Polls already on their way when the 429 came may arrive just after it; then none for 2 s.
			const during = polls.filter((r) => r.at > limited.at + 300 && r.at < limited.at + 1950);
			expect(during).toEqual([]);
			// Afterwards every item was polled again.
			const after = new Set(polls.filter((r) => r.at >= limited.at + 1950).map((r) => r.taskId));
			expect(after.size).toBe(4);
		}, 300);
	});
});
