/** EvoLink's file host: base64 and stream uploads, answered `{success, code, msg, data}` with a matching HTTP status. */
import { randomBytes } from 'crypto';
import type { GatewayHost } from '../../gateway';
import { isRecord, json, type ApiCall, type SimResponse } from '../../http';
import { decodeBase64Payload, extensionOf, sniffImageType } from '../../uploads';
import { HTTP_ERRORS } from './errors';
import type { EvoLinkContext } from './options';

const FILE_LIFETIME_MS = 72 * 3600 * 1000;

/** The upload host: `{success, code, msg, data}` with a matching HTTP status. */
export function uploadHost(ctx: EvoLinkContext): GatewayHost {
	const { sim } = ctx;
	const failure = (status: number, msg: string) => json(status, { success: false, code: status, msg, data: null });

	function store(call: ApiCall, bytes: Buffer, fields: Record<string, unknown>): SimResponse {
		const mimeType = sniffImageType(bytes);
		if (!mimeType) return failure(400, 'Unsupported file type: only image/jpeg, image/png, image/gif, image/webp');
		const uploadPath = typeof fields.upload_path === 'string' && fields.upload_path ? fields.upload_path : 'images';
		const given = typeof fields.file_name === 'string' ? fields.file_name : '';
		const fileName = given || `${randomBytes(8).toString('hex')}.${extensionOf(mimeType)}`;
		const stored = sim.files.addUpload(ctx.id, bytes, fileName, mimeType, call.now);
		return json(200, {
			success: true,
			code: 200,
			msg: 'File uploaded successfully',
			data: {
				file_id: `file_${stored.id}`,
				file_name: fileName,
				original_name: given || fileName,
				file_size: bytes.length,
				mime_type: mimeType,
				upload_path: uploadPath,
				file_url: stored.url,
				download_url: `${sim.files.cdnUrl}/uploads/${stored.id}`,
				upload_time: new Date(call.now).toISOString(),
				expires_at: new Date(call.now + FILE_LIFETIME_MS).toISOString(),
			},
		});
	}

	function base64Upload(call: ApiCall): SimResponse {
		const body = isRecord(call.body) ? call.body : {};
		const payload = typeof body.base64_data === 'string' ? decodeBase64Payload(body.base64_data) : undefined;
		if (!payload) return failure(400, 'base64_data is required and must be base64 or a data URL');
		return store(call, payload.bytes, body);
	}

	function streamUpload(call: ApiCall): SimResponse {
		const parts = call.multipart ?? [];
		const file = parts.find((p) => p.name === 'file' && p.filename !== undefined);
		if (!file) return failure(400, "No file uploaded: send it in the multipart field 'file'");
		const fields = Object.fromEntries(parts.filter((p) => p.filename === undefined).map((p) => [p.name, p.data.toString()]));
		return store(call, file.data, { file_name: file.filename, ...fields });
	}

	return {
		routes: [
			{ method: 'POST', pattern: /^\/api\/v1\/files\/upload\/base64$/, kind: 'upload', handle: base64Upload },
			{ method: 'POST', pattern: /^\/api\/v1\/files\/upload\/stream$/, kind: 'upload', handle: streamUpload },
		],
		unauthorized: () => failure(401, 'Invalid API key'),
		notFound: () => failure(404, 'Not found'),
		httpError: (status) => failure(status, HTTP_ERRORS[status]?.[1] ?? 'Error'),
	};
}
