import type { INodeProperties } from 'n8n-workflow';

import { GATEWAYS } from '../gateways';
import type { Gateway, ModelOption, ModelSpec, OptionValue } from '../gateways/types';
import { collection, field, flag, invalidParameter, number, oneOf, parameter, text } from './checkedValues';
import type { ValueCheck, ValueRule } from './checkedValues';

/**
 * The parameters that follow the model: Model itself, its options (size, resolution, quality …),
 * Number of Images and Reference Images, built from each gateway's model specs so that every model
 * offers exactly what it takes, and a new gateway or model brings its own.
 *
 * Defaults are written as a call (`first(…)`), never as an index expression: n8n's package scanner
 * reads a computed `default` only in that form.
 */

export type ModelOperation = 'generate' | 'edit';

/** The Model parameter's name per operation: Edit offers other models, so its choice is its own. */
export const MODEL_PARAMETER: Record<ModelOperation, string> = { generate: 'model', edit: 'editModel' };

function first<T>(values: readonly T[]): T {
	return values[0];
}

/** The models of a gateway an operation offers: Edit only those that take a mask. */
export function modelsFor(gateway: Gateway, operation: ModelOperation): ModelSpec[] {
	return operation === 'edit' ? gateway.models.filter((model) => model.mask) : gateway.models;
}

/** Groups models whose `key(model)` is the same, so that identical parameters are shown once for all of them. */
function groupBy<T>(models: ModelSpec[], key: (model: ModelSpec) => T | undefined): Array<{ value: T; ids: string[] }> {
	const groups = new Map<string, { value: T; ids: string[] }>();
	for (const model of models) {
		const value = key(model);
		if (value === undefined) continue;
		const id = JSON.stringify(value);
		const group = groups.get(id) ?? { value, ids: [] };
		group.ids.push(model.id);
		groups.set(id, group);
	}
	return [...groups.values()];
}

type Show = Record<string, Array<string | number | boolean>>;

/**
 * A model option as a parameter. A list (Size, Resolution, Quality …) cannot be left to an AI
 * agent in n8n's editor (its "let the model define this" button skips lists), so as a tool the node
 * shows the same parameter as text, its values named in the description for the model to pick from.
 */
function optionProperties(option: ModelOption, show: Show, nested: boolean): INodeProperties[] {
	// Inside the Options collection, the node's own parameters are addressed with a leading slash.
	const root = (name: string) => (nested ? `/${name}` : name);
	const displayShow = Object.fromEntries(Object.entries(show).map(([name, values]) => [root(name), values]));
	const property: INodeProperties = {
		displayName: option.label,
		name: option.key,
		type: option.kind,
		default: option.default,
		description: option.description,
		displayOptions: { show: { ...displayShow, ...option.showWhen } },
	};
	if (option.kind === 'number') property.typeOptions = { minValue: option.min, maxValue: option.max };
	if (option.placeholder) property.placeholder = option.placeholder;
	if (option.hint) property.hint = option.hint;
	if (!option.choices) return [property];
	const values = option.choices.map((choice) => String(choice.value));
	return [
		{
			...property,
			options: option.choices.map((choice) => ({ ...choice })),
			displayOptions: { ...property.displayOptions, hide: { '@tool': [true] } },
		},
		{
			...property,
			type: 'string',
			default: String(option.default),
			description: `${option.description}. One of: ${values.join(', ')}.`,
			displayOptions: { show: { ...property.displayOptions?.show, '@tool': [true] } },
		},
	];
}

function countDescription(images: ModelSpec['images']): string {
	const counts = images.choices ? images.choices.join(', ').replace(/, (\d+)$/, ' or $1') : `1 to ${images.max}`;
	return images.perTask === 'one'
		? `${counts}. This model makes one image per task: each image is a task of its own, and each is billed.`
		: `${counts}. Each image becomes an output item, and each is billed.`;
}

function referenceProperty(references: ModelSpec['references'], show: Show): INodeProperties {
	const formats = references.formats.map((format) => format.toUpperCase()).join(', ');
	const megabytes = Math.round(references.maxBytes / (1024 * 1024));
	return {
		displayName: 'Reference Images',
		name: 'referenceImages',
		type: 'fixedCollection',
		default: {},
		placeholder: 'Add Reference Image',
		typeOptions: { multipleValues: true, maxAllowedFields: references.max },
		description: `Up to ${references.max} images to guide the result (image-to-image): binary fields of the input item (uploaded to the gateway first) or public URLs, mixed as you like. ${formats}, at most ${megabytes} MB each.`,
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
						default: 'binary',
						options: IMAGE_SOURCES,
					},
					{
						displayName: 'Input Binary Field',
						name: 'binaryPropertyName',
						type: 'string',
						default: 'data',
						placeholder: 'e.g. data',
						hint: 'The name of the input binary field containing the image',
						displayOptions: { show: { source: ['binary'] } },
					},
					{
						displayName: 'Image URL',
						name: 'url',
						type: 'string',
						default: '',
						placeholder: 'e.g. https://example.com/product.png',
						description: `Public http(s) URL of a ${formats} image, at most ${megabytes} MB`,
						displayOptions: { show: { source: ['url'] } },
					},
				],
			},
		],
	};
}

export const IMAGE_SOURCES = [
	{ name: 'Binary Field', value: 'binary', description: 'An image from an earlier node (uploaded to the gateway first)' },
	{ name: 'URL', value: 'url', description: 'A public http(s) URL the gateway can fetch' },
];

/** The Model parameter of every gateway, for an operation. */
export function modelChoiceProperties(operation: ModelOperation): INodeProperties[] {
	const modelParameter = MODEL_PARAMETER[operation];
	return Object.values(GATEWAYS).flatMap((gateway) => {
		const models = modelsFor(gateway, operation);
		if (!models.length) return [];
		const base = { operation: [operation], gateway: [gateway.id] };
		return [
			{
				displayName: 'Model',
				name: modelParameter,
				type: 'options',
				default: first(models.map((model) => model.id)),
				options: models.map((model) => ({ name: model.name, value: model.id, description: model.description })),
				description:
					operation === 'edit' ? `The models of ${gateway.displayName} that edit with a mask` : `The image model ${gateway.displayName} runs`,
				displayOptions: { show: base },
			} satisfies INodeProperties,
			...groupBy(models, (model) => model.notice).map(({ value: notice, ids }) => ({
				displayName: notice,
				name: 'modelNotice',
				type: 'notice' as const,
				default: '',
				displayOptions: { show: { ...base, [modelParameter]: ids } },
			})),
		];
	});
}

/**
 * What follows the model: its main options (size, resolution, quality …), Number of Images and
 * (for Generate) Reference Images, for every gateway. The options the models place under Options
 * come from modelOptionsInCollection.
 */
export function modelDetailProperties(operation: ModelOperation): INodeProperties[] {
	const modelParameter = MODEL_PARAMETER[operation];
	return Object.values(GATEWAYS).flatMap((gateway) => {
		const models = modelsFor(gateway, operation);
		const base = { operation: [operation], gateway: [gateway.id] };
		const ofModels = (ids: string[]): Show => ({ ...base, [modelParameter]: ids });
		const properties: INodeProperties[] = [];
		const mainOptions = models.flatMap((model) => model.options.filter((option) => option.placement === 'main'));
		const keys = [...new Set(mainOptions.map((option) => option.key))];
		for (const key of keys) {
			for (const { value: option, ids } of groupBy(models, (model) => model.options.find((o) => o.key === key && o.placement === 'main'))) {
				properties.push(...optionProperties(option, ofModels(ids), false));
			}
		}
		for (const { value: images, ids } of groupBy(models, (model) => (model.images.max > 1 ? model.images : undefined))) {
			properties.push({
				displayName: 'Number of Images',
				name: 'numberOfImages',
				type: 'number',
				default: 1,
				typeOptions: { minValue: 1, maxValue: images.max },
				description: countDescription(images),
				displayOptions: { show: ofModels(ids) },
			});
		}
		if (operation === 'generate') {
			for (const { value: references, ids } of groupBy(models, (model) => (model.references.max > 0 ? model.references : undefined))) {
				properties.push(referenceProperty(references, ofModels(ids)));
			}
		}
		return properties;
	});
}

/** The model options placed in the Options collection, for every gateway and model of an operation. */
export function modelOptionsInCollection(operation: ModelOperation): INodeProperties[] {
	const modelParameter = MODEL_PARAMETER[operation];
	return Object.values(GATEWAYS).flatMap((gateway) => {
		const models = modelsFor(gateway, operation);
		const keys = [...new Set(models.flatMap((model) => model.options.filter((o) => o.placement === 'options').map((o) => o.key)))];
		return keys.flatMap((key) =>
			groupBy(models, (model) => model.options.find((o) => o.key === key && o.placement === 'options')).flatMap(({ value, ids }) =>
				optionProperties(value, { gateway: [gateway.id], [modelParameter]: ids }, true),
			),
		);
	});
}

/** The mask's meaning per model, where the user looks: a notice above the Mask parameter. */
export function maskNotices(): INodeProperties[] {
	return Object.values(GATEWAYS).flatMap((gateway) =>
		groupBy(modelsFor(gateway, 'edit'), (model) => model.mask).map(({ value: mask, ids }) => ({
			displayName: `Mask on ${gateway.displayName}: ${mask.meaning}. The mask is a PNG of the same width and height as the image, at most ${Math.round(mask.maxBytes / (1024 * 1024))} MB.`,
			name: 'maskNotice',
			type: 'notice' as const,
			default: '',
			displayOptions: { show: { operation: ['edit'], gateway: [gateway.id], [MODEL_PARAMETER.edit]: ids } },
		})),
	);
}

/** The rule that checks one model option's value. */
function ruleOf(option: ModelOption): ValueRule<OptionValue> {
	switch (option.kind) {
		case 'options':
			return oneOf((option.choices ?? []).map((choice) => choice.value));
		case 'number':
			return number(option.min ?? -Infinity, option.max ?? Infinity);
		case 'boolean':
			return flag();
		case 'string':
			return text();
	}
}

/** Whether an option is shown (and so read) with the values read so far. */
function shown(option: ModelOption, values: Record<string, OptionValue>): boolean {
	return Object.entries(option.showWhen ?? {}).every(([key, allowed]) => allowed.includes(values[key]));
}

export interface ModelChoice {
	model: ModelSpec;
	values: Record<string, OptionValue>;
	/** Images asked for in this item. */
	count: number;
}

/** Reads Model, its options and Number of Images for one item, each checked for type and range. */
export function readModelChoice(check: ValueCheck, gateway: Gateway, operation: ModelOperation): ModelChoice {
	const models = modelsFor(gateway, operation);
	const modelId = parameter(check, MODEL_PARAMETER[operation], 'Model', text(), first(models.map((model) => model.id)));
	const model = models.find((candidate) => candidate.id === modelId);
	if (!model) {
		throw invalidParameter(
			check,
			'Model',
			`"${modelId}" is not a model ${gateway.displayName} ${operation === 'edit' ? 'edits with' : 'offers'}; choose one of ${models.map((m) => m.id).join(', ')}`,
		);
	}
	const options = collection(check, 'options', 'Options');
	const values: Record<string, OptionValue> = {};
	// In the order the spec lists them, so that an option shown by another's value sees that value.
	for (const option of model.options) {
		if (!shown(option, values)) continue;
		values[option.key] =
			option.placement === 'main'
				? parameter(check, option.key, option.label, ruleOf(option), option.default)
				: field(check, options, option.key, option.label, ruleOf(option), option.default);
	}
	const { images } = model;
	const count =
		images.max > 1
			? parameter(check, 'numberOfImages', 'Number of Images', images.choices ? oneOf(images.choices) : number(1, images.max, { integer: true }), 1)
			: 1;
	return { model, values, count };
}
