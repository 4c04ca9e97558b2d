import type { INodeProperties } from 'n8n-workflow';

import { collection, invalidParameter } from './checkedValues';
import { createAndCollect, prepareTask, promptProperties, taskOptionsProperty } from './create';
import type { PreparedTask } from './create';
import { readImageInput } from './inputs';
import { modelChoiceProperties, modelDetailProperties } from './parameters';
import type { Operation } from './types';

const properties: INodeProperties[] = [
	...modelChoiceProperties('generate'),
	...promptProperties('generate'),
	...modelDetailProperties('generate'),
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
					source: entry?.source ?? 'binary',
					url: entry?.url,
					property: entry?.binaryPropertyName,
					parameter: 'Reference Images',
				}),
			);
		}
		return prepareTask(ctx, gateway, itemIndex, 'generate', { references });
	},
	async execute(run, prepared) {
		return await createAndCollect(run, prepared);
	},
};
