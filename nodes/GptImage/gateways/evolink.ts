import { z } from 'zod';

import type { FailureCategory, GatewayAdapter, ImageTask } from './types';
import {
	asObject,
	dataUrl,
	MB,
	openAiStyleTask,
	readOpenAiStyleFailure,
	stringList,
	TASK_STATES,
	taskErrorOf,
	toIsoTime,
	toPercent,
} from './wire';

/** EvoLink: bare JSON objects, the HTTP status is the error. See ../shared/providers.md. */

const uploaded = z
	.object({ success: z.literal(true).optional(), data: z.object({ file_url: z.string().url() }).passthrough() })
	.passthrough();

const created = z.object({ id: z.string().min(1) }).passthrough();

const task = openAiStyleTask.extend({
	created: z.unknown().optional(),
	results: z.array(z.string()).nullish(),
	result_data: z
		.array(z.object({ image_url: z.string().nullish(), url: z.string().nullish() }).passthrough())
		.nullish(),
});

/** EvoLink keeps results for 24 hours. */
const RESULT_LIFETIME_MS = 24 * 3600 * 1000;

function categoryOfCode(code: string, type: string): FailureCategory | undefined {
	if (type === 'authentication_error' || type === 'permission_error') return 'credentials';
	if (type === 'insufficient_quota_error' || code === 'quota_exceeded') return 'quota';
	if (type === 'rate_limit_error' || code === 'resource_exhausted') return 'rateLimit';
	if (code === 'content_policy_violation') return 'contentPolicy';
	if (code === 'invalid_parameters' || code === 'image_dimension_mismatch') return 'badInput';
	if (type === 'invalid_request_error' || type === 'request_too_large_error') return 'badInput';
	if (code === 'image_processing_error') return 'inputNotFetchable';
	if (type === 'not_found_error') return 'notFound';
	if (code === 'generation_timeout') return 'timeout';
	if (['service_error', 'service_unavailable', 'generation_failed_no_content'].includes(code)) {
		return 'gatewayDown';
	}
	if (type === 'upstream_error' || type === 'service_unavailable_error') return 'gatewayDown';
	return undefined;
}

export const evoLink: GatewayAdapter = {
	id: 'evoLink',
	displayName: 'EvoLink',
	credentialType: 'evoLinkApi',
	models: [
		{
			value: 'gpt-4o-image',
			name: 'GPT-4o Image',
			description: 'Text-to-image, image-to-image and mask edits',
			sizes: ['1:1', '2:3', '3:2', '1024x1024', '1024x1536', '1536x1024'],
			counts: [1, 2, 4],
			maxPromptLength: 1000,
			supportsMask: true,
		},
	],
	// No documented limits: a 429 slows the whole run down (see the retry policy).
	limits: { defaultConcurrency: 100, minPollIntervalMs: 500, notVisibleGraceMs: 15_000 },
	rules: {
		maxReferenceImages: 5,
		promptOptionalWithImages: false,
		callback: 'https',
		maxImageBytes: 10 * MB,
		maxMaskBytes: 4 * MB,
		maskNeedsSingleImage: true,
		maskConvention:
			'EvoLink does not state which pixels mean "edit" (one of its guides says white); transparent pixels (the OpenAI convention) are the safe choice. A PNG of the same width and height as the image, at most 4 MB',
	},

	createCall(request, idempotencyKey) {
		const body: Record<string, unknown> = {
			model: request.model,
			prompt: request.prompt,
			size: request.size,
			n: request.count,
		};
		if (request.referenceUrls.length) body.image_urls = request.referenceUrls;
		if (request.maskUrl) body.mask_url = request.maskUrl;
		if (request.callbackUrl) body.callback_url = request.callbackUrl;
		// EvoLink deduplicates paid POSTs that carry the same key, as its own client does.
		return {
			method: 'POST',
			path: '/v1/images/generations',
			body: body as never,
			headers: { 'Idempotency-Key': idempotencyKey },
		};
	},

	readCreated(response) {
		return created.parse(response.body).id;
	},

	pollCall(taskId) {
		return { method: 'GET', path: `/v1/tasks/${encodeURIComponent(taskId)}` };
	},

	readTask(response, taskId): ImageTask {
		const body = task.parse(response.body);
		const state = TASK_STATES[body.status] ?? 'running';
		// Results come as results[] and sometimes (also) as result_data[].image_url.
		const urls = stringList(body.results);
		for (const entry of body.result_data ?? []) {
			const url = entry.image_url ?? entry.url;
			if (url && !urls.includes(url)) urls.push(url);
		}
		const completedAt = toIsoTime(body.completed_at);
		return {
			taskId: body.id ?? taskId,
			gateway: 'evoLink',
			model: body.model,
			state,
			progress: state === 'succeeded' ? 100 : toPercent(body.progress, 100),
			imageUrls: urls,
			error: taskErrorOf(state, body.error, categoryOfCode),
			createdAt: toIsoTime(body.created_at ?? body.created),
			completedAt,
			expiresAt: completedAt
				? new Date(Date.parse(completedAt) + RESULT_LIFETIME_MS).toISOString()
				: undefined,
			raw: asObject(response.body),
		};
	},

	readFailure(response) {
		return readOpenAiStyleFailure(response, categoryOfCode);
	},

	uploadCall(file) {
		return {
			method: 'POST',
			host: 'upload',
			path: '/api/v1/files/upload/base64',
			body: { base64_data: dataUrl(file), file_name: file.fileName },
		};
	},

	readUpload(response) {
		return uploaded.parse(response.body).data.file_url;
	},
};
