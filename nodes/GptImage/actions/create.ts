import { randomString } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { gatewayIdsWhere } from '../gateways';
import type { GatewayAdapter } from '../gateways/types';
import { collection, field, flag, oneOf, parameter, text } from './checkedValues';
import type { ValueCheck } from './checkedValues';
import { resolveImageUrls } from './inputs';
import { readModelAndSize } from './parameters';
import { imageItems, readWaitOptions, requestTimeoutOption, waitForTask, waitOptionProperties } from './task';
import type { WaitOptions } from './task';
import type { OperationRun } from './types';
import { validateRequest } from './validate';
import type { ParameterNames, RequestDraft } from './validate';

/** What Generate and Edit share: their Options, and creating a task then collecting its images. */

const callbackGateways = gatewayIdsWhere((gateway) => gateway.rules.callback !== 'none');
const fallbackGateways = gatewayIdsWhere((gateway) => gateway.rules.fallbackModels !== undefined);
const enhanceGateways = gatewayIdsWhere((gateway) => gateway.rules.enhancePrompt === true);
const FALLBACK_MODELS = [
	{ name: 'FLUX Max', value: 'FLUX_MAX' },
	{ name: 'GPT Image 1', value: 'GPT_IMAGE_1' },
];

export function taskOptionsProperty(operation: string): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: [operation] } },
		options: [
			{
				displayName: 'Callback URL',
				name: 'callbackUrl',
				type: 'string',
				default: '',
				placeholder: 'e.g. https://your-n8n.example.com/webhook/gpt-image',
				description:
					'A public URL the gateway calls when the task ends (EvoLink: https only). The node still polls; the callback is for other systems.',
				displayOptions: { show: { '/gateway': callbackGateways } },
			},
			{
				displayName: 'Enable Fallback',
				name: 'enableFallback',
				type: 'boolean',
				default: false,
				description: 'Whether the gateway may use the fallback model when GPT-4o Image is unavailable',
				displayOptions: { show: { '/gateway': fallbackGateways } },
			},
			{
				displayName: 'Enhance Prompt',
				name: 'enhancePrompt',
				type: 'boolean',
				default: false,
				description: 'Whether the gateway rewrites the prompt for more detail before generating',
				displayOptions: { show: { '/gateway': enhanceGateways } },
			},
			{
				displayName: 'Fallback Model',
				name: 'fallbackModel',
				type: 'options',
				default: 'FLUX_MAX',
				options: FALLBACK_MODELS,
				description: 'The model the gateway falls back to when Enable Fallback is on',
				displayOptions: { show: { '/gateway': fallbackGateways, enableFallback: [true] } },
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
			requestTimeoutOption,
			...waitOptionProperties,
		],
	};
}

/** A checked request and how to wait for it: everything needed to create the task. */
export interface PreparedTask {
	draft: RequestDraft;
	options: WaitOptions;
}

/** Model, size, prompt and the Options every task has, read (and checked) for one item. */
export function readCommonRequest(
	ctx: IExecuteFunctions,
	gateway: GatewayAdapter,
	itemIndex: number,
): Omit<RequestDraft, 'references' | 'mask'> {
	const check: ValueCheck = { ctx, itemIndex, gatewayName: gateway.displayName };
	const options = collection(check, 'options', 'Options');
	const request: Omit<RequestDraft, 'references' | 'mask'> = {
		...readModelAndSize(check, gateway),
		prompt: parameter(check, 'prompt', 'Prompt', text(), ''),
	};
	const callbackUrl = field(check, options, 'callbackUrl', 'Callback URL', text(), '').trim();
	if (callbackUrl) request.callbackUrl = callbackUrl;
	if (field(check, options, 'enhancePrompt', 'Enhance Prompt', flag(), false)) request.enhancePrompt = true;
	if (field(check, options, 'enableFallback', 'Enable Fallback', flag(), false)) {
		request.enableFallback = true;
		const models = FALLBACK_MODELS.map((model) => model.value);
		request.fallbackModel = field(check, options, 'fallbackModel', 'Fallback Model', oneOf(models), 'FLUX_MAX');
	}
	return request;
}

export function prepareTask(
	ctx: IExecuteFunctions,
	gateway: GatewayAdapter,
	itemIndex: number,
	draft: RequestDraft,
	names?: Partial<ParameterNames>,
): PreparedTask {
	const check: ValueCheck = { ctx, itemIndex, gatewayName: gateway.displayName };
	return {
		draft: validateRequest(ctx.getNode(), gateway, draft, itemIndex, names),
		options: readWaitOptions(check, collection(check, 'options', 'Options')),
	};
}

/**
 * Uploads the item's binary images (free, retried), creates the task (once: it is billed), then
 * waits for it and collects its images unless told not to.
 */
export async function createAndCollect(run: OperationRun, { draft, options }: PreparedTask): Promise<INodeExecutionData[]> {
	const { gateway, client, job } = run;
	const { references, mask, ...rest } = draft;
	const [referenceUrls, maskUrls] = await Promise.all([
		resolveImageUrls(run, references),
		resolveImageUrls(run, mask ? [mask] : []),
	]);
	const request = { ...rest, referenceUrls, ...(maskUrls.length ? { maskUrl: maskUrls[0] } : {}) };

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
		requestedImageCount: request.count,
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
	return await imageItems(
		run,
		{ ...task, model: task.model ?? request.model },
		{ ...options, requestedCount: request.count, deadline: startedAt + options.maxWaitSeconds * 1000 },
		requestJson,
	);
}
