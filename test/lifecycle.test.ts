import { join } from 'path';

import { loadWorkflowFile, runWorkflow } from './engine/runWorkflow';
import { GatewaySimulator, pngSize } from './simulator';
import { exampleOnSimulator, FAST, GATEWAYS, runNode, simulatorCredentials, workflowOf } from './support';

/** A task's whole life: submit without waiting, status, download, failure, timeout and Stop. */

let sim: GatewaySimulator;

beforeAll(async () => {
	sim = await GatewaySimulator.start({ latencyMs: 800 });
});
afterAll(async () => await sim.stop());
beforeEach(() => {
	sim.clearLog();
	sim.clearFaults();
});

/** What each gateway (as simulated) says when its content policy refuses a prompt. */
const POLICY_MESSAGE = {
	toApis: 'Your request was rejected by the safety system.',
	kieAi: 'Your content was flagged by OpenAI as violating content policies',
	evoLink: 'The request was rejected by the content policy',
};

/** The "submit now, collect later" example, on the simulator. */
function submitLaterExample(gateway: (typeof GATEWAYS)[number]['id']) {
	return exampleOnSimulator(loadWorkflowFile(join(__dirname, '..', 'examples', 'submit-now-collect-later.json')), sim, gateway);
}

describe.each(GATEWAYS)('on $id', ({ id }) => {
	test('Generate without waiting → Get Status → Download (the example workflow)', async () => {
		const run = await runWorkflow({ workflow: submitLaterExample(id), credentials: simulatorCredentials(sim) });

		expect(run.error).toBeUndefined();
		const [submitted] = run.output('Submit');
		expect(submitted.json).toMatchObject({ gateway: id, state: 'queued' });
		const taskId = String(submitted.json.taskId);
		expect(taskId).not.toBe('');
		expect(submitted.binary).toBeUndefined();

		const [status] = run.output('Check Status');
		expect(status.json).toMatchObject({ taskId, gateway: id, state: 'succeeded', progress: 100 });
		expect(status.json.imageUrls).toHaveLength(2);
		expect(Date.parse(String(status.json.createdAt))).not.toBeNaN();
		expect(status.json.raw).toBeInstanceOf(Object);

		const downloads = run.output('Download');
		expect(downloads).toHaveLength(2);
		for (const item of downloads) {
			expect(item.json.taskId).toBe(taskId);
			expect(pngSize(await run.binaryBuffer(item.binary!.data))).toEqual({ width: 1536, height: 1024 });
		}
		expect(sim.creates(id)).toHaveLength(1);
	});

	test('a failed task is a NodeApiError with the gateway message and the task id', async () => {
		const run = await runNode(sim, {
			gateway: id,
			parameters: { operation: 'generate', prompt: 'FAIL_TASK please', size: '1:1', options: FAST },
		});

		expect(run.status).toBe('error');
		const error = run.nodeError('GPT Image')!;
		expect(error.name).toBe('NodeApiError');
		const taskId = sim.creates(id)[0].taskId!;
		expect(error.message).toContain(taskId);
		expect(error.message).toContain(POLICY_MESSAGE[id]);
		expect(String(error.description)).toMatch(/content policy/);
		expect((error.context as { itemIndex?: number }).itemIndex).toBe(0);
	});

	test('with continueOnFail a failed task becomes an error item, paired, between the good ones', async () => {
		const run = await runNode(
			sim,
			{
				gateway: id,
				continueOnFail: true,
				parameters: { operation: 'generate', prompt: '={{ $json.prompt }}', size: '1:1', options: FAST },
			},
			[{ prompt: 'good one' }, { prompt: 'FAIL_TASK bad one' }, { prompt: 'good two' }],
		);

		expect(run.error).toBeUndefined();
		const items = run.output('GPT Image');
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[0].binary?.data).toBeDefined();
		expect(items[1].binary).toBeUndefined();
		expect(String(items[1].json.error)).toContain(POLICY_MESSAGE[id]);
		expect(items[1].json.taskId).toBe(sim.creates(id)[1].taskId);
		expect(items[2].binary?.data).toBeDefined();
	});
});

test('Max Wait exceeded: the error names the task, its state, and says it may still finish', async () => {
	const run = await runNode(sim, {
		gateway: 'toApis',
		parameters: {
			operation: 'generate',
			prompt: '[[latency:20000]] slow one',
			size: '1:1',
			options: { maxWaitSeconds: 2, pollIntervalSeconds: 0.5 },
		},
	});

	expect(run.status).toBe('error');
	const error = run.nodeError('GPT Image')!;
	const taskId = sim.creates('toApis')[0].taskId!;
	expect(error.name).toBe('NodeApiError');
	expect(error.message).toContain(`Task ${taskId} is not finished after 2 s`);
	expect(error.message).toMatch(/state: (queued|running), progress: \d+%/);
	expect(String(error.description)).toContain('may still finish');
	expect(String(error.description)).toContain('Get Status or Download');
	// The last poll happened at the deadline; nothing was sent after the error.
	const polls = sim.requestsOf('poll', 'toApis');
	expect(polls.length).toBeGreaterThanOrEqual(3);
	expect(polls[polls.length - 1].at - sim.creates('toApis')[0].at).toBeLessThan(2000 + 400);
});

test.each(GATEWAYS)('Stop on $id: the poll loop ends and sends nothing more', async ({ id }) => {
	const run = await runNode(
		sim,
		{
			gateway: id,
			parameters: { operation: 'generate', prompt: '[[latency:60000]] long one', size: '1:1', options: FAST },
		},
		[{}, {}],
		{ cancelAfterMs: 1500 },
	);
	const stoppedAt = Date.now();

	expect(run.status).toBe('canceled');
	expect(sim.creates(id)).toHaveLength(2);
	expect(sim.requestsOf('poll', id).length).toBeGreaterThan(0);
	const countAtStop = sim.requests.length;
	await new Promise((resolve) => setTimeout(resolve, 2000));
	expect(sim.requests.length).toBe(countAtStop);
	expect(sim.requests.every((request) => request.at <= stoppedAt)).toBe(true);
});

test('Get Status of an unknown task id is a not-found NodeApiError', async () => {
	const run = await runNode(sim, { gateway: 'evoLink', parameters: { operation: 'getStatus', taskId: 'task-does-not-exist' } });
	const error = run.nodeError('GPT Image')!;
	expect(error.name).toBe('NodeApiError');
	expect(error.message).toContain('task-does-not-exist');
	expect(String(error.description)).toMatch(/Check the task id/);
});

test('Download of a URL fetches it without the API key', async () => {
	const generated = await runNode(sim, {
		gateway: 'kieAi',
		parameters: { operation: 'generate', prompt: 'url source', size: '1:1', options: { ...FAST, downloadImages: false } },
	});
	const url = String(generated.output('GPT Image')[0].json.url);
	sim.clearLog();

	const run = await runNode(sim, {
		gateway: 'kieAi',
		parameters: { operation: 'download', source: 'url', imageUrl: url, options: { binaryPropertyName: 'image' } },
	});
	const [item] = run.output('GPT Image');
	expect(item.json.url).toBe(url);
	expect(pngSize(await run.binaryBuffer(item.binary!.image))).toEqual({ width: 1024, height: 1024 });
	expect(sim.requests.every((request) => request.headers.authorization === undefined)).toBe(true);
});

test('Kie: the direct download link option fetches through download-url', async () => {
	const run = await runNode(sim, {
		gateway: 'kieAi',
		parameters: { operation: 'generate', prompt: 'direct', size: '1:1', options: { ...FAST, useDirectLink: true } },
	});
	expect(run.error).toBeUndefined();
	expect(sim.requestsOf('downloadUrl', 'kieAi')).toHaveLength(1);
	const [download] = sim.requestsOf('download');
	expect(download.path).toMatch(/signed/);
	expect(download.headers.authorization).toBeUndefined();
});

describe('both forms of the documented wire variants are read', () => {
	afterEach(() =>
		sim.configure({
			gateways: {
				toApis: { initialStatus: 'queued' },
				kieAi: { resultKey: 'resultUrls', timeFormat: 'ms', nullRecordPolls: 0 },
				evoLink: { resultForm: 'results' },
			},
		}),
	);

	test('Kie: result_urls, "YYYY-MM-DD HH:mm:ss" times and a record missing right after create', async () => {
		sim.configure({ gateways: { kieAi: { resultKey: 'result_urls', timeFormat: 'string', nullRecordPolls: 2 } } });
		const run = await runNode(sim, {
			gateway: 'kieAi',
			parameters: { operation: 'generate', prompt: 'variant', size: '1:1', options: FAST },
		});
		expect(run.error).toBeUndefined();
		const [item] = run.output('GPT Image');
		expect(item.json.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
		expect(item.binary?.data).toBeDefined();
	});

	test('EvoLink: result_data[].image_url', async () => {
		sim.configure({ gateways: { evoLink: { resultForm: 'result_data' } } });
		const run = await runNode(sim, {
			gateway: 'evoLink',
			parameters: { operation: 'generate', prompt: 'variant', size: '1024x1536', options: FAST },
		});
		expect(run.error).toBeUndefined();
		const [item] = run.output('GPT Image');
		expect(pngSize(await run.binaryBuffer(item.binary!.data))).toEqual({ width: 1024, height: 1536 });
	});

	test('ToAPIs: "submitted" as the first state reads as queued', async () => {
		sim.configure({ gateways: { toApis: { initialStatus: 'submitted' } } });
		const run = await runWorkflow({
			workflow: workflowOf([
				{
					name: 'Submit',
					gateway: 'toApis',
					parameters: { operation: 'generate', prompt: '[[latency:5000]] variant', size: '1:1', options: { waitForCompletion: false } },
				},
				{ name: 'Status', gateway: 'toApis', parameters: { operation: 'getStatus', taskId: '={{ $json.taskId }}' } },
			]),
			credentials: simulatorCredentials(sim),
		});
		const [status] = run.output('Status');
		expect((status.json.raw as { status: string }).status).toBe('submitted');
		expect(status.json.state).toBe('queued');
	});
});
