import { z } from 'zod';

import type { ApiFamily, ImageTask } from '../types';
import { stringList } from '../wire';
import { envelopeData, readCreatedTaskId, readLink, recordTask } from './envelope';

/** Kie.ai's "4o Image API" (filed under old models by late 2026): gpt-4o-image. See /work/shared/providers.md. */

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
	.passthrough()
	// A record without any of its state fields is no 4o record (e.g. one of the Market API).
	.refine((body) => body.successFlag !== undefined || body.status !== undefined, { message: 'not a 4o record' });

/** Kie keeps 4o results for 14 days. */
const RESULT_LIFETIME_MS = 14 * 24 * 3600 * 1000;

export const fourO: ApiFamily = {
	createCall(request) {
		const { values } = request;
		const body: Record<string, unknown> = { size: values.size, nVariants: request.imageCount };
		if (request.prompt) body.prompt = request.prompt;
		if (request.referenceUrls.length) body.filesUrl = request.referenceUrls;
		if (request.maskUrl) body.maskUrl = request.maskUrl;
		if (values.enhancePrompt === true) body.isEnhance = true;
		if (values.enableFallback === true) {
			body.enableFallback = true;
			body.fallbackModel = values.fallbackModel;
		}
		if (request.callbackUrl) body.callBackUrl = request.callbackUrl;
		return { method: 'POST', path: '/api/v1/gpt4o-image/generate', body: body as never };
	},

	readCreated: readCreatedTaskId,

	pollCall(taskId) {
		return { method: 'GET', path: '/api/v1/gpt4o-image/record-info', qs: { taskId } };
	},

	readTask(response, taskId): ImageTask | undefined {
		const data = envelopeData(response);
		// Right after create the record may not exist yet: "not yet visible", not "failed".
		if (data === null || data === undefined) return undefined;
		const body = record.parse(data);
		const flag = Number(body.successFlag ?? 0);
		const status = (body.status ?? '').toUpperCase();
		const state =
			flag === 1 || status === 'SUCCESS' ? 'succeeded' : flag >= 2 || status.endsWith('_FAILED') ? 'failed' : 'running';
		return recordTask({
			taskId: body.taskId ?? taskId,
			model: 'gpt-4o-image',
			state,
			progress: body.progress,
			// The schema says resultUrls, the quickstart result_urls.
			imageUrls: stringList(body.response?.resultUrls ?? body.response?.result_urls),
			errorCode: String(body.errorCode ?? 'GENERATE_FAILED'),
			errorMessage: body.errorMessage,
			createTime: body.createTime,
			completeTime: body.completeTime,
			lifetimeMs: RESULT_LIFETIME_MS,
			raw: response.body,
		});
	},

	directDownload: {
		call: (taskId, url) => ({ method: 'POST', path: '/api/v1/gpt4o-image/download-url', body: { taskId, url } }),
		read: readLink,
	},
};
