import type { IDataObject } from 'n8n-workflow';

import { API_KEY, dumpRun, expectNoKey, expectNoKeyOnCdn } from './checks';
import { runWorkflow } from './engine/runWorkflow';
import type { RunWorkflowResult } from './engine/runWorkflow';
import { GatewaySimulator } from './simulator';
import type { LoggedRequest } from './simulator';
import { FAST, GATEWAYS, runNode, runNodeWithFiles, simulatorCredentials, workflowOf } from './support';
import type { GatewayId } from './support';

/**
 * A demanding user and a hostile gateway, class by class (issue 9), through n8n's engine against
 * the simulator. After every run: the outcome per item, how many creates were sent (each is billed),
 * and that the key appears in no output, stored error or thrown error.
 */

const ALL = GATEWAYS.map((gateway) => gateway.id);

async function withSimulator<T>(use: (sim: GatewaySimulator) => Promise<T>, latencyMs = 300): Promise<T> {
	const sim = await GatewaySimulator.start({ latencyMs });
	try {
		return await use(sim);
	} finally {
		await sim.stop();
	}
}

function generateNode(gateway: GatewayId, parameters: IDataObject = {}, continueOnFail = false) {
	return {
		gateway,
		continueOnFail,
		parameters: { operation: 'generate', prompt: 'a hostile test', size: '1:1', ...parameters, options: { ...FAST, ...(parameters.options as IDataObject) } },
	};
}

function nodeError(run: RunWorkflowResult) {
	const error = run.nodeError('GPT Image');
	expect(error).toBeDefined();
	return error!;
}

/** Every string in a JSON value that starts with `prefix`, replaced by what `swap` makes of it. */
function swapStrings(value: unknown, prefix: string, swap: (text: string) => unknown): unknown {
	if (typeof value === 'string') return value.startsWith(prefix) ? swap(value) : value;
	if (Array.isArray(value)) return value.map((entry) => swapStrings(entry, prefix, swap));
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, swapStrings(entry, prefix, swap)]));
	}
	return value;
}

/** The finished task's answer with its result URLs replaced: `urls(first)` gives the new list. */
function withResultUrls(sim: GatewaySimulator, urls: (first: string) => string[]) {
	const rewrite = (value: unknown): unknown => {
		if (Array.isArray(value) && typeof value[0] === 'string' && value[0].startsWith(sim.cdnUrl)) return urls(value[0]);
		if (Array.isArray(value) && value[0] && typeof value[0] === 'object' && 'url' in value[0]) {
			const first = String((value[0] as { url: unknown }).url);
			if (first.startsWith(sim.cdnUrl)) return urls(first).map((url) => ({ url }));
		}
		if (typeof value === 'string' && value.startsWith(sim.cdnUrl)) return urls(value)[0];
		if (Array.isArray(value)) return value.map(rewrite);
		if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v)]));
		return value;
	};
	return { type: 'rewrite' as const, map: (body: unknown) => rewrite(body) };
}

/** Polls answered after the task finished (the answers that carry result URLs). */
const finishedPolls = (sim: GatewaySimulator) => (request: LoggedRequest) =>
	request.taskId !== undefined && sim.getTask(request.taskId)?.state === 'succeeded';

// ---- 1. bad values from expressions ----------------------------------------------------------------

describe('1. every parameter is checked for type and range before anything is paid for', () => {
	test.concurrent.each(ALL)('a Prompt expression that gives nothing, null or an object is refused per item on %s', async (gateway) => {
		await withSimulator(async (sim) => {
			const run = await runNode(sim, generateNode(gateway, { prompt: '={{ $json.prompt }}' }, true), [
				{ prompt: 'a real prompt' },
				{},
				{ prompt: null },
				{ prompt: { text: 'nested' } },
			]);
			const items = run.output('GPT Image');
			expect(items).toHaveLength(4);
			expect(items[0].json).toMatchObject({ state: 'succeeded' });
			const errors = items.slice(1).map((item) => String(item.json.error));
			expect(errors[0]).toMatch(/^Invalid "Prompt" in item 1: is empty \(the expression gave no value\); expected text/);
			expect(errors[1]).toMatch(/^Invalid "Prompt" in item 2: is null; expected text/);
			expect(errors[2]).toMatch(/^Invalid "Prompt" in item 3: is an object; expected text/);
			expect(items.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
			// Only the good item was paid for, and no create carried "undefined", "null" or "[object Object]".
			expect(sim.creates()).toHaveLength(1);
			expect(JSON.stringify(sim.creates()[0].body)).toContain('a real prompt');
			expectNoKey(run);
		});
	});

	const BAD_OPTIONS: Array<[string, string, IDataObject, RegExp]> = [
		['Max Wait as text', 'Max Wait (Seconds)', { maxWaitSeconds: '={{ "10 min" }}' }, /is "10 min"; expected a number of seconds from 1 to 7200/],
		['Max Wait below 0', 'Max Wait (Seconds)', { maxWaitSeconds: '={{ -1 }}' }, /is -1; expected a number of seconds from 1 to 7200/],
		['Max Wait of ten million', 'Max Wait (Seconds)', { maxWaitSeconds: '={{ 1e7 }}' }, /is 10000000; expected/],
		['Max Wait of Infinity', 'Max Wait (Seconds)', { maxWaitSeconds: '={{ Infinity }}' }, /is Infinity; expected/],
		['Poll Interval as text', 'Poll Interval (Seconds)', { pollIntervalSeconds: '={{ "fast" }}' }, /is "fast"; expected a number of seconds from 0 to 300/],
		['Request Timeout below 0', 'Request Timeout (Seconds)', { requestTimeoutSeconds: '={{ -1 }}' }, /is -1; expected a number of seconds from 0 to 600/],
		['Max Concurrent Tasks of 2.5', 'Max Concurrent Tasks', { maxConcurrentTasks: '={{ 2.5 }}' }, /is 2.5; expected a whole number from 1 to 1000/],
		['Wait for Completion as text', 'Wait for Completion', { waitForCompletion: '={{ "yes" }}' }, /is "yes"; expected true or false/],
		['Max Image Size of 0', 'Max Image Size (MB)', { maxImageMegabytes: '={{ 0 }}' }, /is 0; expected a number from 1 to 512/],
	];

	test.concurrent.each(BAD_OPTIONS)('%s is refused before any request', async (_name, label, options, says) => {
		await withSimulator(async (sim) => {
			const run = await runNode(sim, generateNode('kieAi', { options }));
			const error = nodeError(run);
			expect(error.name).toBe('NodeOperationError');
			expect(error.message).toContain(`Invalid "${label}" in item 0: `);
			expect(error.message).toMatch(says);
			expect(String(error.description)).toContain('Nothing was sent to Kie.ai');
			expect(sim.requests).toEqual([]);
		});
	});

	test('Number of Images from an expression must be one of the counts the model takes', async () => {
		await withSimulator(async (sim) => {
			const run = await runNode(sim, generateNode('evoLink', { numberOfImages: '={{ true }}' }));
			expect(nodeError(run).message).toMatch(/^Invalid "Number of Images" in item 0: is true; use one of 1, 2, 4/);
			expect(sim.requests).toEqual([]);
		});
	});

	test('a PNG of 0x0 pixels is refused as an input image', async () => {
		await withSimulator(async (sim) => {
			const run = await runNodeWithFiles(
				sim,
				generateNode('toApis', { referenceImages: { images: [{ source: 'binary', binaryPropertyName: 'data' }] } }),
				[{ files: [{ field: 'data', kind: 'pngHeader', width: 0, height: 0 }] }],
			);
			expect(nodeError(run).message).toMatch(/Invalid "Reference Images" \(entry 1\) in item 0: .* of 0x0 pixels/);
			expect(sim.requests).toEqual([]);
		});
	});
});

// ---- 2. a create the gateway may have taken is never repeated ------------------------------------

describe('2. after a 5xx a create is never repeated, whatever the body says', () => {
	const rateLimitBody: Record<GatewayId, unknown> = {
		toApis: { error: { code: 'rate_limit_exceeded', message: 'slow down', type: 'rate_limit_exceeded' } },
		kieAi: { code: 429, msg: 'The frequency of requests is too high', data: null },
		evoLink: { error: { code: 429, message: 'slow down', type: 'rate_limit_error' } },
	};
	test.concurrent.each(ALL)('HTTP 503 with a rate-limit body on create, on %s', async (gateway) => {
		await withSimulator(async (sim) => {
			sim.inject({ kind: 'create', response: { type: 'status', status: 503, body: rateLimitBody[gateway] } });
			const run = await runNode(sim, generateNode(gateway));
			const error = nodeError(run);
			expect(error.name).toBe('NodeApiError');
			expect(String(error.description)).toMatch(/may have been created \(and billed\)/);
			expect(sim.creates()).toHaveLength(1);
			expectNoKey(run);
		});
	});

	test('an envelope refusal behind HTTP 200 is retried (Kie: queue full), and makes one task', async () => {
		await withSimulator(async (sim) => {
			sim.inject({ kind: 'create', response: { type: 'envelope', code: 550, msg: 'The queue is full' } });
			const run = await runNode(sim, generateNode('kieAi'));
			expect(run.error).toBeUndefined();
			expect(sim.creates()).toHaveLength(2);
			expect(sim.tasks()).toHaveLength(1);
		});
	});
});

// ---- 3. a paid task is not abandoned on one odd answer -------------------------------------------

describe('3. odd or missing status answers right after create are tolerated', () => {
	const ODD: Array<[string, unknown]> = [
		['{}', {}],
		['{"status":null}', { status: null }],
		['an unknown shape', { hello: 'world', data: [1, 2, 3] }],
	];
	test.concurrent.each(ALL.flatMap((gateway) => ODD.map(([name, body]) => [gateway, name, body] as const)))(
		'on %s, poll answers of %s are read again, and the task is collected',
		async (gateway, _name, body) => {
			await withSimulator(async (sim) => {
				sim.inject({ kind: 'poll', times: 3, response: { type: 'status', status: 200, body } });
				const run = await runNode(sim, generateNode(gateway));
				expect(run.error).toBeUndefined();
				expect(run.output('GPT Image')).toHaveLength(1);
				expect(sim.creates()).toHaveLength(1);
				expect(sim.requestsOf('poll').length).toBeGreaterThan(3);
			});
		},
	);

	test.concurrent.each(['toApis', 'evoLink'] as const)('on %s, a 404 in the first seconds after create is "not visible yet"', async (gateway) => {
		await withSimulator(async (sim) => {
			sim.inject({ kind: 'poll', times: 2, response: { type: 'status', status: 404 } });
			const run = await runNode(sim, generateNode(gateway));
			expect(run.error).toBeUndefined();
			expect(sim.requestsOf('poll').slice(0, 2).map((poll) => poll.status)).toEqual([404, 404]);
			expect(sim.creates()).toHaveLength(1);
		});
	});

	test.concurrent.each(['getStatus', 'download'])(
		'Kie: %s right after a create that did not wait reads "recordInfo is null" as not visible yet',
		async (operation) => {
			await withSimulator(async (sim) => {
				sim.configure({ gateways: { kieAi: { nullRecordPolls: 2 } } });
				const run = await runWorkflow({
					workflow: workflowOf([
						generateNode('kieAi', { options: { waitForCompletion: false } }),
						{ name: 'Collect', gateway: 'kieAi', parameters: { operation, taskId: '={{ $json.taskId }}' } },
					]),
					credentials: simulatorCredentials(sim),
				});
				if (operation === 'getStatus') {
					expect(run.error).toBeUndefined();
					expect(run.output('Collect')[0].json).toMatchObject({ taskId: sim.tasks()[0].id });
				} else {
					// Download waits for no task: a task still running is an error that says so, not "unknown task".
					expect(String(run.nodeError('Collect')?.message ?? '')).not.toMatch(/does not know task/);
				}
				expect(sim.requestsOf('poll').slice(0, 2).map((poll) => poll.body ?? poll.status)).toHaveLength(2);
			});
		},
	);

	test('Get Status of a task the gateway never shows fails after the grace period, naming the task', async () => {
		await withSimulator(async (sim) => {
			const run = await runNode(sim, { gateway: 'toApis', parameters: { operation: 'getStatus', taskId: 'task_img_nobody' } });
			const error = nodeError(run);
			expect(error.message).toContain('The gateway does not know task task_img_nobody');
			expect(String(error.description)).toMatch(/looked for during 15 s.*run again in a minute/);
			// It looked about once a second, not in a storm.
			const polls = sim.requestsOf('poll');
			expect(polls.length).toBeGreaterThanOrEqual(10);
			expect(polls.length).toBeLessThanOrEqual(18);
		});
	}, 30_000);
});

// ---- 4. downloads are bounded -------------------------------------------------------------------------

describe('4. result downloads are bounded in bytes, time, type, scheme, host, redirects and count', () => {
	test.concurrent('a 210 MB "image" is cut off at the byte limit', async () => {
		await withSimulator(async (sim) => {
			sim.inject({ kind: 'download', response: { type: 'stream', bytes: 210 * 1024 * 1024 } });
			const run = await runNode(sim, generateNode('toApis'));
			const error = nodeError(run);
			expect(error.message).toMatch(/127\.0\.0\.1:\d+ sent more than 50 MB for one image/);
			expect(String(error.description)).toMatch(/Raise Max Image Size/);
			expect(sim.requestsOf('download')).toHaveLength(1);
		});
	});

	test.concurrent('Max Image Size lowers the limit', async () => {
		await withSimulator(async (sim) => {
			sim.inject({ kind: 'download', response: { type: 'stream', bytes: 3 * 1024 * 1024 } });
			const run = await runNode(sim, generateNode('evoLink', { options: { maxImageMegabytes: 2 } }));
			expect(nodeError(run).message).toMatch(/sent more than 2 MB for one image/);
		});
	});

	test.concurrent('a file that trickles a byte at a time ends at the item\'s Max Wait', async () => {
		await withSimulator(async (sim) => {
			sim.inject({ kind: 'download', response: { type: 'stream', bytes: 10_000, chunkBytes: 1, intervalMs: 100 } });
			const started = Date.now();
			const run = await runNode(sim, generateNode('kieAi', { options: { maxWaitSeconds: 4, requestTimeoutSeconds: 2 } }));
			const error = nodeError(run);
			expect(error.message).toMatch(/the time the item may take \(Max Wait\) ran out/);
			expect(Date.now() - started).toBeLessThan(4000 + 3000);
			expect(sim.requestsOf('download')).toHaveLength(1);
		});
	});

	test.concurrent('a CDN that never answers is cut by Request Timeout and retried only within Max Wait', async () => {
		await withSimulator(async (sim) => {
			sim.inject({ kind: 'download', times: 10, response: { type: 'stall', ms: 60_000 } });
			const run = await runNode(sim, generateNode('toApis', { options: { maxWaitSeconds: 6, requestTimeoutSeconds: 1 } }));
			const error = nodeError(run);
			expect(error.message).toMatch(/Could not download .*(did not complete|Max Wait)/);
			const downloads = sim.requestsOf('download');
			expect(downloads.length).toBeGreaterThanOrEqual(2);
			expect(downloads.length).toBeLessThanOrEqual(4);
		});
	});

	test.concurrent('an HTML page served with 200 as image/png is not stored, and the error says what came', async () => {
		await withSimulator(async (sim) => {
			sim.inject({
				kind: 'download',
				response: { type: 'status', status: 200, headers: { 'content-type': 'image/png' }, body: '<!DOCTYPE html><html><body>Log in</body></html>' },
			});
			const run = await runNode(sim, generateNode('evoLink'));
			const error = nodeError(run);
			expect(error.message).toMatch(/127\.0\.0\.1:\d+ sent image\/png, starting with "<!DOCTYPE html><html><bo" instead of an image/);
			expect(sim.requestsOf('download')).toHaveLength(1);
		});
	});

	test.concurrent.each(['data:image/png;base64,iVBORw0KGgo=', 'file:///etc/passwd', 'javascript:alert(1)'])(
		'a result URL %s is refused without a request or a retry',
		async (url) => {
			await withSimulator(async (sim) => {
				sim.inject({ kind: 'poll', when: finishedPolls(sim), times: 20, response: withResultUrls(sim, () => [url]) });
				const run = await runNode(sim, generateNode('toApis'));
				const error = nodeError(run);
				expect(error.message).toMatch(/Will not download .*is not an http\(s\) URL/);
				expect(sim.requestsOf('download')).toEqual([]);
			});
		},
	);

	test.concurrent.each([
		['cloud metadata on link-local', 'http://169.254.169.254/latest/meta-data/iam', /169\.254\.169\.254 is a link-local address/],
		['a private address in IPv4-mapped IPv6', 'http://[::ffff:192.168.1.10]/a.png', /\[::ffff:c0a8:10a\] is a private network address/],
		['a private network', 'http://10.0.0.7/a.png', /10\.0\.0\.7 is a private network address/],
	])('a result URL on %s is refused when the Base URL is loopback', async (_name, url, says) => {
		await withSimulator(async (sim) => {
			sim.inject({ kind: 'poll', when: finishedPolls(sim), times: 20, response: withResultUrls(sim, () => [url]) });
			const run = await runNode(sim, generateNode('evoLink'));
			expect(nodeError(run).message).toMatch(says);
			expect(sim.requestsOf('download')).toEqual([]);
		});
	});

	test.concurrent('a redirect loop stops after 5 redirects, and is not retried', async () => {
		await withSimulator(async (sim) => {
			sim.inject({ kind: 'download', times: 100, response: { type: 'redirect', location: (request) => `${sim.cdnUrl}${request.path}` } });
			const run = await runNode(sim, generateNode('kieAi'));
			expect(nodeError(run).message).toMatch(/more than 5 redirects/);
			expect(sim.requestsOf('download')).toHaveLength(6);
		});
	});

	test.concurrent('500 URLs for 1 requested image: one download, the rest reported', async () => {
		await withSimulator(async (sim) => {
			sim.inject({
				kind: 'poll',
				when: finishedPolls(sim),
				times: 20,
				response: withResultUrls(sim, (first) => [first, ...Array.from({ length: 499 }, (_, i) => `${first}?copy=${i}`)]),
			});
			const run = await runNode(sim, generateNode('toApis'));
			expect(run.error).toBeUndefined();
			const items = run.output('GPT Image');
			expect(items).toHaveLength(1);
			expect(items[0].json.extraImageUrls).toHaveLength(499);
			expect(sim.requestsOf('download')).toHaveLength(1);
			expectNoKeyOnCdn(sim);
		});
	});
});

// ---- 5. the key is never echoed back -------------------------------------------------------------------

describe('5. a key the gateway echoes is redacted from every output and error', () => {
	const echo = (request: LoggedRequest) => ({
		error: { code: 'invalid_request', message: `Bad request from ${String(request.headers.authorization)} (key ${API_KEY})`, type: 'invalid_request_error' },
		code: 422,
		msg: `Bad request from ${String(request.headers.authorization)} (key ${API_KEY})`,
	});

	test.concurrent.each(ALL)('an error body that echoes the Authorization header, on %s', async (gateway) => {
		await withSimulator(async (sim) => {
			sim.inject({ kind: 'create', response: { type: 'status', status: 400, body: echo } });
			const run = await runNode(sim, generateNode(gateway));
			const error = nodeError(run);
			expect(error.message).toContain('Bearer [redacted]');
			expect(error.message).toContain('(key [redacted])');
			expect(dumpRun(run)).not.toContain(API_KEY);
			expectNoKey(run);
		});
	});

	test.concurrent.each(ALL)('a continue-on-fail item and Get Status raw, on %s', async (gateway) => {
		await withSimulator(async (sim) => {
			// A failed task whose message quotes the key, and a status body that carries it.
			sim.inject({ kind: 'create', response: { type: 'status', status: 400, body: echo } });
			const failed = await runNode(sim, generateNode(gateway, {}, true));
			expect(String(failed.output('GPT Image')[0].json.error)).toContain('[redacted]');
			expectNoKey(failed);

			const submitted = await runNode(sim, generateNode(gateway, { options: { waitForCompletion: false } }));
			const taskId = String(submitted.output('GPT Image')[0].json.taskId);
			sim.inject({
				kind: 'poll',
				times: 5,
				response: { type: 'rewrite', map: (body) => ({ ...(body as object), echo: `Authorization: Bearer ${API_KEY}`, note: API_KEY }) },
			});
			const status = await runNode(sim, { gateway, parameters: { operation: 'getStatus', taskId } });
			expect(status.error).toBeUndefined();
			expect((status.output('GPT Image')[0].json.raw as IDataObject).note).toBe('[redacted]');
			expectNoKey(status);
		});
	});
});

// ---- 6. one execution's waits do not stall another's -------------------------------------------------

describe("6. slots belong to one execution; Kie's create limit to the account", () => {
	test('two executions on one Kie key share its create limit: 40 creates, no 429', async () => {
		await withSimulator(async (sim) => {
			const prompts = (tag: string) => Array.from({ length: 20 }, (_, i) => ({ prompt: `${tag} ${i}` }));
			const node = generateNode('kieAi', { prompt: '={{ $json.prompt }}' });
			const [first, second] = await Promise.all([runNode(sim, node, prompts('first')), runNode(sim, node, prompts('second'))]);
			expect(first.error).toBeUndefined();
			expect(second.error).toBeUndefined();
			expect(sim.creates()).toHaveLength(40);
			expect(sim.stats().rateLimited).toBe(0);
		});
	}, 60_000);

	test("downloads stalled in one execution do not hold up another's, and Stop frees the waiters", async () => {
		await withSimulator(async (sim) => {
			// The first execution's 20 downloads all stall: 16 hold its slots, 4 wait for one.
			sim.inject({ kind: 'download', times: 20, when: (r) => String(sim.getTask(r.taskId ?? '')?.prompt).startsWith('stuck'), response: { type: 'stall', ms: 60_000 } });
			const stuckPrompts = Array.from({ length: 20 }, (_, i) => ({ prompt: `stuck ${i}` }));
			const stop = new AbortController();
			const stuck = runNode(sim, generateNode('toApis', { prompt: '={{ $json.prompt }}' }), stuckPrompts, { signal: stop.signal });
			// Wait until the first execution holds all its download slots, then run a second one.
			const stalled = () => sim.requestsOf('download').filter((r) => r.fault === 'stall').length;
			while (stalled() < 16) await new Promise((resolve) => setTimeout(resolve, 50));
			const other = await runNode(sim, generateNode('toApis', { prompt: 'free' }));
			expect(other.error).toBeUndefined();
			expect(other.output('GPT Image')[0].binary?.data).toBeDefined();
			// Still stuck: 16 downloads stalled, 4 waiting for a slot of their own execution.
			expect(stalled()).toBe(16);

			const stoppedAt = Date.now();
			stop.abort();
			const stopped = await stuck;
			expect(stopped.status).toBe('canceled');
			expect(Date.now() - stoppedAt).toBeLessThan(1500);
		});
	}, 60_000);
});

// ---- 8. paths and addresses ---------------------------------------------------------------------------------

describe('8. task ids that a path would misread, and private callback addresses', () => {
	test.concurrent.each(['.', '..', 'a/b', 'task?x=1'])('Get Status refuses the Task ID %j without a request', async (taskId) => {
		await withSimulator(async (sim) => {
			const run = await runNode(sim, { gateway: 'toApis', parameters: { operation: 'getStatus', taskId } });
			expect(nodeError(run).message).toMatch(/^Invalid "Task ID" in item 0: .* is not a task ID/);
			expect(sim.requests).toEqual([]);
		});
	});

	test.concurrent.each(ALL)('a task id ".." from %s is not used in a poll path', async (gateway) => {
		await withSimulator(async (sim) => {
			sim.inject({
				kind: 'create',
				response: { type: 'rewrite', map: (body, request) => swapStrings(body, request.taskId ?? '\u0000', () => '..') },
			});
			const run = await runNode(sim, generateNode(gateway));
			const error = nodeError(run);
			expect(error.message).toMatch(/a task id this node will not use in a URL: "\.\."/);
			expect(String(error.description)).toMatch(/may have been created \(and billed\)/);
			expect(sim.requestsOf('poll')).toEqual([]);
		});
	});

	test.concurrent.each([
		['https://localhost./hook', /a loopback address \(localhost\.\)/],
		['https://[::ffff:127.0.0.1]/hook', /a loopback address \(\[::ffff:7f00:1\]\)/],
		['https://[::ffff:192.168.1.10]/hook', /a private network address \(\[::ffff:c0a8:10a\]\)/],
		['https://[64:ff9b::a00:1]/hook', /a private network address/],
		['https://[fe80::1]/hook', /a link-local address/],
	])('the callback URL %s is refused', async (callbackUrl, says) => {
		await withSimulator(async (sim) => {
			const run = await runNode(sim, generateNode('kieAi', { options: { callbackUrl } }));
			const error = nodeError(run);
			expect(error.message).toMatch(/^Invalid "Callback URL" in item 0: points to /);
			expect(error.message).toMatch(says);
			expect(sim.requests).toEqual([]);
		});
	});
});
