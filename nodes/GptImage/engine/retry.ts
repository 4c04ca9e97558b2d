import type { GatewayFailure } from '../gateways/types';

/**
 * The retry policy, in one place (the README has it in words):
 * - reads (polls, uploads, downloads, download links) are free: they are retried on network
 *   errors, 429, 5xx and gateway timeouts, with exponential backoff and jitter, honouring Retry-After;
 * - a create is paid once the gateway accepts it, so it is retried only when the gateway certainly
 *   did not take it: an HTTP 429, an answer the gateway documents as a refusal (Kie's envelope codes
 *   for rate limit, maintenance and queue full), or a connection refused before anything was sent.
 *   After an HTTP 5xx, a timeout or a reset it is never repeated, whatever the body says.
 */

export type CallPurpose = 'create' | 'read';

export const MAX_ATTEMPTS = 4;
const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;
/** A Retry-After is honoured as given, up to this (Max Wait and Stop still end a wait sooner). */
const MAX_RETRY_AFTER_MS = 300_000;

/** Network error codes that mean the request never reached the gateway. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Network errors that another try cannot mend. */
const HOPELESS_CODES = new Set(['ERR_FR_TOO_MANY_REDIRECTS', 'ERR_INVALID_URL', 'ERR_BAD_OPTION_VALUE']);

export type CallOutcome =
	| { kind: 'failure'; failure: GatewayFailure }
	| { kind: 'network'; code: string };

export function neverSent(code: string): boolean {
	return NOT_SENT_CODES.has(code);
}

/**
 * Whether to send the call again. `createRefused` is the gateway's word on which answers prove that
 * no task was made; only those (and an HTTP 429) let a create go again.
 */
export function isRetryable(
	purpose: CallPurpose,
	outcome: CallOutcome,
	createRefused: (failure: GatewayFailure) => boolean = () => false,
): boolean {
	if (outcome.kind === 'network') {
		if (HOPELESS_CODES.has(outcome.code)) return false;
		return purpose === 'read' || neverSent(outcome.code);
	}
	const { failure } = outcome;
	if (purpose === 'create') {
		if (failure.httpStatus >= 500 || failure.httpStatus === 0) return false;
		return failure.httpStatus === 429 || createRefused(failure);
	}
	return (
		failure.category === 'rateLimit' ||
		failure.category === 'gatewayDown' ||
		failure.category === 'timeout' ||
		failure.httpStatus >= 500
	);
}

/** Whether a failed create could still have produced a billed task. */
export function mayHaveBeenAccepted(outcome: CallOutcome): boolean {
	if (outcome.kind === 'network') return !neverSent(outcome.code) && !HOPELESS_CODES.has(outcome.code);
	const { httpStatus, httpCode, category } = outcome.failure;
	// A 2xx whose body we could not read (no code of the gateway's own) may well hold a task id we
	// never saw; an envelope's "server error" (Kie: code 500 with HTTP 200) proves nothing either.
	return (
		httpStatus === 0 ||
		httpStatus >= 500 ||
		(httpCode >= 200 && httpCode < 300) ||
		httpCode >= 500 ||
		category === 'timeout'
	);
}

/** Delay before attempt `attempt + 1`: Retry-After when the gateway gave one, else 1 s, 2 s, 4 s … with jitter. */
export function retryDelayMs(attempt: number, retryAfterSeconds?: number): number {
	if (retryAfterSeconds !== undefined) return Math.min(MAX_RETRY_AFTER_MS, Math.ceil(retryAfterSeconds * 1000));
	const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
	return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
