import type { INodePropertyOptions } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

import { inspectBinary, uploadImage } from '../engine/upload';
import type { OperationRun } from './types';
import type { ImageInput } from './validate';

/** Input images as the user gives them: a binary field of the input item, or a URL. */

export const imageSourceOptions: INodePropertyOptions[] = [
	{ name: 'Binary Field', value: 'binary', description: 'An image from an earlier node (uploaded to the gateway first)' },
	{ name: 'URL', value: 'url', description: 'A public http(s) URL the gateway can fetch' },
];

export async function readImageInput(
	ctx: IExecuteFunctions,
	itemIndex: number,
	input: { source: unknown; url: unknown; property: unknown; parameter: string },
): Promise<ImageInput> {
	if (input.source === 'binary') {
		const property = String(input.property ?? '').trim() || 'data';
		return { kind: 'binary', image: await inspectBinary(ctx, itemIndex, property, input.parameter) };
	}
	return { kind: 'url', url: String(input.url ?? '').trim() };
}

/** The URLs the task gets: URLs as given, binaries uploaded through the gateway's file API (in order). */
export async function resolveImageUrls(run: OperationRun, inputs: ImageInput[]): Promise<string[]> {
	const context = { itemIndex: run.job.itemIndex, signal: run.job.signal, action: 'uploading an input image' };
	return await Promise.all(
		inputs.map(async (input) =>
			input.kind === 'url' ? input.url : await uploadImage(run.ctx, run.client, input.image, context),
		),
	);
}
