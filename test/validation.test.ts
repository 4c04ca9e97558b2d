import type { IDataObject } from 'n8n-workflow';

import type { FileSpec } from './images';
import { GatewaySimulator } from './simulator';
import { runNodeWithFiles } from './support';
import type { GatewayId } from './support';

/** Bad input is refused with the parameter's name and the item, before anything is paid for. */

let sim: GatewaySimulator;

beforeAll(async () => {
	sim = await GatewaySimulator.start({ latencyMs: 300 });
});
afterAll(async () => await sim.stop());
beforeEach(() => sim.clearLog());

const generate = (parameters: IDataObject): IDataObject => ({
	operation: 'generate',
	prompt: 'a product photo',
	size: '1:1',
	...parameters,
});

const edit = (parameters: IDataObject): IDataObject => ({
	operation: 'edit',
	prompt: 'make it red',
	size: '1:1',
	...parameters,
});

const photo = (width = 64, height = 64): FileSpec => ({ field: 'data', kind: 'photo', width, height });
const mask = (width = 64, height = 64): FileSpec => ({ field: 'mask', kind: 'mask', width, height, convention: 'black' });
const MB = 1024 * 1024;

const CASES: Array<{
	name: string;
	gateway: GatewayId;
	parameters: IDataObject;
	files?: FileSpec[];
	parameter: string;
	says: RegExp;
}> = [
	{
		name: 'a size gpt-4o-image does not have',
		gateway: 'toApis',
		parameters: generate({ size: '={{ "16:9" }}' }),
		parameter: 'Size',
		says: /is "16:9"; use one of 1:1, 3:2, 2:3/,
	},
	{
		name: 'a gpt-image-2 size its resolution does not allow',
		gateway: 'toApis',
		parameters: generate({ model: 'gpt-image-2', resolution: '1K', size: '={{ "16:9" }}' }),
		parameter: 'Size',
		says: /at 1K.*use one of 1:1, 3:2, 2:3/,
	},
	{
		name: 'an EvoLink pixel size on Kie',
		gateway: 'kieAi',
		parameters: generate({ size: '={{ "1024x1024" }}' }),
		parameter: 'Size',
		says: /is "1024x1024"; use one of 1:1, 3:2, 2:3/,
	},
	{
		name: 'three images',
		gateway: 'evoLink',
		parameters: generate({ numberOfImages: '={{ 3 }}' }),
		parameter: 'Number of Images',
		says: /one of 1, 2, 4/,
	},
	{
		name: 'an empty prompt (an empty cell in the sheet)',
		gateway: 'toApis',
		parameters: generate({ prompt: '={{ $json.missing ?? "" }}' }),
		parameter: 'Prompt',
		says: /is empty/,
	},
	{
		name: 'an empty prompt on Kie without images',
		gateway: 'kieAi',
		parameters: generate({ prompt: '' }),
		parameter: 'Prompt',
		says: /or give at least one reference image/,
	},
	{
		name: 'a prompt over 1000 characters for gpt-4o-image',
		gateway: 'evoLink',
		parameters: generate({ prompt: 'x'.repeat(1001) }),
		parameter: 'Prompt',
		says: /at most 1000 characters/,
	},
	{
		name: 'a relative reference image URL',
		gateway: 'toApis',
		parameters: generate({
			referenceImages: { images: [{ source: 'url', url: 'https://example.com/a.png' }, { source: 'url', url: 'images/b.png' }] },
		}),
		parameter: 'Reference Images" (entry 2',
		says: /not an absolute http\(s\) URL/,
	},
	{
		name: 'an http callback on EvoLink',
		gateway: 'evoLink',
		parameters: generate({ options: { callbackUrl: 'http://hooks.example.com/done' } }),
		parameter: 'Callback URL',
		says: /must use https/,
	},
	{
		name: 'a callback that is no URL at all',
		gateway: 'evoLink',
		parameters: generate({ options: { callbackUrl: 'hello' } }),
		parameter: 'Callback URL',
		says: /"hello" is not an absolute http\(s\) URL/,
	},
	{
		name: 'a Download URL with a space in its host',
		gateway: 'kieAi',
		parameters: { operation: 'download', source: 'url', imageUrl: 'http://a b/x.png' },
		parameter: 'Image URL',
		says: /is not an absolute http\(s\) URL/,
	},
	{
		name: 'a callback to a private address',
		gateway: 'kieAi',
		parameters: generate({ options: { callbackUrl: 'https://192.168.1.20/webhook' } }),
		parameter: 'Callback URL',
		says: /points to a private network address \(192\.168\.1\.20\)/,
	},
	{
		name: 'a mask smaller than the image',
		gateway: 'toApis',
		parameters: edit({}),
		files: [photo(), mask(32, 32)],
		parameter: 'Mask',
		says: /is 32x32 but the image is 64x64/,
	},
	{
		name: 'a mask that does not match a JPEG image (size read from the JPEG header)',
		gateway: 'kieAi',
		parameters: edit({}),
		files: [{ field: 'data', kind: 'jpegHeader', width: 800, height: 600 }, mask()],
		parameter: 'Mask',
		says: /the image is 800x600/,
	},
	{
		name: 'a JPEG mask',
		gateway: 'evoLink',
		parameters: edit({}),
		files: [photo(), { field: 'mask', kind: 'jpegHeader', width: 64, height: 64 }],
		parameter: 'Mask',
		says: /is JPEG; a mask must be PNG/,
	},
	{
		name: 'a 5 MB mask (ToAPIs takes 4 MB)',
		gateway: 'toApis',
		parameters: edit({}),
		files: [photo(), { field: 'mask', kind: 'paddedPng', width: 64, height: 64, bytes: 5 * MB }],
		parameter: 'Mask',
		says: /is 5 MB; the gateway takes at most 4 MB/,
	},
	{
		name: 'a 26 MB mask (Kie takes 25 MB)',
		gateway: 'kieAi',
		parameters: edit({}),
		files: [photo(), { field: 'mask', kind: 'paddedPng', width: 64, height: 64, bytes: 26 * MB }],
		parameter: 'Mask',
		says: /at most 25 MB/,
	},
	{
		name: 'an 11 MB image',
		gateway: 'evoLink',
		parameters: edit({}),
		files: [{ field: 'data', kind: 'paddedPng', width: 64, height: 64, bytes: 11 * MB }, mask()],
		parameter: 'Image',
		says: /is 11 MB; the gateway takes at most 10 MB/,
	},
	{
		name: 'a GIF reference image',
		gateway: 'evoLink',
		parameters: generate({ referenceImages: { images: [{ source: 'binary', binaryPropertyName: 'data' }] } }),
		files: [{ field: 'data', kind: 'gifHeader', width: 64, height: 64 }],
		parameter: 'Reference Images" (entry 1',
		says: /is GIF; an image must be JPEG, PNG, WEBP/,
	},
	{
		name: 'a text file as a reference image',
		gateway: 'toApis',
		parameters: generate({
			referenceImages: {
				images: [
					{ source: 'url', url: 'https://example.com/a.png' },
					{ source: 'binary', binaryPropertyName: 'notes' },
				],
			},
		}),
		files: [{ field: 'notes', kind: 'text' }],
		parameter: 'Reference Images" (entry 2',
		says: /not an image this node can read/,
	},
	{
		name: 'a binary field the item does not have',
		gateway: 'evoLink',
		parameters: edit({ maskBinaryPropertyName: 'maks' }),
		files: [photo(), mask()],
		parameter: 'Mask',
		says: /has no binary field "maks".*/,
	},
	{
		name: 'an edit with gpt-image-2, which takes no mask',
		gateway: 'toApis',
		parameters: edit({ editModel: '={{ "gpt-image-2" }}' }),
		files: [photo(), mask()],
		parameter: 'Model',
		says: /"gpt-image-2" is not a model ToAPIs edits with; choose one of gpt-image-1.5-official, gpt-4o-image/,
	},
	{
		name: 'a relative image URL',
		gateway: 'kieAi',
		parameters: edit({ imageSource: 'url', imageUrl: 'photos/mug.png' }),
		files: [mask()],
		parameter: 'Image',
		says: /"photos\/mug.png" is not an absolute http\(s\) URL/,
	},
	{
		name: 'an ftp mask URL',
		gateway: 'toApis',
		parameters: edit({ maskSource: 'url', maskUrl: 'ftp://example.com/mask.png' }),
		files: [photo()],
		parameter: 'Mask',
		says: /not an absolute http\(s\) URL/,
	},
];

test.each(CASES)('$gateway refuses $name', async ({ gateway, parameters, files = [], parameter, says }) => {
	const run = await runNodeWithFiles(sim, { gateway, parameters }, [
		{ json: { sku: 'A' }, files },
		{ json: { sku: 'B' }, files },
	]);

	expect(run.status).toBe('error');
	const error = run.nodeError('GPT Image')!;
	expect(error.name).toBe('NodeOperationError');
	expect(error.message).toContain(`Invalid "${parameter}`);
	expect(error.message).toContain('in item 0');
	expect(error.message).toMatch(says);
	// Refused before anything was paid for, and before anything was uploaded.
	expect(sim.creates()).toHaveLength(0);
	expect(sim.requestsOf('upload')).toHaveLength(0);
});

test('Kie takes a 5 MB mask that ToAPIs refuses', async () => {
	const run = await runNodeWithFiles(sim, { gateway: 'kieAi', parameters: edit({ options: { waitForCompletion: false } }) }, [
		{ files: [photo(), { field: 'mask', kind: 'paddedPng', width: 64, height: 64, bytes: 5 * MB }] },
	]);
	expect(run.error).toBeUndefined();
	expect(sim.creates('kieAi')).toHaveLength(1);
});

test('the error names the item that is wrong, and no item is created', async () => {
	const run = await runNodeWithFiles(sim, { gateway: 'toApis', parameters: generate({ prompt: '={{ $json.prompt }}' }) }, [
		{ json: { prompt: 'fine' }, files: [] },
		{ json: { prompt: 'y'.repeat(1200) }, files: [] },
	]);
	const error = run.nodeError('GPT Image')!;
	expect(error.message).toContain('Invalid "Prompt" in item 1');
	expect((error.context as { itemIndex?: number }).itemIndex).toBe(1);
	// Item 0 was fine, but nothing is created while another item of the batch is wrong.
	expect(sim.creates()).toHaveLength(0);
});
