import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { isHttpUrl, schemeOf } from '../engine/hosts';
import type { Gateway } from '../gateways/types';
import { collection, field, flag, invalidParameter, oneOf, parameter, text } from './checkedValues';
import { readTaskId, taskIdProperty } from './getStatus.operation';
import {
	binaryPropertyOption,
	directLinkOption,
	imageItems,
	isToolMode,
	maxImageSizeOption,
	readBinaryPropertyName,
	readTaskPatiently,
	requestTimeoutOption,
	taskFailedError,
} from './task';
import type { Operation, OperationRun } from './types';

const show = { operation: ['download'] };

const properties: INodeProperties[] = [
	{
		displayName: 'Source',
		name: 'source',
		type: 'options',
		default: 'task',
		options: [
			{ name: 'Task ID', value: 'task', description: 'Download every image of a finished task' },
			{ name: 'Image URL', value: 'url', description: 'Download one result URL' },
		],
		displayOptions: { show },
	},
	{ ...taskIdProperty('download'), displayOptions: { show: { ...show, source: ['task'] } } },
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://files.example.com/generated/a.png',
		description: 'A result URL, e.g. from the "URL" field of an earlier output. It is fetched without the API key.',
		displayOptions: { show: { ...show, source: ['url'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			binaryPropertyOption,
			maxImageSizeOption,
			requestTimeoutOption,
			{ ...directLinkOption, displayOptions: { show: { ...directLinkOption.displayOptions?.show, '/source': ['task'] } } },
		],
	},
];

type DownloadSource = { kind: 'url'; url: string } | { kind: 'task'; taskId: string };

interface PreparedDownload {
	source: DownloadSource;
	binaryPropertyName: string;
	useDirectLink: boolean;
	/** Off when an AI agent runs the node as a tool: it gets the URLs. */
	downloadImages: boolean;
}

function readSource(ctx: IExecuteFunctions, gateway: Gateway, itemIndex: number): DownloadSource {
	const check = { ctx, itemIndex, gatewayName: gateway.displayName };
	if (parameter(check, 'source', 'Source', oneOf(['task', 'url']), 'task') === 'task') {
		return { kind: 'task', taskId: readTaskId(ctx, gateway, itemIndex) };
	}
	const url = parameter(check, 'imageUrl', 'Image URL', text(), '').trim();
	if (!isHttpUrl(url)) {
		throw invalidParameter(
			check,
			'Image URL',
			`"${url.slice(0, 80)}" is not an absolute http(s) URL (${schemeOf(url)}); enter a result URL such as the "url" field of a Generate output`,
		);
	}
	return { kind: 'url', url };
}

async function downloadUrl(run: OperationRun, url: string, binaryPropertyName: string) {
	const { gateway, job } = run;
	const baseName = (new URL(url).pathname.split('/').pop() ?? '').replace(/\.[a-z0-9]+$/i, '') || 'image';
	const binary = await run.downloads.download({
		url,
		baseName,
		itemIndex: job.itemIndex,
		gatewayName: gateway.displayName,
		signal: job.signal,
	});
	return [{ json: { url, gateway: gateway.id }, binary: { [binaryPropertyName]: binary } }];
}

export const download: Operation<PreparedDownload> = {
	name: 'Download',
	value: 'download',
	description: 'Download the images of a finished task, or one image URL, as binary data',
	action: 'Download images',
	properties,
	async prepare(ctx, gateway, itemIndex) {
		const check = { ctx, itemIndex, gatewayName: gateway.displayName };
		const options = collection(check, 'options', 'Options');
		return {
			source: readSource(ctx, gateway, itemIndex),
			binaryPropertyName: readBinaryPropertyName(check, options),
			useDirectLink: field(check, options, 'useDirectLink', 'Use Direct Download Link', flag(), false),
			downloadImages: !isToolMode(ctx),
		};
	},
	async execute(run, { source, binaryPropertyName, useDirectLink, downloadImages }) {
		const { ctx, gateway, job } = run;
		if (source.kind === 'url') {
			if (!downloadImages) return [{ json: { url: source.url, gateway: gateway.id } }];
			return await downloadUrl(run, source.url, binaryPropertyName);
		}
		const task = await readTaskPatiently(run, source.taskId, 'reading the task');
		if (task.state === 'failed') throw taskFailedError(run, task, 'This task produced no images: generate again.');
		if (task.state !== 'succeeded') {
			throw new NodeOperationError(
				ctx.getNode(),
				`Task ${task.taskId} is not finished yet (${task.state}, ${task.progress}%)`,
				{
					itemIndex: job.itemIndex,
					description:
						'Run Download again later (e.g. after a Wait node), or use Generate with Wait for Completion on.',
				},
			);
		}
		return await imageItems(run, task, { downloadImages, binaryPropertyName, useDirectLink });
	},
};
