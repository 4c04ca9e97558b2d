/** HTTP plumbing shared by both servers: reading bodies, multipart, writing answers. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'http';
import type { LoggedRequest } from './types';

/** One answer. A Buffer or string body is sent as is; anything else as JSON. */
export interface SimResponse {
	status: number;
	headers?: Record<string, string>;
	body?: unknown;
}

export interface MultipartPart {
	name: string;
	filename?: string;
	contentType?: string;
	data: Buffer;
}

/** One request as the gateway handlers see it. */
export interface ApiCall {
	method: string;
	/** The path below the gateway's prefix, e.g. `/v1/images/generations`. */
	path: string;
	query: Record<string, string>;
	headers: IncomingHttpHeaders;
	/** Captures of the route's path pattern. */
	params: string[];
	/** JSON value, text, or a multipart summary (see LoggedRequest.body). */
	body: unknown;
	multipart?: MultipartPart[];
	/** The log entry of this request; handlers record the task id on it. */
	log: LoggedRequest;
	now: number;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): SimResponse => ({
	status,
	body,
	headers,
});

/** What the front proxy of a gateway answers on 5xx: an HTML page, not JSON. */
export function htmlErrorPage(status: number): SimResponse {
	const title = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
	return {
		status,
		headers: { 'content-type': 'text/html' },
		body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
	};
}

const STATUS_TEXT: Record<number, string> = {
	500: 'Internal Server Error',
	502: 'Bad Gateway',
	503: 'Service Temporarily Unavailable',
	504: 'Gateway Time-out',
};

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The key of an `Authorization: Bearer <key>` header. */
export function bearerKey(headers: IncomingHttpHeaders): string | undefined {
	const match = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
	return match?.[1].trim();
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

export function parseMultipart(raw: Buffer, contentType: string | undefined): MultipartPart[] | undefined {
	const boundary = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
	if (!boundary) return undefined;
	const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
	const parts: MultipartPart[] = [];
	let pos = raw.indexOf(delimiter);
	while (pos !== -1) {
		const start = pos + delimiter.length;
		if (raw.toString('latin1', start, start + 2) === '--') break;
		const next = raw.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), start);
		if (next === -1) break;
		const part = raw.subarray(start + 2, next);
		const headerEnd = part.indexOf('\r\n\r\n');
		if (headerEnd !== -1) {
			const head = part.toString('utf8', 0, headerEnd);
			const name = /name="([^"]*)"/i.exec(head)?.[1];
			if (name !== undefined) {
				parts.push({
					name,
					filename: /filename="([^"]*)"/i.exec(head)?.[1],
					contentType: /^content-type:\s*(.+)$/im.exec(head)?.[1].trim(),
					data: part.subarray(headerEnd + 4),
				});
			}
		}
		pos = next + 2;
	}
	return parts;
}

/** The body as the log shows it: parsed JSON, text, or for binary/multipart a size and the fields. */
export function describeBody(raw: Buffer, multipart: MultipartPart[] | undefined): unknown {
	if (raw.length === 0) return undefined;
	if (multipart) {
		const summary: Record<string, unknown> = { bytes: raw.length };
		for (const part of multipart) {
			summary[part.name] =
				part.filename !== undefined
					? { filename: part.filename, contentType: part.contentType, bytes: part.data.length }
					: part.data.toString('utf8');
		}
		return summary;
	}
	const text = raw.toString('utf8');
	if (text.includes('\uFFFD') || text.includes('\u0000')) return { bytes: raw.length };
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

export function writeResponse(res: ServerResponse, answer: SimResponse, headOnly: boolean): void {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(answer.headers ?? {})) headers[name.toLowerCase()] = value;
	let payload: Buffer;
	if (Buffer.isBuffer(answer.body)) payload = answer.body;
	else if (typeof answer.body === 'string') {
		payload = Buffer.from(answer.body);
		headers['content-type'] ??= 'text/plain; charset=utf-8';
	} else if (answer.body === undefined) payload = Buffer.alloc(0);
	else {
		payload = Buffer.from(JSON.stringify(answer.body));
		headers['content-type'] ??= 'application/json';
	}
	headers['content-length'] = String(payload.length);
	res.writeHead(answer.status, headers);
	res.end(headOnly ? undefined : payload);
}
