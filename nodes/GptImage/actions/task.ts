import { NodeApiError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { DEFAULT_MAX_IMAGE_MB } from '../engine/binary';
import { apiError } from '../engine/errors';
import { adaptiveSchedule, fixedSchedule } from '../engine/poll';
import type { TaskRead } from '../engine/transport';
import { GATEWAYS, gatewayIdsWhere } from '../gateways';
import type { ImageTask } from '../gateways/types';
import { field, flag, invalidParameter, number, text } from './checkedValues';
import type { ValueCheck } from './checkedValues';
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
export const MAX_WAIT_SECONDS = 7200;

/**
 * A paid task is not given up on one odd answer: status answers that say nothing usable (an
 * unknown shape, a gateway error that outlived the read's own retries) are tolerated this long in a
 * row before the item fails, naming the task.
 */
const UNUSABLE_ANSWERS_GRACE_MS = 60_000;

/**
 * Images one task may bring where the node does not know how many were asked for (Download by task
 * ID): the most any model makes in one task. A gateway that lists more is not followed (the extras
 * are reported).
 */
const MAX_IMAGES_PER_TASK = Math.max(
	...Object.values(GATEWAYS).flatMap((gateway) => gateway.models.map((model) => (model.images.perTask === 'many' ? model.images.max : 1))),
);

export const binaryPropertyOption: INodeProperties = {
	displayName: 'Put Output in Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	placeholder: 'e.g. data',
	description: 'The name of the binary field to put each image in',
	// As an AI agent's tool the node outputs URLs only: binary data cannot reach the agent.
	displayOptions: { hide: { '@tool': [true] } },
};

export const directLinkOption: INodeProperties = {
	displayName: 'Use Direct Download Link',
	name: 'useDirectLink',
	type: 'boolean',
	default: false,
	description:
		"Whether to fetch each image through the gateway's download-link endpoint (a signed link valid for 20 minutes) instead of the result URL",
	displayOptions: {
		show: { '/gateway': gatewayIdsWhere((gateway) => Object.values(gateway.families).some((family) => family.directDownload)) },
	},
};

export const maxImageSizeOption: INodeProperties = {
	displayName: 'Max Image Size (MB)',
	name: 'maxImageMegabytes',
	type: 'number',
	default: DEFAULT_MAX_IMAGE_MB,
	typeOptions: { minValue: 1, maxValue: 512 },
	description:
		'The largest result file the node downloads. A 4K PNG is usually under 30 MB; a larger answer is cut off with an error instead of filling the disk.',
};

export const requestTimeoutOption: INodeProperties = {
	displayName: 'Request Timeout (Seconds)',
	name: 'requestTimeoutSeconds',
	type: 'number',
	default: 0,
	typeOptions: { minValue: 0, maxValue: 600 },
	hint: '0 uses the defaults: 120 s to create a task, 60 s for a status check or a download',
	description:
		'How long one request to the gateway or its file server may go without an answer. 0 uses the defaults: 120 s to create a task, 60 s for a status check or a download. A status check or download that times out is tried again; a create that times out is reported (it may have gone through), never repeated.',
};

/** The options that control waiting and output, for Generate and Edit. */
export const waitOptionProperties: INodeProperties[] = [
	maxImageSizeOption,
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
		hint: '1 to 7200 seconds (2 hours)',
		description:
			'How long to wait for a task, its download included, before giving up. The task may still finish afterwards: its ID is in the error.',
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollIntervalSeconds',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0, maxValue: 300, numberPrecision: 1 },
		hint: '0 is adaptive (recommended): the node learns when such tasks end and looks then',
		description:
			"Time between two status checks. 0 is adaptive: tasks of one model tell the node how long they take, progress tells it where a task stands, and it reads densely only around the expected end. Never faster than the gateway allows.",
	},
	{
		displayName: 'Download Images',
		name: 'downloadImages',
		type: 'boolean',
		default: true,
		description: 'Whether to download the images into binary data. When off, the output holds their URLs only.',
		displayOptions: { hide: { '@tool': [true] } },
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

export function readWaitOptions(check: ValueCheck, options: IDataObject): WaitOptions {
	return {
		waitForCompletion: field(check, options, 'waitForCompletion', 'Wait for Completion', flag(), true),
		maxWaitSeconds: field(
			check,
			options,
			'maxWaitSeconds',
			'Max Wait (Seconds)',
			number(1, MAX_WAIT_SECONDS, { unit: 'seconds' }),
			DEFAULT_MAX_WAIT_SECONDS,
		),
		pollIntervalSeconds: field(check, options, 'pollIntervalSeconds', 'Poll Interval (Seconds)', number(0, 300, { unit: 'seconds' }), 0),
		downloadImages: field(check, options, 'downloadImages', 'Download Images', flag(), true) && !isToolMode(check.ctx),
		binaryPropertyName: readBinaryPropertyName(check, options),
		useDirectLink: field(check, options, 'useDirectLink', 'Use Direct Download Link', flag(), false),
	};
}

/** The binary field images go to: a non-empty name. */
export function readBinaryPropertyName(check: ValueCheck, options: IDataObject): string {
	const name = field(check, options, 'binaryPropertyName', 'Put Output in Field', text(), 'data').trim();
	if (!name) throw invalidParameter(check, 'Put Output in Field', 'is empty; enter the name of a binary field, e.g. data');
	return name;
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

/**
 * Judges status reads of a task that exists (the node or the user just created it): "not visible"
 * is normal until the gateway's grace period has passed since `since`, and answers that say nothing
 * usable are normal for a while in a row. Past those, the read becomes the error that ends the item.
 */
function taskReader(run: OperationRun, taskId: string, since: number, action: string) {
	const grace = run.gateway.capabilities.notVisibleGraceMs;
	let seen = false;
	let unusableSince: number | undefined;
	let last: TaskRead | undefined;
	return {
		judge(read: TaskRead): ImageTask | undefined {
			last = read;
			const now = Date.now();
			if (read.kind === 'task') {
				seen = true;
				unusableSince = undefined;
				return read.task;
			}
			if (read.kind === 'missing' && !seen) {
				if (now - since > grace) throw notFound(run, taskId, action, grace);
				return undefined;
			}
			// A task that vanished after it was seen, or an answer that describes no task.
			unusableSince ??= now;
			if (now - unusableSince > UNUSABLE_ANSWERS_GRACE_MS) throw this.problem();
			return undefined;
		},
		/** What the last read said, as the error to end with. */
		problem(): Error {
			if (last?.kind === 'unusable') return last.error;
			return notFound(run, taskId, action, grace);
		},
	};
}

/** Polls a created task until it succeeds; a failed task or the deadline becomes a NodeApiError. */
export async function waitForTask(
	run: OperationRun,
	taskId: string,
	options: WaitOptions,
	startedAt: number,
	/** Tasks that take about as long (same gateway and model): they teach the schedule. */
	cohort: string,
): Promise<ImageTask> {
	const { ctx, gateway, client, poller, job } = run;
	const { minPollIntervalMs } = gateway.capabilities;
	const schedule =
		options.pollIntervalSeconds > 0
			? fixedSchedule(options.pollIntervalSeconds * 1000, minPollIntervalMs)
			: adaptiveSchedule(minPollIntervalMs);
	const action = 'waiting for the task';
	const context = { itemIndex: job.itemIndex, signal: job.signal, action, taskId };
	const reader = taskReader(run, taskId, startedAt, action);

	const task = await poller.waitUntilDone<ImageTask>({
		read: async (signal) => reader.judge(await client.readTask(taskId, { ...context, signal })),
		isDone: (current) => current.state === 'succeeded' || current.state === 'failed',
		isSuccess: (current) => current.state === 'succeeded',
		progressOf: (current) => (current.state === 'running' ? current.progress : undefined),
		cohort,
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

/** How often Get Status and Download look again while a task is not visible yet. */
const PATIENT_READ_INTERVAL_MS = 1000;

/**
 * Reads a task once for Get Status and Download. The task may have been created a moment ago (by
 * this workflow, without waiting), so "not visible yet" and odd answers are read again for the
 * gateway's grace period before they become an error that names the task.
 */
export async function readTaskPatiently(run: OperationRun, taskId: string, action: string): Promise<ImageTask> {
	const { client, poller, job } = run;
	const startedAt = Date.now();
	const reader = taskReader(run, taskId, startedAt, action);
	const interval = Math.max(PATIENT_READ_INTERVAL_MS, run.gateway.capabilities.minPollIntervalMs);
	return await poller.waitUntilDone<ImageTask>({
		read: async (signal) =>
			reader.judge(await client.readTask(taskId, { itemIndex: job.itemIndex, signal, action, taskId })),
		isDone: () => true,
		// The first read at once, then one a second.
		schedule: fixedSchedule(interval, 0, 0),
		// One more look after the grace period, so that "not found" is said only once it has passed.
		deadline: startedAt + run.gateway.capabilities.notVisibleGraceMs + interval,
		signal: job.signal,
		onTimeout: () => reader.problem(),
	});
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

export function notFound(run: OperationRun, taskId: string, action: string, graceMs: number): NodeApiError {
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
			note: `It was looked for during ${Math.round(graceMs / 1000)} s, as long as a new task may take to appear; if it was created just now, run again in a minute.`,
		},
	);
}

/** One output item per image: JSON with its URL, binary data when asked for. */
export async function imageItems(
	run: OperationRun,
	task: ImageTask,
	options: Pick<WaitOptions, 'downloadImages' | 'binaryPropertyName' | 'useDirectLink'> & {
		/** How many images were asked for; a gateway's extra URLs are reported, not fetched. */
		requestedCount?: number;
		/** When the downloads must be done: the item's Max Wait, where it has one. */
		deadline?: number;
	},
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
	const wanted = Math.min(options.requestedCount ?? MAX_IMAGES_PER_TASK, MAX_IMAGES_PER_TASK);
	const urls = task.imageUrls.slice(0, wanted);
	const extraImageUrls = task.imageUrls.slice(wanted);
	const items: INodeExecutionData[] = [];
	for (const [index, url] of urls.entries()) {
		const json: IDataObject = {
			taskId: task.taskId,
			gateway: task.gateway,
			model: task.model,
			state: task.state,
			index,
			url,
			imageCount: urls.length,
			...(extraImageUrls.length ? { extraImageUrls } : {}),
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
		const source = (options.useDirectLink ? await client.directLink(task.taskId, url, context) : undefined) ?? url;
		const binary = await run.downloads.download({
			url: source,
			baseName: `${task.taskId}-${index + 1}`,
			itemIndex: job.itemIndex,
			taskId: task.taskId,
			gatewayName: gateway.displayName,
			signal: job.signal,
			deadline: options.deadline,
		});
		items.push({ json, binary: { [options.binaryPropertyName]: binary } });
	}
	return items;
}
