/**
 * ToAPIs: bare JSON objects, the HTTP status is the error. Create errors carry string codes, poll errors
 * numeric ones. Uploads live on the same host.
 */
import { randomBytes } from 'crypto';
import { defineGateway, type GatewayContext, type GatewayHost } from '../../gateway';
import { isRecord, json, type ApiCall, type SimResponse } from '../../http';
import { GPT_4O_SIZES, GPT_IMAGE_2_SIZES, type SimTask, type TaskFailure, type TaskState } from '../../tasks';
import { extensionOf, sniffImageType } from '../../uploads';
import { FieldReader, type Problem } from '../../validate';

export interface ToApisOptions {
	/** The first state of a task: `queued` (the status field list) or `submitted` (the status table). */
	initialStatus: 'queued' | 'submitted';
}

export interface ToApisRateLimits {
	/** Creates per sliding second; excess gets HTTP 429 + Retry-After. None documented: Infinity = off. */
	createsPerSecond: number;
}

declare module '../../types' {
	interface GatewayOptionsMap {
		toApis: ToApisOptions & { rateLimits: ToApisRateLimits };
	}
}

type Context = GatewayContext<ToApisOptions, ToApisRateLimits>;

const MODELS = ['gpt-4o-image', 'gpt-image-2'] as const;
/** The documented fields per model: no `n` and no `mask_url` for gpt-image-2 (neither is documented there). */
const FIELDS: Record<(typeof MODELS)[number], readonly string[]> = {
	'gpt-4o-image': ['model', 'prompt', 'size', 'n', 'image_urls', 'reference_images', 'mask_url'],
	'gpt-image-2': ['model', 'prompt', 'size', 'resolution', 'reference_images', 'image_urls', 'response_format'],
};
const MAX_REFERENCE_IMAGES = 5;
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const UPLOAD_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];
const RESULT_LIFETIME_SECONDS = 24 * 3600;

/** [code, type, message] of the JSON error the gateway answers with each HTTP status. */
const HTTP_ERRORS: Record<number, [string, string, string]> = {
	400: ['invalid_request', 'invalid_request_error', 'Invalid request.'],
	401: ['invalid_api_key', 'authentication_error', 'Invalid API key provided.'],
	402: ['insufficient_quota', 'insufficient_quota', 'You exceeded your current quota, please top up.'],
	404: ['not_found', 'not_found_error', 'Not found.'],
	422: ['content_policy_violation', 'invalid_request_error', 'Your request was rejected by the safety system.'],
	429: ['rate_limit_exceeded', 'rate_limit_exceeded', 'Rate limit exceeded, please retry later.'],
};

function httpError(status: number, headers?: Record<string, string>): SimResponse {
	const [code, type, message] = HTTP_ERRORS[status] ?? ['server_error', 'server_error', 'Internal server error.'];
	return json(status, { error: { code, message, type } }, headers);
}

function validationError(problem: Problem): SimResponse {
	const code = problem.code ?? 'invalid_request';
	const type = 'invalid_request_error';
	return json(400, { error: { code, message: problem.message, param: problem.param, type } });
}

const STATUS: Record<TaskState, string> = {
	queued: 'queued',
	running: 'in_progress',
	succeeded: 'completed',
	failed: 'failed',
};

function failureOf(failure: TaskFailure): { code: string; message: string } {
	switch (failure.reason) {
		case 'contentPolicy':
			return { code: 'content_policy_violation', message: 'Your request was rejected by the safety system.' };
		case 'requested':
			return { code: failure.code, message: 'call upstream API failed: upstream returned status 422' };
		case 'inputUnreachable':
			return { code: 'generation_failed', message: `call upstream API failed: cannot download ${failure.url}` };
		case 'invalidMask':
			return { code: 'invalid_request', message: failure.detail };
	}
}

const seconds = (ms: number) => Math.floor(ms / 1000);

export const gateway = defineGateway<ToApisOptions, ToApisRateLimits>({
	options: { initialStatus: 'queued' },
	rateLimits: { createsPerSecond: Infinity },
	hosts: (ctx) => ({ api: apiHost(ctx) }),
});

/** The API host; uploads live on it too. */
function apiHost(ctx: Context): GatewayHost {
	const { sim } = ctx;

	function taskView(task: SimTask, now: number): Record<string, unknown> {
		const state = task.stateAt(now);
		const view: Record<string, unknown> = {
			id: task.id,
			object: 'generation.task',
			model: task.model,
			status: state === 'queued' ? ctx.options.initialStatus : STATUS[state],
			progress: Math.min(state === 'succeeded' ? 100 : 99, Math.floor(task.progressAt(now) * 100)),
			created_at: seconds(task.createdAt),
		};
		if (state === 'failed' && task.failure) view.error = failureOf(task.failure);
		if (state !== 'succeeded') return view;
		const asBase64 = isRecord(task.params) && task.params.response_format === 'b64_json';
		const data = task.resultUrls.map((url, index) => ({
			url,
			...(asBase64 && { b64_json: sim.files.contentOf({ kind: 'result', task, index }).bytes.toString('base64') }),
		}));
		return {
			...view,
			completed_at: seconds(task.doneAt),
			expires_at: seconds(task.doneAt) + RESULT_LIFETIME_SECONDS,
			url: task.resultUrls[0],
			result: { type: 'image', data },
		};
	}

	function create(call: ApiCall): SimResponse {
		const body = call.body;
		if (!isRecord(body)) return validationError({ param: 'body', message: 'The request body must be a JSON object.' });
		if (!sim.limiter.tryHit(`${ctx.id}:create`, ctx.options.rateLimits.createsPerSecond, 1000, call.now)) {
			return httpError(429, { 'retry-after': '1' });
		}
		const model = body.model === 'gpt-image-2' ? 'gpt-image-2' : 'gpt-4o-image';
		const reader = new FieldReader(body, FIELDS[model]);
		if (!reader.has('model')) reader.problem('model', "The 'model' field is required.");
		reader.choice('model', MODELS, model);
		const prompt =
			reader.string('prompt', { required: true, maxLength: model === 'gpt-image-2' ? 32000 : 1000 }) ?? '';
		const imageUrls = [
			...new Set([
				...reader.urlList('image_urls', MAX_REFERENCE_IMAGES, 'invalid_reference_images'),
				...reader.urlList('reference_images', MAX_REFERENCE_IMAGES, 'invalid_reference_images'),
			]),
		];
		if (imageUrls.length > MAX_REFERENCE_IMAGES) {
			reader.problem('reference_images', `At most ${MAX_REFERENCE_IMAGES} reference images are allowed.`);
		}
		const shape = model === 'gpt-image-2' ? readImage2Shape(reader) : readGpt4oShape(reader);
		const maskUrl = model === 'gpt-4o-image' ? reader.url('mask_url') : undefined;
		if (maskUrl && imageUrls.length === 0) reader.problem('mask_url', 'mask_url needs a reference image to edit.');
		if (ctx.shared.strict && reader.problems.length > 0) return validationError(reader.problems[0]);

		const task = ctx.createTask(
			{
				id: `task_img_${randomBytes(8).toString('hex')}`,
				model,
				prompt,
				...shape,
				imageUrls: imageUrls.slice(0, MAX_REFERENCE_IMAGES),
				maskUrl,
				maskApplies: true,
				maskConvention: 'transparent',
				params: body,
			},
			call.now,
		);
		call.log.taskId = task.id;
		return json(200, { ...taskView(task, call.now), metadata: {} });
	}

	function poll(call: ApiCall): SimResponse {
		const id = call.params[0];
		call.log.taskId = id;
		const task = ctx.task(id);
		if (!task) return json(404, { error: { code: 404, message: 'Task not found', type: 'not_found_error' } });
		sim.stats.polls++;
		return json(200, taskView(task, call.now));
	}

	function upload(call: ApiCall): SimResponse {
		const file = call.multipart?.find((part) => part.name === 'file' && part.filename !== undefined);
		if (!file) return json(400, { success: false, message: "No file uploaded: send it in the multipart field 'file'" });
		if (file.data.length > MAX_UPLOAD_BYTES) {
			return json(400, { success: false, message: 'Image too large. Maximum size is 10MB' });
		}
		const mimeType = sniffImageType(file.data);
		if (!mimeType || !UPLOAD_TYPES.includes(mimeType)) {
			return json(400, { success: false, message: 'Unsupported image type. Allowed: JPEG, PNG, WebP, GIF' });
		}
		const fileName = file.filename || `image.${extensionOf(mimeType)}`;
		const stored = sim.files.addUpload(ctx.id, file.data, fileName, mimeType, call.now);
		return json(200, {
			success: true,
			message: '',
			data: { id: `upload_${stored.id}`, url: stored.url, mime_type: mimeType, size: file.data.length },
		});
	}

	return {
		routes: [
			{ method: 'POST', pattern: /^\/v1\/images\/generations$/, kind: 'create', handle: create },
			{ method: 'GET', pattern: /^\/v1\/images\/generations\/([^/]+)$/, kind: 'poll', handle: poll },
			{ method: 'POST', pattern: /^\/v1\/uploads\/images$/, kind: 'upload', handle: upload },
			{
				method: 'GET',
				pattern: /^\/v1\/models$/,
				kind: 'credit',
				handle: () =>
					json(200, {
						object: 'list',
						data: MODELS.map((id) => ({ id, object: 'model', created: 1735689600, owned_by: 'openai' })),
					}),
			},
		],
		unauthorized: (call) =>
			call.log.kind === 'poll'
				? json(401, { error: { code: 401, message: 'Invalid API key provided.', type: 'authentication_error' } })
				: httpError(401),
		notFound: (call) =>
			json(404, {
				error: { code: 'not_found', message: `Invalid URL (${call.method} ${call.path})`, type: 'invalid_request_error' },
			}),
		httpError: (status) => httpError(status),
	};
}

function readGpt4oShape(reader: FieldReader) {
	const size = reader.choice('size', ['1:1', '2:3', '3:2'], '1:1');
	const [width, height] = GPT_4O_SIZES[size];
	return { size, n: reader.choice('n', [1, 2, 4], 1), width, height };
}

/** gpt-image-2: the size must exist at the (case-insensitive) resolution tier; one image per task. */
function readImage2Shape(reader: FieldReader) {
	const resolution = reader.choice('resolution', ['1K', '2K', '4K'] as const, '1K', (v) =>
		typeof v === 'string' ? v.toUpperCase() : v,
	);
	reader.choice('response_format', ['url', 'b64_json'], 'url');
	const table = GPT_IMAGE_2_SIZES[resolution];
	let size = reader.string('size') ?? '1:1';
	if (!table[size]) {
		reader.problem('size', `size '${size}' is not supported at resolution ${resolution}; use one of ${Object.keys(table).join(', ')}.`);
		size = Object.keys(table)[0];
	}
	const [width, height] = table[size];
	return { size, resolution, n: 1, width, height };
}
