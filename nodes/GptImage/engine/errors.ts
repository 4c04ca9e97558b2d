import { NodeApiError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import type { FailureCategory, GatewayFailure } from '../gateways/types';

/** What apiError needs of a failure: the gateway's words, without the HTTP details of one answer. */
export type FailureReport = Pick<GatewayFailure, 'category' | 'code' | 'message'> & { httpCode?: number };

/** What a user should change for each kind of failure. */
const ADVICE: Record<FailureCategory, string> = {
	credentials: 'Check the API key and Base URL in the credential.',
	quota: 'Top up credits or the quota on the gateway account, then run again.',
	rateLimit: 'The gateway is rate limiting this account: lower Max Concurrent Tasks or run again later.',
	contentPolicy: 'The prompt or an input image was refused by the content policy: change it and run again.',
	badInput: 'Change the parameter the gateway names and run again.',
	inputNotFetchable:
		'The gateway could not fetch an input image: use a public http(s) URL, or pass the image as a binary field so the node uploads it.',
	notFound: 'Check the task id: it may be mistyped, from another gateway or account, or older than the gateway keeps tasks.',
	gatewayDown: 'The gateway had a problem of its own: run again later.',
	timeout: 'The gateway took too long to answer: run again later.',
	unknown: 'See the gateway message above.',
};

export interface FailureContext {
	node: INode;
	itemIndex: number;
	gatewayName: string;
	taskId?: string;
	/** What the node was doing, e.g. "creating the task". */
	action: string;
	/** Extra sentence, e.g. that a create may have gone through. */
	note?: string;
	/** What to change, where the category's usual advice does not fit (an expired result link). */
	advice?: string;
}

/**
 * The one way API failures leave the node: a NodeApiError whose message says what happened and
 * whose description says what to change. It is built from our own fields only, never from the
 * HTTP client's error, so no request header (the API key) can end up in it.
 */
export function apiError(failure: FailureReport, context: FailureContext): NodeApiError {
	const task = context.taskId ? ` (task ${context.taskId})` : '';
	const message = `${context.gatewayName} failed while ${context.action}${task}: ${failure.message}`;
	const description = [
		context.advice ?? ADVICE[failure.category],
		context.note,
		`Gateway code: ${failure.code}.`,
		context.taskId ? `Task id: ${context.taskId}.` : undefined,
	]
		.filter(Boolean)
		.join(' ');
	const error = new NodeApiError(
		context.node,
		{
			category: failure.category,
			code: failure.code,
			message: failure.message,
			...(context.taskId ? { taskId: context.taskId } : {}),
		} as JsonObject,
		{
			message,
			description,
			...(failure.httpCode ? { httpCode: String(failure.httpCode) } : {}),
			itemIndex: context.itemIndex,
		},
	);
	// NodeApiError swaps a message that mentions a network code (ECONNRESET …) for a generic text
	// of its own, which would lose the gateway, the task id and what we were doing: keep ours.
	error.message = message;
	error.description = description;
	return error;
}
