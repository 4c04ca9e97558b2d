import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import type { FailureCategory, GatewayFailure } from '../gateways/types';
import { describeBody, retryAfterSeconds } from '../gateways/wire';
import { apiError } from './errors';
import { Slots } from './rateLimit';
import { MAX_ATTEMPTS, retryDelayMs } from './retry';
import { USER_AGENT, networkCodeOf } from './transport';
import { waitFor } from './wait';

/**
 * Result files live on the gateways' CDNs. They are fetched with the plain HTTP helper, so the
 * API key never travels to a CDN, and streamed into n8n's binary store without a buffer of ours.
 */

const DOWNLOAD_TIMEOUT_MS = 300_000;

/** The response stream, typed through the helper that consumes it (node code may not import 'stream'). */
type DownloadBody = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0] & { resume(): void };

const MIME_BY_EXTENSION: Record<string, string> = {
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	webp: 'image/webp',
	gif: 'image/gif',
};

const EXTENSION_BY_MIME: Record<string, string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/webp': 'webp',
	'image/gif': 'gif',
};

/** The MIME type from the Content-Type header when it is an image type, else from the URL. */
export function imageMimeType(url: string, contentType: unknown): string {
	const header = typeof contentType === 'string' ? contentType.split(';')[0].trim().toLowerCase() : '';
	if (header.startsWith('image/')) return header;
	const extension = /\.([a-z0-9]+)(?:$|[?#])/i.exec(url)?.[1]?.toLowerCase() ?? '';
	return MIME_BY_EXTENSION[extension] ?? 'image/png';
}

export interface DownloadTarget {
	url: string;
	/** File name without extension; the extension follows the MIME type. */
	baseName: string;
	itemIndex: number;
	taskId?: string;
	gatewayName: string;
	signal?: AbortSignal;
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
		for await (const chunk of body as AsyncIterable<Buffer | string>) {
			const bytes = Buffer.from(chunk);
			chunks.push(bytes);
			size += bytes.length;
			if (size >= 4096) break;
		}
	} catch {
		// The error page is a courtesy; the status says enough.
	}
	const text = Buffer.concat(chunks).subarray(0, 4096).toString('utf8');
	const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
	const message = /<Message>([^<]{1,300})<\/Message>/.exec(text)?.[1];
	if (code || message) return [code, message].filter(Boolean).join(': ');
	return describeBody(text);
}

function statusCategory(status: number): FailureCategory {
	if (status === 403 || status === 404 || status === 410) return 'notFound';
	if (status === 408) return 'timeout';
	if (status === 429) return 'rateLimit';
	if (status >= 500) return 'gatewayDown';
	return 'unknown';
}

/**
 * Downloads streaming at once, per process. Each stream holds buffers on its way to disk, so a
 * hundred tasks finishing together would hold a hundred of them; sixteen keep memory flat and
 * still fill the line.
 */
const downloadSlots = new Slots(16);

/** Downloads one result file into n8n's binary store, retrying what is free to retry. */
export async function downloadImage(ctx: IExecuteFunctions, target: DownloadTarget): Promise<IBinaryData> {
	return await downloadSlots.run(async () => await downloadWithRetries(ctx, target));
}

async function downloadWithRetries(ctx: IExecuteFunctions, target: DownloadTarget): Promise<IBinaryData> {
	for (let attempt = 0; ; attempt++) {
		let failure: GatewayFailure;
		try {
			const response = (await ctx.helpers.httpRequest({
				method: 'GET',
				url: target.url,
				encoding: 'stream',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: DOWNLOAD_TIMEOUT_MS,
				headers: { 'User-Agent': USER_AGENT },
				abortSignal: target.signal,
			})) as { statusCode: number; headers: Record<string, unknown>; body: DownloadBody };
			const status = response.statusCode;
			if (status >= 200 && status < 300) {
				const mimeType = imageMimeType(target.url, response.headers['content-type']);
				const fileName = `${target.baseName}.${EXTENSION_BY_MIME[mimeType] ?? 'png'}`;
				return await ctx.helpers.prepareBinaryData(response.body, fileName, mimeType);
			}
			const said = await errorExcerpt(response.body);
			failure = {
				category: statusCategory(status),
				httpCode: status,
				code: String(status),
				message: `Could not download ${target.url}: HTTP ${status}${said ? ` (${said})` : ''}`,
				retryAfterSeconds: retryAfterSeconds(response.headers),
			};
		} catch (error) {
			target.signal?.throwIfAborted();
			// Only the code: the client's error holds the request.
			const code = networkCodeOf(error);
			failure = {
				category: code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'timeout' : 'gatewayDown',
				httpCode: 0,
				code,
				message: `Could not download ${target.url}: the download did not complete (${code})`,
			};
		}
		const { httpCode } = failure;
		// 403/404/410 from a CDN means the link expired: asking again will not help; nor will it
		// for other 4xx. Network errors, 408, 429 and 5xx are worth another try.
		const expired = httpCode === 403 || httpCode === 404 || httpCode === 410;
		const retryable = httpCode === 0 || httpCode === 408 || httpCode === 429 || httpCode >= 500;
		if (!retryable || attempt + 1 >= MAX_ATTEMPTS) {
			throw apiError(failure, {
				node: ctx.getNode(),
				itemIndex: target.itemIndex,
				gatewayName: target.gatewayName,
				taskId: target.taskId,
				action: 'downloading the image',
				advice: expired
					? 'The result link has expired or is gone (ToAPIs and EvoLink keep results 24 hours, Kie.ai 14 days): generate again, or on Kie.ai try the Direct Download Link option.'
					: undefined,
			});
		}
		await waitFor(retryDelayMs(attempt, failure.retryAfterSeconds), target.signal);
	}
}
