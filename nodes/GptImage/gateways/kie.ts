import { z } from 'zod';

import type { FailureCategory, GatewayAdapter, GatewayFailure, ImageTask } from './types';
import {
	asObject,
	categoryOfStatus,
	dataUrl,
	MB,
	describeBody,
	retryAfterSeconds,
	stringList,
	toIsoTime,
	toPercent,
} from './wire';

/**
 * Kie.ai "4o Image API": every answer is a `{code, msg, data}` envelope, and most errors arrive
 * with HTTP 200, so the envelope code is the status that counts. See ../shared/providers.md.
 */

const envelope = z.object({ code: z.number(), msg: z.string().nullish(), data: z.unknown() }).passthrough();

const record = z
	.object({
		taskId: z.string().optional(),
		successFlag: z.union([z.number(), z.string()]).nullish(),
		status: z.string().nullish(),
		progress: z.union([z.string(), z.number()]).nullish(),
		response: z
			.object({
				resultUrls: z.array(z.string()).nullish(),
				result_urls: z.array(z.string()).nullish(),
			})
			.passthrough()
			.nullish(),
		errorCode: z.union([z.number(), z.string()]).nullish(),
		errorMessage: z.string().nullish(),
		createTime: z.unknown().optional(),
		completeTime: z.unknown().optional(),
	})
	.passthrough();

/** Kie keeps result files for 14 days. */
const RESULT_LIFETIME_MS = 14 * 24 * 3600 * 1000;

function categoryOfEnvelope(code: number, message: string): FailureCategory {
	if (code === 455 || code === 550) return 'gatewayDown';
	if (code === 422 && /record(info)? is null/i.test(message)) return 'notFound';
	if (code === 500 && /valid|param|size|prompt/i.test(message)) return 'badInput';
	return categoryOfStatus(code);
}

function categoryOfTaskError(code: string, message: string): FailureCategory {
	if (code === '451') return 'inputNotFetchable';
	if (/polic|flagged|safety|moderation/i.test(message)) return 'contentPolicy';
	if (code === '400') return 'badInput';
	return 'gatewayDown';
}

export const kieAi: GatewayAdapter = {
	id: 'kieAi',
	displayName: 'Kie.ai',
	credentialType: 'kieAiApi',
	models: [
		{
			value: 'gpt-4o-image',
			name: 'GPT-4o Image',
			description: "Kie.ai's 4o Image API",
			sizes: ['1:1', '3:2', '2:3'],
			counts: [1, 2, 4],
			supportsMask: true,
			// Kie states no limit; this is OpenAI's own for its GPT image models.
			maxPromptLength: 32000,
		},
	],
	// 20 new tasks per 10 s per account; at most 3 status reads per second per task.
	limits: {
		defaultConcurrency: 100,
		minPollIntervalMs: 340,
		createsPerWindow: { count: 20, windowMs: 10_000 },
		// "recordInfo is null" right after create is "not visible yet".
		notVisibleGraceMs: 30_000,
	},
	rules: {
		maxReferenceImages: 5,
		promptOptionalWithImages: true,
		callback: 'http',
		maxImageBytes: 10 * MB,
		maxMaskBytes: 25 * MB,
		maskNeedsSingleImage: true,
		enhancePrompt: true,
		fallbackModels: ['FLUX_MAX', 'GPT_IMAGE_1'],
		maskConvention:
			'Black pixels mark the area to edit, white pixels are kept. A PNG of the same width and height as the image, at most 25 MB; Kie.ai ignores a mask when there is more than one image',
	},

	createCall(request) {
		const body: Record<string, unknown> = { size: request.size, nVariants: request.count };
		if (request.prompt) body.prompt = request.prompt;
		if (request.referenceUrls.length) body.filesUrl = request.referenceUrls;
		if (request.maskUrl) body.maskUrl = request.maskUrl;
		if (request.enhancePrompt) body.isEnhance = true;
		if (request.enableFallback) {
			body.enableFallback = true;
			if (request.fallbackModel) body.fallbackModel = request.fallbackModel;
		}
		if (request.callbackUrl) body.callBackUrl = request.callbackUrl;
		return { method: 'POST', path: '/api/v1/gpt4o-image/generate', body: body as never };
	},

	readCreated(response) {
		const data = asObject(envelope.parse(response.body).data);
		if (typeof data.taskId !== 'string' || !data.taskId) throw new Error('The create answer holds no taskId');
		return data.taskId;
	},

	pollCall(taskId) {
		return { method: 'GET', path: '/api/v1/gpt4o-image/record-info', qs: { taskId } };
	},

	readTask(response, taskId): ImageTask | undefined {
		const { data } = envelope.parse(response.body);
		// Right after create the record may not exist yet: "not yet visible", not "failed".
		if (data === null || data === undefined) return undefined;
		const body = record.parse(data);
		const flag = Number(body.successFlag ?? 0);
		const status = (body.status ?? '').toUpperCase();
		const state =
			flag === 1 || status === 'SUCCESS'
				? 'succeeded'
				: flag >= 2 || status.endsWith('_FAILED')
					? 'failed'
					: 'running';
		// The schema says resultUrls, the quickstart result_urls.
		const urls = stringList(body.response?.resultUrls ?? body.response?.result_urls);
		const createdAt = toIsoTime(body.createTime);
		const completedAt = toIsoTime(body.completeTime);
		const errorCode = String(body.errorCode ?? 'GENERATE_FAILED');
		return {
			taskId: body.taskId ?? taskId,
			gateway: 'kieAi',
			model: 'gpt-4o-image',
			state,
			progress: state === 'succeeded' ? 100 : toPercent(body.progress, 1),
			imageUrls: urls,
			error:
				state === 'failed'
					? {
							category: categoryOfTaskError(errorCode, body.errorMessage ?? ''),
							code: errorCode,
							message: body.errorMessage || 'The task failed without a message',
						}
					: undefined,
			createdAt,
			completedAt,
			expiresAt: completedAt
				? new Date(Date.parse(completedAt) + RESULT_LIFETIME_MS).toISOString()
				: undefined,
			raw: asObject(response.body),
		};
	},

	readFailure(response): GatewayFailure | undefined {
		const { statusCode, body } = response;
		const parsed = envelope.safeParse(body);
		if (parsed.success) {
			const { code } = parsed.data;
			if (code === 200) return undefined;
			// Just after create the record can be missing: the poll loop treats this as "not yet".
			const message = parsed.data.msg ?? `code ${code}`;
			if (code === 422 && /recordinfo is null/i.test(message)) return undefined;
			return {
				category: categoryOfEnvelope(code, message),
				httpCode: statusCode >= 400 ? statusCode : code,
				httpStatus: statusCode,
				code: String(code),
				message,
				retryAfterSeconds: retryAfterSeconds(response.headers),
			};
		}
		// Some clients saw real HTTP errors; Cloudflare's 403 "error code: 1010" is plain text.
		return {
			category: statusCode >= 200 && statusCode < 300 ? 'gatewayDown' : categoryOfStatus(statusCode),
			httpCode: statusCode,
			httpStatus: statusCode,
			code: String(statusCode),
			message:
				statusCode >= 200 && statusCode < 300
					? `The gateway answered with a body that is not a Kie envelope: ${describeBody(body) || '(empty)'}`
					: `HTTP ${statusCode}${describeBody(body) ? `: ${describeBody(body)}` : ''}`,
			retryAfterSeconds: retryAfterSeconds(response.headers),
		};
	},

	createRefused(failure) {
		// Envelope answers (HTTP 2xx) for "rate limited", "maintenance" and "queue full" come before a
		// task exists. The same codes behind an HTTP 5xx prove nothing.
		return failure.httpStatus < 300 && ['429', '455', '550'].includes(failure.code);
	},

	uploadCall(file) {
		return {
			method: 'POST',
			host: 'upload',
			path: '/api/file-base64-upload',
			body: { base64Data: dataUrl(file), uploadPath: 'images/n8n', fileName: file.fileName },
		};
	},

	readUpload(response) {
		const { data } = envelope.parse(response.body);
		const url = asObject(data).downloadUrl;
		if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new Error('The upload answer holds no downloadUrl');
		return url;
	},

	directDownloadCall(taskId, url) {
		return { method: 'POST', path: '/api/v1/gpt4o-image/download-url', body: { taskId, url } };
	},

	readDirectDownload(response) {
		const { data } = envelope.parse(response.body);
		if (typeof data !== 'string' || !/^https?:\/\//.test(data)) {
			throw new Error('The download-url answer holds no link');
		}
		return data;
	},
};
