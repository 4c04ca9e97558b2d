import { z } from 'zod';

import type { ApiFamily, ImageTask, TaskState } from '../types';
import { asObject, stringList } from '../wire';
import { envelopeData, readCreatedTaskId, readLink, recordTask } from './envelope';

/**
 * Kie.ai's Market "jobs" API: GPT Image 2 and 1.5, each a text-to-image and an image-to-image model
 * on the wire, chosen by whether reference images are given. See providers-gpt-image-2.md.
 */

/** The wire model of a node model: text-to-image without references, image-to-image with. */
const WIRE_MODELS: Record<string, [textToImage: string, imageToImage: string]> = {
	'gpt-image-2': ['gpt-image-2-text-to-image', 'gpt-image-2-image-to-image'],
	'gpt-image-1.5': ['gpt-image/1.5-text-to-image', 'gpt-image/1.5-image-to-image'],
};

const STATES: Record<string, TaskState> = {
	waiting: 'queued',
	queuing: 'queued',
	generating: 'running',
	success: 'succeeded',
	fail: 'failed',
};

/** A JSON string (the record's `param` and `resultJson`), or the object a reseller sends instead. */
const jsonText = z.union([z.string(), z.record(z.unknown())]).nullish();

const record = z
	.object({
		taskId: z.string().optional(),
		model: z.string().nullish(),
		state: z.string(),
		resultJson: jsonText,
		failCode: z.union([z.string(), z.number()]).nullish(),
		failMsg: z.string().nullish(),
		progress: z.union([z.string(), z.number()]).nullish(),
		createTime: z.unknown().optional(),
		completeTime: z.unknown().optional(),
	})
	.passthrough();

function parseJsonText(value: z.infer<typeof jsonText>): Record<string, unknown> {
	if (!value) return {};
	if (typeof value !== 'string') return value;
	try {
		return asObject(JSON.parse(value));
	} catch {
		return {};
	}
}

/** Result URLs "typically expire after 24 hours" [K-TASK]. */
const RESULT_LIFETIME_MS = 24 * 3600 * 1000;

export const market: ApiFamily = {
	createCall(request) {
		const { model, values } = request;
		const [textToImage, imageToImage] = WIRE_MODELS[model.id];
		const input: Record<string, unknown> = { prompt: request.prompt, aspect_ratio: values.size };
		if (values.resolution !== undefined) input.resolution = values.resolution;
		if (values.quality !== undefined) input.quality = values.quality;
		// `input_urls` is the field read; `image_urls` (one sample's spelling) is silently ignored [K-CL-REF].
		if (request.referenceUrls.length) input.input_urls = request.referenceUrls;
		const body: Record<string, unknown> = { model: request.referenceUrls.length ? imageToImage : textToImage, input };
		if (request.callbackUrl) body.callBackUrl = request.callbackUrl;
		return { method: 'POST', path: '/api/v1/jobs/createTask', body: body as never };
	},

	readCreated: readCreatedTaskId,

	pollCall(taskId) {
		return { method: 'GET', path: '/api/v1/jobs/recordInfo', qs: { taskId } };
	},

	readTask(response, taskId): ImageTask | undefined {
		const data = envelopeData(response);
		if (data === null || data === undefined) return undefined;
		const body = record.parse(data);
		const state = STATES[body.state.toLowerCase()];
		if (!state) throw new Error(`Unknown task state ${body.state}`);
		const result = parseJsonText(body.resultJson);
		// "" on success in Kie's sample, null in a reseller's [K-TASK][K-3P-RECORD].
		const failCode = body.failCode === null || body.failCode === undefined || body.failCode === '' ? '501' : String(body.failCode);
		return recordTask({
			taskId: body.taskId ?? taskId,
			model: body.model ?? undefined,
			state,
			// No progress is documented for Market tasks; read it where a record has one.
			progress: body.progress,
			imageUrls: stringList(result.resultUrls ?? result.result_urls),
			errorCode: failCode,
			errorMessage: body.failMsg,
			createTime: body.createTime,
			completeTime: body.completeTime,
			lifetimeMs: RESULT_LIFETIME_MS,
			raw: response.body,
		});
	},

	directDownload: {
		call: (_taskId, url) => ({ method: 'POST', path: '/api/v1/common/download-url', body: { url } }),
		read: readLink,
	},
};
