/**
 * Kie.ai "4o Image API": every answer is a `{code, msg, data}` envelope, with HTTP 200 even for errors.
 * Uploads go to a separate file host whose envelope adds `success`.
 */
import { randomBytes } from 'crypto';
import { defineGateway, type GatewayContext, type GatewayHost } from '../../gateway';
import { bearerKey, isRecord, json, type ApiCall, type SimResponse } from '../../http';
import { GPT_4O_SIZES, type SimTask, type TaskFailure } from '../../tasks';
import { decodeBase64Payload, extensionOf, sniffImageType } from '../../uploads';
import { FieldReader } from '../../validate';

export interface KieOptions {
	/** Where a record puts its result URLs: `response.resultUrls` (the schema) or `result_urls` (the quickstart). */
	resultKey: 'resultUrls' | 'result_urls';
	/** Record times as epoch ms (the schema) or "YYYY-MM-DD HH:mm:ss" strings (one doc version). */
	timeFormat: 'ms' | 'string';
	/** Polls of a new task that answer `{code:422,msg:'recordInfo is null'}` before the record shows; default 0. */
	nullRecordPolls: number;
}

export interface KieRateLimits {
	/** New tasks per sliding 10 s per key (documented: 20); the next one gets envelope code 429. */
	createsPer10s: number;
	/** Record reads per sliding second per task (documented: 3). */
	pollsPerSecondPerTask: number;
}

declare module '../../types' {
	interface GatewayOptionsMap {
		kieAi: KieOptions & { rateLimits: KieRateLimits };
	}
}

type Context = GatewayContext<KieOptions, KieRateLimits>;

const FIELDS = [
	'prompt',
	'size',
	'filesUrl',
	'maskUrl',
	'nVariants',
	'isEnhance',
	'enableFallback',
	'fallbackModel',
	'callBackUrl',
];
const MAX_FILES = 5;

const MESSAGES: Record<number, string> = {
	400: 'Format Error',
	401: 'You do not have access permissions',
	402: 'Credits insufficient',
	404: 'Not Found',
	422: 'Validation Error',
	429: 'The frequency of requests is too high. Please try again later.',
	455: 'Service unavailable: system maintenance',
	500: 'Server Error',
	550: 'The queue is full, please try again later',
};

const envelope = (code: number, msg: string, data: unknown = null, httpStatus = 200): SimResponse =>
	json(httpStatus, { code, msg, data });

/** Task `errorCode` and `errorMessage` of a failed record. */
function failureOf(failure: TaskFailure): { errorCode: number; errorMessage: string } {
	switch (failure.reason) {
		case 'contentPolicy':
			return { errorCode: 400, errorMessage: 'Your content was flagged by OpenAI as violating content policies' };
		case 'inputUnreachable':
			return { errorCode: 451, errorMessage: `Failed to fetch the image: ${failure.url}` };
		case 'invalidMask':
			return { errorCode: 400, errorMessage: failure.detail };
		case 'requested': {
			const errorCode = Number(failure.code);
			if (!Number.isInteger(errorCode)) return { errorCode: 500, errorMessage: failure.code };
			const known: Record<number, string> = {
				400: 'Your content was flagged by OpenAI as violating content policies',
				451: 'Failed to fetch the image. Please make sure the image URL is publicly accessible',
				500: 'Internal Error, Please try again later.',
			};
			return { errorCode, errorMessage: known[errorCode] ?? `Generation failed (${errorCode})` };
		}
	}
}

/** "YYYY-MM-DD HH:mm:ss" in UTC: one doc version shows times this way instead of epoch ms. */
function formatTime(ms: number): string {
	return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

export const gateway = defineGateway<KieOptions, KieRateLimits>({
	options: { resultKey: 'resultUrls', timeFormat: 'ms', nullRecordPolls: 0 },
	rateLimits: { createsPer10s: 20, pollsPerSecondPerTask: 3 },
	hosts: (ctx) => ({ api: apiHost(ctx), upload: uploadHost(ctx) }),
});

function apiHost(ctx: Context): GatewayHost {
	const { sim } = ctx;
	/** Polls per new task still to answer `recordInfo is null` (the record is not visible yet). */
	const hiddenPolls = new Map<string, number>();

	const time = (ms: number) => (ctx.options.timeFormat === 'ms' ? ms : formatTime(ms));

	function record(task: SimTask, now: number): Record<string, unknown> {
		const state = task.stateAt(now);
		const finished = state === 'succeeded' || state === 'failed';
		const failure = state === 'failed' && task.failure ? failureOf(task.failure) : undefined;
		return {
			taskId: task.id,
			paramJson: JSON.stringify(task.params),
			completeTime: finished ? time(task.doneAt) : null,
			response: state === 'succeeded' ? { [ctx.options.resultKey]: task.resultUrls } : null,
			successFlag: state === 'succeeded' ? 1 : state === 'failed' ? 2 : 0,
			status: state === 'succeeded' ? 'SUCCESS' : state === 'failed' ? 'GENERATE_FAILED' : 'GENERATING',
			errorCode: failure?.errorCode ?? null,
			errorMessage: failure?.errorMessage ?? (state === 'succeeded' ? '' : null),
			createTime: time(task.createdAt),
			progress: state === 'succeeded' ? '1.00' : Math.min(0.99, task.progressAt(now)).toFixed(2),
		};
	}

	function create(call: ApiCall): SimResponse {
		const body = call.body;
		if (!isRecord(body)) return envelope(400, 'Format Error: the body must be a JSON object');
		const limit = ctx.options.rateLimits.createsPer10s;
		if (!sim.limiter.tryHit(`${ctx.id}:create:${bearerKey(call.headers)}`, limit, 10_000, call.now)) {
			return envelope(429, MESSAGES[429]);
		}
		const reader = new FieldReader(body, FIELDS);
		if (!reader.has('size')) reader.problem('size', 'size is required');
		const size = reader.choice('size', ['1:1', '3:2', '2:3'], '1:1');
		const filesUrl = reader.urlList('filesUrl', MAX_FILES);
		const prompt = reader.string('prompt', { required: filesUrl.length === 0 }) ?? '';
		const maskUrl = reader.url('maskUrl');
		const n = reader.choice('nVariants', [1, 2, 4], 1);
		reader.boolean('isEnhance');
		reader.boolean('enableFallback');
		reader.choice('fallbackModel', ['GPT_IMAGE_1', 'FLUX_MAX'], 'FLUX_MAX');
		reader.url('callBackUrl');
		const problem = reader.problems[0];
		if (ctx.shared.strict && problem) return envelope(422, problem.message);

		const [width, height] = GPT_4O_SIZES[size];
		const task = ctx.createTask(
			{
				id: `task_4o_${randomBytes(8).toString('hex')}`,
				model: 'gpt-4o-image',
				prompt,
				n,
				size,
				width,
				height,
				imageUrls: filesUrl,
				maskUrl,
				// The docs: the mask is ignored when filesUrl holds more than one image.
				maskApplies: filesUrl.length <= 1,
				maskConvention: 'black',
				params: body,
			},
			call.now,
		);
		hiddenPolls.set(task.id, ctx.options.nullRecordPolls);
		call.log.taskId = task.id;
		return envelope(200, 'success', { taskId: task.id });
	}

	function poll(call: ApiCall): SimResponse {
		const id = call.query.taskId ?? '';
		call.log.taskId = id || undefined;
		if (!id) return envelope(422, 'taskId cannot be empty');
		if (!sim.limiter.tryHit(`${ctx.id}:poll:${id}`, ctx.options.rateLimits.pollsPerSecondPerTask, 1000, call.now)) {
			return envelope(429, MESSAGES[429]);
		}
		sim.stats.polls++;
		const task = ctx.task(id);
		const hidden = hiddenPolls.get(id) ?? 0;
		if (hidden > 0) hiddenPolls.set(id, hidden - 1);
		// An unknown id answers like a record not visible yet, forever: the client must give up on its own.
		if (!task || hidden > 0) return envelope(422, 'recordInfo is null');
		return envelope(200, 'success', record(task, call.now));
	}

	function directDownloadUrl(call: ApiCall): SimResponse {
		const body = isRecord(call.body) ? call.body : {};
		const id = typeof body.taskId === 'string' ? body.taskId : '';
		call.log.taskId = id || undefined;
		const task = ctx.task(id);
		if (!task || task.stateAt(call.now) !== 'succeeded') return envelope(422, 'record is null');
		const index = task.resultUrls.indexOf(typeof body.url === 'string' ? body.url : '');
		if (index < 0) return envelope(422, 'url is not a result of this task');
		return envelope(200, 'success', sim.files.signedResultUrl(task.id, index, call.now));
	}

	return {
		routes: [
			{ method: 'POST', pattern: /^\/api\/v1\/gpt4o-image\/generate$/, kind: 'create', handle: create },
			{ method: 'GET', pattern: /^\/api\/v1\/gpt4o-image\/record-info$/, kind: 'poll', handle: poll },
			{ method: 'POST', pattern: /^\/api\/v1\/gpt4o-image\/download-url$/, kind: 'downloadUrl', handle: directDownloadUrl },
			{ method: 'GET', pattern: /^\/api\/v1\/chat\/credit$/, kind: 'credit', handle: () => envelope(200, 'success', 100) },
		],
		unauthorized: () => envelope(401, MESSAGES[401]),
		notFound: () => envelope(404, MESSAGES[404], null, 404),
		httpError: (status) => envelope(status, MESSAGES[status] ?? 'Error', null, status),
		envelope: (code, msg) => envelope(code, msg),
	};
}

/** The upload host: `{success, code, msg, data}`, also HTTP 200 for errors. */
function uploadHost(ctx: Context): GatewayHost {
	const { sim } = ctx;
	const answer = (code: number, msg: string, data: unknown = null, httpStatus = 200) =>
		json(httpStatus, { success: code === 200, code, msg, data });

	function store(call: ApiCall, bytes: Buffer, declaredType: string | undefined, fields: Record<string, unknown>) {
		const uploadPath = typeof fields.uploadPath === 'string' ? fields.uploadPath.replace(/^\/+|\/+$/g, '') : '';
		if (!uploadPath) return answer(400, 'uploadPath is required');
		if (bytes.length === 0) return answer(400, 'File is empty');
		const mimeType = sniffImageType(bytes) ?? declaredType ?? 'application/octet-stream';
		const given = typeof fields.fileName === 'string' ? fields.fileName : '';
		const fileName = given || `${randomBytes(8).toString('hex')}.${extensionOf(mimeType)}`;
		const stored = sim.files.addUpload(ctx.id, bytes, fileName, mimeType, call.now);
		return answer(200, 'File uploaded successfully', {
			fileName,
			filePath: `${uploadPath}/${fileName}`,
			downloadUrl: stored.url,
			fileSize: bytes.length,
			mimeType,
			uploadedAt: new Date(call.now).toISOString(),
		});
	}

	function base64Upload(call: ApiCall): SimResponse {
		const body = isRecord(call.body) ? call.body : {};
		const payload = typeof body.base64Data === 'string' ? decodeBase64Payload(body.base64Data) : undefined;
		if (!payload) return answer(400, 'base64Data is required and must be base64 or a data URL');
		return store(call, payload.bytes, payload.declaredType, body);
	}

	function streamUpload(call: ApiCall): SimResponse {
		const parts = call.multipart ?? [];
		const file = parts.find((p) => p.name === 'file' && p.filename !== undefined);
		if (!file) return answer(400, "No file uploaded: send it in the multipart field 'file'");
		const fields = Object.fromEntries(parts.filter((p) => p.filename === undefined).map((p) => [p.name, p.data.toString()]));
		return store(call, file.data, file.contentType, { fileName: file.filename, ...fields });
	}

	return {
		routes: [
			{ method: 'POST', pattern: /^\/api\/file-base64-upload$/, kind: 'upload', handle: base64Upload },
			{ method: 'POST', pattern: /^\/api\/file-stream-upload$/, kind: 'upload', handle: streamUpload },
		],
		unauthorized: () => answer(401, MESSAGES[401]),
		notFound: () => answer(404, MESSAGES[404], null, 404),
		httpError: (status) => answer(status, MESSAGES[status] ?? 'Error', null, status),
		envelope: (code, msg) => answer(code, msg),
	};
}
