import type { IExecuteFunctions, IHttpRequestOptions, NodeApiError } from 'n8n-workflow';

import type {
	ApiFamily,
	Balance,
	Gateway,
	GatewayCall,
	GatewayFailure,
	GatewayResponse,
	ImageTask,
	TaskCost,
	TaskRequest,
} from '../gateways/types';
import { apiError } from './errors';
import { SlidingWindowLimiter } from './rateLimit';
import type { Slots } from './rateLimit';
import type { Redactor } from './redact';
import { MAX_ATTEMPTS, isRetryable, mayHaveBeenAccepted, retryDelayMs } from './retry';
import type { CallOutcome, CallPurpose } from './retry';
import { waitFor } from './wait';

/** The only place that talks to a gateway's API (downloads of result files are in binary.ts). */

export const USER_AGENT = 'n8n-nodes-gpt-image';

/** How long one request may go without an answer, unless the user set a Request Timeout. */
const TIMEOUT_MS: Record<CallPurpose, number> = { create: 120_000, read: 60_000 };

export interface ClientSettings {
	/** Overrides the default timeouts of creates and reads (0 or undefined: the defaults). */
	requestTimeoutMs?: number;
}

export interface CallContext {
	itemIndex: number;
	signal?: AbortSignal;
	/** What the node is doing, for error messages: "creating the task", "reading the task". */
	action: string;
	taskId?: string;
}

/**
 * The network error code (ECONNRESET, ECONNABORTED …) somewhere in an HTTP client error. n8n wraps
 * the client's error in a NodeApiError that drops it (n8n-core 2.x keeps the code only as
 * `httpCode`); older versions keep it as `cause`, the bare client error has it as `code`.
 */
export function networkCodeOf(error: unknown): string {
	let current: unknown = error;
	for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
		const { code, httpCode, cause } = current as { code?: unknown; httpCode?: unknown; cause?: unknown };
		for (const candidate of [code, httpCode]) {
			if (typeof candidate === 'string' && /^E[A-Z_]+$/.test(candidate)) return candidate;
		}
		current = cause;
	}
	return 'ENETWORK';
}

const NETWORK_MESSAGES: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused',
	ERR_FR_TOO_MANY_REDIRECTS: 'the gateway redirected the request in a loop',
	ECONNRESET: 'the connection was closed before an answer came',
	ECONNABORTED: 'no answer came in time',
	ETIMEDOUT: 'no answer came in time',
	ENOTFOUND: 'the host name could not be resolved',
};

function networkFailure(code: string): GatewayFailure {
	return {
		category: code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'timeout' : 'gatewayDown',
		httpCode: 0,
		httpStatus: 0,
		code,
		message: `The request did not complete: ${NETWORK_MESSAGES[code] ?? 'a network error occurred'} (${code})`,
	};
}

/** The credential's parts the client needs, read once per execution. */
export interface GatewayAccount {
	apiKey: string;
	apiBaseUrl: string;
	uploadBaseUrl: string;
}

/** A Base URL as users paste it: without trailing slashes. */
function trimBaseUrl(value: unknown): string {
	return String(value ?? '').trim().replace(/\/+$/, '');
}

export async function loadAccount(ctx: IExecuteFunctions, gateway: Gateway): Promise<GatewayAccount> {
	const credentials = await ctx.getCredentials(gateway.credentialType);
	const apiBaseUrl = trimBaseUrl(credentials.baseUrl);
	return {
		apiKey: String(credentials.apiKey ?? ''),
		apiBaseUrl,
		uploadBaseUrl: trimBaseUrl(credentials.uploadBaseUrl) || apiBaseUrl,
	};
}

/**
 * A call's URL. OpenAI-style gateways document their Base URL with a trailing `/v1`; when the path
 * begins with the segments the Base URL ends with, they are not repeated.
 */
export function joinUrl(base: string, path: string): string {
	const baseSegments = new URL(base).pathname.split('/').filter(Boolean);
	const pathSegments = path.split('/').filter(Boolean);
	for (let overlap = Math.min(baseSegments.length, pathSegments.length - 1); overlap > 0; overlap--) {
		const tail = baseSegments.slice(-overlap).join('/');
		if (tail === pathSegments.slice(0, overlap).join('/')) {
			return `${base}/${pathSegments.slice(overlap).join('/')}`;
		}
	}
	return `${base}${path}`;
}

/**
 * Creates wait their turn where the gateway documents a create rate (Kie: 20 per 10 s per account).
 * The limit is the account's, so every execution of this process that uses the same key (on the
 * same host) shares one limiter. Other processes (queue-mode workers) count on their own.
 */
const createLimiters = new Map<string, SlidingWindowLimiter>();

function sharedCreateLimiter(gateway: Gateway, account: GatewayAccount): SlidingWindowLimiter | undefined {
	const rate = gateway.capabilities.createsPerWindow;
	if (!rate) return undefined;
	// The same key on another host (a proxy, a test server) is another account.
	const key = `${gateway.id}\n${account.apiBaseUrl}\n${account.apiKey}`;
	let limiter = createLimiters.get(key);
	if (!limiter) {
		limiter = new SlidingWindowLimiter(rate.count, rate.windowMs);
		createLimiters.set(key, limiter);
	}
	return limiter;
}

/** One status read of a task: the task, "not visible (yet)", or an answer that says nothing usable. */
export type TaskRead =
	| { kind: 'task'; task: ImageTask }
	| { kind: 'missing' }
	| { kind: 'unusable'; error: NodeApiError };

type Attempted = { ok: true; response: GatewayResponse } | { ok: false; failure: GatewayFailure; outcome: CallOutcome };

export class GatewayClient {
	/** While a 429 asked us to wait, every call of this execution waits: one slow-down for all items. */
	private pausedUntil = 0;

	private readonly createLimiter?: SlidingWindowLimiter;

	constructor(
		private readonly ctx: IExecuteFunctions,
		readonly gateway: Gateway,
		readonly account: GatewayAccount,
		readonly redactor: Redactor,
		private readonly settings: ClientSettings = {},
	) {
		this.createLimiter = sharedCreateLimiter(gateway, account);
	}

	/** One HTTP exchange, no retries. Network errors are returned as outcomes, not thrown. */
	private async exchange(
		call: GatewayCall,
		purpose: CallPurpose,
		signal?: AbortSignal,
	): Promise<GatewayResponse | { networkCode: string }> {
		// Nothing goes out for an item that stopped meanwhile (n8n aborts requests on Stop only).
		signal?.throwIfAborted();
		const base = call.host === 'upload' ? this.account.uploadBaseUrl : this.account.apiBaseUrl;
		const options: IHttpRequestOptions = {
			method: call.method,
			url: joinUrl(base, call.path),
			qs: call.qs,
			body: call.body,
			headers: { 'User-Agent': USER_AGENT, ...call.headers },
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: this.settings.requestTimeoutMs || TIMEOUT_MS[purpose],
			abortSignal: signal,
			// The key belongs to the gateway's host only.
			sendCredentialsOnCrossOriginRedirect: false,
		};
		try {
			const request = this.ctx.helpers.httpRequestWithAuthentication.call(
				this.ctx,
				this.gateway.credentialType,
				options,
			) as Promise<{ statusCode: number; headers: Record<string, unknown>; body: unknown }>;
			// n8n replaces abortSignal with the execution's own, so a request ends by itself only on
			// Stop. When just this item stops (another item failed, the poll loop let it go), a read
			// is not waited for. A create is: it may have made a billed task, whose id we want.
			const response = purpose === 'read' ? await abandonOnAbort(request, signal) : await request;
			// A gateway may echo the key (an error body that quotes the Authorization header): nothing
			// read from the wire keeps it.
			return {
				statusCode: response.statusCode,
				headers: this.redactor.deep(response.headers ?? {}),
				body: this.redactor.deep(response.body),
			};
		} catch (error) {
			signal?.throwIfAborted();
			// Keep only the code: the client's error object holds the request, Authorization included.
			return { networkCode: networkCodeOf(error) };
		}
	}

	/**
	 * A call under the retry policy: the gateway's successful answer, or the failure that ended it.
	 * A call given as a function is built anew for each try, inside `slots` when given: an upload's
	 * bytes are then held only while they are sent, not through a back-off.
	 */
	private async attempt(
		call: GatewayCall | (() => Promise<GatewayCall>),
		purpose: CallPurpose,
		context: CallContext,
		slots?: Slots,
	): Promise<Attempted> {
		const createRefused = (failure: GatewayFailure) => this.gateway.createRefused?.(failure) === true;
		for (let attempt = 0; ; attempt++) {
			await waitFor(this.pausedUntil - Date.now(), context.signal);
			const ticket = purpose === 'create' ? await this.createLimiter?.acquire(context.signal) : undefined;
			let result: Awaited<ReturnType<GatewayClient['exchange']>>;
			const once = async () =>
				await this.exchange(typeof call === 'function' ? await call() : call, purpose, context.signal);
			try {
				result = slots ? await slots.run(once, context.signal) : await once();
			} finally {
				// The gateway has counted the create by the time its answer (or our giving up) is here.
				if (ticket) ticket.at = Date.now();
			}
			const outcome: CallOutcome | undefined =
				'networkCode' in result
					? { kind: 'network', code: result.networkCode }
					: (() => {
							const failure = this.gateway.readFailure(result);
							return failure ? { kind: 'failure' as const, failure } : undefined;
						})();
			if (!outcome) return { ok: true, response: result as GatewayResponse };

			const failure = outcome.kind === 'failure' ? outcome.failure : networkFailure(outcome.code);
			if (attempt + 1 < MAX_ATTEMPTS && isRetryable(purpose, outcome, createRefused)) {
				const delay = retryDelayMs(attempt, failure.retryAfterSeconds);
				if (failure.category === 'rateLimit') {
					this.pausedUntil = Math.max(this.pausedUntil, Date.now() + delay);
				}
				await waitFor(delay, context.signal);
				continue;
			}
			return { ok: false, failure, outcome };
		}
	}

	private failureError(failure: GatewayFailure, context: CallContext, note?: string): NodeApiError {
		return apiError(failure, {
			node: this.ctx.getNode(),
			itemIndex: context.itemIndex,
			gatewayName: this.gateway.displayName,
			taskId: context.taskId,
			action: context.action,
			note,
		});
	}

	/**
	 * Sends a call under the retry policy and returns the gateway's successful answer, or throws a
	 * NodeApiError that says what to change. A create is repeated only when it certainly was not taken.
	 */
	async send(
		call: GatewayCall | (() => Promise<GatewayCall>),
		purpose: CallPurpose,
		context: CallContext,
		slots?: Slots,
	): Promise<GatewayResponse> {
		const result = await this.attempt(call, purpose, context, slots);
		if (result.ok) return result.response;
		const createRefused = (failure: GatewayFailure) => this.gateway.createRefused?.(failure) === true;
		const billedMaybe =
			purpose === 'create' &&
			!isRetryable(purpose, result.outcome, createRefused) &&
			mayHaveBeenAccepted(result.outcome);
		throw this.failureError(
			result.failure,
			context,
			billedMaybe
				? 'The task may have been created (and billed) anyway: check the gateway dashboard before running again.'
				: undefined,
		);
	}

	/**
	 * Reads a successful answer with the adapter. An answer it cannot read (no task id, an unknown
	 * shape) becomes a NodeApiError that says so, rather than a stack trace.
	 */
	decode<T>(
		response: GatewayResponse,
		read: (response: GatewayResponse) => T,
		context: CallContext,
		unreadable: { code: string; message: string; note?: string },
	): T {
		try {
			return read(response);
		} catch {
			throw this.unreadableError(response, context, unreadable);
		}
	}

	private unreadableError(
		response: GatewayResponse,
		context: CallContext,
		unreadable: { code: string; message: string; note?: string },
	): NodeApiError {
		return apiError(
			{ category: 'gatewayDown', httpCode: response.statusCode, code: unreadable.code, message: unreadable.message },
			{
				node: this.ctx.getNode(),
				itemIndex: context.itemIndex,
				gatewayName: this.gateway.displayName,
				action: context.action,
				taskId: context.taskId,
				note: unreadable.note,
			},
		);
	}

	/** Creates a task (once: it is billed) and returns its id, and its cost where the answer says. */
	async createTask(request: TaskRequest, idempotencyKey: string, context: CallContext): Promise<{ taskId: string; cost?: TaskCost }> {
		const family = this.familyOf(request.model.family);
		const response = await this.send(family.createCall(request, idempotencyKey), 'create', context);
		const created = this.decode(response, (answer) => family.readCreated(answer), context, {
			code: 'NO_TASK_ID',
			message: 'The gateway accepted the request but its answer holds no task id',
			note: 'The task may have been created (and billed): check the gateway dashboard before running again.',
		});
		if (!isUsableTaskId(created.taskId)) {
			throw this.unreadableError(response, context, {
				code: 'BAD_TASK_ID',
				message: `The gateway answered with a task id this node will not use in a URL: ${JSON.stringify(created.taskId.slice(0, 80))}`,
				note: 'The task may have been created (and billed): check the gateway dashboard before running again.',
			});
		}
		this.families.set(created.taskId, family);
		return created;
	}

	private familyOf(name: string): ApiFamily {
		const family = this.gateway.families[name];
		if (!family) throw new Error(`${this.gateway.displayName} has no task API "${name}"`);
		return family;
	}

	/** Which task API each task of this execution belongs to, once known. */
	private readonly families = new Map<string, ApiFamily>();

	/**
	 * Reads a task once (with the retries reads get). A task the gateway does not show, and answers
	 * that do not describe a task, are returned rather than thrown: right after a create they are
	 * normal for a while, and the caller knows how long that while is. Failures that will not mend
	 * by waiting (a wrong key, no credits) are thrown. A task of unknown API (Get Status of a task
	 * id) is looked for in each of the gateway's task APIs in turn.
	 */
	async readTask(taskId: string, context: CallContext): Promise<TaskRead> {
		const known = this.families.get(taskId);
		const candidates = known ? [known] : Object.values(this.gateway.families);
		let first: TaskRead | undefined;
		for (const family of candidates) {
			const read = await this.readTaskFrom(family, taskId, context);
			if (read.kind === 'task') {
				this.families.set(taskId, family);
				return read;
			}
			first ??= read;
		}
		return first ?? { kind: 'missing' };
	}

	private async readTaskFrom(family: ApiFamily, taskId: string, context: CallContext): Promise<TaskRead> {
		const taskContext = { ...context, taskId };
		const result = await this.attempt(family.pollCall(taskId), 'read', taskContext);
		if (!result.ok) {
			const { failure } = result;
			if (failure.category === 'notFound') return { kind: 'missing' };
			if (isRetryable('read', result.outcome)) {
				return { kind: 'unusable', error: this.failureError(failure, taskContext) };
			}
			throw this.failureError(failure, taskContext);
		}
		try {
			const task = family.readTask(result.response, taskId);
			return task ? { kind: 'task', task } : { kind: 'missing' };
		} catch {
			return {
				kind: 'unusable',
				error: this.unreadableError(result.response, taskContext, {
					code: 'UNEXPECTED_ANSWER',
					message: 'The gateway answered the status request with a body this node does not understand',
				}),
			};
		}
	}

	/** A short-lived direct link for a result URL, where the task's API offers one. */
	async directLink(taskId: string, url: string, context: CallContext): Promise<string | undefined> {
		const family = this.families.get(taskId);
		const direct = family?.directDownload;
		if (!direct) return undefined;
		const response = await this.send(direct.call(taskId, url), 'read', context);
		return this.decode(response, (answer) => direct.read(answer), context, {
			code: 'UNEXPECTED_ANSWER',
			message: 'The download-link answer holds no link',
		});
	}

	/** The account's balance: a free read. */
	async readBalance(context: CallContext): Promise<Balance> {
		const { balance } = this.gateway;
		const response = await this.send(balance.call(), 'read', context);
		return this.decode(response, (answer) => balance.read(answer), context, {
			code: 'UNEXPECTED_ANSWER',
			message: 'The balance answer holds no balance this node can read',
		});
	}
}

/**
 * Task ids go into URL paths and query strings. An id the path would read as something else
 * (".", "..", one with a slash) or that is not a plain printable string is refused, from users and
 * from gateways alike.
 */
export function isUsableTaskId(taskId: string): boolean {
	return (
		taskId.length > 0 &&
		taskId.length <= 200 &&
		taskId !== '.' &&
		taskId !== '..' &&
		!/[\s/\\?#%]/.test(taskId) &&
		!/[\u0000-\u001f\u007f]/.test(taskId)
	);
}

/** The request's answer, or a rejection as soon as the signal aborts (the request is left to finish). */
async function abandonOnAbort<T>(request: Promise<T>, signal?: AbortSignal): Promise<T> {
	if (!signal) return await request;
	signal.throwIfAborted();
	let onAbort = () => {};
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () => reject(signal.reason);
		signal.addEventListener('abort', onAbort, { once: true });
	});
	// An answer (or error) that comes after we stopped waiting is nobody's business.
	request.catch(() => undefined);
	try {
		return await Promise.race([request, aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}
