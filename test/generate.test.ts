import { GatewaySimulator, pngSize } from './simulator';
import { FAST, GATEWAYS, runNode } from './support';

/** Generate with Wait for Completion, through n8n's engine, against the simulator. */

let sim: GatewaySimulator;

beforeAll(async () => {
	sim = await GatewaySimulator.start({ latencyMs: 800 });
});
afterAll(async () => await sim.stop());
beforeEach(() => sim.clearLog());

describe.each(GATEWAYS)('Generate on $id', ({ id }) => {
	test('returns the image as binary data and its URL and task in JSON', async () => {
		const run = await runNode(sim, {
			gateway: id,
			parameters: { operation: 'generate', prompt: 'a red ceramic mug', size: '3:2', options: FAST },
		});

		expect(run.error).toBeUndefined();
		const items = run.output('GPT Image');
		expect(items).toHaveLength(1);
		const [item] = items;
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toMatchObject({ gateway: id, state: 'succeeded', index: 0, imageCount: 1, size: '3:2' });
		expect(item.json.url).toMatch(new RegExp(`^${sim.cdnUrl}/`));
		const taskId = String(item.json.taskId);
		expect(sim.getTask(taskId)).toBeDefined();

		const binary = item.binary!.data;
		expect(binary.mimeType).toBe('image/png');
		expect(binary.fileName).toBe(`${taskId}-1.png`);
		expect(binary.id).toMatch(/^filesystem/);
		const bytes = await run.binaryBuffer(binary);
		expect(pngSize(bytes)).toEqual({ width: 1536, height: 1024 });

		// Exactly one paid request, authenticated; the CDN download carries no key.
		const creates = sim.creates(id);
		expect(creates).toHaveLength(1);
		expect(creates[0].headers.authorization).toBe('Bearer sk-sim-test');
		const downloads = sim.requestsOf('download');
		expect(downloads.length).toBeGreaterThanOrEqual(1);
		for (const download of downloads) expect(download.headers.authorization).toBeUndefined();
	});

	test('Number of Images 4 gives 4 items, each its own image', async () => {
		const run = await runNode(sim, {
			gateway: id,
			parameters: { operation: 'generate', prompt: 'four variations of a lamp', size: '1:1', numberOfImages: 4, options: FAST },
		});

		expect(run.error).toBeUndefined();
		const items = run.output('GPT Image');
		expect(items.map((item) => item.json.index)).toEqual([0, 1, 2, 3]);
		expect(new Set(items.map((item) => item.json.taskId)).size).toBe(1);
		expect(items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		const images = await Promise.all(items.map(async (item) => await run.binaryBuffer(item.binary!.data)));
		for (const image of images) expect(pngSize(image)).toEqual({ width: 1024, height: 1024 });
		expect(new Set(images.map((image) => image.toString('base64'))).size).toBe(4);
		expect(sim.creates(id)).toHaveLength(1);
	});

	test('Download Images off returns the URLs without binary data', async () => {
		const run = await runNode(sim, {
			gateway: id,
			parameters: {
				operation: 'generate',
				prompt: 'a poster',
				size: '2:3',
				numberOfImages: 2,
				options: { ...FAST, downloadImages: false },
			},
		});

		const items = run.output('GPT Image');
		expect(items).toHaveLength(2);
		for (const item of items) {
			expect(item.binary).toBeUndefined();
			expect(item.json.url).toMatch(/^http/);
		}
		expect(sim.requestsOf('download')).toHaveLength(0);
	});
});

test('gpt-image-2 on ToAPIs renders the pixel size of its resolution and sends resolution, not n', async () => {
	const run = await runNode(sim, {
		gateway: 'toApis',
		parameters: {
			operation: 'generate',
			model: 'gpt-image-2',
			resolution: '4K',
			size: '16:9',
			prompt: 'a wide city skyline at dusk',
			options: FAST,
		},
	});

	expect(run.error).toBeUndefined();
	const [item] = run.output('GPT Image');
	expect(item.json).toMatchObject({ model: 'gpt-image-2', resolution: '4K', size: '16:9' });
	expect(pngSize(await run.binaryBuffer(item.binary!.data))).toEqual({ width: 3840, height: 2160 });
	const body = sim.creates('toApis')[0].body as Record<string, unknown>;
	expect(body).toMatchObject({ model: 'gpt-image-2', resolution: '4K', size: '16:9' });
	expect(body).not.toHaveProperty('n');
});

test('several input items run concurrently and come out in input order with their pairing', async () => {
	const prompts = ['[[latency:1800]] slow first', '[[latency:300]] fast second', '[[latency:900]] third'];
	const run = await runNode(
		sim,
		{ gateway: 'kieAi', parameters: { operation: 'generate', prompt: '={{ $json.prompt }}', size: '1:1', options: FAST } },
		prompts.map((prompt) => ({ prompt })),
	);

	expect(run.error).toBeUndefined();
	const items = run.output('GPT Image');
	expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	expect(items.map((item) => item.json.prompt)).toEqual(prompts);
	// All three tasks were created before the first one (the fast one) was read as finished.
	const creates = sim.creates('kieAi');
	expect(creates).toHaveLength(3);
	const firstDownload = Math.min(...sim.requestsOf('download').map((request) => request.at));
	for (const create of creates) expect(create.at).toBeLessThan(firstDownload);
});

test.each(GATEWAYS)('the prompt and size reach $id in its own wire format', async ({ id }) => {
	await runNode(sim, {
		gateway: id,
		parameters: { operation: 'generate', prompt: 'wire check', size: '2:3', numberOfImages: 2, options: FAST },
	});
	const body = sim.creates(id)[0].body as Record<string, unknown>;
	expect(body).toMatchObject(
		{
			toApis: { model: 'gpt-4o-image', prompt: 'wire check', size: '2:3', n: 2 },
			kieAi: { prompt: 'wire check', size: '2:3', nVariants: 2 },
			evoLink: { model: 'gpt-4o-image', prompt: 'wire check', size: '2:3', n: 2 },
		}[id],
	);
});

test('EvoLink creates carry an Idempotency-Key', async () => {
	await runNode(sim, { gateway: 'evoLink', parameters: { operation: 'generate', prompt: 'key', size: '1:1', options: FAST } });
	expect(sim.creates('evoLink')[0].headers['idempotency-key']).toMatch(/^n8n-[A-Za-z0-9]{24}$/);
});

test('reference image URLs are sent in every field name the gateway docs use', async () => {
	const urls = ['https://example.com/a.png', 'https://example.com/b.jpg'];
	const referenceImages = { images: urls.map((url) => ({ source: 'url', url })) };
	for (const { id } of GATEWAYS) {
		await runNode(sim, {
			gateway: id,
			parameters: { operation: 'generate', prompt: 'like these', size: '1:1', referenceImages, options: FAST },
		});
	}
	expect(sim.creates('toApis')[0].body).toMatchObject({ image_urls: urls, reference_images: urls });
	expect(sim.creates('kieAi')[0].body).toMatchObject({ filesUrl: urls });
	expect(sim.creates('evoLink')[0].body).toMatchObject({ image_urls: urls });
});
