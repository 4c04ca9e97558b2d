import type { INodeProperties } from 'n8n-workflow';

import { GATEWAYS } from '../gateways';
import { createAndCollect, prepareTask, readCommonRequest, taskOptionsProperty } from './create';
import type { PreparedTask } from './create';
import { imageSourceOptions, readImageInput } from './inputs';
import { modelAndSizeProperties, promptProperties } from './parameters';
import type { Operation } from './types';

const show = { operation: ['edit'] };

/** The mask means something else on each gateway: its Source parameter says what, per gateway. */
const maskSourceProperties: INodeProperties[] = Object.values(GATEWAYS).map((gateway) => ({
	displayName: 'Mask',
	name: 'maskSource',
	type: 'options',
	default: 'binary',
	options: imageSourceOptions,
	description: `Which part of the image to change. On ${gateway.displayName}: ${gateway.rules.maskConvention}.`,
	displayOptions: { show: { ...show, gateway: [gateway.id] } },
}));

const properties: INodeProperties[] = [
	...modelAndSizeProperties(['edit'], (model) => model.supportsMask),
	...promptProperties('edit'),
	{
		displayName: 'Image',
		name: 'imageSource',
		type: 'options',
		default: 'binary',
		options: imageSourceOptions,
		description: 'The image to edit: JPEG, PNG or WebP, at most 10 MB',
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
	...maskSourceProperties,
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
		const draft = { ...readCommonRequest(ctx, gateway, itemIndex), references: [image], mask };
		return prepareTask(ctx, gateway, itemIndex, draft, { references: 'Image' });
	},
	async execute(run, prepared) {
		return await createAndCollect(run, prepared);
	},
};
