/** Reading create bodies the way the gateways validate them. */
import type { InputFile } from './gateway';

/** A model's limits on each input image: bytes and types (MIME). */
export interface InputLimits {
	maxBytes?: number;
	types?: readonly string[];
}

export interface Problem {
	param: string;
	message: string;
	/** A gateway-specific error code, e.g. `invalid_reference_images`. */
	code?: string;
}

/**
 * Reads the fields of one create body. Every unknown field and every invalid value is recorded as a
 * Problem and replaced by its default, so a non-strict simulator can go on with what it understood.
 */
export class FieldReader {
	readonly problems: Problem[] = [];

	constructor(
		private readonly body: Record<string, unknown>,
		allowed: readonly string[],
	) {
		for (const key of Object.keys(body)) {
			if (!allowed.includes(key)) this.problem(key, `Unknown parameter: '${key}'.`);
		}
	}

	problem(param: string, message: string, code?: string): void {
		this.problems.push({ param, message, code });
	}

	has(name: string): boolean {
		return this.body[name] !== undefined && this.body[name] !== null;
	}

	string(name: string, rules: { required?: boolean; maxLength?: number } = {}): string | undefined {
		const value = this.body[name];
		if (!this.has(name) || value === '') {
			if (rules.required) this.problem(name, `The '${name}' field is required.`);
			return undefined;
		}
		if (typeof value !== 'string') {
			this.problem(name, `The '${name}' field must be a string.`);
			return undefined;
		}
		// Counted in code points, as the gateways that say how count ("Unicode code points").
		if (rules.maxLength !== undefined && [...value].length > rules.maxLength) {
			this.problem(name, `The '${name}' field must be at most ${rules.maxLength} characters.`);
		}
		return value;
	}

	/** An integer in [min, max]; undefined when absent or invalid. */
	integer(name: string, min: number, max: number): number | undefined {
		if (!this.has(name)) return undefined;
		const value = this.body[name];
		if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
		this.problem(name, `Invalid '${name}': ${JSON.stringify(value)}. It must be an integer from ${min} to ${max}.`);
		return undefined;
	}

	/** One of a fixed set of values, compared after `normalize` (e.g. upper-casing). */
	choice<T extends string | number>(
		name: string,
		allowed: readonly T[],
		fallback: T,
		normalize: (value: unknown) => unknown = (v) => v,
	): T {
		if (!this.has(name)) return fallback;
		const value = normalize(this.body[name]);
		if (allowed.includes(value as T)) return value as T;
		this.problem(name, `Invalid '${name}': ${JSON.stringify(this.body[name])}. Allowed: ${allowed.join(', ')}.`);
		return fallback;
	}

	boolean(name: string): boolean | undefined {
		if (!this.has(name)) return undefined;
		if (typeof this.body[name] === 'boolean') return this.body[name] as boolean;
		this.problem(name, `The '${name}' field must be a boolean.`);
		return undefined;
	}

	/** A public http(s) URL, e.g. a mask or callback. */
	url(name: string): string | undefined {
		const value = this.string(name);
		if (value !== undefined && !isHttpUrl(value)) {
			this.problem(name, `The '${name}' field must be a public http(s) URL.`);
			return undefined;
		}
		return value;
	}

	/** A list of at most `max` http(s) URLs; its problems carry `code` where a gateway names them specifically. */
	urlList(name: string, max: number, code?: string): string[] {
		if (!this.has(name)) return [];
		const value = this.body[name];
		if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
			this.problem(name, `The '${name}' field must be an array of URL strings.`);
			return [];
		}
		const urls = value as string[];
		const bad = urls.find((u) => !isHttpUrl(u));
		if (bad !== undefined) {
			this.problem(name, `'${name}' accepts only public http(s) URLs; upload local files or base64 first.`, code);
		}
		if (urls.length > max) this.problem(name, `'${name}' accepts at most ${max} images, got ${urls.length}.`, code);
		return urls.filter(isHttpUrl).slice(0, max);
	}

	/**
	 * Refuses input images that break the model's limits, where the simulator hosts them and so can look;
	 * foreign URLs are taken on trust.
	 */
	inputs(name: string, files: ReadonlyArray<InputFile | undefined>, limits: InputLimits, code?: string): void {
		for (const file of files) {
			if (!file) continue;
			if (limits.types && !limits.types.includes(file.mimeType)) {
				this.problem(name, `'${name}' has a ${file.mimeType} image; allowed: ${limits.types.join(', ')}.`, code);
			} else if (limits.maxBytes !== undefined && (file.bytes ?? 0) > limits.maxBytes) {
				this.problem(name, `'${name}' has an image over ${limits.maxBytes / MB} MB.`, code);
			}
		}
	}
}

/** Megabytes as the gateways count them. */
export const MB = 1024 * 1024;

export function isHttpUrl(value: string): boolean {
	try {
		const { protocol } = new URL(value);
		return protocol === 'http:' || protocol === 'https:';
	} catch {
		return false;
	}
}
