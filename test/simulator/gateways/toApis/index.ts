/**
 * ToAPIs: bare JSON objects, the HTTP status is the error. Create errors carry string codes, poll errors
 * numeric ones. Uploads live on the same host. Models: gpt-4o-image, gpt-image-2, gpt-image-2-vip and the
 * official channel gpt-image-1.5-official (models.ts); pixel sizes in sizes.ts.
 *
 * Where the docs are silent, the simulator chose:
 * - gpt-image-2 and -vip take up to 16 reference images (the official channel's number); no byte limit.
 * - The official channel: `n` up to 10 (option `officialMaxN`: 4 per the other page); quality defaults to
 *   medium; a mask is checked when the simulator hosts it and the first image (PNG with alpha, same size)
 *   and refused at create with a 400, as OpenAI's edits endpoint does; `size: auto` is 1024x1024, or the
 *   first image's own size for an edit of an image the simulator hosts; `output_compression` is the JPEG
 *   quality (default 100); explicit sizes scale an edited image to the requested size.
 * - Pixel sizes the docs do not state come from a working client's table (sizes.ts).
 * - Input images the simulator hosts are checked at create against the model's limits (gpt-4o-image:
 *   JPEG/PNG/WebP ≤ 10 MB; official channel: PNG/JPEG ≤ 50 MB), refused as `invalid_reference_images`;
 *   foreign URLs are taken on trust.
 * - Balance (`GET /v1/balance`, `/v1/user/balance`, field names unverified): a flat body as the platform
 *   family serves it, `{success, remain_balance, used_balance, remain_credits, used_credits, credit_rate,
 *   unlimited_quota}` in US dollars and credits (1 USD = 200); one key per account, so both endpoints
 *   answer the same numbers. A task costs its model's price per image times n from its create on (price
 *   list in models.ts); a failed task is refunded.
 */
import { randomBytes } from 'crypto';
import { defineGateway, type GatewayContext, type GatewayHost } from '../../gateway';
import { bearerKey, isRecord, json, type ApiCall, type SimResponse } from '../../http';
import type { SimTask, TaskFailure, TaskState } from '../../tasks';
import { extensionOf, sniffImageType } from '../../uploads';
import { FieldReader, type Problem } from '../../validate';
import { MODEL_IDS, MODELS, type ModelId } from './models';

export interface ToApisOptions {
	/** The first state of a task: `queued` (the status field list) or `submitted` (the status table). */
	initialStatus: 'queued' | 'submitted';
	/** Which ratios gpt-image-2 takes per tier: its page's rule (default) or all 13 at every tier (a working client). */
	gptImage2Sizes: 'docs' | 'allTiers';
	/** The official channel's largest `n`: 10 (default, "1~10") or 4 ("up to 4 images per request"). */
	officialMaxN: number;
	/** The balance a key starts with, in US dollars. */
	balanceUsd: number;
	/** An unlimited key: remain_balance -1 and unlimited_quota true. */
	unlimitedQuota: boolean;
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

const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const UPLOAD_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];
const RESULT_LIFETIME_SECONDS = 24 * 3600;
/** 1 USD = 200 credits [T-BAL]. */
const CREDITS_PER_USD = 200;

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
	options: { initialStatus: 'queued', gptImage2Sizes: 'docs', officialMaxN: 10, balanceUsd: 10, unlimitedQuota: false },
	rateLimits: { createsPerSecond: Infinity },
	hosts: (ctx) => ({ api: apiHost(ctx) }),
});

/** The API host; uploads live on it too. */
function apiHost(ctx: Context): GatewayHost {
	const { sim } = ctx;
	/** What each task costs, in US dollars. */
	const costs = new Map<string, number>();

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
		const model = MODEL_IDS.find((id) => id === body.model) ?? 'gpt-4o-image';
		const spec = MODELS[model];
		const reader = new FieldReader(body, spec.fields);
		if (!reader.has('model')) reader.problem('model', "The 'model' field is required.");
		reader.choice<ModelId>('model', MODEL_IDS, model);
		const prompt = reader.string('prompt', { required: true, maxLength: spec.maxPromptLength }) ?? '';
		const shape = spec.read(reader, {
			gptImage2Sizes: ctx.options.gptImage2Sizes,
			officialMaxN: ctx.options.officialMaxN,
			inspect: (url) => ctx.inspect(url, call.now),
		});
		if (ctx.shared.strict && reader.problems.length > 0) return validationError(reader.problems[0]);

		const task = ctx.createTask(
			{
				id: `${spec.idPrefix}${randomBytes(8).toString('hex')}`,
				model,
				prompt,
				...shape,
				maskApplies: true,
				maskConvention: 'transparent',
				params: body,
			},
			call.now,
		);
		costs.set(task.id, spec.pricePerImage(shape) * shape.n);
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

	/** The key's balance and, with one key per account, the account's: the same numbers. */
	function balance(): SimResponse {
		const used = ctx
			.tasks()
			.filter((task) => task.state !== 'failed')
			.reduce((sum, task) => sum + (costs.get(task.id) ?? 0), 0);
		const round = (value: number) => Math.round(value * 1e6) / 1e6;
		const unlimited = ctx.options.unlimitedQuota;
		const remaining = unlimited ? -1 : round(ctx.options.balanceUsd - used);
		return json(200, {
			success: true,
			remain_balance: remaining,
			used_balance: round(used),
			remain_credits: unlimited ? -1 : round(remaining * CREDITS_PER_USD),
			used_credits: round(used * CREDITS_PER_USD),
			credit_rate: CREDITS_PER_USD,
			unlimited_quota: unlimited,
		});
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
						data: MODEL_IDS.map((id) => ({ id, object: 'model', created: 1735689600, owned_by: 'openai' })),
					}),
			},
			{ method: 'GET', pattern: /^\/v1\/(?:user\/)?balance$/, kind: 'credit', handle: balance },
		],
		unauthorized: (call) => {
			if (/balance$/.test(call.path)) {
				const message = bearerKey(call.headers) ? 'Failed to get token info' : 'No Authorization header';
				return json(401, { success: false, message });
			}
			return call.log.kind === 'poll'
				? json(401, { error: { code: 401, message: 'Invalid API key provided.', type: 'authentication_error' } })
				: httpError(401);
		},
		notFound: (call) =>
			json(404, {
				error: { code: 'not_found', message: `Invalid URL (${call.method} ${call.path})`, type: 'invalid_request_error' },
			}),
		httpError: (status) => httpError(status),
	};
}
