/**
 * EvoLink: bare JSON objects, the HTTP status is the error (`{"error":{"code":<number>,...}}`).
 * Uploads go to a separate file host with a `{success, code, msg, data}` envelope.
 */
import { randomBytes } from 'crypto';
import { defineGateway, type GatewayContext, type GatewayHost } from '../../gateway';
import { isRecord, json, type ApiCall, type SimResponse } from '../../http';
import { GPT_4O_SIZES, type SimTask, type TaskFailure, type TaskState } from '../../tasks';
import { decodeBase64Payload, extensionOf, sniffImageType } from '../../uploads';
import { FieldReader, type Problem } from '../../validate';

export interface EvoLinkOptions {
	/** Where a completed task lists its results: `results[]`, `result_data[].image_url`, or both. */
	resultForm: 'results' | 'result_data' | 'both';
	/**
	 * Default false (the API page promises nothing): a repeated `Idempotency-Key` creates a new task.
	 * When true, a create repeating a key answers with the first task instead of creating another.
	 */
	honourIdempotencyKey: boolean;
}

export interface EvoLinkRateLimits {
	/** Creates per sliding second; excess gets HTTP 429 + Retry-After. None documented: Infinity = off. */
	createsPerSecond: number;
}

declare module '../../types' {
	interface GatewayOptionsMap {
		evoLink: EvoLinkOptions & { rateLimits: EvoLinkRateLimits };
	}
}

type Context = GatewayContext<EvoLinkOptions, EvoLinkRateLimits>;

const FIELDS = ['model', 'prompt', 'size', 'n', 'image_urls', 'mask_url', 'callback_url'];
/** The English API page's limit (other pages say 2000 tokens); the stricter one is what a client must respect. */
const MAX_PROMPT_CHARS = 1000;
const MAX_IMAGES = 5;
const CREDITS_PER_IMAGE = 2.5;
const STARTING_CREDITS = 1000;
const FILE_LIFETIME_MS = 72 * 3600 * 1000;

/** [type, message] of the JSON error for each HTTP status. */
const HTTP_ERRORS: Record<number, [string, string]> = {
	400: ['invalid_request_error', 'Invalid request'],
	401: ['authentication_error', 'Invalid API key'],
	402: ['insufficient_quota_error', 'Insufficient credits'],
	403: ['permission_error', 'Permission denied'],
	404: ['not_found_error', 'Not found'],
	413: ['request_too_large_error', 'Request too large'],
	429: ['rate_limit_error', 'Rate limit exceeded, please retry later'],
	500: ['internal_error', 'Internal server error'],
	502: ['upstream_error', 'Upstream error'],
	503: ['service_unavailable_error', 'Service temporarily unavailable'],
};

function httpError(status: number, headers?: Record<string, string>, message?: string): SimResponse {
	const [type, defaultMessage] = HTTP_ERRORS[status] ?? ['internal_error', 'Internal server error'];
	return json(status, { error: { code: status, message: message ?? defaultMessage, type } }, headers);
}

function validationError(problem: Problem): SimResponse {
	const type = 'invalid_request_error';
	return json(400, { error: { code: 400, message: problem.message, type, param: problem.param } });
}

const STATUS: Record<TaskState, string> = {
	queued: 'pending',
	running: 'processing',
	succeeded: 'completed',
	failed: 'failed',
};

const TASK_ERROR_MESSAGES: Record<string, string> = {
	content_policy_violation: 'The request was rejected by the content policy',
	invalid_parameters: 'Invalid parameters',
	image_processing_error: 'Failed to process the input image',
	image_dimension_mismatch: 'The mask and the image must have the same dimensions',
	generation_failed_no_content: 'The model returned no image',
	service_error: 'Service error, please retry',
	generation_timeout: 'Generation timed out',
	resource_exhausted: 'Resources exhausted, please retry later',
	quota_exceeded: 'Quota exceeded',
	service_unavailable: 'Service temporarily unavailable',
};

function failureOf(failure: TaskFailure): { code: string; message: string } {
	switch (failure.reason) {
		case 'contentPolicy':
			return { code: 'content_policy_violation', message: TASK_ERROR_MESSAGES.content_policy_violation };
		case 'inputUnreachable':
			return { code: 'image_processing_error', message: `Failed to download the input image: ${failure.url}` };
		case 'invalidMask':
			return { code: 'image_dimension_mismatch', message: failure.detail };
		case 'requested':
			return { code: failure.code, message: TASK_ERROR_MESSAGES[failure.code] ?? 'The task failed' };
	}
}

/** Callbacks must go to a public HTTPS host. */
function isPublicHttps(value: string): boolean {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return false;
	}
	const privateHost = /^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|\[::1\]|0\.0\.0\.0)/;
	return url.protocol === 'https:' && !privateHost.test(url.hostname);
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** Eight lowercase letters and digits, like the tail of `task-unified-1757156493-imcg5zqt`. */
function randomSuffix(): string {
	const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
	return Array.from(randomBytes(8), (b) => alphabet[b % alphabet.length]).join('');
}

export const gateway = defineGateway<EvoLinkOptions, EvoLinkRateLimits>({
	options: { resultForm: 'results', honourIdempotencyKey: false },
	rateLimits: { createsPerSecond: Infinity },
	hosts: (ctx) => ({ api: apiHost(ctx), upload: uploadHost(ctx) }),
});

function apiHost(ctx: Context): GatewayHost {
	const { sim } = ctx;
	/** Idempotency-Key → task id, used only with `honourIdempotencyKey`. */
	const tasksByIdempotencyKey = new Map<string, string>();

	function taskView(task: SimTask, now: number): Record<string, unknown> {
		const state = task.stateAt(now);
		const finished = state === 'succeeded' || state === 'failed';
		const view: Record<string, unknown> = {
			created: seconds(task.createdAt),
			id: task.id,
			model: task.model,
			object: 'image.generation.task',
			progress: state === 'succeeded' ? 100 : Math.min(99, Math.floor(task.progressAt(now) * 100)),
			status: STATUS[state],
			task_info: { can_cancel: !finished, estimated_time: Math.ceil((task.doneAt - task.createdAt) / 1000) },
			type: 'image',
			usage: { billing_rule: 'per_call', credits_reserved: CREDITS_PER_IMAGE * task.n, user_group: 'default' },
		};
		if (state === 'failed' && task.failure) view.error = failureOf(task.failure);
		if (state === 'succeeded') {
			const form = ctx.options.resultForm;
			if (form !== 'result_data') view.results = task.resultUrls;
			if (form !== 'results') view.result_data = task.resultUrls.map((url) => ({ image_url: url }));
		}
		return view;
	}

	function create(call: ApiCall): SimResponse {
		const body = call.body;
		if (!isRecord(body)) return validationError({ param: 'body', message: 'The request body must be a JSON object' });
		if (!sim.limiter.tryHit(`${ctx.id}:create`, ctx.options.rateLimits.createsPerSecond, 1000, call.now)) {
			return httpError(429, { 'retry-after': '1' });
		}
		const idempotencyKey = call.headers['idempotency-key'];
		const earlier = typeof idempotencyKey === 'string' ? tasksByIdempotencyKey.get(idempotencyKey) : undefined;
		const repeated = earlier && ctx.options.honourIdempotencyKey ? ctx.task(earlier) : undefined;
		if (repeated) {
			call.log.taskId = repeated.id;
			return json(200, taskView(repeated, call.now));
		}

		const reader = new FieldReader(body, FIELDS);
		if (!reader.has('model')) reader.problem('model', "The 'model' field is required");
		reader.choice('model', ['gpt-4o-image'], 'gpt-4o-image');
		const prompt = reader.string('prompt', { required: true, maxLength: MAX_PROMPT_CHARS }) ?? '';
		const size = reader.choice('size', Object.keys(GPT_4O_SIZES), '1:1');
		const n = reader.choice('n', [1, 2, 4], 1);
		const imageUrls = reader.urlList('image_urls', MAX_IMAGES);
		const maskUrl = reader.url('mask_url');
		if (maskUrl && imageUrls.length !== 1) {
			reader.problem('mask_url', 'mask_url can only be used with exactly one image in image_urls');
		}
		const callbackUrl = reader.string('callback_url', { maxLength: 2048 });
		if (callbackUrl && !isPublicHttps(callbackUrl)) {
			reader.problem('callback_url', 'callback_url must be a public HTTPS URL');
		}
		if (ctx.shared.strict && reader.problems.length > 0) return validationError(reader.problems[0]);

		const created = Math.floor(call.now / 1000);
		const [width, height] = GPT_4O_SIZES[size];
		const task = ctx.createTask(
			{
				id: `task-unified-${created}-${randomSuffix()}`,
				model: 'gpt-4o-image',
				prompt,
				n,
				size,
				width,
				height,
				imageUrls,
				maskUrl,
				maskApplies: true,
				maskConvention: 'transparentOrWhite',
				params: body,
			},
			call.now,
		);
		if (typeof idempotencyKey === 'string') tasksByIdempotencyKey.set(idempotencyKey, task.id);
		call.log.taskId = task.id;
		return json(200, taskView(task, call.now));
	}

	function poll(call: ApiCall): SimResponse {
		const id = call.params[0];
		call.log.taskId = id;
		const task = ctx.task(id);
		if (!task) return httpError(404, undefined, 'Task not found');
		sim.stats.polls++;
		return json(200, taskView(task, call.now));
	}

	function credits(): SimResponse {
		const used = ctx
			.tasks()
			.reduce((sum, t) => sum + CREDITS_PER_IMAGE * t.n, 0);
		const balance = { remaining_credits: STARTING_CREDITS - used, used_credits: used };
		return json(200, {
			data: { token: { ...balance, unlimited_credits: false }, user: balance },
			message: '',
			success: true,
		});
	}

	return {
		routes: [
			{ method: 'POST', pattern: /^\/v1\/images\/generations$/, kind: 'create', handle: create },
			{ method: 'GET', pattern: /^\/v1\/tasks\/([^/]+)$/, kind: 'poll', handle: poll },
			{ method: 'GET', pattern: /^\/v1\/credits$/, kind: 'credit', handle: credits },
		],
		unauthorized: () => httpError(401),
		notFound: () => httpError(404),
		httpError: (status) => httpError(status),
	};
}

/** The upload host: `{success, code, msg, data}` with a matching HTTP status. */
function uploadHost(ctx: Context): GatewayHost {
	const { sim } = ctx;
	const failure = (status: number, msg: string) => json(status, { success: false, code: status, msg, data: null });

	function store(call: ApiCall, bytes: Buffer, fields: Record<string, unknown>): SimResponse {
		const mimeType = sniffImageType(bytes);
		if (!mimeType) return failure(400, 'Unsupported file type: only image/jpeg, image/png, image/gif, image/webp');
		const uploadPath = typeof fields.upload_path === 'string' && fields.upload_path ? fields.upload_path : 'images';
		const given = typeof fields.file_name === 'string' ? fields.file_name : '';
		const fileName = given || `${randomBytes(8).toString('hex')}.${extensionOf(mimeType)}`;
		const stored = sim.files.addUpload(ctx.id, bytes, fileName, mimeType, call.now);
		return json(200, {
			success: true,
			code: 200,
			msg: 'File uploaded successfully',
			data: {
				file_id: `file_${stored.id}`,
				file_name: fileName,
				original_name: given || fileName,
				file_size: bytes.length,
				mime_type: mimeType,
				upload_path: uploadPath,
				file_url: stored.url,
				download_url: `${sim.files.cdnUrl}/uploads/${stored.id}`,
				upload_time: new Date(call.now).toISOString(),
				expires_at: new Date(call.now + FILE_LIFETIME_MS).toISOString(),
			},
		});
	}

	function base64Upload(call: ApiCall): SimResponse {
		const body = isRecord(call.body) ? call.body : {};
		const payload = typeof body.base64_data === 'string' ? decodeBase64Payload(body.base64_data) : undefined;
		if (!payload) return failure(400, 'base64_data is required and must be base64 or a data URL');
		return store(call, payload.bytes, body);
	}

	function streamUpload(call: ApiCall): SimResponse {
		const parts = call.multipart ?? [];
		const file = parts.find((p) => p.name === 'file' && p.filename !== undefined);
		if (!file) return failure(400, "No file uploaded: send it in the multipart field 'file'");
		const fields = Object.fromEntries(parts.filter((p) => p.filename === undefined).map((p) => [p.name, p.data.toString()]));
		return store(call, file.data, { file_name: file.filename, ...fields });
	}

	return {
		routes: [
			{ method: 'POST', pattern: /^\/api\/v1\/files\/upload\/base64$/, kind: 'upload', handle: base64Upload },
			{ method: 'POST', pattern: /^\/api\/v1\/files\/upload\/stream$/, kind: 'upload', handle: streamUpload },
		],
		unauthorized: () => failure(401, 'Invalid API key'),
		notFound: () => failure(404, 'Not found'),
		httpError: (status) => failure(status, HTTP_ERRORS[status]?.[1] ?? 'Error'),
	};
}
