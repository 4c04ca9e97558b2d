import { randomString } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { GATEWAYS, gatewayIdsWhere } from '../gateways';
import type { Gateway, ImageTask, TaskCost, TaskRequest } from '../gateways/types';
import { collection, field, parameter, text } from './checkedValues';
import type { ValueCheck } from './checkedValues';
import { resolveImageUrls } from './inputs';
import { MODEL_PARAMETER, modelOptionsInCollection, modelsFor, readModelChoice } from './parameters';
import type { ModelOperation } from './parameters';
import { imageItems, readWaitOptions, requestTimeoutOption, waitForTask, waitOptionProperties } from './task';
import type { WaitOptions } from './task';
import type { OperationRun } from './types';
import { validateRequest } from './validate';
import type { ImageInput, ParameterNames, RequestDraft } from './validate';

/** What Generate and Edit share: the prompt, their Options, and creating tasks then collecting their images. */

/** The prompt: required, but for models that also take images alone (Kie's 4o Image API). */
export function promptProperties(operation: ModelOperation): INodeProperties[] {
	const base: INodeProperties = {
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		default: '',
		typeOptions: { rows: 4 },
		placeholder: 'e.g. A studio photo of a ceramic mug on a white background, soft light',
		description: 'What the image should show',
	};
	const modelParameter = MODEL_PARAMETER[operation];
	return gatewayModels(operation).flatMap(({ gateway, required, optional }) => [
		...(required.length
			? [{ ...base, required: true, displayOptions: { show: { operation: [operation], gateway: [gateway], [modelParameter]: required } } }]
			: []),
		...(optional.length
			? [
					{
						...base,
						description: 'What the image should show. May be empty when reference images are given.',
						displayOptions: { show: { operation: [operation], gateway: [gateway], [modelParameter]: optional } },
					},
				]
			: []),
	]);
}

/** Per gateway, the models of an operation that need a prompt and those that take images alone. */
function gatewayModels(operation: ModelOperation) {
	return Object.values(GATEWAYS).map((gateway) => {
		const models = modelsFor(gateway, operation);
		return {
			gateway: gateway.id,
			required: models.filter((model) => !model.prompt.optionalWithImages).map((model) => model.id),
			optional: models.filter((model) => model.prompt.optionalWithImages).map((model) => model.id),
		};
	});
}

const callbackGateways = gatewayIdsWhere((gateway) => gateway.capabilities.callback !== 'none');

export function taskOptionsProperty(operation: ModelOperation): INodeProperties {
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
			...modelOptionsInCollection(operation),
			{
				displayName: 'Max Concurrent Tasks',
				name: 'maxConcurrentTasks',
				type: 'number',
				default: 100,
				typeOptions: { minValue: 1, maxValue: 1000 },
				description:
					'How many input items have a task in flight at once, up to 1000. Kie.ai creates are also spaced to its limit of 20 per 10 seconds. Lower it if the gateway answers with rate-limit errors.',
			},
			requestTimeoutOption,
			...waitOptionProperties,
		],
	};
}

/** A checked request and how to wait for it: everything needed to create the tasks. */
export interface PreparedTask {
	draft: RequestDraft;
	options: WaitOptions;
}

/**
 * Reads and checks one item's request: model and its options, prompt, Options, and the images the
 * operation gives (not yet uploaded).
 */
export function prepareTask(
	ctx: IExecuteFunctions,
	gateway: Gateway,
	itemIndex: number,
	operation: ModelOperation,
	images: { references: ImageInput[]; mask?: ImageInput },
	names?: Partial<ParameterNames>,
): PreparedTask {
	const check: ValueCheck = { ctx, itemIndex, gatewayName: gateway.displayName };
	const options = collection(check, 'options', 'Options');
	const draft: RequestDraft = {
		...readModelChoice(check, gateway, operation),
		prompt: parameter(check, 'prompt', 'Prompt', text(), ''),
		...images,
	};
	const callbackUrl = field(check, options, 'callbackUrl', 'Callback URL', text(), '').trim();
	if (callbackUrl) draft.callbackUrl = callbackUrl;
	return {
		draft: validateRequest(ctx.getNode(), gateway, draft, itemIndex, names),
		options: readWaitOptions(check, options),
	};
}

/** The tasks an item needs: one that makes all its images, or one per image where the model makes one each. */
function taskRequests(draft: RequestDraft, referenceUrls: string[], maskUrl?: string): TaskRequest[] {
	const { model, values, count, prompt, callbackUrl } = draft;
	const request = (imageCount: number): TaskRequest => ({ model, values, prompt, imageCount, referenceUrls, maskUrl, callbackUrl });
	return model.images.perTask === 'one' ? Array.from({ length: count }, () => request(1)) : [request(count)];
}

/**
 * Uploads the item's binary images (free, retried), creates its tasks (each once: each is billed),
 * then waits for them together and collects their images unless told not to.
 */
export async function createAndCollect(run: OperationRun, { draft, options }: PreparedTask): Promise<INodeExecutionData[]> {
	const { gateway, client, job } = run;
	const [referenceUrls, maskUrls] = await Promise.all([
		resolveImageUrls(run, draft.references),
		resolveImageUrls(run, draft.mask ? [draft.mask] : []),
	]);
	const requests = taskRequests(draft, referenceUrls, maskUrls[0]);
	const requestJson: IDataObject = {
		model: draft.model.id,
		prompt: draft.prompt,
		...draft.values,
		requestedImageCount: draft.count,
	};

	const created: Array<{ taskId: string; cost?: TaskCost; startedAt: number; request: TaskRequest }> = [];
	for (const request of requests) {
		const startedAt = Date.now();
		const task = await client.createTask(request, `n8n-${randomString(24)}`, {
			itemIndex: job.itemIndex,
			signal: job.signal,
			action: 'creating the task',
		});
		job.trackTask(task.taskId);
		created.push({ ...task, startedAt, request });
	}

	if (!options.waitForCompletion) {
		return created.map(({ taskId, cost, startedAt }) => ({
			json: {
				taskId,
				gateway: gateway.id,
				state: 'queued',
				progress: 0,
				...requestJson,
				...(cost ? { cost } : {}),
				createdAt: new Date(startedAt).toISOString(),
			},
		}));
	}

	const cohort = `${gateway.id}:${draft.model.id}`;
	const finished = await Promise.allSettled(
		created.map(async ({ taskId, startedAt }) => await waitForTask(run, taskId, options, startedAt, cohort)),
	);
	// Stop, or every task failed: nothing to show. Where some tasks of the item succeeded, their
	// (paid) images are kept and the failed ones are reported beside them.
	job.signal.throwIfAborted();
	const taskErrors = finished.flatMap((outcome, index) =>
		outcome.status === 'rejected' ? [{ taskId: created[index].taskId, error: (outcome.reason as Error).message }] : [],
	);
	if (taskErrors.length === finished.length) throw (finished[0] as PromiseRejectedResult).reason;

	const items: INodeExecutionData[] = [];
	for (const [index, outcome] of finished.entries()) {
		if (outcome.status !== 'fulfilled') continue;
		const { cost, startedAt, request } = created[index];
		const task: ImageTask = { ...outcome.value, model: outcome.value.model ?? draft.model.id, cost: outcome.value.cost ?? cost };
		const extra: IDataObject = { ...requestJson, ...(task.cost ? { cost: task.cost } : {}), ...(taskErrors.length ? { taskErrors } : {}) };
		items.push(
			...(await imageItems(
				run,
				task,
				{ ...options, requestedCount: request.imageCount, deadline: startedAt + options.maxWaitSeconds * 1000 },
				extra,
			)),
		);
	}
	return items;
}
