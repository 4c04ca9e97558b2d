/**
 * What Kie's two task APIs share: one envelope, one create budget per key, one read limit per task,
 * records that show a moment after the create, the failure codes and the time formats.
 */
import { bearerKey, json, type ApiCall, type SimResponse } from '../../http';
import type { GatewayContext } from '../../gateway';
import type { SimTask, TaskFailure } from '../../tasks';

export interface KieOptions {
	/** 4o Image API: where a record puts its result URLs, `response.resultUrls` (the schema) or `result_urls` (the quickstart). */
	resultKey: 'resultUrls' | 'result_urls';
	/** 4o Image API: record times as epoch ms (the schema) or "YYYY-MM-DD HH:mm:ss" strings (one doc version); Market times are ms. */
	timeFormat: 'ms' | 'string';
	/** Polls of a new task (either API) that answer `{code:422,msg:'recordInfo is null'}` before the record shows; default 0. */
	nullRecordPolls: number;
	/** Market API: the envelope's message key, `msg` (default) or `message` (the other doc version). */
	messageKey: 'msg' | 'message';
	/** Market API: what `failCode`, `failMsg` and `resultJson` hold while empty, `""` (Kie's sample, default) or null (a reseller's). */
	blankFields: 'emptyString' | 'null';
	/** Market API: add a `progress` field to records (none documented; default false), "0.00"–"1.00" as on the 4o API. */
	marketProgress: boolean;
	/**
	 * Market API, GPT Image 2: which page's size × resolution rules apply. 'perPage' (default): each
	 * model's own page; 'both': the restrictions of both pages on both models.
	 */
	resolutionRules: 'perPage' | 'both';
}

export interface KieRateLimits {
	/** New tasks per sliding 10 s per key, both APIs together (documented: 20); the next gets envelope code 429. */
	createsPer10s: number;
	/** Record reads per sliding second per task (documented for the 4o API: 3; the simulator applies it to both). */
	pollsPerSecondPerTask: number;
}

export type KieContext = GatewayContext<KieOptions, KieRateLimits>;

export const MESSAGES: Record<number, string> = {
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

/** An envelope answer of one API: code, message and data. */
export type Answer = (code: number, msg: string, data?: unknown) => SimResponse;

/** `{code, msg, data}`, with HTTP 200 even for errors; `messageKey` renames `msg`. */
export const envelope = (code: number, msg: string, data: unknown = null, httpStatus = 200, messageKey = 'msg'): SimResponse =>
	json(httpStatus, { code, [messageKey]: msg, data });

/** A failed task's code and message, as a number (4o `errorCode`) or a string (Market `failCode`). */
export function failureOf(failure: TaskFailure): { code: number; message: string } {
	switch (failure.reason) {
		case 'contentPolicy':
			return { code: 400, message: 'Your content was flagged by OpenAI as violating content policies' };
		case 'inputUnreachable':
			return { code: 451, message: `Failed to fetch the image: ${failure.url}` };
		case 'invalidMask':
			return { code: 400, message: failure.detail };
		case 'requested': {
			const code = Number(failure.code);
			if (!Number.isInteger(code)) return { code: 500, message: failure.code };
			const known: Record<number, string> = {
				400: 'Your content was flagged by OpenAI as violating content policies',
				451: 'Failed to fetch the image. Please make sure the image URL is publicly accessible',
				500: 'Internal Error, Please try again later.',
			};
			return { code, message: known[code] ?? `Generation failed (${code})` };
		}
	}
}

/** "YYYY-MM-DD HH:mm:ss" in UTC: one doc version shows times this way instead of epoch ms. */
function formatTime(ms: number): string {
	return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** The state both APIs share within one simulator. */
export class KieServer {
	/** Polls per new task still to answer `recordInfo is null` (the record is not visible yet). */
	private readonly hiddenPolls = new Map<string, number>();

	constructor(readonly ctx: KieContext) {}

	/** Takes one create from this key's budget (both APIs together); false when it is used up. */
	allowCreate(call: ApiCall): boolean {
		const key = `${this.ctx.id}:create:${bearerKey(call.headers)}`;
		return this.ctx.sim.limiter.tryHit(key, this.ctx.options.rateLimits.createsPer10s, 10_000, call.now);
	}

	/** Counts one read of a task; false when the task was read too often this second. */
	private allowPoll(taskId: string, call: ApiCall): boolean {
		const key = `${this.ctx.id}:poll:${taskId}`;
		return this.ctx.sim.limiter.tryHit(key, this.ctx.options.rateLimits.pollsPerSecondPerTask, 1000, call.now);
	}

	/** A new task, whose record stays hidden for `nullRecordPolls` polls. */
	created(task: SimTask, call: ApiCall): void {
		this.hiddenPolls.set(task.id, this.ctx.options.nullRecordPolls);
		call.log.taskId = task.id;
	}

	/** The task a poll shows: undefined for an unknown id and while its record is hidden (this poll counts). */
	private visibleTask(taskId: string): SimTask | undefined {
		const hidden = this.hiddenPolls.get(taskId) ?? 0;
		if (hidden > 0) this.hiddenPolls.set(taskId, hidden - 1);
		return hidden > 0 ? undefined : this.ctx.task(taskId);
	}

	/**
	 * A record read, alike on both APIs: the task id from the query, the per-task read limit, the record
	 * hidden right after create (and for ids never made), then the record in the API's own form.
	 */
	read(call: ApiCall, answer: Answer, record: (task: SimTask, now: number) => Record<string, unknown>): SimResponse {
		const id = call.query.taskId ?? '';
		call.log.taskId = id || undefined;
		if (!id) return answer(422, 'taskId cannot be empty');
		if (!this.allowPoll(id, call)) return answer(429, MESSAGES[429]);
		this.ctx.sim.stats.polls++;
		const task = this.visibleTask(id);
		// An unknown id answers like a record not visible yet, forever: the client must give up on its own.
		if (!task) return answer(422, 'recordInfo is null');
		return answer(200, 'success', record(task, call.now));
	}

	time(ms: number): number | string {
		return this.ctx.options.timeFormat === 'ms' ? ms : formatTime(ms);
	}
}
