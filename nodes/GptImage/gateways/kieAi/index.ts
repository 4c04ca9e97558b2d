import type { Gateway } from '../types';
import { asObject, dataUrl, MB } from '../wire';
import { envelopeData, readEnvelopeFailure } from './envelope';
import { fourO } from './fourO';
import { market } from './market';
import { MODELS } from './models';

/**
 * Kie.ai: two task APIs (the 4o Image API and the Market jobs API) behind one `{code, msg, data}`
 * envelope, a file host of its own for uploads, and a documented create limit of 20 per 10 s.
 */
export const kieAi: Gateway<'kieAi'> = {
	id: 'kieAi',
	displayName: 'Kie.ai',
	credentialType: 'kieAiApi',
	models: MODELS,
	// Get Status reads a task id from either API: the Market's first, as it serves the current models.
	families: { market, fourO },
	capabilities: {
		defaultConcurrency: 100,
		// At most 3 status reads per second per task.
		minPollIntervalMs: 340,
		// 20 new tasks per 10 s per account (documented for the 4o Image API; applied to both).
		createsPerWindow: { count: 20, windowMs: 10_000 },
		// "recordInfo is null" right after create is "not visible yet".
		notVisibleGraceMs: 30_000,
		resultLifetime: '24 hours (4o Image API: 14 days)',
		callback: 'http',
	},

	readFailure: readEnvelopeFailure,

	createRefused(failure) {
		// Envelope answers (HTTP 2xx) for "rate limited", "maintenance" and "queue full" come before a
		// task exists. The same codes behind an HTTP 5xx prove nothing.
		return failure.httpStatus < 300 && ['429', '455', '550'].includes(failure.code);
	},

	upload: {
		maxBytes: 25 * MB,
		call(file) {
			return {
				method: 'POST',
				host: 'upload',
				path: '/api/file-base64-upload',
				body: { base64Data: dataUrl(file), uploadPath: 'images/n8n', fileName: file.fileName },
			};
		},
		read(response) {
			const url = asObject(envelopeData(response)).downloadUrl;
			if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new Error('The upload answer holds no downloadUrl');
			return url;
		},
	},

	balance: {
		call: () => ({ method: 'GET', path: '/api/v1/chat/credit' }),
		read(response) {
			const data = envelopeData(response);
			if (typeof data !== 'number') throw new Error('The credit answer holds no number');
			return { remaining: data, unit: 'credits' };
		},
	},
};
