import type { INodeProperties } from 'n8n-workflow';

import { collection, invalidParameter } from './checkedValues';
import { createAndCollect, prepareTask, readCommonRequest, taskOptionsProperty } from './create';
import type { PreparedTask } from './create';
import { imageSourceOptions, readImageInput } from './inputs';
import { modelAndSizeProperties, promptProperties } from './parameters';
import type { Operation } from './types';

const show = { operation: ['generate'] };

const properties: INodeProperties[] = [
	...modelAndSizeProperties(['generate']),
	...promptProperties('generate'),
	{
		displayName: 'Reference Images',
		name: 'referenceImages',
		type: 'fixedCollection',
		default: {},
		placeholder: 'Add Reference Image',
		typeOptions: { multipleValues: true, maxAllowedFields: 5 },
		description:
			'Up to 5 images to guide the result (image-to-image): binary fields of the input item (uploaded to the gateway first) or public URLs, mixed as you like',
		displayOptions: { show },
		options: [
			{
				displayName: 'Image',
				name: 'images',
				values: [
					{
						displayName: 'Source',
						name: 'source',
						type: 'options',
						default: 'url',
						options: imageSourceOptions,
					},
					{
						displayName: 'Image URL',
						name: 'url',
						type: 'string',
						default: '',
						placeholder: 'e.g. https://example.com/product.png',
						description: 'Public http(s) URL of a JPEG, PNG or WebP image, at most 10 MB',
						displayOptions: { show: { source: ['url'] } },
					},
					{
						displayName: 'Input Binary Field',
						name: 'binaryPropertyName',
						type: 'string',
						default: 'data',
						placeholder: 'e.g. data',
						hint: 'The name of the input binary field containing the image',
						description: 'A JPEG, PNG or WebP image, at most 10 MB',
						displayOptions: { show: { source: ['binary'] } },
					},
				],
			},
		],
	},
	taskOptionsProperty('generate'),
];

/** One Reference Images entry as n8n hands it over: each field may hold anything an expression gave. */
interface ReferenceEntry {
	source?: unknown;
	url?: unknown;
	binaryPropertyName?: unknown;
}

export const generate: Operation<PreparedTask> = {
	name: 'Generate',
	value: 'generate',
	description: 'Create images from a prompt, optionally guided by reference images',
	action: 'Generate images',
	properties,
	async prepare(ctx, gateway, itemIndex) {
		const check = { ctx, itemIndex, gatewayName: gateway.displayName };
		const given = collection(check, 'referenceImages', 'Reference Images').images ?? [];
		if (!Array.isArray(given)) throw invalidParameter(check, 'Reference Images', 'expected a list of images');
		const references = [];
		for (const entry of given as ReferenceEntry[]) {
			references.push(
				await readImageInput(check, {
					source: entry?.source ?? 'url',
					url: entry?.url,
					property: entry?.binaryPropertyName,
					parameter: 'Reference Images',
				}),
			);
		}
		return prepareTask(ctx, gateway, itemIndex, { ...readCommonRequest(ctx, gateway, itemIndex), references });
	},
	async execute(run, prepared) {
		return await createAndCollect(run, prepared);
	},
};
