/** Everything the CDN server hosts: uploaded files and task results (rendered on first download). */
import { createHmac, randomBytes } from 'crypto';
import { deriveEdit, noisePng, patternSeed, renderPattern } from './images';
import { decodePng, isPng, pngSize, type DecodedPng } from './png';
import { encodeResult, fitTo, resultExtension, resultMimeType, type ResultFormat } from './results';
import type { SimTask } from './tasks';
import type { GatewayName, ImagePayload } from './types';

export interface Upload {
	id: string;
	/** The gateway whose upload endpoint took it; none for files a test hosts directly. */
	gateway?: GatewayName;
	fileName: string;
	mimeType: string;
	bytes: Buffer;
	uploadedAt: number;
	url: string;
}

export type HostedFile =
	| { kind: 'result'; task: SimTask; index: number }
	| { kind: 'upload'; upload: Upload };

/** What the CDN makes of a path: a file, a refusal, or nothing; plus whose file it is, for the log. */
export interface CdnLookup {
	file?: HostedFile;
	refusal?: 'expired' | 'badSignature';
	gateway?: GatewayName;
	taskId?: string;
}

/** Signed direct links are valid for 20 minutes (the one gateway that offers them says so). */
const SIGNED_URL_SECONDS = 1200;

const RESULT_PATH = /^\/(files|signed)\/(.+)_(\d+)\.(?:png|jpg)$/;
const UPLOAD_PATH = /^\/uploads\/([^/]+)(?:\/.*)?$/;

export class FileStore {
	private readonly uploads = new Map<string, Upload>();
	private readonly rendered = new Map<string, Buffer>();
	private readonly signingKey = randomBytes(32);

	constructor(
		readonly cdnUrl: string,
		private readonly findTask: (id: string) => SimTask | undefined,
		private readonly payload: () => ImagePayload = () => 'pattern',
	) {}

	addUpload(gateway: GatewayName | undefined, bytes: Buffer, fileName: string, mimeType: string, now: number): Upload {
		const id = randomBytes(8).toString('hex');
		const url = `${this.cdnUrl}/uploads/${id}/${encodeURIComponent(fileName)}`;
		const upload: Upload = { id, gateway, fileName, mimeType, bytes, uploadedAt: now, url };
		this.uploads.set(id, upload);
		return upload;
	}

	resultUrl(taskId: string, index: number, format?: ResultFormat): string {
		return `${this.cdnUrl}/files/${taskId}_${index}.${resultExtension(format)}`;
	}

	/** A signed direct link: S3 query parameters with an HMAC, checked when it is fetched. */
	signedResultUrl(taskId: string, index: number, now: number): string {
		const path = `/signed/${taskId}_${index}.${resultExtension(this.findTask(taskId)?.output)}`;
		const date = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
		const query = new URLSearchParams({
			'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
			'X-Amz-Date': date,
			'X-Amz-Expires': String(SIGNED_URL_SECONDS),
			'X-Amz-SignedHeaders': 'host',
			'X-Amz-Signature': this.sign(path, date),
		});
		return `${this.cdnUrl}${path}?${query.toString()}`;
	}

	lookup(pathname: string, query: Record<string, string>, now: number): CdnLookup {
		const upload = UPLOAD_PATH.exec(pathname);
		if (upload) {
			const found = this.uploads.get(upload[1]);
			return found ? { file: { kind: 'upload', upload: found }, gateway: found.gateway } : {};
		}
		const result = RESULT_PATH.exec(pathname);
		const task = result ? this.findTask(result[2]) : undefined;
		if (!result || !task) return {};
		const owner = { gateway: task.gateway, taskId: task.id };
		if (result[1] === 'signed') {
			const date = query['X-Amz-Date'] ?? '';
			if (query['X-Amz-Signature'] !== this.sign(pathname, date)) return { ...owner, refusal: 'badSignature' };
			if (now > parseAmzDate(date) + SIGNED_URL_SECONDS * 1000) return { ...owner, refusal: 'expired' };
		}
		const index = Number(result[3]);
		const served = task.stateAt(now) === 'succeeded' && index < task.resultUrls.length;
		return served ? { ...owner, file: { kind: 'result', task, index } } : owner;
	}

	/** The hosted file a URL points to, if it points to this CDN and the file is there now. */
	hostedFile(url: string, now: number): HostedFile | undefined {
		let parsed: URL;
		try {
			parsed = new URL(url);
		} catch {
			return undefined;
		}
		if (parsed.origin !== new URL(this.cdnUrl).origin) return undefined;
		return this.lookup(parsed.pathname, Object.fromEntries(parsed.searchParams), now).file;
	}

	/** Pixel size of a hosted PNG, known without rendering; undefined when the file is not a PNG. */
	imageSize(file: HostedFile): { width: number; height: number } | undefined {
		if (file.kind === 'result') {
			return file.task.output?.type === 'jpeg' ? undefined : { width: file.task.width, height: file.task.height };
		}
		return isPng(file.upload.bytes) ? pngSize(file.upload.bytes) : undefined;
	}

	contentOf(file: HostedFile): { bytes: Buffer; mimeType: string } {
		if (file.kind === 'upload') return { bytes: file.upload.bytes, mimeType: file.upload.mimeType };
		return { bytes: this.renderResult(file.task, file.index), mimeType: resultMimeType(file.task.output) };
	}

	private renderResult(task: SimTask, index: number): Buffer {
		const payload = task.editSource || task.output?.type === 'jpeg' ? 'pattern' : this.payload();
		// Noise is shared by every task of that pixel size (one 4 MiB buffer per index, not one per task).
		if (payload === 'noise') return noisePng(task.width, task.height, index);
		const shared = payload === 'sharedPattern';
		const key = shared ? `shared:${task.width}x${task.height}:${index}` : `${task.id}_${index}`;
		const cached = this.rendered.get(key);
		if (cached) return cached;
		const seed = patternSeed(shared ? `shared ${task.width}x${task.height}` : task.prompt, index);
		const source = task.editSource ? this.decodeHosted(task.editSource) : undefined;
		const mask = task.editMask ? this.decodeHosted(task.editMask) : undefined;
		const fit = (image: DecodedPng) => fitTo(image, task.width, task.height);
		const raster = source
			? deriveEdit(fit(source), mask && fit(mask), task.maskConvention, seed)
			: renderPattern(task.width, task.height, seed);
		const bytes = encodeResult(raster, task.output);
		this.rendered.set(key, bytes);
		return bytes;
	}

	/** Decodes an input the simulator hosts; a PNG it cannot read is treated as absent (prompt-only result). */
	private decodeHosted(url: string): DecodedPng | undefined {
		const file = this.hostedFile(url, Date.now());
		if (!file) return undefined;
		try {
			return decodePng(this.contentOf(file).bytes);
		} catch {
			return undefined;
		}
	}

	private sign(path: string, date: string): string {
		return createHmac('sha256', this.signingKey).update(`${path}\n${date}`).digest('hex');
	}
}

/** `20250101T120000Z` → epoch ms. */
function parseAmzDate(date: string): number {
	const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
	return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
}
