/**
 * Kie's Market "jobs" API: createTask with a `model` and an `input` object, recordInfo with `state` and
 * JSON strings, and the common download-url endpoint. Models: GPT Image 2 and GPT Image 1.5, text-to-image
 * and image-to-image each.
 */
import { randomBytes } from 'crypto';
import { isRecord, type ApiCall, type SimResponse } from '../../http';
import type { Route } from '../../mount';
import type { Tier } from '../../pixels';
import type { SimTask } from '../../tasks';
import { FieldReader, MB, type InputLimits } from '../../validate';
import { envelope, failureOf, MESSAGES, type KieOptions, type KieServer } from './server';
import { GPT_IMAGE_2_PIXELS, OPENAI_PIXELS } from './sizes';

/** A Market create's `input`, once read. */
interface Shape {
	size: string;
	resolution?: Tier;
	quality?: string;
	width: number;
	height: number;
	imageUrls: string[];
}

interface MarketModel {
	/** The fields of `input` its page lists. */
	input: readonly string[];
	/** Image-to-image: `input.input_urls` required. */
	imageToImage: boolean;
	read(reader: FieldReader, options: KieOptions): Omit<Shape, 'imageUrls'>;
}

const TIERS: readonly Tier[] = ['1K', '2K', '4K'];
const GPT_IMAGE_2_RATIOS = Object.keys(GPT_IMAGE_2_PIXELS['1K']);
const MAX_PROMPT = 20_000;
const MAX_INPUT_URLS = 16;
/** GPT Image 1.5 image-to-image [K-15I]; GPT Image 2 states no limits. */
const GPT_IMAGE_15_INPUTS: InputLimits = { maxBytes: 10 * MB, types: ['image/jpeg', 'image/png', 'image/webp'] };

/**
 * Why a GPT Image 2 ratio cannot be made at a tier, by the rule of one model's page: the t2i page
 * excludes five ratios from 2K and 4K [K-T2I]; the i2i page makes 5:4 and 4:5 1K-only, 1:1 never 4K,
 * and `auto` 1K-only [K-I2I].
 */
function tierRefusal(page: 't2i' | 'i2i', ratio: string, tier: Tier): string | undefined {
	if (page === 't2i') {
		const excluded = ['5:4', '4:5', '3:1', '1:3', '9:21'];
		return tier !== '1K' && excluded.includes(ratio) ? `2K and 4K do not support ${excluded.join(', ')}` : undefined;
	}
	if ((ratio === '5:4' || ratio === '4:5') && tier !== '1K') return '5:4 and 4:5 only support 1K';
	if (ratio === '1:1' && tier === '4K') return '1:1 cannot be 4K';
	if (ratio === 'auto' && tier !== '1K') return 'with auto aspect_ratio only 1K is supported';
	return undefined;
}

function gptImage2(page: 't2i' | 'i2i'): MarketModel {
	const imageToImage = page === 'i2i';
	return {
		input: ['prompt', 'aspect_ratio', 'resolution', ...(imageToImage ? ['input_urls'] : [])],
		imageToImage,
		read(reader, options) {
			const size = reader.choice('aspect_ratio', GPT_IMAGE_2_RATIOS, 'auto');
			const resolution = reader.choice('resolution', TIERS, '1K');
			const pages = options.resolutionRules === 'both' ? (['t2i', 'i2i'] as const) : [page];
			const refusal = pages.map((p) => tierRefusal(p, size, resolution)).find((r) => r !== undefined);
			if (refusal) reader.problem('resolution', `resolution ${resolution} is not supported for aspect_ratio ${size}: ${refusal}`);
			const [width, height] = GPT_IMAGE_2_PIXELS[resolution][size];
			return { size, resolution, width, height };
		},
	};
}

function gptImage15(imageToImage: boolean): MarketModel {
	return {
		input: ['prompt', 'aspect_ratio', 'quality', ...(imageToImage ? ['input_urls'] : [])],
		imageToImage,
		read(reader) {
			// Both required, whatever defaults the page also names [K-15T][K-15I].
			for (const name of ['aspect_ratio', 'quality']) if (!reader.has(name)) reader.problem(name, `${name} is required`);
			const size = reader.choice('aspect_ratio', Object.keys(OPENAI_PIXELS), '1:1');
			const quality = reader.choice('quality', ['medium', 'high'], 'medium');
			const [width, height] = OPENAI_PIXELS[size];
			return { size, quality, width, height };
		},
	};
}

export const MARKET_MODELS: Record<string, MarketModel> = {
	'gpt-image-2-text-to-image': gptImage2('t2i'),
	'gpt-image-2-image-to-image': gptImage2('i2i'),
	'gpt-image/1.5-text-to-image': gptImage15(false),
	'gpt-image/1.5-image-to-image': gptImage15(true),
};

export function marketRoutes(server: KieServer): Route[] {
	const { ctx } = server;
	const answer = (code: number, msg: string, data: unknown = null) => envelope(code, msg, data, 200, ctx.options.messageKey);
	const blank = () => (ctx.options.blankFields === 'null' ? null : '');

	/** `waiting` for the first half of the task's time in the queue, `queuing` for the second. */
	function stateOf(task: SimTask, now: number): string {
		switch (task.stateAt(now)) {
			case 'queued':
				return now < (task.createdAt + task.runningAt) / 2 ? 'waiting' : 'queuing';
			case 'running':
				return 'generating';
			case 'succeeded':
				return 'success';
			case 'failed':
				return 'fail';
		}
	}

	function record(task: SimTask, now: number): Record<string, unknown> {
		const state = task.stateAt(now);
		const finished = state === 'succeeded' || state === 'failed';
		const failure = state === 'failed' && task.failure ? failureOf(task.failure) : undefined;
		return {
			taskId: task.id,
			model: task.model,
			state: stateOf(task, now),
			param: JSON.stringify(task.params),
			resultJson: state === 'succeeded' ? JSON.stringify({ resultUrls: task.resultUrls }) : blank(),
			failCode: failure ? String(failure.code) : blank(),
			failMsg: failure ? failure.message : blank(),
			costTime: finished ? task.doneAt - task.createdAt : null,
			completeTime: finished ? task.doneAt : null,
			createTime: task.createdAt,
			updateTime: Math.min(now, task.doneAt),
			...(ctx.options.marketProgress && {
				progress: state === 'succeeded' ? '1.00' : Math.min(0.99, task.progressAt(now)).toFixed(2),
			}),
		};
	}

	function create(call: ApiCall): SimResponse {
		const body = call.body;
		if (!isRecord(body)) return answer(400, 'Format Error: the body must be a JSON object');
		if (!server.allowCreate(call)) return answer(429, MESSAGES[429]);
		const top = new FieldReader(body, ['model', 'callBackUrl', 'input']);
		const modelId = top.string('model', { required: true }) ?? '';
		const model = MARKET_MODELS[modelId];
		if (!model) return answer(422, `model ${JSON.stringify(modelId)} is not supported`);
		top.url('callBackUrl');
		const input = isRecord(body.input) ? body.input : {};
		if (!isRecord(body.input)) top.problem('input', 'input is required');
		// `image_urls` is taken and ignored: the task is made from the prompt alone, and billed [K-CL-REF].
		const reader = new FieldReader(input, [...model.input, 'image_urls']);
		const prompt = reader.string('prompt', { required: true, maxLength: MAX_PROMPT }) ?? '';
		const inputUrls = reader.urlList('input_urls', MAX_INPUT_URLS);
		if (model.imageToImage && !reader.has('input_urls') && !reader.has('image_urls')) {
			reader.problem('input_urls', 'input_urls is required');
		}
		if (modelId.startsWith('gpt-image/1.5')) {
			reader.inputs('input_urls', inputUrls.map((url) => ctx.inspect(url, call.now)), GPT_IMAGE_15_INPUTS);
		}
		const shape = model.read(reader, ctx.options);
		const problem = [...top.problems, ...reader.problems][0];
		if (ctx.shared.strict && problem) return answer(422, problem.message);

		const task = ctx.createTask(
			{
				id: `task_gptimage_${call.now}${randomBytes(4).toString('hex')}`,
				model: modelId,
				prompt,
				n: 1,
				...shape,
				imageUrls: inputUrls,
				maskApplies: false,
				maskConvention: 'black',
				inputSize: 'fit',
				params: body,
			},
			call.now,
		);
		server.created(task, call);
		return answer(200, 'success', { taskId: task.id });
	}

	/** A signed link for a result URL of any of this gateway's tasks; other URLs are refused [K-DL]. */
	function downloadUrl(call: ApiCall): SimResponse {
		const url = isRecord(call.body) && typeof call.body.url === 'string' ? call.body.url : '';
		if (!url) return answer(422, 'url is required');
		const task = ctx.tasks().find((t) => t.resultUrls.includes(url));
		call.log.taskId = task?.id;
		if (!task || task.stateAt(call.now) !== 'succeeded') return answer(422, 'Only files generated by Kie.ai can be downloaded');
		return answer(200, 'success', ctx.sim.files.signedResultUrl(task.id, task.resultUrls.indexOf(url), call.now));
	}

	return [
		{ method: 'POST', pattern: /^\/api\/v1\/jobs\/createTask$/, kind: 'create', handle: create },
		{ method: 'GET', pattern: /^\/api\/v1\/jobs\/recordInfo$/, kind: 'poll', handle: (call) => server.read(call, answer, record) },
		{ method: 'POST', pattern: /^\/api\/v1\/common\/download-url$/, kind: 'downloadUrl', handle: downloadUrl },
	];
}

/** Whether a path belongs to the Market API (its envelope may say `message`). */
export const isMarketPath = (path: string): boolean => /^\/api\/v1\/(jobs|common)\//.test(path);
