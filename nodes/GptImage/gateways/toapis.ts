import { z } from 'zod';

import type { FailureCategory, GatewayAdapter, ImageTask } from './types';
import {
	asObject,
	MB,
	multipartFile,
	readOpenAiStyleFailure,
	stringList,
	TASK_STATES,
	openAiStyleTask,
	taskErrorOf,
	toIsoTime,
	toPercent,
} from './wire';

/** ToAPIs: bare JSON objects, the HTTP status is the error. See ../shared/providers.md. */

const GPT_IMAGE_2_SIZES: Record<string, string[]> = {
	'1K': ['1:1', '3:2', '2:3'],
	'2K': ['1:1', '3:2', '2:3', '4:3', '3:4', '5:4', '4:5', '16:9', '9:16', '2:1', '1:2', '21:9', '9:21'],
	'4K': ['16:9', '9:16', '2:1', '1:2', '21:9', '9:21'],
};

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

export const toApis: GatewayAdapter = {
	id: 'toApis',
	displayName: 'ToAPIs',
	credentialType: 'toApisApi',
	models: [
		{
			value: 'gpt-4o-image',
			name: 'GPT-4o Image',
			description: 'Text-to-image, image-to-image and mask edits',
			sizes: ['1:1', '2:3', '3:2'],
			counts: [1, 2, 4],
			maxPromptLength: 1000,
			supportsMask: true,
		},
		{
			value: 'gpt-image-2',
			name: 'GPT Image 2',
			description: 'Up to 4K output; the allowed sizes depend on the resolution',
			sizes: GPT_IMAGE_2_SIZES,
			counts: [1],
			maxPromptLength: 32000,
			// Mask editing is not documented for gpt-image-2.
			supportsMask: false,
		},
	],
	// No documented limits: a 429 slows the whole run down (see the retry policy).
	limits: { defaultConcurrency: 100, minPollIntervalMs: 500, notVisibleGraceMs: 15_000 },
	rules: {
		maxReferenceImages: 5,
		promptOptionalWithImages: false,
		callback: 'none',
		maxImageBytes: 10 * MB,
		maxMaskBytes: 4 * MB,
		maskNeedsSingleImage: true,
		maskConvention:
			'Fully transparent pixels mark the area to edit; opaque pixels are kept (the OpenAI convention). A PNG of the same width and height as the image, at most 4 MB',
	},

	createCall(request) {
		const body: Record<string, unknown> = {
			model: request.model,
			prompt: request.prompt,
			size: request.size,
		};
		if (request.model === 'gpt-image-2') {
			body.resolution = request.resolution ?? '1K';
			body.response_format = 'url';
		} else {
			body.n = request.count;
		}
		if (request.referenceUrls.length) {
			// The API reference says image_urls, the model page reference_images: working clients send both.
			body.image_urls = request.referenceUrls;
			body.reference_images = request.referenceUrls;
		}
		if (request.maskUrl) body.mask_url = request.maskUrl;
		return { method: 'POST', path: '/v1/images/generations', body: body as never };
	},

	readCreated(response) {
		const parsed = created.safeParse(response.body);
		if (!parsed.success) throw new Error('The create answer holds no task id');
		return (parsed.data.id ?? parsed.data.task_id) as string;
	},

	pollCall(taskId) {
		return { method: 'GET', path: `/v1/images/generations/${encodeURIComponent(taskId)}` };
	},

	readTask(response, taskId): ImageTask {
		const body = task.parse(response.body);
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

	readFailure(response) {
		return readOpenAiStyleFailure(response, categoryOfCode);
	},

	uploadCall(file) {
		const { body, contentType } = multipartFile(file);
		return { method: 'POST', path: '/v1/uploads/images', body, headers: { 'Content-Type': contentType } };
	},

	readUpload(response) {
		return uploaded.parse(response.body).data.url;
	},
};

export { GPT_IMAGE_2_SIZES };
