import { decodePng, encodePng, GatewaySimulator } from './simulator';
import { fileOf, insideRegion, maskConvention, photoPixel } from './images';
import type { FileSpec } from './images';
import { FAST, GATEWAYS, runNodeWithFiles } from './support';

/** Edit with images from earlier nodes: uploaded through each gateway's file API, then masked. */

let sim: GatewaySimulator;

beforeAll(async () => {
	sim = await GatewaySimulator.start({ latencyMs: 600 });
});
afterAll(async () => await sim.stop());
beforeEach(() => sim.clearLog());


describe.each(GATEWAYS)('Edit on $id', ({ id }) => {
	test('a binary image and a binary mask give images derived from the input, repainted inside the mask', async () => {
		const files: FileSpec[] = [
			{ field: 'data', kind: 'photo', width: 64, height: 64 },
			{ field: 'mask', kind: 'mask', width: 64, height: 64, convention: maskConvention(id) },
		];
		const run = await runNodeWithFiles(
			sim,
			{
				gateway: id,
				parameters: { operation: 'edit', prompt: 'paint the box red', size: '1:1', numberOfImages: 2, options: FAST },
			},
			[{ json: { sku: 'MUG-01' }, files }],
		);

		expect(run.error).toBeUndefined();
		const items = run.output('GPT Image');
		expect(items).toHaveLength(2);
		for (const item of items) {
			expect(item.pairedItem).toEqual({ item: 0 });
			const result = decodePng(await run.binaryBuffer(item.binary!.data));
			expect([result.width, result.height]).toEqual([64, 64]);
			let changedInside = 0;
			let changedOutside = 0;
			for (let y = 0; y < 64; y++) {
				for (let x = 0; x < 64; x++) {
					const offset = (y * 64 + x) * 4;
					const same = photoPixel(x, y).every((value, channel) => result.rgba[offset + channel] === value);
					if (insideRegion(x, y) && !same) changedInside++;
					if (!insideRegion(x, y) && !same) changedOutside++;
				}
			}
			expect(changedOutside).toBe(0);
			expect(changedInside).toBeGreaterThan(32 * 24 * 0.9);
		}

		// Both binaries went through the gateway's file API, and the task got their URLs.
		const uploads = sim.requestsOf('upload', id);
		expect(uploads).toHaveLength(2);
		expect(uploads.every((upload) => upload.headers.authorization === 'Bearer sk-sim-test')).toBe(true);

		// The node's create: the image's upload URL in the gateway's image field, the mask's in its
		// mask field, and each URL serves exactly the bytes the node was given.
		const body = sim.creates(id)[0].body as Record<string, unknown>;
		const [imageField, maskField] = { toApis: ['image_urls', 'mask_url'], kieAi: ['filesUrl', 'maskUrl'], evoLink: ['image_urls', 'mask_url'] }[id];
		const [imageUrl] = body[imageField] as string[];
		const maskUrl = body[maskField] as string;
		const served = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());
		expect(await served(imageUrl)).toEqual(fileOf(files[0]).bytes);
		expect(await served(maskUrl)).toEqual(fileOf(files[1]).bytes);
	});

	test('Generate with two binary references and one URL sends three URLs, in order', async () => {
		const run = await runNodeWithFiles(
			sim,
			{
				gateway: id,
				parameters: {
					operation: 'generate',
					prompt: 'in the style of these',
					size: '1:1',
					referenceImages: {
						images: [
							{ source: 'binary', binaryPropertyName: 'front' },
							{ source: 'url', url: 'https://example.com/style.png' },
							{ source: 'binary', binaryPropertyName: 'side' },
						],
					},
					options: FAST,
				},
			},
			[
				{
					files: [
						{ field: 'front', kind: 'photo', width: 64, height: 64 },
						{ field: 'side', kind: 'jpegHeader', width: 800, height: 600 },
					],
				},
			],
		);

		expect(run.error).toBeUndefined();
		expect(sim.requestsOf('upload', id)).toHaveLength(2);
		const task = sim.getTask(sim.creates(id)[0].taskId!)!;
		expect(task.imageUrls).toHaveLength(3);
		expect(task.imageUrls[0]).toMatch(new RegExp(`^${sim.cdnUrl}/`));
		expect(task.imageUrls[1]).toBe('https://example.com/style.png');
		expect(task.imageUrls[2]).toMatch(new RegExp(`^${sim.cdnUrl}/`));
		expect(task.imageUrls[2]).toMatch(/\.jpg$|jpe?g/);
	});
});

test('Edit with image and mask URLs sends them as given, without uploads', async () => {
	const image = sim.hostFile(encodePng(64, 64, photoPixel));
	const mask = sim.hostFile(encodePng(64, 64, (x, y) => (insideRegion(x, y) ? [0, 0, 0, 255] : [255, 255, 255, 255])));
	const run = await runNodeWithFiles(
		sim,
		{
			gateway: 'kieAi',
			parameters: { operation: 'edit', prompt: 'edit', size: '1:1', imageSource: 'url', imageUrl: image, maskSource: 'url', maskUrl: mask, options: FAST },
		},
		[{ files: [] }],
	);
	expect(run.error).toBeUndefined();
	expect(sim.requestsOf('upload')).toHaveLength(0);
	expect(sim.creates('kieAi')[0].body).toMatchObject({ filesUrl: [image], maskUrl: mask });
});
