import { inspectBinary, uploadImage } from '../engine/upload';
import { invalidParameter, oneOf, text } from './checkedValues';
import type { ValueCheck } from './checkedValues';
import type { OperationRun } from './types';
import type { ImageInput } from './validate';

/** Input images as the user gives them: a binary field of the input item, or a URL. */

/** An input image as given (checked for type: an expression may give anything), not yet validated. */
export async function readImageInput(
	check: ValueCheck,
	input: { source: unknown; url: unknown; property: unknown; parameter: string },
): Promise<ImageInput> {
	const label = input.parameter;
	const source = oneOf(['binary', 'url'] as const)(input.source);
	if (!source.ok) throw invalidParameter(check, label, `source ${source.problem}`);
	if (source.value === 'binary') {
		const property = text()(input.property ?? 'data');
		if (!property.ok) throw invalidParameter(check, label, `binary field ${property.problem}`);
		const name = property.value.trim() || 'data';
		return { kind: 'binary', image: await inspectBinary(check.ctx, check.itemIndex, name, label) };
	}
	const url = text()(input.url ?? '');
	if (!url.ok) throw invalidParameter(check, label, `URL ${url.problem}`);
	return { kind: 'url', url: url.value.trim() };
}

/** The URLs the task gets: URLs as given, binaries uploaded through the gateway's file API (in order). */
export async function resolveImageUrls(run: OperationRun, inputs: ImageInput[]): Promise<string[]> {
	const context = { itemIndex: run.job.itemIndex, signal: run.job.signal, action: 'uploading an input image' };
	return await Promise.all(
		inputs.map(async (input) =>
			input.kind === 'url' ? input.url : await uploadImage(run.ctx, run.client, input.image, context, run.uploads),
		),
	);
}
