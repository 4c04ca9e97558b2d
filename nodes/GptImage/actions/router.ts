import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { runBatch } from '../engine/batch';
import type { ItemOutcome } from '../engine/batch';
import { DEFAULT_MAX_IMAGE_MB, Downloader } from '../engine/binary';
import { HostPolicy } from '../engine/hosts';
import { PollLoop } from '../engine/poll';
import { Slots } from '../engine/rateLimit';
import { NO_SECRETS, Redactor } from '../engine/redact';
import { GatewayClient, loadAccount } from '../engine/transport';
import { gatewayById } from '../gateways';
import type { Gateway } from '../gateways/types';
import { collection, field, number } from './checkedValues';
import type { ValueCheck } from './checkedValues';
import { download } from './download.operation';
import { edit } from './edit.operation';
import { generate } from './generate.operation';
import { getBalance } from './getBalance.operation';
import { getStatus } from './getStatus.operation';
import type { AnyOperation } from './types';

export const OPERATIONS: AnyOperation[] = [generate, edit, getStatus, download, getBalance];

/** The most tasks one execution keeps in flight: a batch of a thousand product shots at once. */
export const MAX_CONCURRENT_TASKS = 1000;

/** Input images held in memory for an upload at once, per execution. */
const UPLOAD_SLOTS = 4;
/**
 * Downloads streaming at once, per execution. Each stream holds buffers on its way to the binary
 * store; sixteen keep memory flat and still fill the line.
 */
const DOWNLOAD_SLOTS = 16;
/** How long a result download may go without a byte when no Request Timeout is set. */
const DEFAULT_DOWNLOAD_IDLE_MS = 60_000;

/** Errors leave the node as NodeApiError or NodeOperationError, always with the item they belong to. */
function asNodeError(ctx: IExecuteFunctions, error: Error, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		// n8n's own helpers (credentials, binary data) throw without the item.
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	return new NodeOperationError(ctx.getNode(), error, { itemIndex });
}

/** The options that hold for the whole execution, read (and checked) from the first item. */
interface ExecutionSettings {
	concurrency: number;
	requestTimeoutMs?: number;
	maxImageBytes: number;
}

function readExecutionSettings(ctx: IExecuteFunctions, gateway: Gateway): ExecutionSettings {
	const check: ValueCheck = { ctx, itemIndex: 0, gatewayName: gateway.displayName };
	const options = collection(check, 'options', 'Options');
	const concurrency = field(check, options, 'maxConcurrentTasks', 'Max Concurrent Tasks', number(1, MAX_CONCURRENT_TASKS, { integer: true }), gateway.capabilities.defaultConcurrency);
	const timeout = field(check, options, 'requestTimeoutSeconds', 'Request Timeout (Seconds)', number(0, 600, { unit: 'seconds' }), 0);
	const maxImageMb = field(check, options, 'maxImageMegabytes', 'Max Image Size (MB)', number(1, 512), DEFAULT_MAX_IMAGE_MB);
	return {
		concurrency,
		requestTimeoutMs: timeout ? timeout * 1000 : undefined,
		maxImageBytes: Math.round(maxImageMb * 1024 * 1024),
	};
}

/** The sentence that names tasks left running when the node stops early. */
function openTasksNote(taskIds: string[]): string {
	return taskIds.length
		? ` Tasks already created may still finish (and are billed): ${taskIds.join(', ')}. Collect them with the Download operation.`
		: '';
}

/**
 * Owns the item loop: runs the operation for every input item (several at once), keeps output
 * in input order with pairedItem, and applies continueOnFail per item. Nothing of the credential's
 * key leaves it: answers are redacted as they arrive, and output and errors once more here.
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

	let redactor = NO_SECRETS;
	const continueOnFail = ctx.continueOnFail();
	const nodeError = (error: Error, itemIndex: number) => redactor.error(asNodeError(ctx, error, itemIndex));
	try {
		const account = await loadAccount(ctx, gateway);
		redactor = new Redactor([account.apiKey]);
		const settings = readExecutionSettings(ctx, gateway);
		const signal = ctx.getExecutionCancelSignal?.();
		const client = new GatewayClient(ctx, gateway, account, redactor, { requestTimeoutMs: settings.requestTimeoutMs });
		const downloads = new Downloader(ctx, {
			maxBytes: settings.maxImageBytes,
			idleTimeoutMs: settings.requestTimeoutMs ?? DEFAULT_DOWNLOAD_IDLE_MS,
			hosts: new HostPolicy([account.apiBaseUrl, account.uploadBaseUrl]),
			redactor,
			concurrency: DOWNLOAD_SLOTS,
		});
		const shared = { ctx, gateway, client, poller: new PollLoop(), downloads, uploads: new Slots(UPLOAD_SLOTS) };

		// Every item's parameters are read and checked before the first task is created (and paid for).
		const prepared: Array<ItemOutcome<unknown>> = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				prepared.push({ ok: true, value: await operation.prepare(ctx, gateway, itemIndex) });
			} catch (caught) {
				const error = nodeError(caught as Error, itemIndex);
				if (!continueOnFail) throw error;
				prepared.push({ ok: false, error });
			}
		}

		const { outcomes, failure, openTaskIds } = await runBatch(
			{ count: items.length, concurrency: settings.concurrency, signal, stopOnError: !continueOnFail },
			async (job) => {
				const input = prepared[job.itemIndex];
				if (!input.ok) throw input.error;
				return await operation.execute({ ...shared, job }, input.value);
			},
		);

		if (signal?.aborted) {
			throw new NodeOperationError(ctx.getNode(), 'The execution was stopped', {
				description: `No further requests were sent.${openTasksNote(openTaskIds)}`,
			});
		}
		if (failure) {
			const error = nodeError(failure.error, failure.itemIndex);
			error.description = `${error.description ?? ''}${openTasksNote(openTaskIds)}`.trim();
			throw error;
		}

		const output: INodeExecutionData[] = [];
		outcomes.forEach((outcome, itemIndex) => {
			const pairedItem = { item: itemIndex };
			if (outcome.ok) {
				for (const item of outcome.value) output.push({ ...item, json: redactor.deep(item.json), pairedItem });
			} else {
				const error = nodeError(outcome.error, itemIndex);
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
	} catch (caught) {
		throw nodeError(caught as Error, 0);
	}
}
