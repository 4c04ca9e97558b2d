import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import type { FailureCategory, GatewayFailure } from '../gateways/types';
import { describeBody, retryAfterSeconds } from '../gateways/wire';
import { apiError } from './errors';
import type { HostPolicy } from './hosts';
import { EXTENSIONS, MIME_TYPES, readImageHeader, sniffImageFormat } from './imageInfo';
import { Slots } from './rateLimit';
import type { Redactor } from './redact';
import { MAX_ATTEMPTS, retryDelayMs } from './retry';
import { USER_AGENT, networkCodeOf } from './transport';
import { waitFor } from './wait';

/**
 * Result files live on the gateways' CDNs. They are fetched with the plain HTTP helper, so the
 * API key never travels to a CDN, and streamed into n8n's binary store without a buffer of ours.
 * A CDN is not trusted: every download is bounded in bytes and time, must start with the bytes of
 * an image, may only go to http(s) hosts the policy allows, and follows few redirects.
 */

export const DEFAULT_MAX_IMAGE_MB = 50;
const MB = 1024 * 1024;
/** Redirects one download may follow (an object store's signed link is one or two hops). */
const MAX_REDIRECTS = 5;
/** Without a deadline of the item's own (the Download operation), one download may take this long. */
const DEFAULT_TOTAL_MS = 600_000;
/** How often the watchdog looks at a download's progress. */
const WATCH_EVERY_MS = 500;
/** Bytes enough to tell PNG, JPEG, WebP and GIF apart (and to read the pixel size of most). */
const MAGIC_BYTES = 32;

/** The response stream, typed through the helper that consumes it (node code may not import 'stream'). */
type DownloadBody = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0] &
	AsyncIterable<Buffer | string> & {
		destroy(error?: Error): void;
		constructor: { from?: (source: AsyncIterable<Buffer>) => unknown };
	};

export interface DownloadSettings {
	maxBytes: number;
	/** How long the CDN may send nothing (before the answer and between two chunks). */
	idleTimeoutMs: number;
	hosts: HostPolicy;
	redactor: Redactor;
	/** Downloads streaming at once in this execution. */
	concurrency: number;
}

export interface DownloadTarget {
	url: string;
	/** File name without extension; the extension follows the file's real type. */
	baseName: string;
	itemIndex: number;
	taskId?: string;
	gatewayName: string;
	signal?: AbortSignal;
	/** Absolute time (ms) by which the download must be done: the item's Max Wait, where it has one. */
	deadline?: number;
}

/** How one try ended when it brought no image: whether another try may mend it, and what to advise. */
interface Miss {
	failure: GatewayFailure;
	/** Worth another try (network, 408, 429, 5xx, a CDN gone quiet). */
	retry: boolean;
	advice?: string;
}

type Fetched = { ok: true; binary: IBinaryData } | ({ ok: false } & Miss);

/** A miss that no retry mends: a refused URL, a file that is too large or not an image, time up. */
function refused(category: FailureCategory, code: string, message: string, advice?: string): Fetched {
	return { ok: false, retry: false, advice, failure: { category, httpCode: 0, httpStatus: 0, code, message } };
}

/** A miss another try may mend. */
function transient(failure: GatewayFailure): Fetched {
	return { ok: false, retry: true, failure };
}

/** Thrown from inside the stream guard, caught around it: the stream had to be stopped. */
class StreamStopped extends Error {
	constructor(readonly outcome: Fetched) {
		super(outcome.ok ? 'stopped' : outcome.failure.message);
	}
}

function statusCategory(status: number): FailureCategory {
	if (status === 403 || status === 404 || status === 410) return 'notFound';
	if (status === 408) return 'timeout';
	if (status === 429) return 'rateLimit';
	if (status >= 500) return 'gatewayDown';
	return 'unknown';
}

/**
 * What the CDN said with an error status, in a few words: object stores answer
 * `<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>`. Reads at most
 * a few KB and lets go of the rest of the body.
 */
async function errorExcerpt(body: DownloadBody): Promise<string> {
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of body) {
			const bytes = Buffer.from(chunk);
			chunks.push(bytes);
			size += bytes.length;
			if (size >= 4096) break;
		}
	} catch {
		// The error page is a courtesy; the status says enough.
	}
	body.destroy();
	const text = Buffer.concat(chunks).subarray(0, 4096).toString('utf8');
	const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
	const message = /<Message>([^<]{1,300})<\/Message>/.exec(text)?.[1];
	if (code || message) return [code, message].filter(Boolean).join(': ');
	return describeBody(text);
}

/** What came instead of an image, for the error: its declared type and how it starts. */
function describeNonImage(head: Buffer, contentType: unknown): string {
	const declared = typeof contentType === 'string' && contentType ? contentType.split(';')[0].trim() : 'no Content-Type';
	if (head.length === 0) return `an empty file (${declared})`;
	const text = head.toString('latin1').replace(/[^\x20-\x7e]+/g, ' ').trim();
	return `${declared}, starting with "${text.slice(0, 24)}"`;
}

/** Downloads of one execution: its own slots, limits and host policy. */
export class Downloader {
	private readonly slots: Slots;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly settings: DownloadSettings,
	) {
		this.slots = new Slots(settings.concurrency);
	}

	/** Downloads one result file into n8n's binary store, retrying what is free to retry. */
	async download(target: DownloadTarget): Promise<IBinaryData> {
		const deadline = target.deadline ?? Date.now() + DEFAULT_TOTAL_MS;
		for (let attempt = 0; ; attempt++) {
			// A slot is held for one try only, never through a back-off.
			const fetched = await this.slots.run(async () => await this.fetchOnce(target, deadline), target.signal);
			target.signal?.throwIfAborted();
			if (fetched.ok) return fetched.binary;
			const { failure } = fetched;
			const delay = retryDelayMs(attempt, failure.retryAfterSeconds);
			if (!fetched.retry || attempt + 1 >= MAX_ATTEMPTS || Date.now() + delay >= deadline) {
				const { httpStatus } = failure;
				// 403/404/410 from a CDN means the link expired: asking again will not help.
				const expired = httpStatus === 403 || httpStatus === 404 || httpStatus === 410;
				throw this.error(
					target,
					failure,
					fetched.advice ??
						(expired
							? 'The result link has expired or is gone (ToAPIs and EvoLink keep results 24 hours, Kie.ai 14 days): generate again, or on Kie.ai try the Direct Download Link option.'
							: undefined),
				);
			}
			await waitFor(delay, target.signal);
		}
	}

	private error(target: DownloadTarget, failure: GatewayFailure, advice?: string) {
		return apiError(
			{ ...failure, message: this.settings.redactor.text(failure.message) },
			{
				node: this.ctx.getNode(),
				itemIndex: target.itemIndex,
				gatewayName: target.gatewayName,
				taskId: target.taskId,
				action: 'downloading the image',
				advice,
			},
		);
	}

	/**
	 * One try: follows redirects itself (each hop checked against the policy), then streams the
	 * body into n8n's binary store through a guard that counts bytes and watches the clock.
	 */
	private async fetchOnce(target: DownloadTarget, deadline: number): Promise<Fetched> {
		const { hosts, idleTimeoutMs } = this.settings;
		let url = target.url;
		for (let hop = 0; ; hop++) {
			const refusal = hosts.refusal(url);
			if (refusal) {
				return refused(
					'badInput',
					'REFUSED_URL',
					`Will not download ${shortUrl(url)}: ${refusal}`,
					"The gateway returned a result link this node will not fetch. Check the credential's Base URL, or download the image yourself if you trust the link.",
				);
			}
			const remaining = deadline - Date.now();
			if (remaining <= 0) return timedOut(url, outOfTime(target));
			const answer = await this.request(url, Math.min(idleTimeoutMs, remaining), target.signal);
			if (!('statusCode' in answer)) return answer;
			const { statusCode: status, headers, body } = answer;
			if (status >= 300 && status < 400 && typeof headers.location === 'string') {
				body.destroy();
				if (hop + 1 > MAX_REDIRECTS) {
					return refused(
						'gatewayDown',
						'TOO_MANY_REDIRECTS',
						`Could not download ${shortUrl(target.url)}: more than ${MAX_REDIRECTS} redirects`,
					);
				}
				url = new URL(headers.location, url).toString();
				continue;
			}
			if (status < 200 || status >= 300) {
				const said = this.settings.redactor.text(await errorExcerpt(body));
				const failure: GatewayFailure = {
					category: statusCategory(status),
					httpCode: status,
					httpStatus: status,
					code: String(status),
					message: `Could not download ${shortUrl(url)}: HTTP ${status}${said ? ` (${said})` : ''}`,
					retryAfterSeconds: retryAfterSeconds(headers),
				};
				return { ok: false, failure, retry: status === 408 || status === 429 || status >= 500 };
			}
			return await this.store(answer, url, target, deadline);
		}
	}

	private async request(
		url: string,
		timeoutMs: number,
		signal?: AbortSignal,
	): Promise<{ statusCode: number; headers: Record<string, unknown>; body: DownloadBody } | Fetched> {
		try {
			return (await this.ctx.helpers.httpRequest({
				method: 'GET',
				url,
				encoding: 'stream',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				disableFollowRedirect: true,
				timeout: timeoutMs,
				headers: { 'User-Agent': USER_AGENT },
				abortSignal: signal,
			})) as { statusCode: number; headers: Record<string, unknown>; body: DownloadBody };
		} catch (error) {
			signal?.throwIfAborted();
			// Only the code: the client's error holds the request.
			const code = networkCodeOf(error);
			return transient({
				category: code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'timeout' : 'gatewayDown',
				httpCode: 0,
				httpStatus: 0,
				code,
				message: `Could not download ${shortUrl(url)}: the download did not complete (${code})`,
			});
		}
	}

	/** Streams a 2xx answer into n8n's binary store: the image's own type, within the byte and time limits. */
	private async store(
		response: { headers: Record<string, unknown>; body: DownloadBody },
		url: string,
		target: DownloadTarget,
		deadline: number,
	): Promise<Fetched> {
		const { maxBytes, idleTimeoutMs } = this.settings;
		const body = response.body;
		const host = new URL(url).host;
		let received = 0;
		let lastChunkAt = Date.now();
		let cut: 'deadline' | 'idle' | undefined;
		const watching = new AbortController();
		const stop = () => body.destroy(new Error('aborted'));
		target.signal?.addEventListener('abort', stop, { once: true });
		// The watchdog: a CDN that sends nothing, or trickles a byte now and then, is cut off.
		void (async () => {
			while (!watching.signal.aborted) {
				await waitFor(WATCH_EVERY_MS, watching.signal).catch(() => undefined);
				if (watching.signal.aborted) return;
				const now = Date.now();
				cut = now >= deadline ? 'deadline' : now - lastChunkAt >= idleTimeoutMs ? 'idle' : undefined;
				if (cut) return body.destroy(new Error(`download cut off (${cut})`));
			}
		})();

		const source = body[Symbol.asyncIterator]();
		const next = async (): Promise<Buffer | undefined> => {
			const { value, done } = await source.next();
			if (done) return undefined;
			const chunk = Buffer.isBuffer(value) ? value : Buffer.from(value);
			received += chunk.length;
			lastChunkAt = Date.now();
			if (received > maxBytes) {
				throw new StreamStopped(
					refused(
						'badInput',
						'TOO_LARGE',
						`${host} sent more than ${Math.round(maxBytes / MB)} MB for one image`,
						'Raise Max Image Size in the options if the gateway really makes images this large.',
					),
				);
			}
			return chunk;
		};

		try {
			// The first bytes decide what the file is, before anything is stored.
			let head = Buffer.alloc(0);
			while (head.length < MAGIC_BYTES) {
				const chunk = await next();
				if (!chunk) break;
				head = Buffer.concat([head, chunk]);
			}
			const format = sniffImageFormat(head);
			const header = format ? readImageHeader(head) : undefined;
			if (!format || (header && (header.width === 0 || header.height === 0))) {
				const instead = header ? 'an image of 0 pixels' : describeNonImage(head, response.headers['content-type']);
				return refused(
					'gatewayDown',
					'NOT_AN_IMAGE',
					`${host} sent ${instead} instead of an image`,
					'The result link did not lead to an image: generate again, or open the link to see what the CDN serves.',
				);
			}
			const from = body.constructor.from;
			if (typeof from !== 'function') {
				return refused('unknown', 'NO_STREAM', 'This n8n hands downloads over in a form the node cannot check');
			}
			async function* rest(): AsyncGenerator<Buffer> {
				yield head;
				for (let chunk = await next(); chunk; chunk = await next()) yield chunk;
			}
			const guarded = from.call(body.constructor, rest()) as DownloadBody;
			const fileName = `${target.baseName}.${EXTENSIONS[format]}`;
			return { ok: true, binary: await this.ctx.helpers.prepareBinaryData(guarded, fileName, MIME_TYPES[format]) };
		} catch (error) {
			target.signal?.throwIfAborted();
			if (error instanceof StreamStopped) return error.outcome;
			if (cut === 'deadline') return timedOut(url, outOfTime(target));
			const code = cut === 'idle' ? 'ETIMEDOUT' : networkCodeOf(error);
			// Worth another try while the item has time: the next one may find a livelier CDN node.
			return transient({
				category: cut === 'idle' ? 'timeout' : 'gatewayDown',
				httpCode: 0,
				httpStatus: 0,
				code,
				message:
					cut === 'idle'
						? `Could not download ${shortUrl(url)}: nothing arrived for ${Math.round(idleTimeoutMs / 1000)} s`
						: `Could not download ${shortUrl(url)}: the download broke off (${code})`,
			});
		} finally {
			watching.abort();
			target.signal?.removeEventListener('abort', stop);
			body.destroy();
		}
	}
}

function outOfTime(target: DownloadTarget): string {
	return target.deadline === undefined
		? `it took longer than ${DEFAULT_TOTAL_MS / 60_000} minutes`
		: 'the time the item may take (Max Wait) ran out';
}

function timedOut(url: string, why: string): Fetched {
	return refused(
		'timeout',
		'DOWNLOAD_TIMEOUT',
		`Could not download ${shortUrl(url)}: ${why}`,
		'The CDN is too slow or sends nothing: run again later, or raise Request Timeout or Max Wait in the options.',
	);
}

/** A URL for a message: the host and path, without the signature a signed link carries. */
function shortUrl(url: string): string {
	try {
		const parsed = new URL(url);
		const text = `${parsed.origin}${parsed.pathname}`;
		return text.length > 160 ? `${text.slice(0, 157)}...` : text;
	} catch {
		return url.slice(0, 80);
	}
}
