import type { INodeProperties } from 'n8n-workflow';

import { GATEWAYS } from '../gateways';
import { oneOf, parameter, text } from './checkedValues';
import type { ValueCheck } from './checkedValues';
import type { GatewayAdapter, ModelSpec } from '../gateways/types';

/**
 * Model, Size, Resolution and Number of Images, built from the adapters so that each gateway and
 * model offers exactly the values it accepts, and a new gateway brings its own.
 */

const RESOLUTION_HINT: Record<string, string> = {
	'1K': '1K (e.g. 1024x1024)',
	'2K': '2K (e.g. 2048x1152 at 16:9)',
	'4K': '4K (e.g. 3840x2160 at 16:9)',
};

/**
 * The first entry of a list: each parameter here defaults to its first option. Written as a call on
 * purpose: n8n's package scanner (node-param-default-missing, eslint-plugin-n8n-nodes-base 1.16)
 * accepts a `default:` that is a literal, template, object, array, identifier or call, and reports
 * an index or member expression (`sizes[0]`, `models[0].value`) as a missing default.
 */
function first<T>(list: readonly T[]): T {
	return list[0];
}

function sizeOption(size: string) {
	return { name: size, value: size };
}

function modelProperties(gateway: GatewayAdapter, operations: string[], models: ModelSpec[]): INodeProperties[] {
	const show = { operation: operations, gateway: [gateway.id] };
	const properties: INodeProperties[] = [
		{
			displayName: 'Model',
			name: 'model',
			type: 'options',
			default: first(models.map((model) => model.value)),
			options: models.map((model) => ({
				name: model.name,
				value: model.value,
				description: model.description,
			})),
			displayOptions: { show },
		},
	];
	for (const model of models) {
		properties.push(...sizeProperties(gateway, model, operations));
		if (model.counts.length > 1) {
			properties.push({
				displayName: 'Number of Images',
				name: 'numberOfImages',
				type: 'options',
				default: first(model.counts),
				options: model.counts.map((count) => ({ name: String(count), value: count })),
				description: 'How many images the task makes; each becomes an output item (and each is billed)',
				displayOptions: { show: { ...show, model: [model.value] } },
			});
		}
	}
	return properties;
}

function sizeProperties(gateway: GatewayAdapter, model: ModelSpec, operations: string[]): INodeProperties[] {
	const show = { operation: operations, gateway: [gateway.id], model: [model.value] };
	if (Array.isArray(model.sizes)) {
		return [
			{
				displayName: 'Size',
				name: 'size',
				type: 'options',
				default: first(model.sizes),
				options: model.sizes.map(sizeOption),
				description: 'Aspect ratio (or pixel size) of the images',
				displayOptions: { show },
			},
		];
	}
	const tiers = Object.keys(model.sizes);
	return [
		{
			displayName: 'Resolution',
			name: 'resolution',
			type: 'options',
			default: first(tiers),
			options: tiers.map((tier) => ({ name: RESOLUTION_HINT[tier] ?? tier, value: tier })),
			description: 'Output resolution tier; each tier allows its own sizes',
			displayOptions: { show },
		},
		...Object.entries(model.sizes).map(
			([tier, sizes]): INodeProperties => ({
				displayName: 'Size',
				name: 'size',
				type: 'options',
				default: first(sizes),
				options: sizes.map(sizeOption),
				description: `Aspect ratio of the images (the sizes ${tier} allows)`,
				displayOptions: { show: { ...show, resolution: [tier] } },
			}),
		),
	];
}

/** Model, Size, Resolution and Number of Images of every gateway, for the models `offer` keeps. */
export function modelAndSizeProperties(
	operations: string[],
	offer: (model: ModelSpec) => boolean = () => true,
): INodeProperties[] {
	return Object.values(GATEWAYS).flatMap((gateway) => {
		const models = gateway.models.filter(offer);
		return models.length ? modelProperties(gateway, operations, models) : [];
	});
}

/** Reads Model, Size, Resolution and Number of Images for one item (their values are checked later). */
export function readModelAndSize(
	check: ValueCheck,
	gateway: GatewayAdapter,
): { model: string; size: string; resolution?: string; count: number } {
	const model = parameter(check, 'model', 'Model', text(), gateway.models[0].value);
	const spec = gateway.models.find((candidate) => candidate.value === model);
	const tiered = spec !== undefined && !Array.isArray(spec.sizes);
	const counts = spec?.counts ?? [1];
	return {
		model,
		size: parameter(check, 'size', 'Size', text(), ''),
		resolution: tiered ? parameter(check, 'resolution', 'Resolution', text(), '1K') : undefined,
		count: counts.length > 1 ? parameter(check, 'numberOfImages', 'Number of Images', oneOf(counts), counts[0]) : 1,
	};
}

/**
 * The prompt is required everywhere but on gateways that accept images alone (Kie), where an
 * empty prompt with reference images is a valid request.
 */
export function promptProperties(operation: string): INodeProperties[] {
	const base: INodeProperties = {
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		default: '',
		typeOptions: { rows: 4 },
		placeholder: 'e.g. A studio photo of a ceramic mug on a white background, soft light',
		description: 'What the image should show',
	};
	const gateways = Object.values(GATEWAYS);
	const required = gateways.filter((gateway) => !gateway.rules.promptOptionalWithImages).map((gateway) => gateway.id);
	const optional = gateways.filter((gateway) => gateway.rules.promptOptionalWithImages).map((gateway) => gateway.id);
	return [
		{ ...base, required: true, displayOptions: { show: { operation: [operation], gateway: required } } },
		{
			...base,
			description: 'What the image should show. May be empty when reference images are given.',
			displayOptions: { show: { operation: [operation], gateway: optional } },
		},
	];
}
