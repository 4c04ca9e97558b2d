/** The CDN server: result and uploaded files, with S3-style XML errors like the object stores behind the gateways. */
import type { SimResponse } from './http';
import type { SimState } from './state';
import type { GatewayName } from './types';

export interface CdnRoute {
	gateway?: GatewayName;
	taskId?: string;
	answer(): SimResponse;
}

function s3Error(status: number, code: string, message: string): SimResponse {
	return {
		status,
		headers: { 'content-type': 'application/xml' },
		body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
	};
}

export function routeCdn(sim: SimState, method: string, pathname: string, query: Record<string, string>, now: number): CdnRoute {
	const found = sim.files.lookup(pathname, query, now);
	return {
		gateway: found.gateway,
		taskId: found.taskId,
		answer: () => {
			if (method !== 'GET' && method !== 'HEAD') return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed');
			if (sim.options.cdnExpired || found.refusal === 'expired') return s3Error(403, 'AccessDenied', 'Request has expired');
			if (found.refusal === 'badSignature') {
				return s3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided');
			}
			if (!found.file) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.');
			const { bytes, mimeType } = sim.files.contentOf(found.file);
			return { status: 200, headers: { 'content-type': mimeType, 'cache-control': 'private, max-age=86400' }, body: bytes };
		},
	};
}
