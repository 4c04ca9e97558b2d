import { z } from 'zod';

import type { FailureCategory, GatewayFailure, GatewayResponse, ImageTask, TaskState } from '../types';
import { asObject, categoryOfStatus, describeBody, retryAfterSeconds, toIsoTime, toPercent } from '../wire';

/**
 * Kie.ai answers everything in a `{code, msg, data}` envelope, mostly with HTTP 200 even for errors,
 * so the envelope's code is the status that counts. The Market API's pages call the message `msg`
 * in one version and `message` in another: both are read [K-TASK].
 */

export const envelope = z
	.object({ code: z.number(), msg: z.string().nullish(), message: z.string().nullish(), data: z.unknown() })
	.passthrough();

export function envelopeData(response: GatewayResponse): unknown {
	return envelope.parse(response.body).data;
}

function categoryOfEnvelope(code: number, message: string): FailureCategory {
	if (code === 455 || code === 550) return 'gatewayDown';
	if (code === 422 && /record(info)? is null/i.test(message)) return 'notFound';
	if (code === 500 && /valid|param|size|prompt/i.test(message)) return 'badInput';
	// Market: 433 a sub-key's usage limit, 501 generation failed, 505 the feature is disabled [K-T2I].
	if (code === 433) return 'quota';
	if (code === 505) return 'badInput';
	return categoryOfStatus(code);
}

export function readEnvelopeFailure(response: GatewayResponse): GatewayFailure | undefined {
	const { statusCode, body } = response;
	const parsed = envelope.safeParse(body);
	if (parsed.success) {
		const { code } = parsed.data;
		if (code === 200) return undefined;
		const message = parsed.data.msg ?? parsed.data.message ?? `code ${code}`;
		// Just after create the record can be missing: a status read treats this as "not yet".
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
}

/** A task's failure category from its own code and message (4o `errorCode`, Market `failCode`). */
export function categoryOfTaskError(code: string, message: string): FailureCategory {
	if (code === '451') return 'inputNotFetchable';
	if (/polic|flagged|safety|moderation|violate/i.test(message)) return 'contentPolicy';
	if (code === '400') return 'badInput';
	return 'gatewayDown';
}

/** What a record of either task API says, in its own words, for recordTask. */
export interface RecordReading {
	taskId: string;
	model?: string;
	state: TaskState;
	progress: unknown;
	imageUrls: string[];
	errorCode: string;
	errorMessage?: string | null;
	createTime: unknown;
	completeTime: unknown;
	/** How long result links live after completion. */
	lifetimeMs: number;
	raw: unknown;
}

/** A Kie record in the task model: progress as a 0–1 fraction, ms times, results that expire. */
export function recordTask(reading: RecordReading): ImageTask {
	const { state } = reading;
	const completedAt = toIsoTime(reading.completeTime);
	return {
		taskId: reading.taskId,
		gateway: 'kieAi',
		model: reading.model,
		state,
		progress: state === 'succeeded' ? 100 : toPercent(reading.progress, 1),
		imageUrls: reading.imageUrls,
		error:
			state === 'failed'
				? {
						category: categoryOfTaskError(reading.errorCode, reading.errorMessage ?? ''),
						code: reading.errorCode,
						message: reading.errorMessage || 'The task failed without a message',
					}
				: undefined,
		createdAt: toIsoTime(reading.createTime),
		completedAt,
		expiresAt: completedAt ? new Date(Date.parse(completedAt) + reading.lifetimeMs).toISOString() : undefined,
		raw: asObject(reading.raw),
	};
}

/** A create answer of either task API: `data.taskId`. */
export function readCreatedTaskId(response: GatewayResponse): { taskId: string } {
	const data = envelopeData(response);
	const taskId = data && typeof data === 'object' ? (data as { taskId?: unknown }).taskId : undefined;
	if (typeof taskId !== 'string' || !taskId) throw new Error('The create answer holds no taskId');
	return { taskId };
}

/** A direct link answer: `data` is the link itself, a plain string. */
export function readLink(response: GatewayResponse): string {
	const data = envelopeData(response);
	if (typeof data !== 'string' || !/^https?:\/\//.test(data)) throw new Error('The download-url answer holds no link');
	return data;
}
