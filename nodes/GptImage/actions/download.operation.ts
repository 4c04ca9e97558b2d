import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { downloadImage } from '../engine/binary';
import { readTaskId, readTaskOnce, taskIdProperty } from './getStatus.operation';
import { binaryPropertyOption, directLinkOption, imageItems, isToolMode, taskFailedError } from './task';
import type { Operation, OperationRun } from './types';
import { isHttpUrl } from './validate';

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
			{ ...directLinkOption, displayOptions: { show: { '/gateway': ['kieAi'], '/source': ['task'] } } },
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

function readSource(ctx: IExecuteFunctions, itemIndex: number): DownloadSource {
	if (ctx.getNodeParameter('source', itemIndex, 'task') === 'task') {
		return { kind: 'task', taskId: readTaskId(ctx, itemIndex) };
	}
	const url = String(ctx.getNodeParameter('imageUrl', itemIndex, '')).trim();
	if (!isHttpUrl(url)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Invalid "Image URL" in item ${itemIndex}: "${url}" is not an absolute http(s) URL`,
			{ itemIndex, description: 'Enter a result URL such as the "url" field of a Generate output.' },
		);
	}
	return { kind: 'url', url };
}

async function downloadUrl(run: OperationRun, url: string, binaryPropertyName: string) {
	const { ctx, gateway, job } = run;
	const baseName = (new URL(url).pathname.split('/').pop() ?? '').replace(/\.[a-z0-9]+$/i, '') || 'image';
	const binary = await downloadImage(ctx, {
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
	async prepare(ctx, _gateway, itemIndex) {
		const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
		return {
			source: readSource(ctx, itemIndex),
			binaryPropertyName: String(options.binaryPropertyName || 'data'),
			useDirectLink: options.useDirectLink === true,
			downloadImages: !isToolMode(ctx),
		};
	},
	async execute(run, { source, binaryPropertyName, useDirectLink, downloadImages }) {
		const { ctx, gateway, job } = run;
		if (source.kind === 'url') {
			if (!downloadImages) return [{ json: { url: source.url, gateway: gateway.id } }];
			return await downloadUrl(run, source.url, binaryPropertyName);
		}
		const task = await readTaskOnce(run, source.taskId, 'reading the task');
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
