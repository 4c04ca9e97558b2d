import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { isUsableTaskId } from '../engine/transport';
import type { Gateway } from '../gateways/types';
import { invalidParameter, parameter, text } from './checkedValues';
import { readTaskPatiently, taskSummary } from './task';
import type { Operation } from './types';

export const taskIdProperty = (operation: string): INodeProperties => ({
	displayName: 'Task ID',
	name: 'taskId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. task_img_abc123',
	description: 'The ID the Generate operation returned, in its "taskId" field',
	hint: 'To take it from the input item, drag its taskId field here, or write {{ $json.taskId }}',
	displayOptions: { show: { operation: [operation] } },
});

/** The item's Task ID: refused when empty, or when it is not an id this node will put in a URL. */
export function readTaskId(ctx: IExecuteFunctions, gateway: Gateway, itemIndex: number): string {
	const check = { ctx, itemIndex, gatewayName: gateway.displayName };
	const taskId = parameter(check, 'taskId', 'Task ID', text(), '').trim();
	if (!taskId) {
		throw invalidParameter(check, 'Task ID', 'it is empty; enter the task ID the Generate operation returned, e.g. with the expression {{ $json.taskId }}');
	}
	if (!isUsableTaskId(taskId)) {
		throw invalidParameter(check, 'Task ID', `"${taskId.slice(0, 60)}" is not a task ID (no spaces, slashes, "." or "..")`);
	}
	return taskId;
}

export const getStatus: Operation<string> = {
	name: 'Get Status',
	value: 'getStatus',
	description: 'Read the state, progress and image URLs of a task',
	action: 'Get the status of a task',
	properties: [taskIdProperty('getStatus')],
	async prepare(ctx, gateway, itemIndex) {
		return readTaskId(ctx, gateway, itemIndex);
	},
	async execute(run, taskId) {
		const task = await readTaskPatiently(run, taskId, 'reading the task');
		return [{ json: { ...taskSummary(task), raw: task.raw } }];
	},
};
