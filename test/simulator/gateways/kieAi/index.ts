/**
 * Kie.ai: every answer is a `{code, msg, data}` envelope, with HTTP 200 even for errors. Two task APIs
 * on one host, the 4o Image API (fourO.ts) and the Market jobs API (market.ts), sharing one create
 * budget; uploads go to a separate file host (uploads.ts). Pixel sizes in sizes.ts.
 *
 * Where the docs are silent, the simulator chose:
 * - Pixel sizes: Kie states none (sizes.ts says what is used instead).
 * - Market: GPT Image 1.5 prompts, like GPT Image 2's, at most 20 000 characters; `resolution` taken in
 *   capitals only; an unknown task id answers `recordInfo is null` as on the 4o API; records read at
 *   most 3 times a second per task, as on the 4o API; `state` is `waiting` for the first half of a
 *   task's time in the queue and `queuing` for the second; `updateTime` is the last change (now while it
 *   runs); no `progress` unless `marketProgress`; a failed task still answers envelope code 200.
 * - `input.image_urls` is taken and ignored on every Market model (reported for image-to-image), so an
 *   image-to-image task given only `image_urls` is made from the prompt alone, and counts as a create.
 * - download-url signs result URLs of either API; the credit balance stays 100 whatever is spent.
 * - Callback URLs are checked and stored, never called.
 */
import { defineGateway, type GatewayHost } from '../../gateway';
import type { ApiCall } from '../../http';
import { fourOImageRoutes } from './fourO';
import { isMarketPath, marketRoutes } from './market';
import { envelope, KieServer, MESSAGES, type KieContext, type KieOptions, type KieRateLimits } from './server';
import { uploadHost } from './uploads';

export type { KieOptions, KieRateLimits } from './server';

declare module '../../types' {
	interface GatewayOptionsMap {
		kieAi: KieOptions & { rateLimits: KieRateLimits };
	}
}

export const gateway = defineGateway<KieOptions, KieRateLimits>({
	options: {
		resultKey: 'resultUrls',
		timeFormat: 'ms',
		nullRecordPolls: 0,
		messageKey: 'msg',
		blankFields: 'emptyString',
		marketProgress: false,
		resolutionRules: 'perPage',
	},
	rateLimits: { createsPer10s: 20, pollsPerSecondPerTask: 3 },
	hosts: (ctx) => ({ api: apiHost(ctx), upload: uploadHost(ctx) }),
});

function apiHost(ctx: KieContext): GatewayHost {
	const server = new KieServer(ctx);
	/** The Market API's envelope may name its message `message`. */
	const messageKey = (call: ApiCall) => (isMarketPath(call.path) ? ctx.options.messageKey : 'msg');
	return {
		routes: [
			...fourOImageRoutes(server),
			...marketRoutes(server),
			{ method: 'GET', pattern: /^\/api\/v1\/chat\/credit$/, kind: 'credit', handle: () => envelope(200, 'success', 100) },
		],
		unauthorized: (call) => envelope(401, MESSAGES[401], null, 200, messageKey(call)),
		notFound: () => envelope(404, MESSAGES[404], null, 404),
		httpError: (status) => envelope(status, MESSAGES[status] ?? 'Error', null, status),
		envelope: (code, msg) => envelope(code, msg),
	};
}
