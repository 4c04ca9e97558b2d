import type { IDataObject } from 'n8n-workflow';

import { API_KEY, expectNoKey, expectNoKeyOnCdn } from './checks';
import { runWorkflow } from './engine/runWorkflow';
import type { RunWorkflowResult } from './engine/runWorkflow';
import { freePort, REFUSING_PORT, startProxy } from './proxy';
import { GatewaySimulator, pngSize } from './simulator';
import type { LoggedRequest } from './simulator';
import { FAST, GATEWAYS, runNode, simulatorCredentials, workflowOf } from './support';
import type { GatewayId } from './support';

/**
 * The fault matrix: every fault below, on each gateway it applies to, through n8n's engine against
 * the simulator. Each case gets its own simulator, so the cases run side by side. After every run:
 * the outcome per item, how many creates were sent (a create is billed), no API key in any output
 * or error, and no Authorization header on any CDN request.
 */

const DISPLAY: Record<GatewayId, string> = { toApis: 'ToAPIs', kieAi: 'Kie.ai', evoLink: 'EvoLink' };

/** The advice (errors.ts) each kind of failure carries in its description. */
const ADVICE = {
	credentials: /Check the API key/,
	quota: /Top up credits/,
	rateLimit: /rate limiting this account/,
	contentPolicy: /refused by the content policy/,
	badInput: /Change the parameter/,
	inputNotFetchable: /could not fetch an input image/,
	notFound: /Check the task id/,
	gatewayDown: /problem of its own/,
	timeout: /took too long/,
	expired: /result link has expired/,
};

interface Failure {
	advice: keyof typeof ADVICE;
	/** The gateway's own message, or ours for network failures. */
	message: string | RegExp;
	/** What follows "Gateway code:" in the description. */
	code: string;
	/** Whether the error names the task (it does wherever a task exists). */
	taskId: boolean;
	/** A create that failed this way may still have made a (billed) task. */
	mayHaveBeenCreated?: boolean;
}

interface Case {
	fault: string;
	gateway: GatewayId;
	setup?: (sim: GatewaySimulator) => void;
	prompt?: string;
	numberOfImages?: number;
	options?: IDataObject;
	/**
	 * 'one' (default): exactly one create request. 'retried': the gateway certainly refused the
	 * first create, so it was sent again, and exactly one task exists in the end.
	 */
	creates?: 'one' | 'retried';
	/** Undefined: the item succeeds. */
	fails?: Failure;
	/** Output items on success; default numberOfImages. */
	images?: number;
	check?: (run: RunWorkflowResult, sim: GatewaySimulator) => void;
}

type Row = Omit<Case, 'gateway' | 'fails'> & {
	on?: GatewayId[];
	fails?: (gateway: GatewayId) => Failure | undefined;
};

const ALL: GatewayId[] = GATEWAYS.map((gateway) => gateway.id);

/** Requests of a kind that came after the first faulted one of that kind. */
function afterFault(sim: GatewaySimulator, kind: LoggedRequest['kind']): { fault: LoggedRequest; next: LoggedRequest } {
	const requests = sim.requestsOf(kind);
	const index = requests.findIndex((request) => request.fault !== undefined);
	expect(index).toBeGreaterThanOrEqual(0);
	expect(requests.length).toBeGreaterThan(index + 1);
	return { fault: requests[index], next: requests[index + 1] };
}

/** The request after a 429 with `Retry-After: 1` waited at least that second. */
const honoursRetryAfter = (kind: LoggedRequest['kind']) => (_run: RunWorkflowResult, sim: GatewaySimulator) => {
	const { fault, next } = afterFault(sim, kind);
	expect(next.at - fault.at).toBeGreaterThanOrEqual(950);
};

/** Some request of the kind was retried after the fault. */
const retried = (kind: LoggedRequest['kind']) => (_run: RunWorkflowResult, sim: GatewaySimulator) => {
	afterFault(sim, kind);
};

const noTask = (_run: RunWorkflowResult, sim: GatewaySimulator) => expect(sim.tasks()).toHaveLength(0);

const ROWS: Row[] = [
	// ---- rate limits ------------------------------------------------------------------------------
	{
		fault: 'HTTP 429 with Retry-After: 1 on create',
		setup: (sim) => sim.inject({ kind: 'create', response: { type: 'status', status: 429, headers: { 'retry-after': '1' } } }),
		creates: 'retried',
		check: honoursRetryAfter('create'),
	},
	{
		fault: 'HTTP 429 without Retry-After on create',
		setup: (sim) => sim.inject({ kind: 'create', response: { type: 'status', status: 429 } }),
		creates: 'retried',
	},
	{
		fault: 'HTTP 429 with Retry-After: 1 on poll',
		setup: (sim) => sim.inject({ kind: 'poll', response: { type: 'status', status: 429, headers: { 'retry-after': '1' } } }),
		check: honoursRetryAfter('poll'),
	},
	{
		fault: 'HTTP 429 without Retry-After on poll',
		setup: (sim) => sim.inject({ kind: 'poll', response: { type: 'status', status: 429 } }),
		check: retried('poll'),
	},
	// ---- the gateway's front proxy is down: HTML error pages ----------------------------------------
	...[500, 502, 503, 504].flatMap((status): Row[] => [
		{
			fault: `HTTP ${status} (HTML page) on poll`,
			setup: (sim) => sim.inject({ kind: 'poll', response: { type: 'status', status } }),
			check: retried('poll'),
		},
		{
			fault: `HTTP ${status} (HTML page) on create`,
			setup: (sim) => sim.inject({ kind: 'create', response: { type: 'status', status } }),
			fails: () => ({
				advice: status === 504 ? 'timeout' : 'gatewayDown',
				message: new RegExp(`HTTP ${status}: ${status} .+ nginx`),
				code: String(status),
				taskId: false,
				mayHaveBeenCreated: true,
			}),
			check: noTask,
		},
	]),
	// ---- the connection breaks ----------------------------------------------------------------------
	{
		fault: 'connection reset on poll',
		setup: (sim) => sim.inject({ kind: 'poll', response: { type: 'reset' } }),
		check: retried('poll'),
	},
	{
		fault: "connection reset on all 4 tries of a status read: the paid task is not given up",
		setup: (sim) => sim.inject({ kind: 'poll', times: 4, response: { type: 'reset' } }),
		check: (_run, sim) => {
			const polls = sim.requestsOf('poll');
			expect(polls.slice(0, 4).map((poll) => poll.fault)).toEqual(['reset', 'reset', 'reset', 'reset']);
			expect(polls.length).toBeGreaterThan(4);
		},
	},
	{
		fault: 'connection reset on create, before the gateway made a task',
		setup: (sim) => sim.inject({ kind: 'create', response: { type: 'reset' } }),
		fails: () => ({
			advice: 'gatewayDown',
			message: 'The request did not complete: the connection was closed before an answer came (ECONNRESET)',
			code: 'ECONNRESET',
			taskId: false,
			mayHaveBeenCreated: true,
		}),
		check: noTask,
	},
	{
		fault: 'connection reset on create, after the gateway made a task',
		setup: (sim) => sim.inject({ kind: 'create', response: { type: 'acceptThenReset' } }),
		fails: () => ({
			advice: 'gatewayDown',
			message: 'The request did not complete: the connection was closed before an answer came (ECONNRESET)',
			code: 'ECONNRESET',
			taskId: false,
			mayHaveBeenCreated: true,
		}),
		// The task exists and is billed; the error says so, and nothing was sent again.
		check: (_run, sim) => expect(sim.tasks()).toHaveLength(1),
	},
	{
		fault: 'malformed JSON (HTTP 200) on poll',
		setup: (sim) => sim.inject({ kind: 'poll', response: { type: 'malformed' } }),
		check: retried('poll'),
	},
	// ---- Kie.ai: errors inside HTTP 200 envelopes ----------------------------------------------------
	...(
		[
			[401, 'You do not have access permissions', 'credentials'],
			[402, 'Credits insufficient', 'quota'],
			[422, 'Validation Error', 'badInput'],
			[429, 'The frequency of requests is too high. Please try again later.', undefined],
			[455, 'Service unavailable: system maintenance', undefined],
			[500, 'Server Error', 'gatewayDown'],
			[550, 'The queue is full, please try again later', undefined],
		] as const
	).flatMap(([code, msg, advice]): Row[] => [
		{
			fault: `Kie envelope code ${code} (HTTP 200) on create`,
			on: ['kieAi'],
			setup: (sim) => sim.inject({ kind: 'create', response: { type: 'envelope', code, msg } }),
			// Not taken for sure: rate limited, maintenance, queue full. Retried, one task in the end.
			creates: advice ? 'one' : 'retried',
			fails: () =>
				advice && {
					advice,
					message: msg,
					code: String(code),
					taskId: false,
					// A server error may come after the task was made.
					mayHaveBeenCreated: code === 500,
				},
		},
		{
			fault: `Kie envelope code ${code} (HTTP 200) on poll`,
			on: ['kieAi'],
			setup: (sim) => sim.inject({ kind: 'poll', response: { type: 'envelope', code, msg } }),
			// Reads are free: everything but a refusal of the key, the credits or the request is retried.
			fails: () =>
				advice && advice !== 'gatewayDown' ? { advice, message: msg, code: String(code), taskId: true } : undefined,
			check: advice && advice !== 'gatewayDown' ? undefined : retried('poll'),
		},
	]),
	{
		fault: '`recordInfo is null` on the first 3 polls',
		on: ['kieAi'],
		setup: (sim) => sim.configure({ gateways: { kieAi: { nullRecordPolls: 3 } } }),
		check: (_run, sim) => expect(sim.requestsOf('poll').length).toBeGreaterThanOrEqual(4),
	},
	// ---- the task fails, with each gateway's own codes ----------------------------------------------
	...(
		[
			['toApis', 'content_policy_violation', 'contentPolicy', 'call upstream API failed: upstream returned status 422'],
			['toApis', 'generation_failed', 'gatewayDown', 'call upstream API failed: upstream returned status 422'],
			['kieAi', '400', 'contentPolicy', 'Your content was flagged by OpenAI as violating content policies'],
			['kieAi', '451', 'inputNotFetchable', 'Failed to fetch the image. Please make sure the image URL is publicly accessible'],
			['kieAi', '500', 'gatewayDown', 'Internal Error, Please try again later.'],
			['evoLink', 'content_policy_violation', 'contentPolicy', 'The request was rejected by the content policy'],
			['evoLink', 'invalid_parameters', 'badInput', 'Invalid parameters'],
			['evoLink', 'image_processing_error', 'inputNotFetchable', 'Failed to process the input image'],
			['evoLink', 'image_dimension_mismatch', 'badInput', 'The mask and the image must have the same dimensions'],
			['evoLink', 'request_cancelled', 'gatewayDown', 'The task failed'],
			['evoLink', 'generation_failed_no_content', 'gatewayDown', 'The model returned no image'],
			['evoLink', 'service_error', 'gatewayDown', 'Service error, please retry'],
			['evoLink', 'generation_timeout', 'timeout', 'Generation timed out'],
			['evoLink', 'resource_exhausted', 'rateLimit', 'Resources exhausted, please retry later'],
			['evoLink', 'quota_exceeded', 'quota', 'Quota exceeded'],
			['evoLink', 'service_unavailable', 'gatewayDown', 'Service temporarily unavailable'],
		] as const
	).map(
		([gateway, code, advice, message]): Row => ({
			fault: `task failed with ${code}`,
			on: [gateway],
			prompt: `[[fail:${code}]] a failing task`,
			fails: () => ({ advice, message, code, taskId: true }),
		}),
	),
	// ---- results ------------------------------------------------------------------------------------
	{
		fault: 'fewer result URLs than asked for (4 asked, 1 given)',
		prompt: '[[partial:1]] four please',
		numberOfImages: 4,
		images: 1,
		check: (run) => {
			const [item] = run.output('GPT Image');
			// What the gateway returned; the images it did return are kept (they are paid for).
			expect(item.json).toMatchObject({ index: 0, imageCount: 1 });
		},
	},
	{
		fault: 'result URL expired (CDN HTTP 403)',
		setup: (sim) => sim.configure({ cdnExpired: true }),
		fails: () => ({
			advice: 'expired',
			message: /HTTP 403 \(AccessDenied: Request has expired\)/,
			code: '403',
			taskId: true,
		}),
		// Not retried: asking again will not bring the link back.
		check: (_run, sim) => expect(sim.requestsOf('download')).toHaveLength(1),
	},
	{
		fault: 'result URL gone (CDN HTTP 404)',
		setup: (sim) =>
			sim.inject({
				kind: 'download',
				response: {
					type: 'status',
					status: 404,
					headers: { 'content-type': 'application/xml' },
					body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
				},
			}),
		fails: () => ({
			advice: 'expired',
			message: /HTTP 404 \(NoSuchKey: The specified key does not exist.\)/,
			code: '404',
			taskId: true,
		}),
		check: (_run, sim) => expect(sim.requestsOf('download')).toHaveLength(1),
	},
	{
		fault: 'CDN HTTP 503 on download',
		setup: (sim) => sim.inject({ kind: 'download', response: { type: 'status', status: 503 } }),
		check: retried('download'),
	},
	{
		fault: 'connection reset on download',
		setup: (sim) => sim.inject({ kind: 'download', response: { type: 'reset' } }),
		check: retried('download'),
	},
	{
		fault: 'connection reset on every download (4 tries)',
		setup: (sim) => sim.inject({ kind: 'download', times: 4, response: { type: 'reset' } }),
		fails: () => ({
			advice: 'gatewayDown',
			message: /Could not download http:\/\/127\.0\.0\.1:\d+\/files\/\S+_0\.png: the download did not complete \(ECONNRESET\)/,
			code: 'ECONNRESET',
			taskId: true,
		}),
		check: (_run, sim) => expect(sim.requestsOf('download')).toHaveLength(4),
	},
];

const CASES: Case[] = ROWS.flatMap(({ on = ALL, fails, ...row }) =>
	on.map((gateway) => ({ ...row, gateway, fails: fails?.(gateway) })),
);

async function withSimulator<T>(use: (sim: GatewaySimulator) => Promise<T>): Promise<T> {
	const sim = await GatewaySimulator.start({ latencyMs: 300 });
	try {
		return await use(sim);
	} finally {
		await sim.stop();
	}
}

function expectFailure(run: RunWorkflowResult, sim: GatewaySimulator, c: Case, expected: Failure): void {
	expect(run.status).toBe('error');
	const error = run.nodeError('GPT Image')!;
	expect(error).toBeDefined();
	expect(error.name).toBe('NodeApiError');
	expect((error.context as { itemIndex?: number }).itemIndex).toBe(0);
	expect(error.message).toContain(`${DISPLAY[c.gateway]} failed while`);
	if (typeof expected.message === 'string') expect(error.message).toContain(expected.message);
	else expect(error.message).toMatch(expected.message);
	const description = String(error.description);
	expect(description).toMatch(ADVICE[expected.advice]);
	expect(description).toContain(`Gateway code: ${expected.code}.`);
	if (expected.taskId) {
		const [task] = sim.tasks(c.gateway);
		expect(error.message).toContain(`(task ${task.id})`);
		expect(description).toContain(`Task id: ${task.id}.`);
	} else {
		expect(description).not.toContain('Task id:');
	}
	if (expected.mayHaveBeenCreated) expect(description).toMatch(/may have been created \(and billed\)/);
	else expect(description).not.toMatch(/may have been created/);
}

/** Runs `work` for every entry, at most `limit` at once; the promises are handled (a test awaits each). */
function runAll<T, R>(entries: T[], limit: number, work: (entry: T) => Promise<R>): Map<T, Promise<R>> {
	const results = new Map<T, Promise<R>>();
	let active = 0;
	const queue: Array<() => void> = [];
	const slot = async () => {
		if (active >= limit) await new Promise<void>((resolve) => queue.push(resolve));
		active++;
	};
	const release = () => {
		active--;
		queue.shift()?.();
	};
	for (const entry of entries) {
		const result = slot().then(async () => {
			try {
				return await work(entry);
			} finally {
				release();
			}
		});
		result.catch(() => undefined);
		results.set(entry, result);
	}
	return results;
}

describe('fault matrix', () => {
	// Every case has its own simulator and execution, so they all run side by side from the start;
	// each test then checks its own case.
	let outcomes: Map<Case, Promise<{ sim: GatewaySimulator; run: RunWorkflowResult }>>;
	beforeAll(() => {
		outcomes = runAll(CASES, 16, async (c) => {
			const sim = await GatewaySimulator.start({ latencyMs: 300 });
			c.setup?.(sim);
			const run = await runNode(sim, {
				gateway: c.gateway,
				parameters: {
					operation: 'generate',
					prompt: c.prompt ?? 'a product photo under test',
					size: '1:1',
					numberOfImages: c.numberOfImages ?? 1,
					options: { ...FAST, ...c.options },
				},
			});
			return { sim, run };
		});
	});
	afterAll(async () => {
		await Promise.all([...outcomes.values()].map(async (outcome) => await outcome.then(async ({ sim }) => await sim.stop(), () => undefined)));
	});

	test.each(CASES.map((c) => [c.fault, c.gateway, c] as const))('%s on %s', async (_fault, _gateway, c) => {
		const { sim, run } = await outcomes.get(c)!;

		// Every scripted fault really happened.
		expect(sim.pendingFaults()).toBe(0);

		// Creates are billed: one per item, unless the gateway certainly refused the first.
		const creates = sim.creates(c.gateway);
		if (c.creates === 'retried') {
			expect(creates.length).toBeGreaterThan(1);
			expect(sim.tasks(c.gateway)).toHaveLength(1);
		} else {
			expect(creates).toHaveLength(1);
		}

		expectNoKey(run);
		expectNoKeyOnCdn(sim);

		if (c.fails) {
			expectFailure(run, sim, c, c.fails);
		} else {
			expect(run.error).toBeUndefined();
			const items = run.output('GPT Image');
			expect(items).toHaveLength(c.images ?? c.numberOfImages ?? 1);
			const [task] = sim.tasks(c.gateway);
			for (const item of items) {
				expect(item.json).toMatchObject({ taskId: task.id, state: 'succeeded' });
				expect(item.pairedItem).toEqual({ item: 0 });
				expect(pngSize(await run.binaryBuffer(item.binary!.data))).toEqual({ width: 1024, height: 1024 });
			}
		}
		c.check?.(run, sim);
	});
});

// ---- a stalled answer --------------------------------------------------------------------------------

describe('a poll that stalls past the request timeout', () => {
	test.concurrent.each(ALL)('is retried on %s', async (gateway) => {
		await withSimulator(async (sim) => {
			sim.inject({ kind: 'poll', response: { type: 'stall', ms: 5000 } });
			const run = await runNode(sim, {
				gateway,
				parameters: {
					operation: 'generate',
					prompt: 'a stalled poll',
					size: '1:1',
					options: { ...FAST, requestTimeoutSeconds: 1 },
				},
			});
			expect(run.error).toBeUndefined();
			expect(run.output('GPT Image')).toHaveLength(1);
			expect(sim.creates()).toHaveLength(1);
			const { fault, next } = afterFault(sim, 'poll');
			// The stalled poll was given up after the timeout, well before the stall ended.
			expect(next.at - fault.at).toBeLessThan(4000);
			expectNoKey(run);
		});
	});
});

// ---- fewer images than asked for ------------------------------------------------------------------------

describe('fewer result URLs than requested', () => {
	// Fails until the item JSON carries requestedImageCount (actions/create.ts, see the report).
	test.concurrent.each(ALL)('the item says how many were asked for on %s', async (gateway) => {
		await withSimulator(async (sim) => {
			const run = await runNode(sim, {
				gateway,
				parameters: { operation: 'generate', prompt: '[[partial:2]] four please', size: '1:1', numberOfImages: 4, options: FAST },
			});
			expect(run.error).toBeUndefined();
			const items = run.output('GPT Image');
			expect(items.map((item) => [item.json.index, item.json.imageCount, item.json.requestedImageCount])).toEqual([
				[0, 2, 4],
				[1, 2, 4],
			]);
		});
	});
});

// ---- Max Wait holds while the gateway does not answer -------------------------------------------------

describe('Max Wait while a poll stalls', () => {
	// Fails until the poll loop gives up a read at the deadline (engine/poll.ts + actions/task.ts, see the report).
	test.concurrent.each(ALL)('ends the wait at Max Wait on %s', async (gateway) => {
		await withSimulator(async (sim) => {
			sim.configure({ latencyMs: 60_000 });
			sim.inject({ kind: 'poll', afterMatches: 1, response: { type: 'stall', ms: 6000 } });
			const run = await runNode(sim, {
				gateway,
				parameters: { operation: 'generate', prompt: 'slow and stalled', size: '1:1', options: { maxWaitSeconds: 2, pollIntervalSeconds: 0.5 } },
			});
			const returnedAt = Date.now();
			const [task] = sim.tasks();
			const error = run.nodeError('GPT Image')!;
			expect(error.message).toContain(`Task ${task.id} is not finished after 2 s`);
			expect(String(error.description)).toContain('may still finish');
			// At the deadline, not when the stalled request would have ended.
			expect(returnedAt - task.createdAt).toBeLessThan(3000);
			expect(sim.requestsOf('poll').filter((r) => r.at > task.createdAt + 2200)).toEqual([]);
			expectNoKey(run);
		});
	});
});

// ---- a create that never reached the gateway -----------------------------------------------------------

describe('connection refused on create', () => {
	test.concurrent.each(ALL)('is retried on %s, and one task is made', async (gateway) => {
		await withSimulator(async (sim) => {
			// Nothing listens on the port at first: the create is refused before anything is sent.
			const port = await freePort();
			const credentials = simulatorCredentials(sim);
			const credential = GATEWAYS.find((g) => g.id === gateway)!.credential;
			credentials[credential] = { ...credentials[credential], baseUrl: `http://127.0.0.1:${port}/${gateway}` };
			let openedAt = 0;
			let proxy: Awaited<ReturnType<typeof startProxy>> | undefined;
			const opening = new Promise<void>((resolve) =>
				setTimeout(() => {
					void startProxy(sim.url, port).then((started) => {
						proxy = started;
						openedAt = Date.now();
						resolve();
					});
				}, 1200),
			);
			try {
				const run = await runWorkflow({
					workflow: workflowOf([
						{ gateway, parameters: { operation: 'generate', prompt: 'refused first', size: '1:1', options: FAST } },
					]),
					credentials,
				});
				await opening;
				expect(run.error).toBeUndefined();
				expect(run.output('GPT Image')).toHaveLength(1);
				// The create went through once the port was open: one request reached the gateway, one task.
				const creates = sim.creates(gateway);
				expect(creates).toHaveLength(1);
				expect(creates[0].at).toBeGreaterThanOrEqual(openedAt);
				expect(sim.tasks(gateway)).toHaveLength(1);
				expectNoKey(run);
			} finally {
				await opening;
				await proxy?.stop();
			}
		});
	});

	test.concurrent('a gateway that stays unreachable: the error says nothing was created', async () => {
		const port = REFUSING_PORT;
		const run = await runWorkflow({
			workflow: workflowOf([{ gateway: 'toApis', parameters: { operation: 'generate', prompt: 'never', size: '1:1' } }]),
			credentials: { toApisApi: { apiKey: API_KEY, baseUrl: `http://127.0.0.1:${port}` } },
		});
		const error = run.nodeError('GPT Image')!;
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toContain('the connection was refused (ECONNREFUSED)');
		expect(String(error.description)).toContain('Gateway code: ECONNREFUSED.');
		expect(String(error.description)).not.toMatch(/may have been created/);
		expectNoKey(run);
	});
});

// ---- secrets ------------------------------------------------------------------------------------------

describe('the API key stays with the API host', () => {
	test.concurrent.each(ALL)('a result file redirected to another host is fetched without it (%s)', async (gateway) => {
		await withSimulator(async (sim) => {
			const otherHost = await startProxy(sim.cdnUrl);
			try {
				sim.inject({ kind: 'download', response: { type: 'redirect', location: (r) => `${otherHost.url}${r.path}` } });
				const run = await runNode(sim, {
					gateway,
					parameters: { operation: 'generate', prompt: 'redirected file', size: '1:1', options: FAST },
				});
				expect(run.error).toBeUndefined();
				const [item] = run.output('GPT Image');
				expect(pngSize(await run.binaryBuffer(item.binary!.data))).toEqual({ width: 1024, height: 1024 });
				expect(otherHost.requests).toHaveLength(1);
				expect(otherHost.requests[0].headers.authorization).toBeUndefined();
				expectNoKeyOnCdn(sim);
				expectNoKey(run);
			} finally {
				await otherHost.stop();
			}
		});
	});

	test.concurrent.each(ALL)('an API call redirected to another host does not take it along (%s)', async (gateway) => {
		await withSimulator(async (sim) => {
			// Another host that serves the same API: without the key it answers "unauthorized".
			const otherHost = await startProxy(sim.url);
			try {
				sim.inject({
					kind: 'poll',
					response: {
						type: 'redirect',
						location: (r) => `${otherHost.url}${r.path}${Object.keys(r.query).length ? `?${new URLSearchParams(r.query).toString()}` : ''}`,
					},
				});
				const run = await runNode(sim, {
					gateway,
					parameters: { operation: 'generate', prompt: 'redirected poll', size: '1:1', options: FAST },
				});
				expect(otherHost.requests).toHaveLength(1);
				expect(otherHost.requests[0].headers.authorization).toBeUndefined();
				const error = run.nodeError('GPT Image')!;
				expect(String(error.description)).toMatch(ADVICE.credentials);
				expect(sim.creates()).toHaveLength(1);
				expectNoKey(run);
			} finally {
				await otherHost.stop();
			}
		});
	});
});
