import type { IDataObject } from 'n8n-workflow';

import { GatewaySimulator } from './simulator';
import { runNode } from './support';
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

const CASES: Array<{ name: string; gateway: GatewayId; parameters: IDataObject; parameter: string; says: RegExp }> = [
	{
		name: 'a size gpt-4o-image does not have',
		gateway: 'toApis',
		parameters: generate({ size: '={{ "16:9" }}' }),
		parameter: 'Size',
		says: /"16:9" is not available for gpt-4o-image/,
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
		says: /not available/,
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
		parameters: generate({ referenceImages: { images: [{ url: 'https://example.com/a.png' }, { url: 'images/b.png' }] } }),
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
		name: 'a callback to a private address',
		gateway: 'kieAi',
		parameters: generate({ options: { callbackUrl: 'https://192.168.1.20/webhook' } }),
		parameter: 'Callback URL',
		says: /private address/,
	},
];

test.each(CASES)('$gateway refuses $name', async ({ gateway, parameters, parameter, says }) => {
	const run = await runNode(sim, { gateway, parameters }, [{ sku: 'A' }, { sku: 'B' }]);

	expect(run.status).toBe('error');
	const error = run.nodeError('GPT Image')!;
	expect(error.name).toBe('NodeOperationError');
	expect(error.message).toContain(`Invalid "${parameter}`);
	expect(error.message).toContain('in item 0');
	expect(error.message).toMatch(says);
	expect(String(error.description)).toContain('Nothing was sent');
	expect(sim.creates()).toHaveLength(0);
});

test('the error names the item that is wrong, and no item is created', async () => {
	const run = await runNode(
		sim,
		{ gateway: 'toApis', parameters: generate({ prompt: '={{ $json.prompt }}' }) },
		[{ prompt: 'fine' }, { prompt: 'y'.repeat(1200) }],
	);
	const error = run.nodeError('GPT Image')!;
	expect(error.message).toContain('Invalid "Prompt" in item 1');
	expect((error.context as { itemIndex?: number }).itemIndex).toBe(1);
	// Item 0 was fine, but nothing is created while another item of the batch is wrong.
	expect(sim.creates()).toHaveLength(0);
});
