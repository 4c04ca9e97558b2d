import { randomString } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { GatewayAdapter, ImageRequest } from '../gateways/types';
import { modelAndSizeProperties, promptProperties, readModelAndSize } from './parameters';
import { imageItems, readWaitOptions, waitForTask, waitOptionProperties } from './task';
import type { WaitOptions } from './task';
import type { Operation, OperationRun } from './types';
import { validateRequest } from './validate';

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
		description: 'Up to 5 images to guide the result (image-to-image). Each must be a public http(s) URL.',
		displayOptions: { show },
		options: [
			{
				displayName: 'Image',
				name: 'images',
				values: [
					{
						displayName: 'Image URL',
						name: 'url',
						type: 'string',
						default: '',
						placeholder: 'e.g. https://example.com/product.png',
						description: 'Public http(s) URL of a JPEG, PNG or WebP image, at most 10 MB',
					},
				],
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Callback URL',
				name: 'callbackUrl',
				type: 'string',
				default: '',
				placeholder: 'e.g. https://your-n8n.example.com/webhook/gpt-image',
				description:
					'A public URL the gateway calls when the task ends (EvoLink: https only). The node still polls; the callback is for other systems.',
				displayOptions: { show: { '/gateway': ['kieAi', 'evoLink'] } },
			},
			{
				displayName: 'Enable Fallback',
				name: 'enableFallback',
				type: 'boolean',
				default: false,
				description: 'Whether Kie.ai may use the fallback model when GPT-4o Image is unavailable',
				displayOptions: { show: { '/gateway': ['kieAi'] } },
			},
			{
				displayName: 'Enhance Prompt',
				name: 'enhancePrompt',
				type: 'boolean',
				default: false,
				description: 'Whether Kie.ai rewrites the prompt for more detail before generating',
				displayOptions: { show: { '/gateway': ['kieAi'] } },
			},
			{
				displayName: 'Fallback Model',
				name: 'fallbackModel',
				type: 'options',
				default: 'FLUX_MAX',
				options: [
					{ name: 'FLUX Max', value: 'FLUX_MAX' },
					{ name: 'GPT Image 1', value: 'GPT_IMAGE_1' },
				],
				description: 'The model Kie.ai falls back to when Enable Fallback is on',
				displayOptions: { show: { '/gateway': ['kieAi'], enableFallback: [true] } },
			},
			{
				displayName: 'Max Concurrent Tasks',
				name: 'maxConcurrentTasks',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0, maxValue: 100 },
				description:
					'How many input items have a task in flight at once. 0 means 100; Kie.ai creates are also spaced to its limit of 20 per 10 seconds. Lower it if the gateway answers with rate-limit errors.',
			},
			...waitOptionProperties,
		],
	},
];

/** A checked request and how to wait for it: everything needed to create the task. */
export interface PreparedTask {
	request: ImageRequest;
	options: WaitOptions;
}

/** Builds the gateway-neutral request for one item from its parameters. */
function readRequest(ctx: IExecuteFunctions, gateway: GatewayAdapter, itemIndex: number): ImageRequest {
	const get = (name: string, fallback: unknown) => ctx.getNodeParameter(name, itemIndex, fallback);
	const options = get('options', {}) as IDataObject;
	const references = (get('referenceImages', {}) as { images?: Array<{ url?: string }> }).images ?? [];
	const request: ImageRequest = {
		...readModelAndSize(get, gateway),
		prompt: String(get('prompt', '')),
		referenceUrls: references.map((image) => String(image.url ?? '').trim()),
	};
	const callbackUrl = String(options.callbackUrl ?? '').trim();
	if (callbackUrl) request.callbackUrl = callbackUrl;
	if (options.enhancePrompt === true) request.enhancePrompt = true;
	if (options.enableFallback === true) {
		request.enableFallback = true;
		request.fallbackModel = String(options.fallbackModel ?? 'FLUX_MAX');
	}
	return request;
}

export function prepareTask(
	ctx: IExecuteFunctions,
	gateway: GatewayAdapter,
	itemIndex: number,
	request: ImageRequest,
): PreparedTask {
	return {
		request: validateRequest(ctx.getNode(), gateway, request, itemIndex),
		options: readWaitOptions(ctx.getNodeParameter('options', itemIndex, {}) as IDataObject),
	};
}

/** Creates the task (once: it is billed), then waits for it and collects its images unless told not to. */
export async function createAndCollect(
	run: OperationRun,
	{ request, options }: PreparedTask,
): Promise<INodeExecutionData[]> {
	const { gateway, client, job } = run;
	const startedAt = Date.now();
	const taskId = await client.createTask(request, `n8n-${randomString(24)}`, {
		itemIndex: job.itemIndex,
		signal: job.signal,
		action: 'creating the task',
	});
	job.trackTask(taskId);
	const requestJson: IDataObject = {
		prompt: request.prompt,
		size: request.size,
		...(request.resolution ? { resolution: request.resolution } : {}),
	};

	if (!options.waitForCompletion) {
		return [
			{
				json: {
					taskId,
					gateway: gateway.id,
					model: request.model,
					state: 'queued',
					progress: 0,
					...requestJson,
					createdAt: new Date(startedAt).toISOString(),
				},
			},
		];
	}
	const task = await waitForTask(run, taskId, options, startedAt);
	return await imageItems(run, { ...task, model: task.model ?? request.model }, options, requestJson);
}

export const generate: Operation<PreparedTask> = {
	name: 'Generate',
	value: 'generate',
	description: 'Create images from a prompt, optionally guided by reference images',
	action: 'Generate images',
	properties,
	async prepare(ctx, gateway, itemIndex) {
		return prepareTask(ctx, gateway, itemIndex, readRequest(ctx, gateway, itemIndex));
	},
	async execute(run, prepared) {
		return await createAndCollect(run, prepared);
	},
};
