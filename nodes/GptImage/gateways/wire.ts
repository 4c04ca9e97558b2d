import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod';

import { randomString } from 'n8n-workflow';

import type { FailureCategory, GatewayFailure, GatewayResponse, TaskError, TaskState, UploadFile } from './types';

/** Wire helpers the three adapters share: times, error bodies and HTTP status meanings. */

export const MB = 1024 * 1024;

/**
 * Gateways send times as unix seconds, epoch milliseconds, or "YYYY-MM-DD HH:mm:ss" (Kie, one doc
 * version). All become ISO strings; anything unreadable becomes undefined rather than a wrong date.
 */
export function toIsoTime(value: unknown): string | undefined {
	if (value === null || value === undefined || value === '') return undefined;
	if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
		// Below 1e11 a number can only be seconds: 1e11 ms is 1973, 1e11 s is the year 5138.
		return new Date(value < 1e11 ? value * 1000 : value).toISOString();
	}
	if (typeof value === 'string') {
		if (/^\d+$/.test(value)) return toIsoTime(Number(value));
		// "2024-01-15 10:30:00" carries no zone; the gateways that send it run on UTC.
		const normalized = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(value)
			? `${value.replace(' ', 'T')}Z`
			: value;
		const parsed = Date.parse(normalized);
		return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
	}
	return undefined;
}

export function asObject(value: unknown): IDataObject {
	return value !== null && typeof value === 'object' && !Array.isArray(value)
		? (value as IDataObject)
		: {};
}

/** What an HTTP status means when the body does not say better. */
export function categoryOfStatus(status: number): FailureCategory {
	if (status === 401 || status === 403) return 'credentials';
	if (status === 402) return 'quota';
	if (status === 404) return 'notFound';
	if (status === 408 || status === 504) return 'timeout';
	if (status === 429) return 'rateLimit';
	if (status === 400 || status === 413 || status === 422) return 'badInput';
	if (status >= 500) return 'gatewayDown';
	return 'unknown';
}

const openAiStyleError = z.object({
	error: z
		.object({
			code: z.union([z.string(), z.number()]).nullish(),
			message: z.string().nullish(),
			type: z.string().nullish(),
		})
		.passthrough(),
});

/** Retry-After in seconds, from either form the header may take. */
export function retryAfterSeconds(headers: Record<string, unknown>): number | undefined {
	const raw = headers['retry-after'];
	if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
	const seconds = Number(raw);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds;
	const date = Date.parse(String(raw));
	return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/** A short, single-line excerpt of a non-JSON body (a CDN's HTML error page, say). */
export function describeBody(body: unknown): string {
	if (typeof body !== 'string') return '';
	const text = body
		.replace(/<[^>]*>/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
	return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/**
 * Reads the OpenAI-style error body ToAPIs and EvoLink share
 * (`{"error":{"code":...,"message":...,"type":...}}`), falling back to the HTTP status for
 * bodies that are not JSON. `categoryOfCode` lets each gateway map its own codes.
 */
export function readOpenAiStyleFailure(
	response: GatewayResponse,
	categoryOfCode: (code: string, type: string) => FailureCategory | undefined,
): GatewayFailure | undefined {
	const { statusCode, body } = response;
	if (statusCode >= 200 && statusCode < 300 && typeof body === 'object') return undefined;
	const parsed = openAiStyleError.safeParse(body);
	const code = parsed.success ? String(parsed.data.error.code ?? parsed.data.error.type ?? statusCode) : String(statusCode);
	const type = parsed.success ? String(parsed.data.error.type ?? '') : '';
	// Upload endpoints answer {"success":false,"message":"..."} instead.
	const topLevelMessage = asObject(body).message;
	const message = parsed.success
		? (parsed.data.error.message ?? `HTTP ${statusCode}`)
		: typeof topLevelMessage === 'string' && topLevelMessage
			? topLevelMessage
		: statusCode >= 200 && statusCode < 300
			? `The gateway answered with a body that is not JSON: ${describeBody(body) || '(empty)'}`
			: `HTTP ${statusCode}${describeBody(body) ? `: ${describeBody(body)}` : ''}`;
	return {
		category:
			categoryOfCode(code, type) ??
			(statusCode >= 200 && statusCode < 300 ? 'gatewayDown' : categoryOfStatus(statusCode)),
		httpCode: statusCode,
		httpStatus: statusCode,
		code,
		message,
		retryAfterSeconds: retryAfterSeconds(response.headers),
	};
}

/** Progress as an integer 0–100 from an integer, a 0–1 fraction string ("0.48") or nothing. */
export function toPercent(value: unknown, scale: 1 | 100): number {
	const number = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : NaN;
	if (!Number.isFinite(number)) return 0;
	return Math.max(0, Math.min(100, Math.round(number * (100 / scale))));
}

export function stringList(value: unknown): string[] {
	return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

/** A file as a data URL, the form Kie's and EvoLink's base64 upload endpoints take. */
export function dataUrl(file: UploadFile): string {
	return `data:${file.mimeType};base64,${file.bytes.toString('base64')}`;
}

/** A multipart/form-data body with one part, `file`, built by hand: node code may not import form-data. */
export function multipartFile(file: UploadFile): { body: Buffer; contentType: string } {
	const boundary = `n8n-gpt-image-${randomString(24)}`;
	const name = file.fileName.replace(/["\r\n\\]/g, '_');
	const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: ${file.mimeType}\r\n\r\n`;
	return {
		body: Buffer.concat([Buffer.from(head), file.bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]),
		contentType: `multipart/form-data; boundary=${boundary}`,
	};
}

/**
 * Task states of the gateways with OpenAI-style task objects (ToAPIs, EvoLink). The docs name the
 * first state `queued`, `submitted` or `pending`, depending on the page and the gateway.
 */
export const TASK_STATES: Record<string, TaskState> = {
	queued: 'queued',
	submitted: 'queued',
	pending: 'queued',
	in_progress: 'running',
	processing: 'running',
	completed: 'succeeded',
	succeeded: 'succeeded',
	failed: 'failed',
	cancelled: 'failed',
};

/** A failed task's `error`: the code is a string on some endpoints and a number on others. */
export const taskErrorBody = z
	.object({ code: z.union([z.string(), z.number()]).nullish(), message: z.string().nullish() })
	.passthrough()
	.nullish();

/** The task object ToAPIs and EvoLink share; each extends it with its own result fields. */
export const openAiStyleTask = z
	.object({
		id: z.string().optional(),
		model: z.string().optional(),
		status: z.string(),
		progress: z.union([z.number(), z.string()]).nullish(),
		created_at: z.unknown().optional(),
		completed_at: z.unknown().optional(),
		error: taskErrorBody,
	})
	.passthrough();

/** A failed task's error in the task model; other states have none. */
export function taskErrorOf(
	state: TaskState,
	error: z.infer<typeof taskErrorBody>,
	categoryOfCode: (code: string, type: string) => FailureCategory | undefined,
): TaskError | undefined {
	if (state !== 'failed') return undefined;
	const code = String(error?.code ?? 'generation_failed');
	return {
		category: categoryOfCode(code, '') ?? 'gatewayDown',
		code,
		message: error?.message ?? 'The task failed without a message',
	};
}
