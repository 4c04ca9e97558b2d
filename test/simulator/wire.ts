/** A plain-fetch client for the simulator tests: what a gateway's caller sees on the wire. */
import { isPng, pngSize } from './png';
import { jpegSize } from './uploads';

export const KEY = 'sk-sim-test';
export const auth = { authorization: `Bearer ${KEY}` };

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function call(
	url: string,
	init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: Json; text: string }> {
	const res = await fetch(url, {
		method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
		headers: { ...auth, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
		body: init.body === undefined ? undefined : JSON.stringify(init.body),
	});
	const text = await res.text();
	let json: Json = {};
	try {
		json = JSON.parse(text) as Json;
	} catch {
		// HTML and malformed bodies stay in `text`
	}
	return { status: res.status, headers: res.headers, json, text };
}

/** Polls (slower than 3 reads a second, the strictest gateway's limit) until `done` holds for the answer. */
export async function pollUntil(url: string, done: (body: Json) => boolean, timeoutMs = 5000): Promise<Json> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const { json } = await call(url);
		if (done(json)) return json;
		if (Date.now() > deadline) throw new Error(`not done: ${JSON.stringify(json)}`);
		await sleep(350);
	}
}

export async function download(url: string): Promise<{ status: number; type: string | null; length: string | null; bytes: Buffer }> {
	const res = await fetch(url);
	const bytes = Buffer.from(await res.arrayBuffer());
	return { status: res.status, type: res.headers.get('content-type'), length: res.headers.get('content-length'), bytes };
}

export async function uploadMultipart(url: string, png: Buffer, fields: Record<string, string> = {}) {
	const form = new FormData();
	form.append('file', new Blob([png], { type: 'image/png' }), 'input.png');
	for (const [name, value] of Object.entries(fields)) form.append(name, value);
	const res = await fetch(url, { method: 'POST', headers: auth, body: form });
	return { status: res.status, json: (await res.json()) as Json };
}


/** A result file's type and pixel size, from its header (PNG or JPEG). */
export function imageHeader(bytes: Buffer): { type: 'png' | 'jpeg'; width: number; height: number } {
	if (isPng(bytes)) return { type: 'png', ...pngSize(bytes) };
	const size = bytes[0] === 0xff && bytes[1] === 0xd8 ? jpegSize(bytes) : undefined;
	if (!size) throw new Error(`neither PNG nor JPEG: ${bytes.subarray(0, 8).toString('hex')}`);
	return { type: 'jpeg', ...size };
}
