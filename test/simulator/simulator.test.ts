/** The simulator on the wire, with plain fetch: what the node will see from each gateway. */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { deflateSync } from 'zlib';
import { crc32, decodePng, encodePng, GatewaySimulator, pngSize, type PngFilter } from './index';
import { GATEWAYS } from '../../nodes/GptImage/gateways';
import { renderPattern, patternSeed } from './images';
import { encodeRaster } from './png';
import { auth, call, download, KEY, pollUntil, sleep, uploadMultipart, type Json } from './wire';

const LATENCY = 300;

let sim: GatewaySimulator;

beforeAll(async () => {
	sim = await GatewaySimulator.start({ latencyMs: LATENCY });
});
afterAll(() => sim.stop());
beforeEach(() => {
	sim.clearFaults();
	sim.clearLog();
});

const toapis = (path: string) => `${sim.baseUrl('toApis')}${path}`;
const kie = (path: string) => `${sim.baseUrl('kieAi')}${path}`;
const evolink = (path: string) => `${sim.baseUrl('evoLink')}${path}`;

/** A 64x48 test picture: opaque, a horizontal ramp. */
const input = encodePng(64, 48, (x, y) => [x * 4, y * 5, 90, 255]);
/** Mask pixel (x, y) is in the edit area when x < 32. */
const inEditArea = (x: number) => x < 32;

describe('PNG codec', () => {
	it('round-trips every filter and colour type', () => {
		const pixel = (x: number, y: number) => [(x * 37) & 255, (y * 11) & 255, (x * y) & 255, x % 3 ? 255 : 0] as const;
		for (const filter of ['none', 'sub', 'up', 'average', 'paeth'] as PngFilter[]) {
			const png = encodePng(13, 7, pixel, { filter });
			const decoded = decodePng(png);
			expect(pngSize(png)).toEqual({ width: 13, height: 7 });
			expect(decoded.rgba.equals(encodePngInputFor(13, 7, pixel))).toBe(true);
		}
		const grey = decodePng(encodePng(5, 2, (x) => [x * 50, x * 50, x * 50, 255], { color: 'grey', filter: 'paeth' }));
		expect([...grey.rgba.subarray(4, 8)]).toEqual([50, 50, 50, 255]);
		// Without an alpha channel, translucent pixels are composed over white.
		const rgb = decodePng(encodePng(3, 3, (x, y) => [x, y, 7, x === 1 ? 255 : 0], { color: 'rgb' }));
		expect([...rgb.rgba.subarray(16, 24)]).toEqual([1, 1, 7, 255, 255, 255, 255, 255]);
	});

	it('reads palette PNGs with transparency (2-bit indexes)', () => {
		const chunk = (type: string, data: Buffer) => {
			const len = Buffer.alloc(4);
			len.writeUInt32BE(data.length);
			const crc = Buffer.alloc(4);
			crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type), data])));
			return Buffer.concat([len, Buffer.from(type), data, crc]);
		};
		const ihdr = Buffer.from([0, 0, 0, 4, 0, 0, 0, 1, 2, 3, 0, 0, 0]);
		const palette = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]);
		const row = Buffer.from([0, 0b00011011]); // filter none, indexes 0 1 2 3
		const png = Buffer.concat([
			Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
			chunk('IHDR', ihdr),
			chunk('PLTE', palette),
			chunk('tRNS', Buffer.from([255, 128])),
			chunk('IDAT', deflateSync(row)),
			chunk('IEND', Buffer.alloc(0)),
		]);
		expect([...decodePng(png).rgba]).toEqual([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 255, 9, 9, 9, 255]);
	});

	it('renders and encodes a 3840x2160 result', () => {
		const png = encodeRaster(renderPattern(3840, 2160, patternSeed('speed', 0)));
		expect(pngSize(png)).toEqual({ width: 3840, height: 2160 });
	});
});

function encodePngInputFor(w: number, h: number, pixel: (x: number, y: number) => readonly number[]): Buffer {
	const out = Buffer.alloc(w * h * 4);
	for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.set(pixel(x, y), (y * w + x) * 4);
	return out;
}

describe('ToAPIs', () => {
	it('creates, polls to completed and serves n PNGs of the requested size', async () => {
		const created = await call(toapis('/v1/images/generations'), {
			body: { model: 'gpt-4o-image', prompt: 'a red fox', size: '3:2', n: 2 },
		});
		expect(created.status).toBe(200);
		expect(created.json).toMatchObject({ object: 'generation.task', model: 'gpt-4o-image', status: 'queued', progress: 0, metadata: {} });
		expect(created.json.id).toMatch(/^task_img_/);

		const done = await pollUntil(toapis(`/v1/images/generations/${created.json.id}`), (b) => b.status === 'completed');
		expect(done.progress).toBe(100);
		expect(done.expires_at - done.completed_at).toBe(86400);
		expect(done.result.data).toHaveLength(2);
		expect(done.url).toBe(done.result.data[0].url);
		expect(done.url.startsWith(sim.cdnUrl)).toBe(true);

		const [first, second] = await Promise.all(done.result.data.map((d: Json) => download(d.url)));
		expect(first).toMatchObject({ status: 200, type: 'image/png', length: String(first.bytes.length) });
		expect(pngSize(first.bytes)).toEqual({ width: 1536, height: 1024 });
		expect(first.bytes.equals(second.bytes)).toBe(false);
		expect(sim.requestsOf('download', 'toApis').map((r) => r.taskId)).toEqual([created.json.id, created.json.id]);
	});

	it('reports in_progress with a rising integer progress, and `submitted` when configured', async () => {
		sim.configure({ gateways: { toApis: { initialStatus: 'submitted' } } });
		try {
			const { json } = await call(toapis('/v1/images/generations'), {
				body: { model: 'gpt-4o-image', prompt: 'slow [[latency:2000]]' },
			});
			expect(json.status).toBe('submitted');
			await sleep(700);
			const a = (await call(toapis(`/v1/images/generations/${json.id}`))).json;
			await sleep(400);
			const b = (await call(toapis(`/v1/images/generations/${json.id}`))).json;
			expect(a.status).toBe('in_progress');
			expect(Number.isInteger(a.progress) && b.progress > a.progress).toBe(true);
		} finally {
			sim.configure({ gateways: { toApis: { initialStatus: 'queued' } } });
		}
	});

	it('sizes gpt-image-2 by resolution tier (case-insensitive) and rejects a wrong pair', async () => {
		const { json } = await call(toapis('/v1/images/generations'), {
			body: { model: 'gpt-image-2', prompt: 'wide', size: '16:9', resolution: '4k', reference_images: ['https://example.com/a.png'] },
		});
		expect(sim.getTask(json.id)).toMatchObject({ width: 3840, height: 2160, resolution: '4K', imageUrls: ['https://example.com/a.png'] });
		const done = await pollUntil(toapis(`/v1/images/generations/${json.id}`), (b) => b.status === 'completed');
		expect(pngSize((await download(done.url)).bytes)).toEqual({ width: 3840, height: 2160 });

		const wrong = await call(toapis('/v1/images/generations'), {
			body: { model: 'gpt-image-2', prompt: 'x', size: '21:9', resolution: '1K' },
		});
		expect(wrong.status).toBe(400);
		expect(wrong.json.error).toMatchObject({ code: 'invalid_request', param: 'size', type: 'invalid_request_error' });
	});

	it('validates like the real API; non-strict lets unknown fields through', async () => {
		const create = (body: Json) => call(toapis('/v1/images/generations'), { body });
		expect((await create({ model: 'gpt-4o-image', prompt: 'x', n: '2' })).json.error).toMatchObject({ param: 'n' });
		expect((await create({ model: 'gpt-4o-image', prompt: 'x', n: 3 })).status).toBe(400);
		expect((await create({ model: 'gpt-4o-image', prompt: 'x'.repeat(1001) })).json.error.param).toBe('prompt');
		expect((await create({ model: 'gpt-4o-image' })).json.error.param).toBe('prompt');
		const base64 = await create({ model: 'gpt-4o-image', prompt: 'x', image_urls: ['data:image/png;base64,iVBORw0KGgo='] });
		expect(base64.json.error.code).toBe('invalid_reference_images');
		const six = Array.from({ length: 6 }, (_, i) => `https://example.com/${i}.png`);
		expect((await create({ model: 'gpt-4o-image', prompt: 'x', reference_images: six })).status).toBe(400);
		expect((await create({ model: 'gpt-image-2', prompt: 'x', n: 1 })).json.error.param).toBe('n');
		const unknown = await create({ model: 'gpt-4o-image', prompt: 'x', quality: 'hd' });
		expect(unknown.json.error).toMatchObject({ code: 'invalid_request', param: 'quality' });

		sim.configure({ strict: false });
		try {
			expect((await create({ model: 'gpt-4o-image', prompt: 'x', quality: 'hd' })).status).toBe(200);
		} finally {
			sim.configure({ strict: true });
		}
		expect(sim.tasks('toApis').filter((t) => t.prompt === 'x')).toHaveLength(1);
	});

	it('answers auth failures, unknown tasks and failed tasks in its own forms', async () => {
		const noKey = await call(toapis('/v1/images/generations'), {
			body: { model: 'gpt-4o-image', prompt: 'x' },
			headers: { authorization: 'Bearer wrong' },
		});
		expect(noKey.status).toBe(401);
		expect(noKey.json.error).toMatchObject({ type: 'authentication_error' });
		expect(typeof noKey.json.error.code).toBe('string');
		const pollNoKey = await call(toapis('/v1/images/generations/whatever'), { headers: { authorization: '' } });
		expect(pollNoKey.json.error.code).toBe(401);

		const missing = await call(toapis('/v1/images/generations/task_img_nope'));
		expect(missing.status).toBe(404);
		expect(missing.json).toEqual({ error: { code: 404, message: 'Task not found', type: 'not_found_error' } });

		const models = await call(toapis('/v1/models'));
		expect(models.json.data.map((m: Json) => m.id)).toEqual(['gpt-4o-image', 'gpt-image-2', 'gpt-image-2-vip', 'gpt-image-1.5-official']);
		expect(sim.requestsOf('credit', 'toApis')).toHaveLength(1);

		const policy = await call(toapis('/v1/images/generations'), { body: { model: 'gpt-4o-image', prompt: 'FAIL_TASK now' } });
		const coded = await call(toapis('/v1/images/generations'), { body: { model: 'gpt-4o-image', prompt: '[[fail:generation_failed]]' } });
		const failed = await pollUntil(toapis(`/v1/images/generations/${policy.json.id}`), (b) => b.status !== 'queued' && b.status !== 'in_progress');
		expect(failed).toMatchObject({ status: 'failed', progress: 0, error: { code: 'content_policy_violation' } });
		const failed2 = await pollUntil(toapis(`/v1/images/generations/${coded.json.id}`), (b) => b.status === 'failed');
		expect(failed2.error.code).toBe('generation_failed');
	});

	it('uploads multipart files (≤ 10 MB) to the CDN', async () => {
		const ok = await uploadMultipart(`${sim.uploadBaseUrl('toApis')}/v1/uploads/images`, input);
		expect(ok.json).toMatchObject({ success: true, data: { mime_type: 'image/png', size: input.length } });
		expect(ok.json.data.url.startsWith(`${sim.cdnUrl}/uploads/`)).toBe(true);
		expect((await download(ok.json.data.url)).bytes.equals(input)).toBe(true);
		expect(sim.requestsOf('upload', 'toApis')[0].body).toMatchObject({
			file: { filename: 'input.png', contentType: 'image/png', bytes: input.length },
		});

		const big = Buffer.concat([input, Buffer.alloc(10 * 1024 * 1024)]);
		const tooBig = await uploadMultipart(`${sim.uploadBaseUrl('toApis')}/v1/uploads/images`, big);
		expect(tooBig).toEqual({ status: 400, json: { success: false, message: 'Image too large. Maximum size is 10MB' } });
	});
});

describe('Kie.ai', () => {
	it('creates, hides the record for nullRecordPolls polls, then reports progress and results', async () => {
		sim.configure({ gateways: { kieAi: { nullRecordPolls: 2 } } });
		try {
			const created = await call(kie('/api/v1/gpt4o-image/generate'), {
				body: { prompt: 'a lighthouse', size: '2:3', nVariants: 2, isEnhance: false, callBackUrl: 'https://example.com/cb' },
			});
			expect(created).toMatchObject({ status: 200, json: { code: 200, msg: 'success' } });
			const taskId = created.json.data.taskId as string;
			const url = kie(`/api/v1/gpt4o-image/record-info?taskId=${taskId}`);
			for (let i = 0; i < 2; i++) {
				const hidden = await call(url);
				expect(hidden).toMatchObject({ status: 200, json: { code: 422, msg: 'recordInfo is null', data: null } });
			}
			const running = await call(url);
			expect(running.json.data).toMatchObject({ taskId, successFlag: 0, status: 'GENERATING', response: null });
			expect(running.json.data.progress).toMatch(/^0\.\d\d$/);
			expect(JSON.parse(running.json.data.paramJson)).toMatchObject({ prompt: 'a lighthouse', size: '2:3' });

			// Still within Kie's 3 polls/s: a 429 answer (data null) just means "ask again".
			const done = (await pollUntil(url, (b) => b.data && b.data.successFlag !== 0)).data;
			expect(done).toMatchObject({ successFlag: 1, status: 'SUCCESS', progress: '1.00', errorCode: null });
			expect(typeof done.createTime).toBe('number');
			expect(done.completeTime - done.createTime).toBeGreaterThanOrEqual(LATENCY);
			expect(done.response.resultUrls).toHaveLength(2);
			expect(pngSize((await download(done.response.resultUrls[1])).bytes)).toEqual({ width: 1024, height: 1536 });
		} finally {
			sim.configure({ gateways: { kieAi: { nullRecordPolls: 0 } } });
		}
	});

	it('serves the documented variants: result_urls and string times', async () => {
		sim.configure({ gateways: { kieAi: { resultKey: 'result_urls', timeFormat: 'string' } } });
		try {
			const { json } = await call(kie('/api/v1/gpt4o-image/generate'), { body: { prompt: 'x [[partial:1]]', size: '1:1', nVariants: 4 } });
			await sleep(LATENCY + 50);
			const { data } = (await call(kie(`/api/v1/gpt4o-image/record-info?taskId=${json.data.taskId}`))).json;
			expect(data.response).toEqual({ result_urls: [expect.stringContaining('_0.png')] });
			expect(data.createTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
			expect(data.completeTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
		} finally {
			sim.configure({ gateways: { kieAi: { resultKey: 'resultUrls', timeFormat: 'ms' } } });
		}
	});

	it('signs direct download links that the CDN checks', async () => {
		const { json } = await call(kie('/api/v1/gpt4o-image/generate'), { body: { prompt: 'direct', size: '3:2' } });
		const taskId = json.data.taskId;
		await sleep(LATENCY + 50);
		const { data } = (await call(kie(`/api/v1/gpt4o-image/record-info?taskId=${taskId}`))).json;
		const signed = await call(kie('/api/v1/gpt4o-image/download-url'), { body: { taskId, url: data.response.resultUrls[0] } });
		expect(signed.json).toMatchObject({ code: 200, msg: 'success' });
		expect(signed.json.data).toMatch(new RegExp(`^${sim.cdnUrl}/signed/.+X-Amz-Expires=1200.+X-Amz-Signature=`));
		const file = await download(signed.json.data);
		expect(pngSize(file.bytes)).toEqual({ width: 1536, height: 1024 });
		expect((await download(signed.json.data.replace(/X-Amz-Signature=\w{4}/, 'X-Amz-Signature=0000'))).status).toBe(403);
		const unknown = await call(kie('/api/v1/gpt4o-image/download-url'), { body: { taskId: 'task_4o_nope', url: 'x' } });
		expect(unknown.json).toEqual({ code: 422, msg: 'record is null', data: null });
		expect(sim.requestsOf('downloadUrl', 'kieAi')).toHaveLength(2);
	});

	it('answers errors in the envelope with HTTP 200', async () => {
		const badKey = await call(kie('/api/v1/gpt4o-image/generate'), { body: { prompt: 'x', size: '1:1' }, headers: { authorization: 'Bearer nope' } });
		expect(badKey.status).toBe(200);
		expect(badKey.json.code).toBe(401);
		const noSize = await call(kie('/api/v1/gpt4o-image/generate'), { body: { prompt: 'x' } });
		expect(noSize).toMatchObject({ status: 200, json: { code: 422 } });
		const noPrompt = await call(kie('/api/v1/gpt4o-image/generate'), { body: { size: '1:1' } });
		expect(noPrompt.json.code).toBe(422);
		const filesOnly = await call(kie('/api/v1/gpt4o-image/generate'), { body: { size: '1:1', filesUrl: ['https://example.com/a.png'] } });
		expect(filesOnly.json.code).toBe(200);
		const dalle = await call(kie('/api/v1/gpt4o-image/generate'), { body: { prompt: 'x', size: '1:1', quality: 'hd' } });
		expect(dalle.json.code).toBe(422);
		expect((await call(kie('/api/v1/chat/credit'))).json).toEqual({ code: 200, msg: 'success', data: 100 });
		const unknown = await call(kie('/api/v1/gpt4o-image/record-info?taskId=task_4o_unknown'));
		expect(unknown.json).toEqual({ code: 422, msg: 'recordInfo is null', data: null });
	});

	it('fails tasks with errorCode 400 for content policy and the code a directive names', async () => {
		const policy = (await call(kie('/api/v1/gpt4o-image/generate'), { body: { prompt: '[[fail]]', size: '1:1' } })).json.data.taskId;
		const fetchFail = (await call(kie('/api/v1/gpt4o-image/generate'), { body: { prompt: '[[fail:451]]', size: '1:1' } })).json.data.taskId;
		await sleep(LATENCY + 50);
		const a = (await call(kie(`/api/v1/gpt4o-image/record-info?taskId=${policy}`))).json.data;
		const b = (await call(kie(`/api/v1/gpt4o-image/record-info?taskId=${fetchFail}`))).json.data;
		expect(a).toMatchObject({ successFlag: 2, status: 'GENERATE_FAILED', errorCode: 400, response: null, progress: '0.00' });
		expect(a.errorMessage).toMatch(/content policies/);
		expect(b.errorCode).toBe(451);
	});

	it('limits creates per 10 s per key and polls per second per task', async () => {
		// The create window counts this key's earlier creates too, so this test gets a simulator of its own.
		const own = await GatewaySimulator.start({ latencyMs: LATENCY, gateways: { kieAi: { rateLimits: { createsPer10s: 2 } } } });
		try {
			const ownKie = (path: string) => `${own.baseUrl('kieAi')}${path}`;
			const answers = [];
			for (let i = 0; i < 3; i++) answers.push(await call(ownKie('/api/v1/gpt4o-image/generate'), { body: { prompt: `r${i}`, size: '1:1' } }));
			expect(answers.map((a) => [a.status, a.json.code])).toEqual([[200, 200], [200, 200], [200, 429]]);
			const taskId = answers[0].json.data.taskId;
			const polls = await Promise.all(
				Array.from({ length: 4 }, () => call(ownKie(`/api/v1/gpt4o-image/record-info?taskId=${taskId}`))),
			);
			expect(polls.map((p) => p.json.code).sort()).toEqual([200, 200, 200, 429]);
			expect(own.stats()).toEqual({ rateLimited: 2, creates: 2, polls: 3 });
			expect(own.creates('kieAi')).toHaveLength(3);
		} finally {
			await own.stop();
		}
	});
});

describe('EvoLink', () => {
	it('creates a pending task and completes it with results', async () => {
		const created = await call(evolink('/v1/images/generations'), {
			body: { model: 'gpt-4o-image', prompt: 'a bridge', size: '1024x1536', n: 2 },
			headers: { 'idempotency-key': 'idem-1' },
		});
		expect(created.json).toMatchObject({
			object: 'image.generation.task',
			status: 'pending',
			progress: 0,
			type: 'image',
			task_info: { can_cancel: true },
			usage: { billing_rule: 'per_call', credits_reserved: 5 },
		});
		expect(created.json.id).toMatch(/^task-unified-\d+-[a-z0-9]{8}$/);
		expect(sim.creates('evoLink')[0].headers['idempotency-key']).toBe('idem-1');

		const done = await pollUntil(evolink(`/v1/tasks/${created.json.id}`), (b) => b.status === 'completed');
		expect(done.results).toHaveLength(2);
		expect(done.result_data).toBeUndefined();
		expect(pngSize((await download(done.results[0])).bytes)).toEqual({ width: 1024, height: 1536 });
	});

	it('serves result_data when configured, and both', async () => {
		for (const resultForm of ['result_data', 'both'] as const) {
			sim.configure({ gateways: { evoLink: { resultForm } } });
			const { json } = await call(evolink('/v1/images/generations'), { body: { model: 'gpt-4o-image', prompt: resultForm } });
			await sleep(LATENCY + 50);
			const done = (await call(evolink(`/v1/tasks/${json.id}`))).json;
			expect(done.result_data).toEqual([{ image_url: expect.stringContaining(sim.cdnUrl) }]);
			expect(done.results === undefined).toBe(resultForm === 'result_data');
		}
		sim.configure({ gateways: { evoLink: { resultForm: 'results' } } });
	});

	it('validates, authenticates and fails in its own forms', async () => {
		const create = (body: Json, headers?: Record<string, string>) => call(evolink('/v1/images/generations'), { body, headers });
		const twoWithMask = await create({
			model: 'gpt-4o-image',
			prompt: 'x',
			image_urls: ['https://example.com/a.png', 'https://example.com/b.png'],
			mask_url: 'https://example.com/m.png',
		});
		expect(twoWithMask.status).toBe(400);
		expect(twoWithMask.json.error).toMatchObject({ code: 400, type: 'invalid_request_error', param: 'mask_url' });
		expect((await create({ model: 'gpt-4o-image', prompt: 'x', callback_url: 'http://example.com/cb' })).json.error.param).toBe('callback_url');
		expect((await create({ model: 'gpt-4o-image', prompt: 'x', callback_url: 'https://127.0.0.1/cb' })).status).toBe(400);
		expect((await create({ model: 'gpt-4o-image', prompt: 'x', size: '4:3' })).status).toBe(400);

		const badKey = await create({ model: 'gpt-4o-image', prompt: 'x' }, { authorization: 'Bearer nope' });
		expect(badKey).toMatchObject({ status: 401, json: { error: { code: 401, type: 'authentication_error' } } });
		expect((await call(evolink('/v1/tasks/task-unified-0-nope'))).status).toBe(404);

		const credits = await call(evolink('/v1/credits'));
		expect(credits.json).toMatchObject({ success: true, message: '', data: { token: { unlimited_credits: false }, user: {} } });
		expect(typeof credits.json.data.token.remaining_credits).toBe('number');

		const failing = await create({ model: 'gpt-4o-image', prompt: '[[fail:image_processing_error]]' });
		const failed = await pollUntil(evolink(`/v1/tasks/${failing.json.id}`), (b) => b.status === 'failed');
		expect(failed).toMatchObject({ progress: 0, error: { code: 'image_processing_error' } });
	});

	it('answers a repeated Idempotency-Key with the first task only when told to', async () => {
		const body = { model: 'gpt-4o-image', prompt: 'idem' };
		const headers = { 'idempotency-key': 'same-key' };
		const a = await call(evolink('/v1/images/generations'), { body, headers });
		const b = await call(evolink('/v1/images/generations'), { body, headers });
		expect(a.json.id).not.toBe(b.json.id);
		sim.configure({ gateways: { evoLink: { honourIdempotencyKey: true } } });
		try {
			const c = await call(evolink('/v1/images/generations'), { body, headers });
			expect(c.json.id).toBe(b.json.id);
			expect(sim.stats().creates).toBe(2);
		} finally {
			sim.configure({ gateways: { evoLink: { honourIdempotencyKey: false } } });
		}
	});
});

describe('uploads and edits', () => {
	/** Results must keep the input outside the edit area and repaint it inside. */
	function expectEditedLeftHalf(result: Buffer) {
		const out = decodePng(result);
		const src = decodePng(input);
		expect([out.width, out.height]).toEqual([64, 48]);
		let changedInside = 0;
		for (let y = 0; y < 48; y++) {
			for (let x = 0; x < 64; x++) {
				const p = (y * 64 + x) * 4;
				const same = out.rgba.subarray(p, p + 3).equals(src.rgba.subarray(p, p + 3));
				if (!inEditArea(x)) expect(same).toBe(true);
				else if (!same) changedInside++;
			}
		}
		expect(changedInside).toBeGreaterThan(32 * 48 * 0.9);
	}

	it('ToAPIs: a transparent-area mask on an uploaded image', async () => {
		const uploadUrl = `${sim.uploadBaseUrl('toApis')}/v1/uploads/images`;
		const image = (await uploadMultipart(uploadUrl, input)).json.data.url;
		const mask = (await uploadMultipart(uploadUrl, encodePng(64, 48, (x) => [255, 255, 255, inEditArea(x) ? 0 : 255]))).json.data.url;
		const { json } = await call(toapis('/v1/images/generations'), {
			body: { model: 'gpt-4o-image', prompt: 'edit', size: '1:1', image_urls: [image], reference_images: [image], mask_url: mask },
		});
		expect(sim.getTask(json.id)).toMatchObject({ imageUrls: [image], maskUrl: mask, width: 64, height: 48 });
		const done = await pollUntil(toapis(`/v1/images/generations/${json.id}`), (b) => b.status === 'completed');
		expectEditedLeftHalf((await download(done.url)).bytes);
	});

	it('Kie: base64 upload, black = edit', async () => {
		const upload = (png: Buffer, fileName: string) =>
			call(`${sim.uploadBaseUrl('kieAi')}/api/file-base64-upload`, {
				body: { base64Data: `data:image/png;base64,${png.toString('base64')}`, uploadPath: 'images/n8n', fileName },
			});
		const image = await upload(input, 'ref.png');
		expect(image.json).toMatchObject({
			success: true,
			code: 200,
			data: { fileName: 'ref.png', filePath: 'images/n8n/ref.png', fileSize: input.length, mimeType: 'image/png' },
		});
		const maskPng = encodePng(64, 48, (x) => (inEditArea(x) ? [0, 0, 0, 255] : [255, 255, 255, 255]));
		const mask = await upload(maskPng, 'mask.png');
		const { json } = await call(kie('/api/v1/gpt4o-image/generate'), {
			body: { prompt: 'edit', size: '1:1', filesUrl: [image.json.data.downloadUrl], maskUrl: mask.json.data.downloadUrl },
		});
		await sleep(LATENCY + 50);
		const { data } = (await call(kie(`/api/v1/gpt4o-image/record-info?taskId=${json.data.taskId}`))).json;
		expectEditedLeftHalf((await download(data.response.resultUrls[0])).bytes);
	});

	it('EvoLink: stream upload, opaque white = edit; mask size mismatch fails the task', async () => {
		const uploadUrl = `${sim.uploadBaseUrl('evoLink')}/api/v1/files/upload/stream`;
		const image = (await uploadMultipart(uploadUrl, input, { upload_path: 'refs' })).json;
		expect(image).toMatchObject({ success: true, code: 200, data: { mime_type: 'image/png', upload_path: 'refs' } });
		const maskPng = encodePng(64, 48, (x) => (inEditArea(x) ? [255, 255, 255, 255] : [0, 0, 0, 255]));
		const mask = (await uploadMultipart(uploadUrl, maskPng)).json.data.file_url;
		const small = (await uploadMultipart(uploadUrl, encodePng(32, 32, () => [0, 0, 0, 0]))).json.data.file_url;
		const create = (maskUrl: string) =>
			call(evolink('/v1/images/generations'), {
				body: { model: 'gpt-4o-image', prompt: 'edit', image_urls: [image.data.file_url], mask_url: maskUrl },
			});
		const good = (await create(mask)).json.id;
		const bad = (await create(small)).json.id;
		const done = await pollUntil(evolink(`/v1/tasks/${good}`), (b) => b.status === 'completed');
		expectEditedLeftHalf((await download(done.results[0])).bytes);
		const failed = (await call(evolink(`/v1/tasks/${bad}`))).json;
		expect(failed).toMatchObject({ status: 'failed', error: { code: 'image_dimension_mismatch' } });
	});

	it('an earlier result can be the input of the next task; Kie/ToAPIs reject a mismatched mask too', async () => {
		const first = (await call(toapis('/v1/images/generations'), { body: { model: 'gpt-4o-image', prompt: 'base', size: '2:3' } })).json;
		const firstDone = await pollUntil(toapis(`/v1/images/generations/${first.id}`), (b) => b.status === 'completed');
		const second = (await call(toapis('/v1/images/generations'), {
			body: { model: 'gpt-4o-image', prompt: 'variation', image_urls: [firstDone.url] },
		})).json;
		const done = await pollUntil(toapis(`/v1/images/generations/${second.id}`), (b) => b.status === 'completed');
		expect(pngSize((await download(done.url)).bytes)).toEqual({ width: 1024, height: 1536 });

		const image = sim.hostFile(input);
		const small = sim.hostFile(encodePng(8, 8, () => [0, 0, 0, 0]));
		const kieTask = (await call(kie('/api/v1/gpt4o-image/generate'), { body: { prompt: 'x', size: '1:1', filesUrl: [image], maskUrl: small } })).json;
		const toapisTask = (await call(toapis('/v1/images/generations'), {
			body: { model: 'gpt-4o-image', prompt: 'x', image_urls: [image], mask_url: small },
		})).json;
		await sleep(LATENCY + 50);
		expect((await call(kie(`/api/v1/gpt4o-image/record-info?taskId=${kieTask.data.taskId}`))).json.data).toMatchObject({ successFlag: 2, errorCode: 400 });
		expect((await call(toapis(`/v1/images/generations/${toapisTask.id}`))).json).toMatchObject({ status: 'failed', error: { code: 'invalid_request' } });
	});

	it('Kie stream and EvoLink base64 uploads; every upload endpoint wants the key', async () => {
		const kieStream = await uploadMultipart(`${sim.uploadBaseUrl('kieAi')}/api/file-stream-upload`, input, {
			uploadPath: 'images/n8n',
			fileName: 'stream.png',
		});
		expect(kieStream.json).toMatchObject({ success: true, data: { filePath: 'images/n8n/stream.png', mimeType: 'image/png' } });
		expect(sim.requestsOf('upload', 'kieAi')[0].body).toMatchObject({ uploadPath: 'images/n8n', file: { bytes: input.length } });
		const evoBase64 = await call(`${sim.uploadBaseUrl('evoLink')}/api/v1/files/upload/base64`, {
			body: { base64_data: input.toString('base64'), file_name: 'ref.png' },
		});
		expect(evoBase64.json).toMatchObject({ success: true, code: 200, data: { file_name: 'ref.png', file_size: input.length } });
		expect((await download(evoBase64.json.data.file_url)).bytes.equals(input)).toBe(true);

		const noKey = { authorization: 'Bearer wrong' };
		const kieDenied = await call(`${sim.uploadBaseUrl('kieAi')}/api/file-base64-upload`, { body: {}, headers: noKey });
		expect(kieDenied).toMatchObject({ status: 200, json: { success: false, code: 401 } });
		const evoDenied = await call(`${sim.uploadBaseUrl('evoLink')}/api/v1/files/upload/base64`, { body: {}, headers: noKey });
		expect(evoDenied).toMatchObject({ status: 401, json: { success: false, code: 401 } });
		const toapisDenied = await call(`${sim.uploadBaseUrl('toApis')}/v1/uploads/images`, { body: {}, headers: noKey });
		expect(toapisDenied).toMatchObject({ status: 401, json: { error: { type: 'authentication_error' } } });
	});

	it("fails foreign inputs only with fetchInputs 'own-only'", async () => {
		const body = { prompt: 'x', size: '1:1', filesUrl: ['https://example.com/a.png'] };
		const lenient = (await call(kie('/api/v1/gpt4o-image/generate'), { body })).json.data.taskId;
		sim.configure({ fetchInputs: 'own-only' });
		const strictFetch = (await call(kie('/api/v1/gpt4o-image/generate'), { body })).json.data.taskId;
		sim.configure({ fetchInputs: 'any' });
		await sleep(LATENCY + 50);
		expect((await call(kie(`/api/v1/gpt4o-image/record-info?taskId=${lenient}`))).json.data.successFlag).toBe(1);
		expect((await call(kie(`/api/v1/gpt4o-image/record-info?taskId=${strictFetch}`))).json.data).toMatchObject({ successFlag: 2, errorCode: 451 });
	});
});

describe('faults', () => {
	const createKie = () => call(kie('/api/v1/gpt4o-image/generate'), { body: { prompt: 'fault', size: '1:1' } });

	it('status: an HTML 504 page by default, or the given body and Retry-After', async () => {
		sim.inject({ gateway: 'kieAi', kind: 'create', response: { type: 'status', status: 504 } });
		sim.inject({ gateway: 'toApis', kind: 'create', response: { type: 'status', status: 429, headers: { 'Retry-After': '2' } } });
		const html = await createKie();
		expect(html.status).toBe(504);
		expect(html.text).toMatch(/<title>504 Gateway Time-out<\/title>/);
		const limited = await call(toapis('/v1/images/generations'), { body: { model: 'gpt-4o-image', prompt: 'x' } });
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('2');
		expect(limited.json.error.code).toBe('rate_limit_exceeded');
		expect(sim.stats()).toMatchObject({ rateLimited: 1, creates: 0 });
		expect(sim.creates().map((r) => [r.status, r.fault])).toEqual([[504, 'status'], [429, 'status']]);
	});

	it('envelope: an HTTP-200 envelope where the gateway has one, else its HTTP error', async () => {
		sim.inject({ gateway: 'toApis', kind: 'credit', response: { type: 'envelope', code: 402, msg: 'no credits' } });
		sim.inject({ gateway: 'kieAi', kind: 'credit', response: { type: 'envelope', code: 402, msg: 'no credits' } });
		const toapisAnswer = await call(toapis('/v1/models'));
		expect(toapisAnswer).toMatchObject({ status: 402, json: { error: { code: 'insufficient_quota' } } });
		expect((await call(kie('/api/v1/chat/credit'))).json).toEqual({ code: 402, msg: 'no credits', data: null });
	});

	it('envelope, malformed, afterMatches and times', async () => {
		sim.inject({ gateway: 'kieAi', kind: 'poll', afterMatches: 1, times: 2, response: { type: 'envelope', code: 455, msg: 'maintenance' } });
		sim.inject({ kind: 'credit', response: { type: 'malformed' } });
		const taskId = (await createKie()).json.data.taskId;
		const url = kie(`/api/v1/gpt4o-image/record-info?taskId=${taskId}`);
		const codes = [];
		for (let i = 0; i < 4; i++) {
			codes.push((await call(url)).json.code);
			await sleep(350);
		}
		expect(codes).toEqual([200, 455, 455, 200]);
		const broken = await call(kie('/api/v1/chat/credit'));
		expect(broken.status).toBe(200);
		expect(() => JSON.parse(broken.text)).toThrow();
	});

	it('reset and stall destroy the socket; delay answers late', async () => {
		sim.inject({ gateway: 'evoLink', kind: 'credit', response: { type: 'reset' } });
		await expect(call(evolink('/v1/credits'))).rejects.toThrow();
		sim.inject({ gateway: 'evoLink', kind: 'credit', response: { type: 'stall', ms: 300 } });
		let started = Date.now();
		await expect(call(evolink('/v1/credits'))).rejects.toThrow();
		expect(Date.now() - started).toBeGreaterThanOrEqual(280);
		sim.inject({ gateway: 'evoLink', kind: 'credit', response: { type: 'delay', ms: 300 } });
		started = Date.now();
		expect((await call(evolink('/v1/credits'))).status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(280);
		expect(sim.requestsOf('credit').map((r) => [r.fault, r.status])).toEqual([['reset', undefined], ['stall', undefined], ['delay', 200]]);
	});

	it('acceptThenReset: the task exists though the client never heard', async () => {
		sim.inject({ gateway: 'kieAi', kind: 'create', response: { type: 'acceptThenReset' } });
		await expect(createKie()).rejects.toThrow();
		const [logged] = sim.creates('kieAi');
		expect(logged.status).toBeUndefined();
		expect(sim.getTask(logged.taskId!)).toMatchObject({ gateway: 'kieAi', prompt: 'fault' });
		expect(sim.stats().creates).toBe(1);
	});

	it('when: a fault picks one task (its create by the prompt, its polls by the task id)', async () => {
		const prompt = (r: { body?: unknown }) => String((r.body as { prompt?: string } | undefined)?.prompt);
		sim.inject({ kind: 'create', when: (r) => prompt(r) === 'picked', response: { type: 'status', status: 503 } });
		const other = await call(evolink('/v1/images/generations'), { body: { model: 'gpt-4o-image', prompt: 'other' } });
		expect(other.status).toBe(200);
		expect(sim.pendingFaults()).toBe(1);
		expect((await call(evolink('/v1/images/generations'), { body: { model: 'gpt-4o-image', prompt: 'picked' } })).status).toBe(503);
		expect(sim.pendingFaults()).toBe(0);

		const picked = (await call(evolink('/v1/images/generations'), { body: { model: 'gpt-4o-image', prompt: 'picked' } })).json.id;
		sim.inject({ kind: 'poll', when: (r) => r.taskId === picked, response: { type: 'status', status: 502 } });
		expect((await call(evolink(`/v1/tasks/${other.json.id}`))).status).toBe(200);
		expect((await call(evolink(`/v1/tasks/${picked}`))).status).toBe(502);
		// Kie's poll carries the id in the query.
		const kieId = (await createKie()).json.data.taskId;
		sim.inject({ kind: 'poll', when: (r) => r.taskId === kieId, response: { type: 'envelope', code: 455, msg: 'maintenance' } });
		expect((await call(kie(`/api/v1/gpt4o-image/record-info?taskId=${kieId}`))).json.code).toBe(455);
	});

	it('redirect: to a fixed location or one computed from the request', async () => {
		sim.inject({ kind: 'credit', gateway: 'kieAi', response: { type: 'redirect', location: 'https://elsewhere.example/credit' } });
		const fixed = await fetch(kie('/api/v1/chat/credit'), { headers: auth, redirect: 'manual' });
		expect(fixed.status).toBe(302);
		expect(fixed.headers.get('location')).toBe('https://elsewhere.example/credit');
		sim.inject({ kind: 'credit', gateway: 'kieAi', response: { type: 'redirect', status: 307, location: (r) => `${sim.cdnUrl}${r.path}` } });
		const computed = await fetch(kie('/api/v1/chat/credit'), { headers: auth, redirect: 'manual' });
		expect(computed.status).toBe(307);
		expect(computed.headers.get('location')).toBe(`${sim.cdnUrl}/kieAi/api/v1/chat/credit`);
		expect(sim.requestsOf('credit').map((r) => [r.fault, r.status])).toEqual([['redirect', 302], ['redirect', 307]]);
	});

	it('faults downloads; cdnExpired answers 403', async () => {
		const { json } = await call(evolink('/v1/images/generations'), { body: { model: 'gpt-4o-image', prompt: 'cdn' } });
		await sleep(LATENCY + 50);
		const url = (await call(evolink(`/v1/tasks/${json.id}`))).json.results[0];
		sim.inject({ gateway: 'evoLink', kind: 'download', response: { type: 'status', status: 502 } });
		expect((await download(url)).status).toBe(502);
		sim.configure({ cdnExpired: true });
		const expired = await download(url);
		sim.configure({ cdnExpired: false });
		expect(expired.status).toBe(403);
		expect(expired.bytes.toString()).toMatch(/Request has expired/);
		expect((await download(url)).status).toBe(200);
	});
});

describe('noise payload', () => {
	it("imagePayload 'noise' serves ≈4 MiB PNGs of random pixels that deflate cannot shrink, rendered once", async () => {
		const own = await GatewaySimulator.start({ latencyMs: 0, imagePayload: 'noise' });
		try {
			const create = async () => {
				const res = await fetch(`${own.baseUrl('toApis')}/v1/images/generations`, {
					method: 'POST',
					headers: { ...auth, 'content-type': 'application/json' },
					body: JSON.stringify({ model: 'gpt-4o-image', prompt: 'noise', size: '1:1', n: 2 }),
				});
				const { id } = (await res.json()) as Json;
				const done = (await (await fetch(`${own.baseUrl('toApis')}/v1/images/generations/${id}`, { headers: auth })).json()) as Json;
				return done.result.data.map((d: Json) => d.url as string) as string[];
			};
			const [firstUrls, secondUrls] = [await create(), await create()];
			const [a0, a1, b0] = await Promise.all([firstUrls[0], firstUrls[1], secondUrls[0]].map((url) => download(url)));
			for (const file of [a0, a1]) {
				expect(file.status).toBe(200);
				expect(file.type).toBe('image/png');
				expect(pngSize(file.bytes)).toEqual({ width: 1024, height: 1024 });
				expect(file.bytes.length).toBeGreaterThan(4 * 1024 * 1024);
				expect(file.bytes.length).toBeLessThan(4.1 * 1024 * 1024);
				expect(Number(file.length)).toBe(file.bytes.length);
				expect(deflateSync(file.bytes).length).toBeGreaterThan(0.99 * file.bytes.length);
			}
			expect(decodePng(a0.bytes).rgba.length).toBe(1024 * 1024 * 4);
			// Two indexes differ; the same index is one cached buffer for every task of that size.
			expect(a0.bytes.equals(a1.bytes)).toBe(false);
			expect(b0.bytes.equals(a0.bytes)).toBe(true);
		} finally {
			await own.stop();
		}
	});

	it("imagePayload 'sharedPattern' serves every task of a size the same gradient per index", async () => {
		const own = await GatewaySimulator.start({ latencyMs: 0, imagePayload: 'sharedPattern' });
		try {
			const urls: string[][] = [];
			for (const prompt of ['one', 'two']) {
				const res = await fetch(`${own.baseUrl('evoLink')}/v1/images/generations`, {
					method: 'POST',
					headers: { ...auth, 'content-type': 'application/json' },
					body: JSON.stringify({ model: 'gpt-4o-image', prompt, size: '1:1', n: 2 }),
				});
				const { id } = (await res.json()) as Json;
				urls.push(((await (await fetch(`${own.baseUrl('evoLink')}/v1/tasks/${id}`, { headers: auth })).json()) as Json).results);
			}
			const [a0, a1, b0] = await Promise.all([urls[0][0], urls[0][1], urls[1][0]].map((url) => download(url)));
			expect(pngSize(a0.bytes)).toEqual({ width: 1024, height: 1024 });
			expect(b0.bytes.equals(a0.bytes)).toBe(true);
			expect(a1.bytes.equals(a0.bytes)).toBe(false);
		} finally {
			await own.stop();
		}
	});

	it('the default payload stays a gradient that compresses well', async () => {
		const { json } = await call(toapis('/v1/images/generations'), { body: { model: 'gpt-4o-image', prompt: 'small', size: '1:1' } });
		await sleep(LATENCY + 50);
		const done = (await call(toapis(`/v1/images/generations/${json.id}`))).json;
		expect(sim.options.imagePayload).toBe('pattern');
		expect((await download(done.url)).bytes.length).toBeLessThan(1024 * 1024);
	});

	it('logs which answers were rate limited', async () => {
		const own = await GatewaySimulator.start({ latencyMs: 5000 });
		try {
			const res = await fetch(`${own.baseUrl('kieAi')}/api/v1/gpt4o-image/generate`, {
				method: 'POST',
				headers: { ...auth, 'content-type': 'application/json' },
				body: JSON.stringify({ prompt: 'limited', size: '1:1' }),
			});
			const { data } = (await res.json()) as Json;
			const url = `${own.baseUrl('kieAi')}/api/v1/gpt4o-image/record-info?taskId=${data.taskId}`;
			for (let i = 0; i < 4; i++) await (await fetch(url, { headers: auth })).text();
			expect(own.requestsOf('poll').map((r) => [r.status, r.rateLimited])).toEqual([
				[200, undefined],
				[200, undefined],
				[200, undefined],
				[200, true],
			]);
			expect(own.stats().rateLimited).toBe(1);
		} finally {
			await own.stop();
		}
	});
});

describe('lifecycle', () => {
	it('logs every request on both servers', async () => {
		await call(`${sim.url}/nowhere`);
		await download(`${sim.cdnUrl}/files/nothing_0.png`);
		expect(sim.requests.map((r) => [r.server, r.kind, r.status])).toEqual([
			['api', 'other', 404],
			['cdn', 'download', 404],
		]);
		for (const { id } of Object.values(GATEWAYS)) expect(sim.baseUrl(id)).toBe(`${sim.url}/${id}`);
		expect(new URL(sim.cdnUrl).host).not.toBe(new URL(sim.url).host);
	});

	it('mounts one module per gateway of the node registry, each with its own options and upload host', async () => {
		const ids = Object.values(GATEWAYS).map((g) => g.id);
		expect(Object.keys(sim.options.gateways)).toEqual(ids);
		expect(sim.options.gateways.kieAi.rateLimits).toEqual({ createsPer10s: 20, pollsPerSecondPerTask: 3 });
		expect(sim.uploadBaseUrl('toApis')).toBe(sim.baseUrl('toApis'));
		expect(sim.uploadBaseUrl('kieAi')).toBe(`${sim.url}/kieAi-files`);
		expect(sim.uploadBaseUrl('evoLink')).toBe(`${sim.url}/evoLink-files`);

		// A setting the simulator does not know would test nothing: it throws.
		const configure = (patch: unknown) => () => sim.configure(patch as never);
		expect(configure({ kie: { nullRecordPolls: 1 } })).toThrow(/Unknown simulator option 'kie'/);
		expect(configure({ gateways: { nobody: {} } })).toThrow(/Unknown gateway 'nobody'/);
		expect(configure({ gateways: { kieAi: { resultForm: 'results' } } })).toThrow(/Unknown option 'resultForm' of the kieAi/);
		expect(configure({ gateways: { kieAi: { rateLimits: { createsPerSecond: 1 } } } })).toThrow(/Unknown rate limit/);

		// One gateway's patch leaves the others, and its own other fields, as they were.
		sim.configure({ gateways: { kieAi: { nullRecordPolls: 1, rateLimits: { createsPer10s: 5 } } } });
		try {
			expect(sim.options.gateways.kieAi).toMatchObject({ nullRecordPolls: 1, resultKey: 'resultUrls', rateLimits: { createsPer10s: 5, pollsPerSecondPerTask: 3 } });
			expect(sim.options.gateways.evoLink.resultForm).toBe('results');
		} finally {
			sim.configure({ gateways: { kieAi: { nullRecordPolls: 0, rateLimits: { createsPer10s: 20 } } } });
		}
	});

	it('the core names no gateway: everything of one lives in its module under gateways/', () => {
		const names = Object.values(GATEWAYS).flatMap((g) => [g.id, g.displayName.split(/[^A-Za-z]/)[0]]);
		const pattern = new RegExp(names.join('|'), 'i');
		const core = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'wire.ts');
		expect(core).toContain('index.ts');
		const named = core.filter((file) => pattern.test(readFileSync(join(__dirname, file), 'utf8')));
		expect(named).toEqual([]);
	});

	it('stop() closes keep-alive sockets and pending stalls at once', async () => {
		const own = await GatewaySimulator.start();
		await fetch(`${own.baseUrl('kieAi')}/api/v1/chat/credit`, { headers: { authorization: `Bearer ${KEY}` } }).then((r) => r.text());
		own.inject({ kind: 'credit', response: { type: 'stall', ms: 60_000 } });
		const stalled = fetch(`${own.baseUrl('kieAi')}/api/v1/chat/credit`).catch((e: Error) => e);
		await sleep(100);
		const started = Date.now();
		await own.stop();
		expect(Date.now() - started).toBeLessThan(1000);
		expect(String(await stalled)).toMatch(/fetch failed/);
		await expect(fetch(own.url)).rejects.toThrow();
	});
});
