import { z } from 'zod';

import type { ApiFamily, FailureCategory, Gateway, ImageTask, TaskCost, TaskRequest } from '../types';
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
} from '../wire';
import { MODELS } from './models';

/**
 * EvoLink: bare JSON objects, the HTTP status is the error; one task API for every model, a file
 * host of its own for uploads. See /work/shared/providers.md and providers-gpt-image-2.md.
 */

const uploaded = z
	.object({ success: z.literal(true).optional(), data: z.object({ file_url: z.string().url() }).passthrough() })
	.passthrough();

const usage = z
	.object({ billing_rule: z.string().nullish(), credits_reserved: z.number().nullish() })
	.passthrough()
	.nullish();

const created = z.object({ id: z.string().min(1), usage }).passthrough();

const task = openAiStyleTask.extend({
	created: z.unknown().optional(),
	results: z.array(z.string()).nullish(),
	result_data: z
		.array(z.object({ image_url: z.string().nullish(), url: z.string().nullish() }).passthrough())
		.nullish(),
	usage,
});

const credits = z
	.object({
		data: z
			.object({
				token: z.object({ remaining_credits: z.number().nullish(), used_credits: z.number().nullish(), unlimited_credits: z.boolean().nullish() }).passthrough().nullish(),
				user: z.object({ remaining_credits: z.number().nullish(), used_credits: z.number().nullish() }).passthrough().nullish(),
			})
			.passthrough(),
	})
	.passthrough();

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
	if (['service_error', 'service_unavailable', 'generation_failed_no_content'].includes(code)) return 'gatewayDown';
	if (type === 'upstream_error' || type === 'service_unavailable_error') return 'gatewayDown';
	return undefined;
}

/** Credits the create answer (or, where it has one, the task answer) says the task holds. */
function costOf(value: z.infer<typeof usage>): TaskCost | undefined {
	if (typeof value?.credits_reserved !== 'number') return undefined;
	return { amount: value.credits_reserved, unit: 'credits', basis: `${value.billing_rule ?? 'reserved'}, reserved at create` };
}

function createBody(request: TaskRequest): Record<string, unknown> {
	const { model, values } = request;
	const custom = values.size === 'custom';
	const size = custom ? String(values.customSize).trim().replace(/\s*[x×]\s*/, 'x') : values.size;
	const body: Record<string, unknown> = { model: model.id, prompt: request.prompt, size };
	// Resolution applies to ratio sizes only [E-G2].
	if (values.resolution !== undefined && !custom && size !== 'auto') body.resolution = values.resolution;
	if (values.quality !== undefined) body.quality = values.quality;
	if (model.images.perTask === 'many') body.n = request.imageCount;
	if (request.referenceUrls.length) body.image_urls = request.referenceUrls;
	if (request.maskUrl) body.mask_url = request.maskUrl;
	if (request.callbackUrl) body.callback_url = request.callbackUrl;
	return body;
}

const images: ApiFamily = {
	createCall(request, idempotencyKey) {
		// EvoLink deduplicates paid POSTs that carry the same key, as its own client does.
		return {
			method: 'POST',
			path: '/v1/images/generations',
			body: createBody(request) as never,
			headers: { 'Idempotency-Key': idempotencyKey },
		};
	},

	readCreated(response) {
		const body = created.parse(response.body);
		return { taskId: body.id, cost: costOf(body.usage) };
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
			expiresAt: completedAt ? new Date(Date.parse(completedAt) + RESULT_LIFETIME_MS).toISOString() : undefined,
			cost: costOf(body.usage),
			raw: asObject(response.body),
		};
	},
};

export const evoLink: Gateway<'evoLink'> = {
	id: 'evoLink',
	displayName: 'EvoLink',
	credentialType: 'evoLinkApi',
	models: MODELS,
	families: { images },
	// No documented limits: a 429 slows the whole run down (see the retry policy).
	capabilities: {
		defaultConcurrency: 100,
		minPollIntervalMs: 500,
		notVisibleGraceMs: 15_000,
		resultLifetime: '24 hours',
		callback: 'https',
	},

	readFailure(response) {
		return readOpenAiStyleFailure(response, categoryOfCode);
	},

	upload: {
		maxBytes: 50 * MB,
		call(file) {
			return {
				method: 'POST',
				host: 'upload',
				path: '/api/v1/files/upload/base64',
				body: { base64_data: dataUrl(file), file_name: file.fileName },
			};
		},
		read(response) {
			return uploaded.parse(response.body).data.file_url;
		},
	},

	balance: {
		call: () => ({ method: 'GET', path: '/v1/credits' }),
		read(response) {
			const { data } = credits.parse(response.body);
			return {
				remaining: data.token?.unlimited_credits ? null : (data.token?.remaining_credits ?? data.user?.remaining_credits ?? null),
				used: data.token?.used_credits ?? undefined,
				unit: 'credits',
				details: {
					keyRemaining: data.token?.remaining_credits ?? null,
					accountRemaining: data.user?.remaining_credits ?? null,
					unlimited: data.token?.unlimited_credits === true,
				},
			};
		},
	},
};
