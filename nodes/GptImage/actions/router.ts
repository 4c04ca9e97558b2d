import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { runBatch } from '../engine/batch';
import type { ItemOutcome } from '../engine/batch';
import { PollLoop } from '../engine/poll';
import { GatewayClient } from '../engine/transport';
import { gatewayById } from '../gateways';
import { download } from './download.operation';
import { edit } from './edit.operation';
import { generate } from './generate.operation';
import { getStatus } from './getStatus.operation';
import type { AnyOperation } from './types';

export const OPERATIONS: AnyOperation[] = [generate, edit, getStatus, download];

/** Errors leave the node as NodeApiError or NodeOperationError, always with the item they belong to. */
function asNodeError(ctx: IExecuteFunctions, error: Error, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		// n8n's own helpers (credentials, binary data) throw without the item.
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	return new NodeOperationError(ctx.getNode(), error, { itemIndex });
}

/**
 * Owns the item loop: runs the operation for every input item (several at once), keeps output
 * in input order with pairedItem, and applies continueOnFail per item.
 */
export async function route(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const gatewayId = ctx.getNodeParameter('gateway', 0) as string;
	const gateway = gatewayById(gatewayId);
	if (!gateway) {
		throw new NodeOperationError(ctx.getNode(), `Unknown "Gateway": ${gatewayId}`, { itemIndex: 0 });
	}
	const operationName = ctx.getNodeParameter('operation', 0) as string;
	const operation = OPERATIONS.find((candidate) => candidate.value === operationName);
	if (!operation) {
		throw new NodeOperationError(ctx.getNode(), `Unknown "Operation": ${operationName}`, { itemIndex: 0 });
	}

	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const concurrency = Number(options.maxConcurrentTasks) || gateway.limits.defaultConcurrency;
	const continueOnFail = ctx.continueOnFail();
	const signal = ctx.getExecutionCancelSignal?.();
	const client = new GatewayClient(ctx, gateway, {
		requestTimeoutMs: Number(options.requestTimeoutSeconds) * 1000 || undefined,
	});
	const poller = new PollLoop();

	// Every item's parameters are read and checked before the first task is created (and paid for).
	const prepared: Array<ItemOutcome<unknown>> = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			prepared.push({ ok: true, value: await operation.prepare(ctx, gateway, itemIndex) });
		} catch (caught) {
			const error = asNodeError(ctx, caught as Error, itemIndex);
			if (!continueOnFail) throw error;
			prepared.push({ ok: false, error });
		}
	}

	const { outcomes, failure } = await runBatch(
		{ count: items.length, concurrency, signal, stopOnError: !continueOnFail },
		async (job) => {
			const input = prepared[job.itemIndex];
			if (!input.ok) throw input.error;
			return await operation.execute({ ctx, gateway, client, poller, job }, input.value);
		},
	);

	if (signal?.aborted) {
		throw new NodeOperationError(ctx.getNode(), 'The execution was stopped', {
			description: 'No further requests were sent. Tasks already created may still finish on the gateway.',
		});
	}
	if (failure) {
		const error = asNodeError(ctx, failure.error, failure.itemIndex);
		if (failure.abandonedTaskIds.length) {
			error.description = `${error.description ?? ''} Tasks of other items were still running and may finish: ${failure.abandonedTaskIds.join(', ')}. Collect them with the Download operation.`.trim();
		}
		throw error;
	}

	const output: INodeExecutionData[] = [];
	outcomes.forEach((outcome, itemIndex) => {
		const pairedItem = { item: itemIndex };
		if (outcome.ok) {
			for (const item of outcome.value) output.push({ ...item, pairedItem });
		} else {
			const error = asNodeError(ctx, outcome.error, itemIndex);
			const context = (error as NodeApiError).errorResponse as IDataObject | undefined;
			output.push({
				json: {
					error: error.message,
					...(error.description ? { description: error.description } : {}),
					...(context?.taskId ? { taskId: context.taskId } : {}),
				},
				pairedItem,
			});
		}
	});
	return [output];
}
