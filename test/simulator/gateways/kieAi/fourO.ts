/** Kie's "4o Image API" (gpt-4o-image, filed under old models): generate, record-info, download-url. */
import { randomBytes } from 'crypto';
import { isRecord, type ApiCall, type SimResponse } from '../../http';
import type { Route } from '../../mount';
import type { SimTask } from '../../tasks';
import { FieldReader } from '../../validate';
import { envelope, failureOf, MESSAGES, type KieServer } from './server';
import { OPENAI_PIXELS } from './sizes';

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

export function fourOImageRoutes(server: KieServer): Route[] {
	const { ctx } = server;

	function record(task: SimTask, now: number): Record<string, unknown> {
		const state = task.stateAt(now);
		const finished = state === 'succeeded' || state === 'failed';
		const failure = state === 'failed' && task.failure ? failureOf(task.failure) : undefined;
		return {
			taskId: task.id,
			paramJson: JSON.stringify(task.params),
			completeTime: finished ? server.time(task.doneAt) : null,
			response: state === 'succeeded' ? { [ctx.options.resultKey]: task.resultUrls } : null,
			successFlag: state === 'succeeded' ? 1 : state === 'failed' ? 2 : 0,
			status: state === 'succeeded' ? 'SUCCESS' : state === 'failed' ? 'GENERATE_FAILED' : 'GENERATING',
			errorCode: failure?.code ?? null,
			errorMessage: failure?.message ?? (state === 'succeeded' ? '' : null),
			createTime: server.time(task.createdAt),
			progress: state === 'succeeded' ? '1.00' : Math.min(0.99, task.progressAt(now)).toFixed(2),
		};
	}

	function create(call: ApiCall): SimResponse {
		const body = call.body;
		if (!isRecord(body)) return envelope(400, 'Format Error: the body must be a JSON object');
		if (!server.allowCreate(call)) return envelope(429, MESSAGES[429]);
		const reader = new FieldReader(body, FIELDS);
		if (!reader.has('size')) reader.problem('size', 'size is required');
		const size = reader.choice('size', Object.keys(OPENAI_PIXELS), '1:1');
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

		const [width, height] = OPENAI_PIXELS[size];
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
		server.created(task, call);
		return envelope(200, 'success', { taskId: task.id });
	}

	function directDownloadUrl(call: ApiCall): SimResponse {
		const body = isRecord(call.body) ? call.body : {};
		const id = typeof body.taskId === 'string' ? body.taskId : '';
		call.log.taskId = id || undefined;
		const task = ctx.task(id);
		if (!task || task.stateAt(call.now) !== 'succeeded') return envelope(422, 'record is null');
		const index = task.resultUrls.indexOf(typeof body.url === 'string' ? body.url : '');
		if (index < 0) return envelope(422, 'url is not a result of this task');
		return envelope(200, 'success', ctx.sim.files.signedResultUrl(task.id, index, call.now));
	}

	return [
		{ method: 'POST', pattern: /^\/api\/v1\/gpt4o-image\/generate$/, kind: 'create', handle: create },
		{ method: 'GET', pattern: /^\/api\/v1\/gpt4o-image\/record-info$/, kind: 'poll', handle: (call) => server.read(call, envelope, record) },
		{ method: 'POST', pattern: /^\/api\/v1\/gpt4o-image\/download-url$/, kind: 'downloadUrl', handle: directDownloadUrl },
	];
}
