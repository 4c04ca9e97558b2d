/** Kie's file host: base64 and stream uploads, answered `{success, code, msg, data}`, also HTTP 200 for errors. */
import { randomBytes } from 'crypto';
import type { GatewayHost } from '../../gateway';
import { isRecord, json, type ApiCall, type SimResponse } from '../../http';
import { decodeBase64Payload, extensionOf, sniffImageType } from '../../uploads';
import { MESSAGES, type KieContext } from './server';

/** The upload host: `{success, code, msg, data}`, also HTTP 200 for errors. */
export function uploadHost(ctx: KieContext): GatewayHost {
	const { sim } = ctx;
	const answer = (code: number, msg: string, data: unknown = null, httpStatus = 200) =>
		json(httpStatus, { success: code === 200, code, msg, data });

	function store(call: ApiCall, bytes: Buffer, declaredType: string | undefined, fields: Record<string, unknown>) {
		const uploadPath = typeof fields.uploadPath === 'string' ? fields.uploadPath.replace(/^\/+|\/+$/g, '') : '';
		if (!uploadPath) return answer(400, 'uploadPath is required');
		if (bytes.length === 0) return answer(400, 'File is empty');
		const mimeType = sniffImageType(bytes) ?? declaredType ?? 'application/octet-stream';
		const given = typeof fields.fileName === 'string' ? fields.fileName : '';
		const fileName = given || `${randomBytes(8).toString('hex')}.${extensionOf(mimeType)}`;
		const stored = sim.files.addUpload(ctx.id, bytes, fileName, mimeType, call.now);
		return answer(200, 'File uploaded successfully', {
			fileName,
			filePath: `${uploadPath}/${fileName}`,
			downloadUrl: stored.url,
			fileSize: bytes.length,
			mimeType,
			uploadedAt: new Date(call.now).toISOString(),
		});
	}

	function base64Upload(call: ApiCall): SimResponse {
		const body = isRecord(call.body) ? call.body : {};
		const payload = typeof body.base64Data === 'string' ? decodeBase64Payload(body.base64Data) : undefined;
		if (!payload) return answer(400, 'base64Data is required and must be base64 or a data URL');
		return store(call, payload.bytes, payload.declaredType, body);
	}

	function streamUpload(call: ApiCall): SimResponse {
		const parts = call.multipart ?? [];
		const file = parts.find((p) => p.name === 'file' && p.filename !== undefined);
		if (!file) return answer(400, "No file uploaded: send it in the multipart field 'file'");
		const fields = Object.fromEntries(parts.filter((p) => p.filename === undefined).map((p) => [p.name, p.data.toString()]));
		return store(call, file.data, file.contentType, { fileName: file.filename, ...fields });
	}

	return {
		routes: [
			{ method: 'POST', pattern: /^\/api\/file-base64-upload$/, kind: 'upload', handle: base64Upload },
			{ method: 'POST', pattern: /^\/api\/file-stream-upload$/, kind: 'upload', handle: streamUpload },
		],
		unauthorized: () => answer(401, MESSAGES[401]),
		notFound: () => answer(404, MESSAGES[404], null, 404),
		httpError: (status) => answer(status, MESSAGES[status] ?? 'Error', null, status),
		envelope: (code, msg) => answer(code, msg),
	};
}
