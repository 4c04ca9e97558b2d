import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import type {
	GatewayAdapter,
	GatewayCall,
	GatewayFailure,
	GatewayResponse,
	ImageRequest,
	ImageTask,
} from '../gateways/types';
import { apiError } from './errors';
import { SlidingWindowLimiter } from './rateLimit';
import { MAX_ATTEMPTS, isRetryable, neverSent, retryDelayMs } from './retry';
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
	ECONNRESET: 'the connection was closed before an answer came',
	ECONNABORTED: 'no answer came in time',
	ETIMEDOUT: 'no answer came in time',
	ENOTFOUND: 'the host name could not be resolved',
};

function networkFailure(code: string): GatewayFailure {
	return {
		category: code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'timeout' : 'gatewayDown',
		httpCode: 0,
		code,
		message: `The request did not complete: ${NETWORK_MESSAGES[code] ?? 'a network error occurred'} (${code})`,
	};
}

export class GatewayClient {
	private baseUrls?: Promise<{ api: string; upload: string }>;

	/** While a 429 asked us to wait, every call of this execution waits: one slow-down for all items. */
	private pausedUntil = 0;

	/** Creates wait their turn where the gateway documents a create rate (Kie: 20 per 10 s). */
	private readonly createLimiter?: SlidingWindowLimiter;

	constructor(
		private readonly ctx: IExecuteFunctions,
		readonly gateway: GatewayAdapter,
		private readonly settings: ClientSettings = {},
	) {
		const rate = gateway.limits.createsPerWindow;
		if (rate) this.createLimiter = new SlidingWindowLimiter(rate.count, rate.windowMs);
	}

	private async urls(): Promise<{ api: string; upload: string }> {
		this.baseUrls ??= this.ctx.getCredentials(this.gateway.credentialType).then((credentials) => {
			const api = String(credentials.baseUrl ?? '').replace(/\/+$/, '');
			const upload = String(credentials.uploadBaseUrl || api).replace(/\/+$/, '');
			return { api, upload };
		});
		return await this.baseUrls;
	}

	/** One HTTP exchange, no retries. Network errors are returned as outcomes, not thrown. */
	private async exchange(
		call: GatewayCall,
		purpose: CallPurpose,
		signal?: AbortSignal,
	): Promise<GatewayResponse | { networkCode: string }> {
		const urls = await this.urls();
		// Nothing goes out for an item that stopped meanwhile (n8n aborts requests on Stop only).
		signal?.throwIfAborted();
		const options: IHttpRequestOptions = {
			method: call.method,
			url: `${call.host === 'upload' ? urls.upload : urls.api}${call.path}`,
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
			return { statusCode: response.statusCode, headers: response.headers ?? {}, body: response.body };
		} catch (error) {
			signal?.throwIfAborted();
			// Keep only the code: the client's error object holds the request, Authorization included.
			return { networkCode: networkCodeOf(error) };
		}
	}

	/**
	 * Sends a call under the retry policy and returns the gateway's successful answer, or throws a
	 * NodeApiError that says what to change. A create is repeated only when it certainly was not taken.
	 */
	async send(call: GatewayCall, purpose: CallPurpose, context: CallContext): Promise<GatewayResponse> {
		for (let attempt = 0; ; attempt++) {
			await waitFor(this.pausedUntil - Date.now(), context.signal);
			const ticket = purpose === 'create' ? await this.createLimiter?.acquire(context.signal) : undefined;
			let result: Awaited<ReturnType<GatewayClient['exchange']>>;
			try {
				result = await this.exchange(call, purpose, context.signal);
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
			if (!outcome) return result as GatewayResponse;

			const failure = outcome.kind === 'failure' ? outcome.failure : networkFailure(outcome.code);
			if (attempt + 1 < MAX_ATTEMPTS && isRetryable(purpose, outcome)) {
				const delay = retryDelayMs(attempt, failure.retryAfterSeconds);
				if (failure.category === 'rateLimit') {
					this.pausedUntil = Math.max(this.pausedUntil, Date.now() + delay);
				}
				await waitFor(delay, context.signal);
				continue;
			}
			throw apiError(failure, {
				node: this.ctx.getNode(),
				itemIndex: context.itemIndex,
				gatewayName: this.gateway.displayName,
				taskId: context.taskId,
				action: context.action,
				note:
					purpose === 'create' && !isRetryable(purpose, outcome) && mayHaveBeenAccepted(outcome)
						? 'The task may have been created (and billed) anyway: check the gateway dashboard before running again.'
						: undefined,
			});
		}
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
			throw apiError(
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
	}

	async createTask(request: ImageRequest, idempotencyKey: string, context: CallContext): Promise<string> {
		const response = await this.send(this.gateway.createCall(request, idempotencyKey), 'create', context);
		return this.decode(response, (answer) => this.gateway.readCreated(answer), context, {
			code: 'NO_TASK_ID',
			message: 'The gateway accepted the request but its answer holds no task id',
			note: 'The task may have been created (and billed): check the gateway dashboard before running again.',
		});
	}

	/** The task, or undefined while the gateway does not show it yet. */
	async readTask(taskId: string, context: CallContext): Promise<ImageTask | undefined> {
		const taskContext = { ...context, taskId };
		const response = await this.send(this.gateway.pollCall(taskId), 'read', taskContext);
		return this.decode(response, (answer) => this.gateway.readTask(answer, taskId), taskContext, {
			code: 'UNEXPECTED_ANSWER',
			message: 'The gateway answered the status request with a body this node does not understand',
		});
	}
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

/** Whether a failed create could still have produced a billed task. */
function mayHaveBeenAccepted(outcome: CallOutcome): boolean {
	if (outcome.kind === 'network') return !neverSent(outcome.code);
	const { httpCode, category } = outcome.failure;
	// A 2xx whose body we could not read may well hold a task id we never saw.
	return httpCode === 0 || (httpCode >= 200 && httpCode < 300) || httpCode >= 500 || category === 'timeout';
}
