/**
 * The newer models on the wire, with plain fetch (/work/shared/providers-gpt-image-2.md): each model's
 * create body, its refusals, status reading, results at the documented pixel sizes, and the balances.
 */
import { GatewaySimulator } from './index';
import { decodePng, encodePng } from './png';
import { BUDGET_PIXELS } from './pixels';
import { pixelRuleBroken } from './gateways/evoLink/sizes';
import { call, download, imageHeader, pollUntil, sleep, uploadMultipart, type Json } from './wire';

const LATENCY = 200;

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

/** Every pixel size a task will render, without rendering it. */
const pixelsOf = (taskId: string) => {
	const task = sim.getTask(taskId)!;
	return `${task.width}x${task.height}`;
};

/** A result file: its MIME type from the CDN and what its header says. */
async function firstResult(url: string) {
	const file = await download(url);
	expect(file.status).toBe(200);
	const { type: format, width, height } = imageHeader(file.bytes);
	return { type: file.type, format, width, height };
}

/** A 64x48 picture and masks for it: transparent (or black) on the left half. */
const input = encodePng(64, 48, (x, y) => [x * 4, y * 5, 90, 255]);
const alphaMask = encodePng(64, 48, (x) => [255, 255, 255, x < 32 ? 0 : 255]);
const opaqueMask = encodePng(64, 48, (x) => (x < 32 ? [0, 0, 0, 255] : [255, 255, 255, 255]), { color: 'rgb' });

describe('ToAPIs', () => {
	const create = (body: Json) => call(toapis('/v1/images/generations'), { body });
	const poll = (id: string) => pollUntil(toapis(`/v1/images/generations/${id}`), (b) => b.status === 'completed' || b.status === 'failed');

	it('gpt-image-2 renders 2K 16:9 at 2048x1152; its page allows 3 ratios at 1K unless told otherwise', async () => {
		const wide = await create({ model: 'gpt-image-2', prompt: 'wide', size: '16:9', resolution: '2K', response_format: 'url' });
		expect(wide.status).toBe(200);
		const done = await poll(wide.json.id);
		expect(await firstResult(done.url)).toMatchObject({ type: 'image/png', width: 2048, height: 1152 });

		const refused = await create({ model: 'gpt-image-2', prompt: 'x', size: '4:3', resolution: '1k' });
		expect(refused.json.error).toMatchObject({ code: 'invalid_request', param: 'size', type: 'invalid_request_error' });
		sim.configure({ gateways: { toApis: { gptImage2Sizes: 'allTiers' } } });
		try {
			const taken = await create({ model: 'gpt-image-2', prompt: 'x', size: '4:3', resolution: '1k' });
			expect(pixelsOf(taken.json.id)).toBe('1024x768');
		} finally {
			sim.configure({ gateways: { toApis: { gptImage2Sizes: 'docs' } } });
		}
		const sixteen = Array.from({ length: 16 }, (_, i) => `https://example.com/${i}.png`);
		expect((await create({ model: 'gpt-image-2', prompt: 'x', reference_images: sixteen })).status).toBe(200);
		const seventeen = [...sixteen, 'https://example.com/16.png'];
		expect((await create({ model: 'gpt-image-2', prompt: 'x', image_urls: seventeen })).json.error.code).toBe('invalid_reference_images');
		expect((await create({ model: 'gpt-image-2', prompt: 'x', quality: 'high' })).json.error.param).toBe('quality');
		expect((await create({ model: 'gpt-image-2', prompt: 'x', mask_url: 'https://example.com/m.png' })).json.error.param).toBe('mask_url');
	});

	it('checks the reference images it hosts against the model’s limits; foreign ones are taken on trust', async () => {
		const gif = sim.hostFile(Buffer.from('GIF89a'), 'a.gif', 'image/gif');
		const big = sim.hostFile(Buffer.concat([input, Buffer.alloc(10 * 1024 * 1024)]));
		for (const url of [gif, big]) {
			const refused = await create({ model: 'gpt-4o-image', prompt: 'x', image_urls: [url] });
			expect(refused.json.error).toMatchObject({ code: 'invalid_reference_images', param: 'image_urls' });
		}
		const webp = sim.hostFile(Buffer.from('RIFF\0\0\0\0WEBPVP8 '), 'a.webp', 'image/webp');
		expect((await create({ model: 'gpt-4o-image', prompt: 'x', image_urls: [webp] })).status).toBe(200);
		expect((await create({ model: 'gpt-image-1.5-official', prompt: 'x', image_urls: [webp] })).json.error.code).toBe('invalid_reference_images');
		expect((await create({ model: 'gpt-image-1.5-official', prompt: 'x', image_urls: [big] })).status).toBe(200);
	});

	it('gpt-image-2-vip: quality, 13 ratios at every tier, no auto', async () => {
		const square4k = await create({ model: 'gpt-image-2-vip', prompt: 'x', size: '1:1', resolution: '4k', quality: 'high' });
		expect(pixelsOf(square4k.json.id)).toBe('2880x2880');
		expect(pixelsOf((await create({ model: 'gpt-image-2-vip', prompt: 'x', size: '3:2', resolution: '4K' })).json.id)).toBe('3520x2336');
		const small = await create({ model: 'gpt-image-2-vip', prompt: 'x', size: '3:4', resolution: '1K', quality: 'low' });
		expect(await firstResult((await poll(small.json.id)).url)).toMatchObject({ width: 768, height: 1024 });
		expect((await create({ model: 'gpt-image-2-vip', prompt: 'x', size: 'auto' })).json.error.param).toBe('size');
		expect((await create({ model: 'gpt-image-2-vip', prompt: 'x', quality: 'ultra' })).json.error.param).toBe('quality');
		expect((await create({ model: 'gpt-image-2-vip', prompt: 'x', n: 2 })).json.error.param).toBe('n');
	});

	it('the official channel: n up to 10 (or 4), 4K only for six ratios, auto = 1024x1024', async () => {
		const three = await create({ model: 'gpt-image-1.5-official', prompt: 'x', size: 'auto', n: 3, quality: 'medium' });
		expect(three.json).toMatchObject({ object: 'generation.task', model: 'gpt-image-1.5-official', status: 'queued', id: expect.stringMatching(/^tsk_img_/) });
		const done = await poll(three.json.id);
		expect(done.result.data).toHaveLength(3);
		expect(await firstResult(done.url)).toMatchObject({ type: 'image/png', width: 1024, height: 1024 });
		expect(pixelsOf((await create({ model: 'gpt-image-1.5-official', prompt: 'x', size: '21:9', resolution: '4k' })).json.id)).toBe('3840x1648');
		expect(pixelsOf((await create({ model: 'gpt-image-1.5-official', prompt: 'x', size: '4:3', resolution: '1k' })).json.id)).toBe('1024x768');

		const refusals: Array<[Json, string]> = [
			[{ size: '1:1', resolution: '4k' }, 'size'],
			[{ n: 11 }, 'n'],
			[{ n: 0 }, 'n'],
			[{ output_format: 'webp' }, 'output_format'],
			[{ output_compression: 50 }, 'output_compression'],
			[{ output_format: 'jpeg', output_compression: 101 }, 'output_compression'],
			[{ quality: 'hd' }, 'quality'],
			[{ reference_images: ['https://example.com/a.png'] }, 'reference_images'],
			[{ response_format: 'b64_json' }, 'response_format'],
			[{ image_urls: Array.from({ length: 17 }, (_, i) => `https://example.com/${i}.png`) }, 'image_urls'],
			[{ mask_url: 'https://example.com/m.png' }, 'mask_url'],
		];
		for (const [fields, param] of refusals) {
			const refused = await create({ model: 'gpt-image-1.5-official', prompt: 'x', ...fields });
			expect([refused.status, refused.json.error?.param]).toEqual([400, param]);
		}
		expect((await create({ model: 'gpt-image-1.5-official', prompt: 'x', n: 10, background: 'transparent' })).status).toBe(200);
		sim.configure({ gateways: { toApis: { officialMaxN: 4 } } });
		try {
			expect((await create({ model: 'gpt-image-1.5-official', prompt: 'x', n: 5 })).json.error.param).toBe('n');
		} finally {
			sim.configure({ gateways: { toApis: { officialMaxN: 10 } } });
		}
	});

	it('the official channel serves a real JPEG for output_format jpeg', async () => {
		const { json } = await create({
			model: 'gpt-image-1.5-official',
			prompt: 'jpeg',
			size: '3:2',
			resolution: '1k',
			output_format: 'jpeg',
			output_compression: 80,
		});
		const done = await poll(json.id);
		expect(done.url).toMatch(/\.jpg$/);
		expect(await firstResult(done.url)).toEqual({ type: 'image/jpeg', format: 'jpeg', width: 1536, height: 1024 });
	});

	it('the official channel edits with a mask: alpha 0 = edit, the first image’s size, refused otherwise', async () => {
		const uploadUrl = `${sim.uploadBaseUrl('toApis')}/v1/uploads/images`;
		const [image, second, mask, noAlpha, small] = await Promise.all(
			[input, input, alphaMask, opaqueMask, encodePng(32, 32, () => [0, 0, 0, 0])].map(
				async (png) => (await uploadMultipart(uploadUrl, png)).json.data.url as string,
			),
		);
		const edit = (fields: Json) => create({ model: 'gpt-image-1.5-official', prompt: 'edit', image_urls: [image, second], ...fields });
		expect((await edit({ mask_url: noAlpha })).json.error).toMatchObject({ param: 'mask_url', message: expect.stringMatching(/alpha/) });
		expect((await edit({ mask_url: small })).json.error).toMatchObject({ param: 'mask_url', message: expect.stringMatching(/32x32.+64x48/) });

		const auto = await edit({ mask_url: mask, size: 'auto' });
		const sized = await edit({ mask_url: mask, size: '1:1' });
		const autoDone = await poll(auto.json.id);
		expect(await firstResult(autoDone.url)).toMatchObject({ width: 64, height: 48 });
		const edited = (await download(autoDone.url)).bytes;
		const [out, src] = [decodePng(edited), decodePng(input)];
		let keptRight = true;
		let changedLeft = 0;
		for (let p = 0; p < 64 * 48; p++) {
			const same = out.rgba.subarray(p * 4, p * 4 + 3).equals(src.rgba.subarray(p * 4, p * 4 + 3));
			if (p % 64 >= 32) keptRight &&= same;
			else if (!same) changedLeft++;
		}
		expect(keptRight).toBe(true);
		expect(changedLeft).toBeGreaterThan(32 * 48 * 0.9);
		// An explicit size: the edit comes out at that size.
		expect(await firstResult((await poll(sized.json.id)).url)).toMatchObject({ width: 1024, height: 1024 });
	});

	it('GET /v1/balance and /v1/user/balance: spent dollars and credits, failed tasks refunded, 401 in its own form', async () => {
		const own = await GatewaySimulator.start({ latencyMs: 50, gateways: { toApis: { balanceUsd: 5 } } });
		try {
			const balance = async (path = '/v1/balance') => (await call(`${own.baseUrl('toApis')}${path}`)).json;
			expect(await balance()).toEqual({
				success: true,
				remain_balance: 5,
				used_balance: 0,
				remain_credits: 1000,
				used_credits: 0,
				credit_rate: 200,
				unlimited_quota: false,
			});
			const generate = (body: Json) => call(`${own.baseUrl('toApis')}/v1/images/generations`, { body });
			await generate({ model: 'gpt-image-2', prompt: 'x', size: '16:9', resolution: '2K' });
			await generate({ model: 'gpt-image-1.5-official', prompt: 'x', quality: 'high', n: 2 });
			await generate({ model: 'gpt-image-2', prompt: '[[fail]]' });
			// 0.02 + 2 × 0.015 × 4 now; the failed one is refunded once it has failed.
			await sleep(100);
			expect(await balance()).toMatchObject({ remain_balance: 4.86, used_balance: 0.14, remain_credits: 972, used_credits: 28 });
			expect(await balance('/v1/user/balance')).toMatchObject({ used_balance: 0.14 });
			expect(own.requestsOf('credit', 'toApis')).toHaveLength(3);

			const wrongKey = await call(`${own.baseUrl('toApis')}/v1/balance`, { headers: { authorization: 'Bearer nope' } });
			expect(wrongKey).toMatchObject({ status: 401, json: { success: false, message: 'Failed to get token info' } });
			const noKey = await fetch(`${own.baseUrl('toApis')}/v1/user/balance`);
			expect([noKey.status, await noKey.json()]).toEqual([401, { success: false, message: 'No Authorization header' }]);

			own.configure({ gateways: { toApis: { unlimitedQuota: true } } });
			expect(await balance()).toMatchObject({ remain_balance: -1, remain_credits: -1, unlimited_quota: true });
		} finally {
			await own.stop();
		}
	});
});

describe('Kie.ai Market jobs API', () => {
	// Refused creates count against the 20-per-10 s budget too; this block makes more than 20.
	beforeAll(() => sim.configure({ gateways: { kieAi: { rateLimits: { createsPer10s: Infinity } } } }));
	afterAll(() => sim.configure({ gateways: { kieAi: { rateLimits: { createsPer10s: 20 } } } }));
	const createTask = (body: Json) => call(kie('/api/v1/jobs/createTask'), { body });
	const recordUrl = (taskId: string) => kie(`/api/v1/jobs/recordInfo?taskId=${taskId}`);
	const finished = (b: Json) => b.data?.state === 'success' || b.data?.state === 'fail';

	it('GPT Image 2 text-to-image: a hidden record first, then state, param and resultJson as JSON strings', async () => {
		sim.configure({ gateways: { kieAi: { nullRecordPolls: 1 } } });
		try {
			const body = {
				model: 'gpt-image-2-text-to-image',
				callBackUrl: 'https://example.com/cb',
				input: { prompt: 'a poster [[latency:1200]]', aspect_ratio: '16:9', resolution: '2K' },
			};
			const created = await createTask(body);
			expect(created).toMatchObject({ status: 200, json: { code: 200, msg: 'success' } });
			const taskId = created.json.data.taskId as string;
			expect((await call(recordUrl(taskId))).json).toEqual({ code: 422, msg: 'recordInfo is null', data: null });
			const waiting = (await call(recordUrl(taskId))).json.data;
			expect(waiting).toMatchObject({ taskId, model: 'gpt-image-2-text-to-image', resultJson: '', failCode: '', failMsg: '' });
			expect(['waiting', 'queuing']).toContain(waiting.state);
			expect(waiting).not.toHaveProperty('progress');
			expect(JSON.parse(waiting.param)).toEqual(body);
			await sleep(400);
			expect((await call(recordUrl(taskId))).json.data.state).toBe('generating');

			const done = (await pollUntil(recordUrl(taskId), finished)).data;
			expect(done).toMatchObject({ state: 'success', failCode: '', failMsg: '' });
			expect(done.completeTime - done.createTime).toBe(done.costTime);
			expect(typeof done.updateTime).toBe('number');
			const { resultUrls } = JSON.parse(done.resultJson) as { resultUrls: string[] };
			expect(resultUrls).toHaveLength(1);
			expect(await firstResult(resultUrls[0])).toMatchObject({ type: 'image/png', width: 2720, height: 1536 });

			const signed = await call(kie('/api/v1/common/download-url'), { body: { url: resultUrls[0] } });
			expect(signed.json).toMatchObject({ code: 200, msg: 'success', data: expect.stringContaining('X-Amz-Expires=1200') });
			expect((await download(signed.json.data)).status).toBe(200);
			const foreign = await call(kie('/api/v1/common/download-url'), { body: { url: 'https://example.com/a.png' } });
			expect(foreign.json).toMatchObject({ code: 422, data: null });
			expect(sim.requestsOf('downloadUrl', 'kieAi')).toHaveLength(2);
		} finally {
			sim.configure({ gateways: { kieAi: { nullRecordPolls: 0 } } });
		}
	});

	it('serves the other documented forms: `message`, null blanks, a progress field', async () => {
		sim.configure({ gateways: { kieAi: { messageKey: 'message', blankFields: 'null', marketProgress: true } } });
		try {
			const created = await createTask({ model: 'gpt-image/1.5-text-to-image', input: { prompt: 'x', aspect_ratio: '2:3', quality: 'high' } });
			expect(created.json).toMatchObject({ code: 200, message: 'success' });
			expect(created.json).not.toHaveProperty('msg');
			const running = (await call(recordUrl(created.json.data.taskId))).json;
			expect(running).toMatchObject({ code: 200, message: 'success', data: { resultJson: null, failCode: null, failMsg: null, costTime: null } });
			expect(running.data.progress).toMatch(/^0\.\d\d$/);
			const done = (await pollUntil(recordUrl(created.json.data.taskId), finished)).data;
			expect(done.progress).toBe('1.00');
			expect(await firstResult(JSON.parse(done.resultJson).resultUrls[0])).toMatchObject({ width: 1024, height: 1536 });
			const refused = await createTask({ model: 'gpt-image/1.5-text-to-image', input: { prompt: 'x' } });
			expect(refused.json).toMatchObject({ code: 422, message: 'aspect_ratio is required' });
		} finally {
			sim.configure({ gateways: { kieAi: { messageKey: 'msg', blankFields: 'emptyString', marketProgress: false } } });
		}
	});

	it('refuses each page’s forbidden size × resolution pairs, and every other rule, with code 422', async () => {
		const t2i = (input: Json) => createTask({ model: 'gpt-image-2-text-to-image', input: { prompt: 'x', ...input } });
		const i2i = (input: Json) =>
			createTask({ model: 'gpt-image-2-image-to-image', input: { prompt: 'x', input_urls: ['https://example.com/a.png'], ...input } });
		const codes = async (creates: Array<Promise<{ json: Json }>>) => (await Promise.all(creates)).map((c) => c.json.code);
		const tasksBefore = sim.tasks('kieAi').length;

		// The t2i page: 5:4, 4:5, 3:1, 1:3, 9:21 are 1K only; auto and 1:1 go to 4K.
		expect(await codes([t2i({ aspect_ratio: '5:4', resolution: '2K' }), t2i({ aspect_ratio: '9:21', resolution: '4K' })])).toEqual([422, 422]);
		expect(await codes([t2i({ aspect_ratio: 'auto', resolution: '4K' }), t2i({ aspect_ratio: '1:1', resolution: '4K' })])).toEqual([200, 200]);
		// The i2i page: 5:4 and 4:5 1K only, 1:1 never 4K, auto (or none) 1K only; 3:1 goes to 4K.
		expect(await codes([i2i({ aspect_ratio: '4:5', resolution: '2K' }), i2i({ aspect_ratio: '1:1', resolution: '4K' })])).toEqual([422, 422]);
		expect(await codes([i2i({ resolution: '2K' }), i2i({ aspect_ratio: 'auto', resolution: '2K' })])).toEqual([422, 422]);
		const wide = await i2i({ aspect_ratio: '3:1', resolution: '4K' });
		expect(pixelsOf(wide.json.data.taskId)).toBe('3840x1280');
		const refusal = await i2i({ aspect_ratio: '1:1', resolution: '4K' });
		expect(refusal).toMatchObject({ status: 200, json: { code: 422, data: null, msg: expect.stringMatching(/1:1 cannot be 4K/) } });

		sim.configure({ gateways: { kieAi: { resolutionRules: 'both' } } });
		try {
			expect(await codes([t2i({ aspect_ratio: '1:1', resolution: '4K' }), i2i({ aspect_ratio: '3:1', resolution: '2K' })])).toEqual([422, 422]);
		} finally {
			sim.configure({ gateways: { kieAi: { resolutionRules: 'perPage' } } });
		}

		const seventeen = Array.from({ length: 17 }, (_, i) => `https://example.com/${i}.png`);
		const gif = sim.hostFile(Buffer.from('GIF89a-not-really'), 'a.gif', 'image/gif');
		expect(
			await codes([
				createTask({ model: 'gpt-image-2-image-to-image', input: { prompt: 'x' } }),
				i2i({ input_urls: seventeen }),
				t2i({ resolution: '1k' }),
				t2i({ quality: 'high' }),
				t2i({ prompt: 'x'.repeat(20001) }),
				createTask({ model: 'gpt-image-2-text-to-image', input: { prompt: 'x' }, n: 2 }),
				createTask({ model: 'gpt-image-3', input: { prompt: 'x' } }),
				createTask({ model: 'gpt-image/1.5-text-to-image', input: { prompt: 'x', aspect_ratio: '1:1', quality: 'low' } }),
				createTask({ model: 'gpt-image/1.5-image-to-image', input: { prompt: 'x', aspect_ratio: '3:2', quality: 'medium', input_urls: [gif] } }),
			]),
		).toEqual([422, 422, 422, 422, 422, 422, 422, 422, 422]);
		const made = sim.tasks('kieAi').slice(tasksBefore);
		expect(made.map((t) => `${t.size} ${t.resolution} ${pixelsOf(t.id)}`).sort()).toEqual(['1:1 4K 2880x2880', '3:1 4K 3840x1280', 'auto 4K 2880x2880']);
	});

	it('takes input.image_urls and ignores it: a text-to-image task, made and counted', async () => {
		const { json } = await createTask({
			model: 'gpt-image-2-image-to-image',
			input: { prompt: 'ignored refs', image_urls: ['https://example.com/a.png'], aspect_ratio: 'auto' },
		});
		expect(json.code).toBe(200);
		expect(sim.getTask(json.data.taskId)).toMatchObject({ imageUrls: [], width: 1024, height: 1024 });
		expect(sim.stats().creates).toBe(1);
	});

	it('fails a task with state fail, failCode as a string and failMsg', async () => {
		const { json } = await createTask({ model: 'gpt-image-2-text-to-image', input: { prompt: '[[fail]]' } });
		const failed = (await pollUntil(recordUrl(json.data.taskId), finished)).data;
		expect(failed).toMatchObject({ state: 'fail', failCode: '400', resultJson: '' });
		expect(failed.failMsg).toMatch(/content policies/);
	});

	it('counts the creates of both APIs against one 20-per-10 s budget per key', async () => {
		const own = await GatewaySimulator.start({ latencyMs: LATENCY, gateways: { kieAi: { rateLimits: { createsPer10s: 2 } } } });
		try {
			const post = (path: string, body: Json) => call(`${own.baseUrl('kieAi')}${path}`, { body });
			const market = { model: 'gpt-image-2-text-to-image', input: { prompt: 'x' } };
			const answers = [
				await post('/api/v1/gpt4o-image/generate', { prompt: 'x', size: '1:1' }),
				await post('/api/v1/jobs/createTask', market),
				await post('/api/v1/jobs/createTask', market),
				await post('/api/v1/gpt4o-image/generate', { prompt: 'x', size: '1:1' }),
			];
			expect(answers.map((a) => a.json.code)).toEqual([200, 200, 429, 429]);
			expect(own.stats()).toMatchObject({ creates: 2, rateLimited: 2 });
		} finally {
			await own.stop();
		}
	});
});

describe('EvoLink', () => {
	const create = (body: Json) => call(evolink('/v1/images/generations'), { body });
	const poll = (id: string) => pollUntil(evolink(`/v1/tasks/${id}`), (b) => b.status === 'completed' || b.status === 'failed');

	it('gpt-image-2: ratio × resolution at the documented budgets, WxH exactly, auto at 1024x1024, usage on create', async () => {
		const created = await create({
			model: 'gpt-image-2',
			prompt: 'x',
			size: '16:9',
			resolution: '2K',
			quality: 'high',
			n: 2,
			image_urls: ['https://example.com/a.png'],
			callback_url: 'https://example.com/cb',
		});
		expect(created.json).toMatchObject({
			model: 'gpt-image-2',
			status: 'pending',
			usage: { billing_rule: 'per_token', credits_reserved: 16, user_group: 'default' },
		});
		const done = await poll(created.json.id);
		expect(done.results).toHaveLength(2);
		expect(done).not.toHaveProperty('usage');
		expect(await firstResult(done.results[1])).toMatchObject({ type: 'image/png', width: 2720, height: 1536 });

		const sizes: Array<[Json, string]> = [
			[{ size: '1:1', resolution: '4K' }, '2880x2880'],
			[{ size: '2:1', resolution: '4K' }, '3840x1920'],
			[{ size: '16:9', resolution: '4K' }, '3840x2160'],
			[{ size: '1:1' }, '1024x1024'],
			[{ size: '1536x1024' }, '1536x1024'],
			[{ size: '1024×2048' }, '1024x2048'],
			[{ size: 'auto', resolution: '4K' }, '1024x1024'],
			[{}, '1024x1024'],
		];
		for (const [fields, pixels] of sizes) {
			const { json } = await create({ model: 'gpt-image-2', prompt: 'x', ...fields });
			expect([fields, pixelsOf(json.id)]).toEqual([fields, pixels]);
		}
		const auto = await create({ model: 'gpt-image-2', prompt: 'x', size: 'auto' });
		expect(await firstResult((await poll(auto.json.id)).results[0])).toMatchObject({ width: 1024, height: 1024 });
	});

	it('gpt-image-2 refuses what its page refuses, as 400 invalid_request_error', async () => {
		const tasksBefore = sim.tasks('evoLink').length;
		const refusals: Array<[Json, string]> = [
			[{ size: '1000x1000' }, 'size'],
			[{ size: '4000x1344' }, 'size'],
			[{ size: '640x640' }, 'size'],
			[{ size: '3072x768' }, 'size'],
			[{ size: '5:3' }, 'size'],
			[{ size: '1536x1024', resolution: '2K' }, 'resolution'],
			[{ resolution: '8K' }, 'resolution'],
			[{ quality: 'ultra' }, 'quality'],
			[{ n: 11 }, 'n'],
			[{ n: 1.5 }, 'n'],
			[{ image_urls: Array.from({ length: 17 }, (_, i) => `https://example.com/${i}.png`) }, 'image_urls'],
			[{ image_urls: [sim.hostFile(Buffer.from('GIF89a'), 'a.gif', 'image/gif')] }, 'image_urls'],
			[{ image_urls: [sim.hostFile(Buffer.concat([input, Buffer.alloc(50 * 1024 * 1024)]))] }, 'image_urls'],
			[{ mask_url: 'https://example.com/m.png', image_urls: ['https://example.com/a.png'] }, 'mask_url'],
			[{ callback_url: 'http://example.com/cb' }, 'callback_url'],
			[{ callback_url: `https://example.com/${'x'.repeat(2048)}` }, 'callback_url'],
			[{ prompt: 'x'.repeat(32001) }, 'prompt'],
		];
		for (const [fields, param] of refusals) {
			const refused = await create({ model: 'gpt-image-2', prompt: 'x', ...fields });
			expect([fields, refused.status, refused.json.error]).toEqual([
				fields,
				400,
				expect.objectContaining({ code: 400, type: 'invalid_request_error', param }),
			]);
		}
		// 32 000 code points pass, though they are 64 000 UTF-16 units.
		expect((await create({ model: 'gpt-image-2', prompt: '🖼'.repeat(32000) })).status).toBe(200);
		expect(sim.tasks('evoLink')).toHaveLength(tasksBefore + 1);
	});

	it('gpt-image-2-beta: one image per call, no quality, 2000-character prompts, billed per call by tier', async () => {
		const beta = (fields: Json) => create({ model: 'gpt-image-2-beta', prompt: 'x', ...fields });
		const ratio = await beta({ size: '3:2', resolution: '2K', n: 1 });
		expect(ratio.json.usage).toEqual({ billing_rule: 'per_call', credits_reserved: 3.4, user_group: 'default' });
		expect(pixelsOf(ratio.json.id)).toBe('2496x1664');
		expect((await beta({ size: '2048x2048' })).json.usage.credits_reserved).toBe(3.4);
		expect((await beta({ size: '3840x2160' })).json.usage.credits_reserved).toBe(5.2);
		expect((await beta({})).json.usage.credits_reserved).toBe(2);
		expect((await beta({ n: 2 })).json.error.param).toBe('n');
		expect((await beta({ quality: 'low' })).json.error.param).toBe('quality');
		expect((await beta({ prompt: 'x'.repeat(2001) })).json.error.param).toBe('prompt');
	});

	it('gpt-image-1.5: six sizes, quality with auto, n up to 10', async () => {
		const created = await create({ model: 'gpt-image-1.5', prompt: 'x', size: '1024x1536', n: 10 });
		expect(created.json.usage).toMatchObject({ billing_rule: 'per_token', credits_reserved: 20 });
		const done = await poll(created.json.id);
		expect(done.results).toHaveLength(10);
		expect(await firstResult(done.results[9])).toMatchObject({ width: 1024, height: 1536 });
		expect((await create({ model: 'gpt-image-1.5', prompt: 'x', size: '3:2', quality: 'low' })).json.usage.credits_reserved).toBe(1);
		expect((await create({ model: 'gpt-image-1.5', prompt: 'x', size: '16:9' })).json.error.param).toBe('size');
		expect((await create({ model: 'gpt-image-1.5', prompt: 'x', resolution: '2K' })).json.error.param).toBe('resolution');
		expect((await create({ model: 'gpt-image-1.5', prompt: 'x', n: 11 })).json.error.param).toBe('n');
		expect((await create({ model: 'gpt-image-4', prompt: 'x' })).json.error.param).toBe('model');
	});

	it('GET /v1/credits counts what tasks reserved, refunds failed ones; usage on task answers when told to', async () => {
		const own = await GatewaySimulator.start({ latencyMs: 50, gateways: { evoLink: { credits: 100, usageInTask: true } } });
		try {
			const generate = (body: Json) => call(`${own.baseUrl('evoLink')}/v1/images/generations`, { body });
			const credits = async () => (await call(`${own.baseUrl('evoLink')}/v1/credits`)).json;
			expect((await credits()).data).toEqual({
				token: { remaining_credits: 100, used_credits: 0, unlimited_credits: false },
				user: { remaining_credits: 100, used_credits: 0 },
			});
			const kept = (await generate({ model: 'gpt-image-2', prompt: 'x', size: '1:1', resolution: '4K', quality: 'low' })).json;
			await generate({ model: 'gpt-4o-image', prompt: 'x', n: 2 });
			await generate({ model: 'gpt-image-2', prompt: '[[fail]]', n: 10 });
			await sleep(100);
			// 4 + 5 spent; the failed task's 20 are back.
			expect((await credits()).data.token).toMatchObject({ remaining_credits: 91, used_credits: 9 });
			const task = (await call(`${own.baseUrl('evoLink')}/v1/tasks/${kept.id}`)).json;
			expect(task.usage).toEqual(kept.usage);
		} finally {
			await own.stop();
		}
	});

	it('the budget table keeps the upstream pixel rules; the two documented sizes are in it', () => {
		for (const tier of Object.values(BUDGET_PIXELS)) {
			for (const [width, height] of Object.values(tier)) expect(pixelRuleBroken(width, height)).toBeUndefined();
		}
		expect(BUDGET_PIXELS['4K']['1:1']).toEqual([2880, 2880]);
		expect(BUDGET_PIXELS['4K']['2:1']).toEqual([3840, 1920]);
		expect(pixelRuleBroken(1000, 1000)).toMatch(/multiples of 16/);
	});
});
