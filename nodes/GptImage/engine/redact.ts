/**
 * Keeps the credential's key out of everything the node outputs or throws. A gateway may echo the
 * Authorization header or the key in an error body, a failed task's message or a status body: every
 * answer is redacted as it arrives (transport, downloads), and the router redacts what leaves the
 * node once more, error stacks included.
 */

const MASK = '[redacted]';

/** Any bearer token, whoever's: `Bearer sk-…` in an echoed header or a message. */
const BEARER = /\bBearer\s+[^\s"',;<>]+/gi;

/** Shorter secrets would blank ordinary words; no real API key is this short. */
const MIN_SECRET_LENGTH = 6;

function escapeForRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Redactor {
	private readonly secrets?: RegExp;

	constructor(secrets: Array<string | undefined>) {
		const usable = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))];
		// Longest first, so that a key that contains another is masked whole. Encoded forms too: a
		// gateway may echo the key inside a URL.
		const forms = usable.flatMap((secret) => [secret, encodeURIComponent(secret)]);
		const unique = [...new Set(forms)].sort((a, b) => b.length - a.length);
		if (unique.length) this.secrets = new RegExp(unique.map(escapeForRegExp).join('|'), 'g');
	}

	text(value: string): string {
		const bearerFree = value.replace(BEARER, `Bearer ${MASK}`);
		return this.secrets ? bearerFree.replace(this.secrets, MASK) : bearerFree;
	}

	/** A copy of a JSON-like value with every string (keys too) redacted; other values as they are. */
	deep<T>(value: T, depth = 0): T {
		if (typeof value === 'string') return this.text(value) as T;
		if (value === null || typeof value !== 'object' || depth > 32) return value;
		if (Buffer.isBuffer(value)) return value;
		if (Array.isArray(value)) return value.map((entry) => this.deep(entry, depth + 1)) as T;
		const prototype = Object.getPrototypeOf(value);
		if (prototype !== Object.prototype && prototype !== null) return value;
		const copy: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
			copy[this.text(key)] = this.deep(entry, depth + 1);
		}
		return copy as T;
	}

	/** Redacts an error in place: message, description, stack and the context objects n8n stores. */
	error<E extends Error>(error: E): E {
		const target = error as unknown as Record<string, unknown>;
		for (const field of ['message', 'description', 'stack']) {
			if (typeof target[field] === 'string') target[field] = this.text(target[field] as string);
		}
		for (const field of ['context', 'errorResponse', 'cause']) {
			const value = target[field];
			if (value instanceof Error) this.error(value);
			else if (value && typeof value === 'object') target[field] = this.deep(value);
		}
		return error;
	}
}

/** Redacts nothing but bearer tokens: for code that runs before the credentials are known. */
export const NO_SECRETS = new Redactor([]);
