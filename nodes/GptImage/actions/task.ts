import { NodeApiError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { downloadImage } from '../engine/binary';
import { apiError } from '../engine/errors';
import { adaptiveSchedule, fixedSchedule } from '../engine/poll';
import type { ImageTask } from '../gateways/types';
import type { OperationRun } from './types';

/** What Generate and Edit share once a task exists: waiting for it and turning it into items. */

export interface WaitOptions {
	waitForCompletion: boolean;
	maxWaitSeconds: number;
	pollIntervalSeconds: number;
	downloadImages: boolean;
	binaryPropertyName: string;
	useDirectLink: boolean;
}

export const DEFAULT_MAX_WAIT_SECONDS = 600;

/** A Kie record may be invisible for a moment after create; after this long it is "not found". */
const NOT_VISIBLE_GRACE_MS = 60_000;

export const binaryPropertyOption: INodeProperties = {
	displayName: 'Put Output in Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	placeholder: 'e.g. data',
	description: 'The name of the binary field to put each image in',
};

export const directLinkOption: INodeProperties = {
	displayName: 'Use Direct Download Link',
	name: 'useDirectLink',
	type: 'boolean',
	default: false,
	description: 'Whether to fetch each image through Kie.ai\'s download-URL endpoint (a signed link valid for 20 minutes) instead of the result URL',
	displayOptions: { show: { '/gateway': ['kieAi'] } },
};

/** The options that control waiting and output, for Generate and Edit. */
export const waitOptionProperties: INodeProperties[] = [
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait until the images are ready. When off, the node returns the task ID at once; collect the images later with the Get Status or Download operation.',
	},
	{
		displayName: 'Max Wait (Seconds)',
		name: 'maxWaitSeconds',
		type: 'number',
		default: DEFAULT_MAX_WAIT_SECONDS,
		typeOptions: { minValue: 1, maxValue: 7200 },
		description:
			'How long to wait for a task before giving up (at most 2 hours). The task may still finish afterwards: its ID is in the error.',
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollIntervalSeconds',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0, maxValue: 300, numberPrecision: 1 },
		description:
			"Time between two status checks. 0 is adaptive: it starts at half a second, grows to 10 seconds, and aims at the end the task's progress predicts. Never faster than the gateway allows.",
	},
	{
		displayName: 'Download Images',
		name: 'downloadImages',
		type: 'boolean',
		default: true,
		description: 'Whether to download the images into binary data. When off, the output holds their URLs only.',
	},
	binaryPropertyOption,
	directLinkOption,
];

/**
 * Whether an AI agent runs the node as a tool. Binary data cannot cross the tool boundary, so a
 * tool answers with task ids and image URLs only.
 */
export function isToolMode(ctx: IExecuteFunctions): boolean {
	return ctx.isToolExecution?.() === true || ctx.getNode().type.endsWith('Tool');
}

export function readWaitOptions(ctx: IExecuteFunctions, options: IDataObject): WaitOptions {
	return {
		waitForCompletion: options.waitForCompletion !== false,
		maxWaitSeconds: Number(options.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS),
		pollIntervalSeconds: Number(options.pollIntervalSeconds ?? 0),
		downloadImages: options.downloadImages !== false && !isToolMode(ctx),
		binaryPropertyName: String(options.binaryPropertyName || 'data'),
		useDirectLink: options.useDirectLink === true,
	};
}

/** The task as JSON for the output, without the raw body. */
export function taskSummary(task: ImageTask): IDataObject {
	return {
		taskId: task.taskId,
		gateway: task.gateway,
		model: task.model,
		state: task.state,
		progress: task.progress,
		imageUrls: task.imageUrls,
		...(task.error ? { error: { code: task.error.code, message: task.error.message } } : {}),
		createdAt: task.createdAt,
		completedAt: task.completedAt,
		expiresAt: task.expiresAt,
	};
}

/** Polls a created task until it succeeds; a failed task or the deadline becomes a NodeApiError. */
export async function waitForTask(
	run: OperationRun,
	taskId: string,
	options: WaitOptions,
	startedAt: number,
): Promise<ImageTask> {
	const { ctx, gateway, client, poller, job } = run;
	const { minPollIntervalMs } = gateway.limits;
	const schedule =
		options.pollIntervalSeconds > 0
			? fixedSchedule(options.pollIntervalSeconds * 1000, minPollIntervalMs)
			: adaptiveSchedule(minPollIntervalMs);
	const context = { itemIndex: job.itemIndex, signal: job.signal, action: 'waiting for the task', taskId };

	const task = await poller.waitUntilDone<ImageTask>({
		read: async (signal) => {
			const current = await client.readTask(taskId, { ...context, signal });
			if (!current && Date.now() - startedAt > NOT_VISIBLE_GRACE_MS) {
				throw notFound(run, taskId, 'waiting for the task');
			}
			return current;
		},
		isDone: (current) => current.state === 'succeeded' || current.state === 'failed',
		isSuccess: (current) => current.state === 'succeeded',
		progressOf: (current) => (current.state === 'running' ? current.progress : undefined),
		// Tasks of one gateway and model take about as long: each success tells the others when to look.
		cohort: `${gateway.id}:${String(ctx.getNodeParameter('model', job.itemIndex, ''))}`,
		schedule,
		deadline: startedAt + options.maxWaitSeconds * 1000,
		signal: job.signal,
		onTimeout: (last) =>
			new NodeApiError(
				ctx.getNode(),
				{ taskId, state: last?.state ?? 'unknown', progress: last?.progress ?? 0 },
				{
					message: `Task ${taskId} is not finished after ${options.maxWaitSeconds} s (state: ${last?.state ?? 'not visible yet'}, progress: ${last?.progress ?? 0}%)`,
					description: `The task may still finish on ${gateway.displayName}. Collect it later with the Get Status or Download operation and task ID ${taskId}, or raise Max Wait in the options.`,
					itemIndex: job.itemIndex,
				},
			),
	});

	if (task.state === 'failed') throw taskFailedError(run, task);
	return task;
}

/** The error for a task the gateway reports as failed, with the gateway's own code and message. */
export function taskFailedError(run: OperationRun, task: ImageTask, note?: string): NodeApiError {
	const error = task.error ?? { category: 'unknown' as const, code: 'failed', message: 'The task failed' };
	return apiError(
		{ category: error.category, httpCode: 200, code: error.code, message: error.message },
		{
			node: run.ctx.getNode(),
			itemIndex: run.job.itemIndex,
			gatewayName: run.gateway.displayName,
			taskId: task.taskId,
			action: 'generating the images',
			note,
		},
	);
}

export function notFound(run: OperationRun, taskId: string, action: string): NodeApiError {
	return apiError(
		{
			category: 'notFound',
			httpCode: 404,
			code: 'not_found',
			message: `The gateway does not know task ${taskId}`,
		},
		{
			node: run.ctx.getNode(),
			itemIndex: run.job.itemIndex,
			gatewayName: run.gateway.displayName,
			taskId,
			action,
		},
	);
}

/** One output item per image: JSON with its URL, binary data when asked for. */
export async function imageItems(
	run: OperationRun,
	task: ImageTask,
	options: Pick<WaitOptions, 'downloadImages' | 'binaryPropertyName' | 'useDirectLink'>,
	extra: IDataObject = {},
): Promise<INodeExecutionData[]> {
	const { ctx, gateway, client, job } = run;
	if (!task.imageUrls.length) {
		throw apiError(
			{
				category: 'gatewayDown',
				httpCode: 200,
				code: 'NO_IMAGES',
				message: 'The task succeeded but returned no image URLs',
			},
			{
				node: ctx.getNode(),
				itemIndex: job.itemIndex,
				gatewayName: gateway.displayName,
				taskId: task.taskId,
				action: 'reading the results',
			},
		);
	}
	const items: INodeExecutionData[] = [];
	for (const [index, url] of task.imageUrls.entries()) {
		const json: IDataObject = {
			taskId: task.taskId,
			gateway: task.gateway,
			model: task.model,
			state: task.state,
			index,
			url,
			imageCount: task.imageUrls.length,
			...extra,
			createdAt: task.createdAt,
			completedAt: task.completedAt,
			expiresAt: task.expiresAt,
		};
		if (!options.downloadImages) {
			items.push({ json });
			continue;
		}
		const context = {
			itemIndex: job.itemIndex,
			signal: job.signal,
			action: 'asking for a direct download link',
			taskId: task.taskId,
		};
		const source =
			options.useDirectLink && gateway.directDownloadCall && gateway.readDirectDownload
				? client.decode(
						await client.send(gateway.directDownloadCall(task.taskId, url), 'read', context),
						gateway.readDirectDownload,
						context,
						{ code: 'UNEXPECTED_ANSWER', message: 'The download-url answer holds no link' },
					)
				: url;
		const binary = await downloadImage(ctx, {
			url: source,
			baseName: `${task.taskId}-${index + 1}`,
			itemIndex: job.itemIndex,
			taskId: task.taskId,
			gatewayName: gateway.displayName,
			signal: job.signal,
		});
		items.push({ json, binary: { [options.binaryPropertyName]: binary } });
	}
	return items;
}
