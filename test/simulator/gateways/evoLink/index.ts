/**
 * EvoLink: bare JSON objects, the HTTP status is the error (`{"error":{"code":<number>,...}}`).
 * Uploads go to a separate file host with a `{success, code, msg, data}` envelope (uploads.ts). Models:
 * gpt-4o-image, gpt-image-2, gpt-image-2-beta, gpt-image-1.5 (models.ts); pixel sizes in sizes.ts.
 *
 * Where the docs are silent, the simulator chose:
 * - `usage` in the create answer: `billing_rule` per_call (gpt-4o-image, -beta) or per_token (gpt-image-2,
 *   gpt-image-1.5), `credits_reserved` invented (models.ts: by tier, quality and n). Task answers carry it
 *   too only with `usageInTask`. `GET /v1/credits` counts every task's reservation but failed ones'
 *   (refunded); the key's and the user's numbers are the same.
 * - A `resolution` with a `WxH` size is refused ("only with ratio sizes"); with `auto` it is ignored.
 *   `resolution` is taken in capitals only; `auto` renders 1024x1024.
 * - gpt-image-1.5 and -beta prompts: at most 2000 characters (the docs say 2000 tokens). gpt-image-2-beta
 *   takes up to 16 references of ≤ 50 MB like gpt-image-2.
 * - Input images the simulator hosts are checked at create against the model's limits (type, bytes);
 *   foreign ones are taken on trust. Callback URLs are checked, never called.
 * - An unknown task id is a 404; one not starting with `task-unified-` is a 400 `invalid_task_id` [E-TASK]
 *   only with `checkTaskIdFormat` (the node's own tests poll made-up ids).
 */
import { randomBytes } from 'crypto';
import { defineGateway, type GatewayHost } from '../../gateway';
import { isRecord, json, type ApiCall, type SimResponse } from '../../http';
import type { SimTask } from '../../tasks';
import { FieldReader } from '../../validate';
import { failureOf, httpError, STATUS, validationError } from './errors';
import { MODEL_IDS, MODELS, type ModelId, type Usage } from './models';
import type { EvoLinkContext, EvoLinkOptions, EvoLinkRateLimits } from './options';
import { uploadHost } from './uploads';

export type { EvoLinkOptions, EvoLinkRateLimits } from './options';

declare module '../../types' {
	interface GatewayOptionsMap {
		evoLink: EvoLinkOptions & { rateLimits: EvoLinkRateLimits };
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
	options: { resultForm: 'results', honourIdempotencyKey: false, usageInTask: false, credits: 1000, checkTaskIdFormat: false },
	rateLimits: { createsPerSecond: Infinity },
	hosts: (ctx) => ({ api: apiHost(ctx), upload: uploadHost(ctx) }),
});

function apiHost(ctx: EvoLinkContext): GatewayHost {
	const { sim } = ctx;
	/** Idempotency-Key → task id, used only with `honourIdempotencyKey`. */
	const tasksByIdempotencyKey = new Map<string, string>();
	/** What each task reserved. */
	const usages = new Map<string, Usage>();

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
			...(ctx.options.usageInTask && { usage: usages.get(task.id) }),
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
			return json(200, { ...taskView(repeated, call.now), usage: usages.get(repeated.id) });
		}

		const model = MODEL_IDS.find((id) => id === body.model) ?? 'gpt-4o-image';
		const spec = MODELS[model];
		const reader = new FieldReader(body, spec.fields);
		if (!reader.has('model')) reader.problem('model', "The 'model' field is required");
		reader.choice<ModelId>('model', MODEL_IDS, model);
		const prompt = reader.string('prompt', { required: true, maxLength: spec.maxPromptLength }) ?? '';
		const shape = spec.read(reader, (url) => ctx.inspect(url, call.now));
		const callbackUrl = reader.string('callback_url', { maxLength: 2048 });
		if (callbackUrl && !isPublicHttps(callbackUrl)) {
			reader.problem('callback_url', 'callback_url must be a public HTTPS URL');
		}
		if (ctx.shared.strict && reader.problems.length > 0) return validationError(reader.problems[0]);

		const created = Math.floor(call.now / 1000);
		const task = ctx.createTask(
			{
				id: `task-unified-${created}-${randomSuffix()}`,
				model,
				prompt,
				...shape,
				maskApplies: true,
				maskConvention: 'transparentOrWhite',
				params: body,
			},
			call.now,
		);
		const usage = spec.usage(shape);
		usages.set(task.id, usage);
		if (typeof idempotencyKey === 'string') tasksByIdempotencyKey.set(idempotencyKey, task.id);
		call.log.taskId = task.id;
		return json(200, { ...taskView(task, call.now), usage });
	}

	function poll(call: ApiCall): SimResponse {
		const id = call.params[0];
		call.log.taskId = id;
		if (ctx.options.checkTaskIdFormat && !id.startsWith('task-unified-')) {
			return json(400, { error: { code: 'invalid_task_id', message: 'Task ids start with task-unified-', type: 'invalid_request_error' } });
		}
		const task = ctx.task(id);
		if (!task) return httpError(404, undefined, 'Task not found');
		sim.stats.polls++;
		return json(200, taskView(task, call.now));
	}

	function credits(): SimResponse {
		const used = ctx
			.tasks()
			.filter((task) => task.state !== 'failed')
			.reduce((sum, task) => sum + (usages.get(task.id)?.credits_reserved ?? 0), 0);
		const round = (value: number) => Math.round(value * 1e4) / 1e4;
		const balance = { remaining_credits: round(ctx.options.credits - used), used_credits: round(used) };
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

