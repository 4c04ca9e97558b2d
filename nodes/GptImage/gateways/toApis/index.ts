import { z } from 'zod';

import type { ApiFamily, FailureCategory, Gateway, ImageTask, OptionValue, TaskRequest } from '../types';
import {
	asObject,
	MB,
	multipartFile,
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
 * ToAPIs: bare JSON objects, the HTTP status is the error. One task API for every model; uploads
 * on the API host. See /work/shared/providers.md and providers-gpt-image-2.md.
 */

const uploaded = z.object({ data: z.object({ url: z.string().url() }).passthrough() }).passthrough();

const created = z
	.object({ id: z.string().min(1).optional(), task_id: z.string().min(1).optional() })
	.passthrough()
	.refine((body) => body.id ?? body.task_id, { message: 'no task id' });

const task = openAiStyleTask.extend({
	expires_at: z.unknown().optional(),
	url: z.string().nullish(),
	result: z
		.object({ data: z.array(z.object({ url: z.string().nullish() }).passthrough()).nullish() })
		.passthrough()
		.nullish(),
});

/** The balance answer's field names are not documented; the platform's other clients read these. */
const balance = z
	.object({
		success: z.boolean().optional(),
		remain_balance: z.number().nullish(),
		used_balance: z.number().nullish(),
		remain_credits: z.number().nullish(),
		used_credits: z.number().nullish(),
		unlimited_quota: z.boolean().nullish(),
		data: z.unknown().optional(),
	})
	.passthrough();

function categoryOfCode(code: string, type: string): FailureCategory | undefined {
	if (code === 'authentication_error' || type === 'authentication_error') return 'credentials';
	if (code === 'insufficient_quota') return 'quota';
	if (code === 'rate_limit_exceeded') return 'rateLimit';
	if (code === 'content_policy_violation') return 'contentPolicy';
	if (code === 'invalid_reference_images') return 'inputNotFetchable';
	if (code === 'invalid_request' || type === 'invalid_request_error') return 'badInput';
	if (code === '404' || type === 'not_found_error') return 'notFound';
	return undefined;
}

/** The resolution as each model's page writes it: "1K" for gpt-image-2, "1k" for the others [T-G2][T-VIP][T-OFF]. */
function resolutionFor(model: string, value: OptionValue): string {
	return model === 'gpt-image-2' ? String(value) : String(value).toLowerCase();
}

/** The create body: only the fields the model's page documents, with the values the user chose. */
function createBody(request: TaskRequest): Record<string, unknown> {
	const { model, values } = request;
	const body: Record<string, unknown> = { model: model.id, prompt: request.prompt, size: values.size };
	if (values.resolution !== undefined) body.resolution = resolutionFor(model.id, values.resolution);
	if (values.quality !== undefined) body.quality = values.quality;
	if (model.images.perTask === 'many') body.n = request.imageCount;
	if (model.id === 'gpt-image-2' || model.id === 'gpt-image-2-vip') body.response_format = 'url';
	if (values.outputFormat !== undefined) body.output_format = values.outputFormat;
	if (values.outputFormat === 'jpeg' && values.outputCompression !== undefined) body.output_compression = values.outputCompression;
	if (request.referenceUrls.length) {
		// The API reference says image_urls, the model pages reference_images; the official channel
		// reads image_urls only. Working clients send both where both are read.
		body.image_urls = request.referenceUrls;
		if (model.id !== 'gpt-image-1.5-official') body.reference_images = request.referenceUrls;
	}
	if (request.maskUrl) body.mask_url = request.maskUrl;
	return body;
}

const images: ApiFamily = {
	createCall(request) {
		return { method: 'POST', path: '/v1/images/generations', body: createBody(request) as never };
	},

	readCreated(response) {
		const parsed = created.safeParse(response.body);
		if (!parsed.success) throw new Error('The create answer holds no task id');
		return { taskId: (parsed.data.id ?? parsed.data.task_id) as string };
	},

	pollCall(taskId) {
		return { method: 'GET', path: `/v1/images/generations/${encodeURIComponent(taskId)}` };
	},

	readTask(response, taskId): ImageTask {
		const body = task.parse(response.body);
		// A working client reads the top-level url first, then result.data [T-MZ]; both are read.
		const urls = stringList((body.result?.data ?? []).map((entry) => entry.url));
		if (!urls.length && body.url) urls.push(body.url);
		const state = TASK_STATES[body.status] ?? 'running';
		return {
			taskId: body.id ?? taskId,
			gateway: 'toApis',
			model: body.model,
			state,
			progress: state === 'succeeded' ? 100 : toPercent(body.progress, 100),
			imageUrls: urls,
			error: taskErrorOf(state, body.error, categoryOfCode),
			createdAt: toIsoTime(body.created_at),
			completedAt: toIsoTime(body.completed_at),
			expiresAt: toIsoTime(body.expires_at),
			raw: asObject(response.body),
		};
	},
};

export const toApis: Gateway<'toApis'> = {
	id: 'toApis',
	displayName: 'ToAPIs',
	credentialType: 'toApisApi',
	models: MODELS,
	families: { images },
	// No documented limits: a 429 slows the whole run down (see the retry policy).
	capabilities: {
		defaultConcurrency: 100,
		minPollIntervalMs: 500,
		notVisibleGraceMs: 15_000,
		resultLifetime: '24 hours',
		callback: 'none',
	},

	readFailure(response) {
		return readOpenAiStyleFailure(response, categoryOfCode);
	},

	upload: {
		maxBytes: 10 * MB,
		call(file) {
			const { body, contentType } = multipartFile(file);
			return { method: 'POST', path: '/v1/uploads/images', body, headers: { 'Content-Type': contentType } };
		},
		read(response) {
			return uploaded.parse(response.body).data.url;
		},
	},

	balance: {
		// The key's own balance; /v1/user/balance is the whole account's [T-BAL].
		call: () => ({ method: 'GET', path: '/v1/balance' }),
		read(response) {
			const body = balance.parse(response.body);
			const data = asObject(body.data);
			const remaining = body.remain_balance ?? (data.remain_balance as number | undefined) ?? null;
			return {
				// -1 means an unlimited key [T-BAL].
				remaining: body.unlimited_quota || remaining === -1 ? null : remaining,
				used: body.used_balance ?? (data.used_balance as number | undefined) ?? undefined,
				unit: 'USD',
				details: {
					remainingCredits: body.remain_credits ?? null,
					usedCredits: body.used_credits ?? null,
					unlimited: body.unlimited_quota === true || remaining === -1,
				},
			};
		},
	},
};
