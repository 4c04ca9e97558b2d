/** EvoLink's error forms: `{"error":{"code":<HTTP status>,"message","type","param"?}}`, and a failed task's string codes. */
import { json, type SimResponse } from '../../http';
import type { TaskFailure, TaskState } from '../../tasks';
import type { Problem } from '../../validate';

/** [type, message] of the JSON error for each HTTP status. */
export const HTTP_ERRORS: Record<number, [string, string]> = {
	400: ['invalid_request_error', 'Invalid request'],
	401: ['authentication_error', 'Invalid API key'],
	402: ['insufficient_quota_error', 'Insufficient credits'],
	403: ['permission_error', 'Permission denied'],
	404: ['not_found_error', 'Not found'],
	413: ['request_too_large_error', 'Request too large'],
	429: ['rate_limit_error', 'Rate limit exceeded, please retry later'],
	500: ['internal_error', 'Internal server error'],
	502: ['upstream_error', 'Upstream error'],
	503: ['service_unavailable_error', 'Service temporarily unavailable'],
};

export function httpError(status: number, headers?: Record<string, string>, message?: string): SimResponse {
	const [type, defaultMessage] = HTTP_ERRORS[status] ?? ['internal_error', 'Internal server error'];
	return json(status, { error: { code: status, message: message ?? defaultMessage, type } }, headers);
}

export function validationError(problem: Problem): SimResponse {
	const type = 'invalid_request_error';
	return json(400, { error: { code: 400, message: problem.message, type, param: problem.param } });
}

export const STATUS: Record<TaskState, string> = {
	queued: 'pending',
	running: 'processing',
	succeeded: 'completed',
	failed: 'failed',
};

const TASK_ERROR_MESSAGES: Record<string, string> = {
	content_policy_violation: 'The request was rejected by the content policy',
	invalid_parameters: 'Invalid parameters',
	image_processing_error: 'Failed to process the input image',
	image_dimension_mismatch: 'The mask and the image must have the same dimensions',
	generation_failed_no_content: 'The model returned no image',
	service_error: 'Service error, please retry',
	generation_timeout: 'Generation timed out',
	resource_exhausted: 'Resources exhausted, please retry later',
	quota_exceeded: 'Quota exceeded',
	service_unavailable: 'Service temporarily unavailable',
};

export function failureOf(failure: TaskFailure): { code: string; message: string } {
	switch (failure.reason) {
		case 'contentPolicy':
			return { code: 'content_policy_violation', message: TASK_ERROR_MESSAGES.content_policy_violation };
		case 'inputUnreachable':
			return { code: 'image_processing_error', message: `Failed to download the input image: ${failure.url}` };
		case 'invalidMask':
			return { code: 'image_dimension_mismatch', message: failure.detail };
		case 'requested':
			return { code: failure.code, message: TASK_ERROR_MESSAGES[failure.code] ?? 'The task failed' };
	}
}

