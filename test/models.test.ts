import type { IDataObject } from 'n8n-workflow';

import { GATEWAYS } from '../nodes/GptImage/gateways';
import type { ModelSpec, OptionValue } from '../nodes/GptImage/gateways/types';
import { expectNoKey } from './checks';
import { GPT_IMAGE_2_PIXELS as EVOLINK_PIXELS, OPENAI_PIXELS as EVOLINK_OPENAI } from './simulator/gateways/evoLink/sizes';
import { GPT_4O_PIXELS as TOAPIS_4O, GPT_IMAGE_2_PIXELS as TOAPIS_PIXELS } from './simulator/gateways/toApis/sizes';
import { GatewaySimulator } from './simulator';
import type { GatewayName, LoggedRequest } from './simulator';
import { imageHeader } from './simulator/wire';
import { FAST, runNode, runNodeWithFiles } from './support';
import type { GatewayId } from './support';

/**
 * The newer models through n8n's engine against the simulator (issue 10): every size × resolution
 * pair of each tiered model, accepted or refused before any create as the gateways' docs say; each
 * model's wire format, status reading and failures; one task per image where a model makes one; the
 * pixel sizes the node shows against what the simulator renders; Get Balance and cost.
 */

let sim: GatewaySimulator;

beforeAll(async () => {
	sim = await GatewaySimulator.start({ latencyMs: 300 });
});
afterAll(async () => await sim.stop());
beforeEach(() => {
	sim.clearFaults();
	sim.clearLog();
});

const spec = (gateway: GatewayId, model: string): ModelSpec => GATEWAYS[gateway].models.find((m) => m.id === model)!;

function generate(gateway: GatewayId, parameters: IDataObject, options: IDataObject = {}) {
	return { gateway, parameters: { operation: 'generate', prompt: 'a lighthouse at dusk', ...parameters, options: { ...FAST, ...options } } };
}

const REFERENCE = 'https://example.com/reference.png';

// ---- size × resolution: what the docs forbid is refused before any create --------------------------------------

const R13 = ['1:1', '3:2', '2:3', '4:3', '3:4', '5:4', '4:5', '16:9', '9:16', '2:1', '1:2', '21:9', '9:21'];
const WIDE_4K = ['16:9', '9:16', '2:1', '1:2', '21:9', '9:21'];

/** The contract's tables (providers-gpt-image-2.md), written out here as the oracle. */
const TABLES: Array<{
	name: string;
	gateway: GatewayId;
	model: string;
	sizes: string[];
	tiers: string[];
	references?: number;
	refused: (size: string, tier: string) => boolean;
}> = [
	{
		name: 'ToAPIs gpt-image-2: 1K three ratios, 2K all 13, 4K six [T-G2]',
		gateway: 'toApis',
		model: 'gpt-image-2',
		sizes: R13,
		tiers: ['1K', '2K', '4K'],
		refused: (size, tier) => (tier === '1K' ? !['1:1', '3:2', '2:3'].includes(size) : tier === '4K' && !WIDE_4K.includes(size)),
	},
	{
		name: 'ToAPIs gpt-image-2-vip: 13 ratios at every tier [T-VIP]',
		gateway: 'toApis',
		model: 'gpt-image-2-vip',
		sizes: R13,
		tiers: ['1K', '2K', '4K'],
		refused: () => false,
	},
	{
		name: 'ToAPIs official channel: 13 ratios or auto, 4K only the six wide ones [T-OFF]',
		gateway: 'toApis',
		model: 'gpt-image-1.5-official',
		sizes: ['auto', ...R13],
		tiers: ['1K', '2K', '4K'],
		refused: (size, tier) => tier === '4K' && size !== 'auto' && !WIDE_4K.includes(size),
	},
	{
		name: 'Kie GPT Image 2 without references: 2K and 4K take no 5:4, 4:5, 3:1, 1:3, 9:21 [K-T2I]',
		gateway: 'kieAi',
		model: 'gpt-image-2',
		sizes: ['auto', ...R13, '3:1', '1:3'],
		tiers: ['2K', '4K'],
		refused: (size) => ['5:4', '4:5', '3:1', '1:3', '9:21'].includes(size),
	},
	{
		name: 'Kie GPT Image 2 with references: 5:4, 4:5 and auto 1K only, 1:1 not 4K [K-I2I]',
		gateway: 'kieAi',
		model: 'gpt-image-2',
		sizes: ['auto', ...R13, '3:1', '1:3'],
		tiers: ['2K', '4K'],
		references: 1,
		refused: (size, tier) => ['5:4', '4:5', 'auto'].includes(size) || (size === '1:1' && tier === '4K'),
	},
	{
		name: 'EvoLink gpt-image-2: 15 ratios and auto at every tier [E-G2]',
		gateway: 'evoLink',
		model: 'gpt-image-2',
		sizes: ['auto', ...R13, '3:1', '1:3'],
		tiers: ['1K', '2K', '4K'],
		refused: () => false,
	},
];

describe('size × resolution', () => {
	test.each(TABLES)('$name', async ({ gateway, model, sizes, tiers, references = 0, refused }) => {
		const pairs = tiers.flatMap((tier) => sizes.map((size) => ({ size, tier })));
		const referenceImages = references ? { images: [{ source: 'url', url: REFERENCE }] } : {};
		const run = await runNode(
			sim,
			{
				...generate(gateway, { model, size: '={{ $json.size }}', resolution: '={{ $json.tier }}', referenceImages }, { waitForCompletion: false }),
				continueOnFail: true,
			},
			pairs,
		);
		const items = run.output('GPT Image');
		expect(items).toHaveLength(pairs.length);
		const refusedByNode = pairs.filter((_, index) => items[index].json.error !== undefined);
		expect(refusedByNode).toEqual(pairs.filter(({ size, tier }) => refused(size, tier)));
		for (const [index, item] of items.entries()) {
			if (item.json.error === undefined) continue;
			expect(String(item.json.error)).toMatch(new RegExp(`^Invalid "Size" in item ${index}: "${pairs[index].size.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
		}
		// Every pair the node sent, the gateway took: one create each, all answered 200.
		const creates = sim.creates(gateway);
		expect(creates).toHaveLength(pairs.length - refusedByNode.length);
		expect(creates.map((create) => create.status)).toEqual(creates.map(() => 200));
	}, 60_000);
});

test('EvoLink custom sizes: the pixel rules are checked before any create', async () => {
	const sizes = ['1536x1024', '1500x1000', '4000x1024', '512x512', '3840x1056', '1024×1536'];
	const run = await runNode(
		sim,
		{ ...generate('evoLink', { model: 'gpt-image-2', size: 'custom', customSize: '={{ $json.size }}' }, { waitForCompletion: false }), continueOnFail: true },
		sizes.map((size) => ({ size })),
	);
	const errors = run.output('GPT Image').map((item) => (item.json.error ? String(item.json.error) : 'ok'));
	expect(errors[0]).toBe('ok');
	expect(errors[1]).toMatch(/Invalid "Custom Size" in item 1: 1500x1000: width and height must be multiples of 16/);
	expect(errors[2]).toMatch(/each side must be 16 to 3840/);
	expect(errors[3]).toMatch(/655 360 to 8 294 400 pixels/);
	expect(errors[4]).toMatch(/aspect ratio may be at most 3:1/);
	expect(errors[5]).toBe('ok');
	expect(sim.creates('evoLink').map((create) => (create.body as IDataObject).size)).toEqual(['1536x1024', '1024x1536']);
	// A custom size carries no resolution: EvoLink takes one only with ratio sizes.
	for (const create of sim.creates('evoLink')) expect(create.body).not.toHaveProperty('resolution');
});

// ---- the pixels the node shows are what the gateway makes ------------------------------------------------

describe('the pixel sizes in the Size options match what the simulator renders', () => {
	const table = (gateway: GatewayId, model: string, lookup: (values: Record<string, OptionValue>) => readonly [number, number] | undefined) => ({
		gateway,
		model,
		lookup,
	});
	test.each([
		table('toApis', 'gpt-4o-image', (v) => TOAPIS_4O[String(v.size)]),
		table('toApis', 'gpt-image-2', (v) => TOAPIS_PIXELS[v.resolution as '1K']?.[String(v.size)]),
		table('toApis', 'gpt-image-2-vip', (v) => TOAPIS_PIXELS[v.resolution as '1K']?.[String(v.size)]),
		table('toApis', 'gpt-image-1.5-official', (v) => TOAPIS_PIXELS[v.resolution as '1K']?.[String(v.size)]),
		table('evoLink', 'gpt-4o-image', (v) => EVOLINK_OPENAI[String(v.size)]),
		table('evoLink', 'gpt-image-1.5', (v) => EVOLINK_OPENAI[String(v.size)]),
		table('evoLink', 'gpt-image-2', (v) => EVOLINK_PIXELS[v.resolution as '1K']?.[String(v.size)]),
	])('$gateway $model', ({ gateway, model, lookup }) => {
		const modelSpec = spec(gateway, model);
		const sizes = modelSpec.options.find((option) => option.key === 'size')!.choices!.map((choice) => choice.value);
		const tiers = modelSpec.options.find((option) => option.key === 'resolution')?.choices?.map((choice) => choice.value) ?? [undefined];
		let compared = 0;
		for (const size of sizes) {
			for (const resolution of tiers) {
				const values = { size, ...(resolution ? { resolution } : {}) } as Record<string, OptionValue>;
				const shown = modelSpec.pixels?.(values);
				if (!shown || modelSpec.check?.(values, 0)) continue;
				expect([`${size} ${resolution ?? ''}`, ...shown]).toEqual([`${size} ${resolution ?? ''}`, ...lookup(values)!]);
				compared++;
			}
		}
		expect(compared).toBeGreaterThan(0);
	});

	test.each([
		['toApis', 'gpt-image-2', '16:9', '2K', 'png', [2048, 1152]],
		['toApis', 'gpt-image-1.5-official', '4:3', '1K', 'jpeg', [1024, 768]],
		['evoLink', 'gpt-image-2', '1:1', '4K', 'png', [2880, 2880]],
		['evoLink', 'gpt-image-2', '2:1', '4K', 'png', [3840, 1920]],
	] as const)('%s %s %s at %s renders a %s of %j', async (gateway, model, size, resolution, format, [width, height]) => {
		const run = await runNode(sim, generate(gateway, { model, size, resolution }, format === 'jpeg' ? { outputFormat: 'jpeg' } : {}));
		expect(run.error).toBeUndefined();
		const [item] = run.output('GPT Image');
		const binary = item.binary!.data;
		expect(binary.mimeType).toBe(`image/${format}`);
		expect(binary.fileName).toMatch(format === 'jpeg' ? /\.jpg$/ : /\.png$/);
		expect(imageHeader(await run.binaryBuffer(binary))).toMatchObject({ width, height });
	}, 60_000);
});

// ---- each model on the wire ------------------------------------------------------------------------------

describe('create bodies: only the fields each model documents, with the values chosen', () => {
	const BODIES: Array<[GatewayId, IDataObject, IDataObject, string[]]> = [
		['toApis', { model: 'gpt-image-2', size: '16:9', resolution: '2K' }, { model: 'gpt-image-2', size: '16:9', resolution: '2K', response_format: 'url' }, ['n', 'quality', 'mask_url']],
		['toApis', { model: 'gpt-image-2-vip', size: '1:1', resolution: '4K', quality: 'high' }, { model: 'gpt-image-2-vip', resolution: '4k', quality: 'high' }, ['n']],
		['toApis', { model: 'gpt-image-1.5-official', size: 'auto', resolution: '2K', quality: 'low', numberOfImages: 3 }, { model: 'gpt-image-1.5-official', size: 'auto', resolution: '2k', quality: 'low', n: 3, output_format: 'png' }, ['reference_images', 'response_format']],
		['kieAi', { model: 'gpt-image-2', size: '16:9', resolution: '2K' }, { model: 'gpt-image-2-text-to-image', input: { prompt: 'a lighthouse at dusk', aspect_ratio: '16:9', resolution: '2K' } }, ['n']],
		['kieAi', { model: 'gpt-image-1.5', size: '3:2', quality: 'high' }, { model: 'gpt-image/1.5-text-to-image', input: { aspect_ratio: '3:2', quality: 'high' } }, []],
		['evoLink', { model: 'gpt-image-2', size: '21:9', resolution: '2K', quality: 'high', numberOfImages: 2 }, { model: 'gpt-image-2', size: '21:9', resolution: '2K', quality: 'high', n: 2 }, ['mask_url']],
		['evoLink', { model: 'gpt-image-2', size: 'auto', resolution: '4K' }, { model: 'gpt-image-2', size: 'auto' }, ['resolution']],
		['evoLink', { model: 'gpt-image-2-beta', size: '3:2', resolution: '1K' }, { model: 'gpt-image-2-beta', size: '3:2', resolution: '1K' }, ['n', 'quality']],
		['evoLink', { model: 'gpt-image-1.5', size: '1024x1536', quality: 'auto', numberOfImages: 10 }, { model: 'gpt-image-1.5', size: '1024x1536', quality: 'auto', n: 10 }, ['resolution']],
	];
	test.each(BODIES)('%s %j', async (gateway, parameters, expected, absent) => {
		const run = await runNode(sim, generate(gateway, parameters, { waitForCompletion: false }));
		expect(run.error).toBeUndefined();
		const [create] = sim.creates(gateway);
		expect(create.status).toBe(200);
		expect(create.body).toMatchObject(expected);
		for (const field of absent) expect(create.body).not.toHaveProperty(field);
	});

	test('Kie GPT Image 2 with references is image-to-image, its references as input_urls', async () => {
		const referenceImages = { images: [{ source: 'url', url: REFERENCE }, { source: 'url', url: `${REFERENCE}?2` }] };
		await runNode(sim, generate('kieAi', { model: 'gpt-image-2', size: '3:2', resolution: '1K', referenceImages }, { waitForCompletion: false }));
		const [create] = sim.creates('kieAi');
		expect(create.body).toMatchObject({ model: 'gpt-image-2-image-to-image', input: { input_urls: [REFERENCE, `${REFERENCE}?2`] } });
		expect((create.body as { input: IDataObject }).input).not.toHaveProperty('image_urls');
	});
});

describe('status, results and failures of each model', () => {
	const MODELS: Array<[GatewayId, IDataObject]> = [
		['toApis', { model: 'gpt-image-2', size: '3:2', resolution: '1K' }],
		['toApis', { model: 'gpt-image-2-vip', size: '4:3', resolution: '1K' }],
		['toApis', { model: 'gpt-image-1.5-official', size: '1:1', resolution: '1K' }],
		['kieAi', { model: 'gpt-image-2', size: '1:1', resolution: '1K' }],
		['kieAi', { model: 'gpt-image-1.5', size: '2:3' }],
		['evoLink', { model: 'gpt-image-2', size: '1:1', resolution: '1K' }],
		['evoLink', { model: 'gpt-image-2-beta', size: '1:1', resolution: '1K' }],
		['evoLink', { model: 'gpt-image-1.5', size: '1:1' }],
	];

	test.each(MODELS)('%s %j: succeeds with a real image, and a failed task names its code', async (gateway, parameters) => {
		const ok = await runNode(sim, generate(gateway, parameters));
		expect(ok.error).toBeUndefined();
		const [item] = ok.output('GPT Image');
		const task = sim.tasks(gateway).at(-1)!;
		expect(item.json).toMatchObject({ taskId: task.id, gateway, state: 'succeeded', model: parameters.model, size: parameters.size });
		expect(imageHeader(await ok.binaryBuffer(item.binary!.data))).toMatchObject({ width: task.width, height: task.height });
		expectNoKey(ok);

		const failed = await runNode(sim, generate(gateway, { ...parameters, prompt: 'FAIL_TASK please' }));
		const error = failed.nodeError('GPT Image')!;
		expect(error.message).toContain(`(task ${sim.tasks(gateway).at(-1)!.id})`);
		expect(String(error.description)).toMatch(/content policy/);
	}, 30_000);

	test("Kie Market records in the reseller's spelling (message, null fields) are read too", async () => {
		sim.configure({ gateways: { kieAi: { messageKey: 'message', blankFields: 'null' } } });
		try {
			const run = await runNode(sim, generate('kieAi', { model: 'gpt-image-2', size: '1:1', resolution: '1K' }));
			expect(run.error).toBeUndefined();
			expect(run.output('GPT Image')).toHaveLength(1);
		} finally {
			sim.configure({ gateways: { kieAi: { messageKey: 'msg', blankFields: 'emptyString' } } });
		}
	});

	test.each([
		['toApis', 'gpt-image-2'],
		['kieAi', 'gpt-image-1.5'],
		['evoLink', 'gpt-image-2-beta'],
	] as const)('%s %s makes one image per task: 3 images are 3 tasks, polled together, all paired to the item', async (gateway, model) => {
		const run = await runNode(sim, generate(gateway, { model, size: '1:1', resolution: '1K', numberOfImages: 3 }));
		expect(run.error).toBeUndefined();
		const items = run.output('GPT Image');
		expect(items).toHaveLength(3);
		expect(new Set(items.map((item) => item.json.taskId)).size).toBe(3);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }]);
		expect(sim.creates(gateway)).toHaveLength(3);
		// Created one after another, then waited for together: every create came before the first download.
		const firstDownload = Math.min(...sim.requestsOf('download').map((request) => request.at));
		for (const create of sim.creates(gateway)) expect(create.at).toBeLessThan(firstDownload);
	});

	test('where one of an item\'s tasks fails, the images of the others are kept and the failure is listed', async () => {
		// The first of this test's two tasks (the simulator keeps earlier tests' tasks).
		const before = sim.tasks('toApis').length;
		const first = () => sim.tasks('toApis')[before]?.id;
		sim.inject({
			kind: 'poll',
			times: 50,
			when: (request) => request.taskId === first(),
			response: {
				type: 'status',
				status: 200,
				body: (request: LoggedRequest) => ({ id: request.taskId, status: 'failed', progress: 0, error: { code: 'content_policy_violation', message: 'refused' } }),
			},
		});
		const run = await runNode(sim, generate('toApis', { model: 'gpt-image-2', size: '1:1', resolution: '1K', numberOfImages: 2 }));
		expect(run.error).toBeUndefined();
		const items = run.output('GPT Image');
		expect(items).toHaveLength(1);
		expect(items[0].json.taskId).toBe(sim.tasks('toApis')[before + 1].id);
		expect(items[0].json.taskErrors).toEqual([{ taskId: first(), error: expect.stringContaining('refused') }]);
		expect(items[0].binary?.data).toBeDefined();
	});

	test('the official channel edits with an alpha mask, and a mask without alpha is refused before anything is sent', async () => {
		const parameters = { operation: 'edit', editModel: 'gpt-image-1.5-official', prompt: 'a red box', size: '1:1', resolution: '1K', options: FAST };
		const good = await runNodeWithFiles(sim, { gateway: 'toApis', parameters }, [
			{ files: [{ field: 'data', kind: 'photo', width: 64, height: 64 }, { field: 'mask', kind: 'mask', width: 64, height: 64, convention: 'transparent' }] },
		]);
		expect(good.error).toBeUndefined();
		expect(sim.creates('toApis')[0].body).toMatchObject({ model: 'gpt-image-1.5-official', mask_url: expect.any(String), image_urls: [expect.any(String)] });
		sim.clearLog();

		const opaque = await runNodeWithFiles(sim, { gateway: 'toApis', parameters }, [
			{ files: [{ field: 'data', kind: 'photo', width: 64, height: 64 }, { field: 'mask', kind: 'pngHeader', width: 64, height: 64, rgb: true }] },
		]);
		expect(opaque.nodeError('GPT Image')!.message).toMatch(/^Invalid "Mask" in item 0: .* has no alpha channel/);
		expect(sim.requests).toEqual([]);
	}, 30_000);
});

// ---- balance and cost --------------------------------------------------------------------------------------

describe('Get Balance and cost', () => {
	test.each(Object.values(GATEWAYS).map((gateway) => gateway.id as GatewayName))('Get Balance on %s reads the account', async (gateway) => {
		const run = await runNode(sim, { gateway, parameters: { operation: 'getBalance' } });
		expect(run.error).toBeUndefined();
		const [item] = run.output('GPT Image');
		expect(item.json).toMatchObject({ gateway, remaining: expect.any(Number), unit: expect.any(String) });
		expect(sim.requestsOf('credit', gateway)).toHaveLength(1);
		expect(sim.creates()).toHaveLength(0);
	});

	test('ToAPIs: the balance goes down by what a task cost', async () => {
		const before = await runNode(sim, { gateway: 'toApis', parameters: { operation: 'getBalance' } });
		await runNode(sim, generate('toApis', { model: 'gpt-image-2', size: '16:9', resolution: '2K' }, { waitForCompletion: false }));
		const after = await runNode(sim, { gateway: 'toApis', parameters: { operation: 'getBalance' } });
		const [was, is] = [before, after].map((run) => Number(run.output('GPT Image')[0].json.remaining));
		expect(was - is).toBeCloseTo(0.02, 6);
	});

	test("EvoLink: each image item says what its task reserved, in the gateway's own numbers", async () => {
		const run = await runNode(sim, generate('evoLink', { model: 'gpt-image-2', size: '1:1', resolution: '2K', quality: 'high', numberOfImages: 2 }));
		expect(run.error).toBeUndefined();
		const items = run.output('GPT Image');
		for (const item of items) expect(item.json.cost).toMatchObject({ amount: expect.any(Number), unit: 'credits' });
		expect(items[0].json.cost).toEqual(items[1].json.cost);
		const balance = await runNode(sim, { gateway: 'evoLink', parameters: { operation: 'getBalance' } });
		expect(Number(balance.output('GPT Image')[0].json.used)).toBeGreaterThanOrEqual(Number((items[0].json.cost as IDataObject).amount));
	});
});
