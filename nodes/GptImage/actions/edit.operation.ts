import type { INodeProperties } from 'n8n-workflow';

import { createAndCollect, prepareTask, promptProperties, taskOptionsProperty } from './create';
import type { PreparedTask } from './create';
import { readImageInput } from './inputs';
import { IMAGE_SOURCES, maskNotices, modelChoiceProperties, modelDetailProperties } from './parameters';
import type { Operation } from './types';

const show = { operation: ['edit'] };

const properties: INodeProperties[] = [
	...modelChoiceProperties('edit'),
	...promptProperties('edit'),
	...modelDetailProperties('edit'),
	{
		displayName: 'Image',
		name: 'imageSource',
		type: 'options',
		default: 'binary',
		options: IMAGE_SOURCES,
		description: 'The image to edit: JPEG, PNG or WebP',
		displayOptions: { show },
	},
	{
		displayName: 'Image Binary Field',
		name: 'imageBinaryPropertyName',
		type: 'string',
		default: 'data',
		placeholder: 'e.g. data',
		hint: 'The name of the input binary field containing the image',
		displayOptions: { show: { ...show, imageSource: ['binary'] } },
	},
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/product.png',
		displayOptions: { show: { ...show, imageSource: ['url'] } },
	},
	// What the mask's pixels mean differs per gateway and model: a notice says it above the Mask.
	...maskNotices(),
	{
		displayName: 'Mask',
		name: 'maskSource',
		type: 'options',
		default: 'binary',
		options: IMAGE_SOURCES,
		description: 'Which part of the image to change: a PNG of the same width and height (see the notice above for what its pixels mean)',
		displayOptions: { show },
	},
	{
		displayName: 'Mask Binary Field',
		name: 'maskBinaryPropertyName',
		type: 'string',
		default: 'mask',
		placeholder: 'e.g. mask',
		hint: 'The name of the input binary field containing the mask PNG',
		displayOptions: { show: { ...show, maskSource: ['binary'] } },
	},
	{
		displayName: 'Mask URL',
		name: 'maskUrl',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/mask.png',
		displayOptions: { show: { ...show, maskSource: ['url'] } },
	},
	taskOptionsProperty('edit'),
];

export const edit: Operation<PreparedTask> = {
	name: 'Edit',
	value: 'edit',
	description: 'Repaint the masked area of an image from a prompt (inpainting)',
	action: 'Edit an image',
	properties,
	async prepare(ctx, gateway, itemIndex) {
		const get = (name: string, fallback: unknown) => ctx.getNodeParameter(name, itemIndex, fallback);
		const check = { ctx, itemIndex, gatewayName: gateway.displayName };
		const image = await readImageInput(check, {
			source: get('imageSource', 'binary'),
			url: get('imageUrl', ''),
			property: get('imageBinaryPropertyName', 'data'),
			parameter: 'Image',
		});
		const mask = await readImageInput(check, {
			source: get('maskSource', 'binary'),
			url: get('maskUrl', ''),
			property: get('maskBinaryPropertyName', 'mask'),
			parameter: 'Mask',
		});
		return prepareTask(ctx, gateway, itemIndex, 'edit', { references: [image], mask }, { references: 'Image' });
	},
	async execute(run, prepared) {
		return await createAndCollect(run, prepared);
	},
};
