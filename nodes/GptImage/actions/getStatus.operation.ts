import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ImageTask } from '../gateways/types';
import { notFound, taskSummary } from './task';
import type { Operation, OperationRun } from './types';

export const taskIdProperty = (operation: string): INodeProperties => ({
	displayName: 'Task ID',
	name: 'taskId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. task_img_abc123',
	description: 'The ID the Generate operation returned (in its "taskId" field). Use an expression such as {{ $JSON.taskId }} to take it from the input.',
	displayOptions: { show: { operation: [operation] } },
});

/** The item's Task ID, refused when empty. */
export function readTaskId(ctx: IExecuteFunctions, itemIndex: number): string {
	const taskId = String(ctx.getNodeParameter('taskId', itemIndex, '')).trim();
	if (!taskId) {
		throw new NodeOperationError(ctx.getNode(), `Invalid "Task ID" in item ${itemIndex}: it is empty`, {
			itemIndex,
			description: 'Enter the task ID the Generate operation returned, e.g. with the expression {{ $json.taskId }}.',
		});
	}
	return taskId;
}

/** Reads a task once; a task the gateway does not show becomes a "not found" error. */
export async function readTaskOnce(run: OperationRun, taskId: string, action: string): Promise<ImageTask> {
	const { client, job } = run;
	const task = await client.readTask(taskId, { itemIndex: job.itemIndex, signal: job.signal, action, taskId });
	if (!task) throw notFound(run, taskId, action);
	return task;
}

export const getStatus: Operation<string> = {
	name: 'Get Status',
	value: 'getStatus',
	description: 'Read the state, progress and image URLs of a task',
	action: 'Get the status of a task',
	properties: [taskIdProperty('getStatus')],
	async prepare(ctx, _gateway, itemIndex) {
		return readTaskId(ctx, itemIndex);
	},
	async execute(run, taskId) {
		const task = await readTaskOnce(run, taskId, 'reading the task');
		return [{ json: { ...taskSummary(task), raw: task.raw } }];
	},
};
