import type { GatewayFailure } from '../gateways/types';

/**
 * The retry policy, in one place (the README has it in words):
 * - reads (polls, uploads, downloads, download links) are free: they are retried on network
 *   errors, 429, 5xx and gateway timeouts, with exponential backoff and jitter, honouring Retry-After;
 * - a create is paid once the gateway accepts it, so it is retried only when the gateway certainly
 *   did not take it: a rate-limit answer, Kie's "maintenance" (455) or "queue full" (550), or a
 *   connection that was refused before anything was sent. Everything else is reported, never repeated.
 */

export type CallPurpose = 'create' | 'read';

export const MAX_ATTEMPTS = 4;
const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;
/** A Retry-After is honoured as given, up to this (Max Wait and Stop still end a wait sooner). */
const MAX_RETRY_AFTER_MS = 300_000;

/** Network error codes that mean the request never reached the gateway. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export type CallOutcome =
	| { kind: 'failure'; failure: GatewayFailure }
	| { kind: 'network'; code: string };

export function neverSent(code: string): boolean {
	return NOT_SENT_CODES.has(code);
}

export function isRetryable(purpose: CallPurpose, outcome: CallOutcome): boolean {
	if (outcome.kind === 'network') return purpose === 'read' || neverSent(outcome.code);
	const { failure } = outcome;
	if (failure.category === 'rateLimit') return true;
	if (purpose === 'create') return failure.code === '455' || failure.code === '550';
	return failure.category === 'gatewayDown' || failure.category === 'timeout' || failure.httpCode >= 500;
}

/** Delay before attempt `attempt + 1`: Retry-After when the gateway gave one, else 1 s, 2 s, 4 s … with jitter. */
export function retryDelayMs(attempt: number, retryAfterSeconds?: number): number {
	if (retryAfterSeconds !== undefined) return Math.min(MAX_RETRY_AFTER_MS, Math.ceil(retryAfterSeconds * 1000));
	const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
	return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
