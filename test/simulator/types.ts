/** The simulator's public types: options, the request log, scripted faults. */
import type { IncomingHttpHeaders } from 'http';

import type { GatewayId } from '../../nodes/GptImage/gateways';

/** A gateway's id, exactly as the node's registry (nodes/GptImage/gateways) spells it. */
export type GatewayName = GatewayId;

export type RequestKind =
	| 'create'
	| 'poll'
	/** A file GET on the CDN server. */
	| 'download'
	/** An endpoint that trades a result URL for a short-lived signed direct link. */
	| 'downloadUrl'
	/** The cheap endpoints a credential test calls (model lists, balances). */
	| 'credit'
	| 'upload'
	| 'other';

export type ImagePayload = 'pattern' | 'sharedPattern' | 'noise';

/** How a running task's progress rises; see profileProgress in tasks.ts. */
export type ProgressProfile = 'linear' | 'none' | 'stall' | 'fastThenSlow';

/**
 * Each gateway module's resolved options, by gateway id: every module adds its own entry
 * (`declare module '../../types' { interface GatewayOptionsMap { <id>: ... } }`), so the core lists none.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface GatewayOptionsMap {}

/** A gateway's options in force: its wire variants, and its rate limits (Infinity = no limit). */
export type GatewayOptions<K extends GatewayName> = K extends keyof GatewayOptionsMap
	? GatewayOptionsMap[K]
	: Record<string, unknown> & { rateLimits: Record<string, number> };

/** What a caller may set for one gateway: any of its options, and any of its rate limits. */
export type GatewayOptionsPatch<K extends GatewayName> = {
	[F in keyof GatewayOptions<K>]?: F extends 'rateLimits' ? Partial<GatewayOptions<K>[F]> : GatewayOptions<K>[F];
};

export interface SimulatorOptions {
	/** The only accepted Bearer key; default 'sk-sim-test'. */
	apiKey?: string;
	/** Create-to-completion time of a task; default 1500. A prompt directive `[[latency:ms]]` overrides it. */
	latencyMs?: number;
	/**
	 * Each task takes latencyMs × (1 ± jitter), uniformly spread, the same for the same seed, prompt and
	 * occurrence of that prompt; default 0. A prompt directive `[[jitter:0.3]]` overrides it.
	 */
	jitter?: number;
	/** Seeds the jitter; default 1. */
	seed?: number;
	/** How running tasks report progress; default 'linear'. A prompt directive `[[profile:stall]]` overrides it. */
	profile?: ProgressProfile;
	/**
	 * Tasks one gateway runs at once; a task created while all are busy waits, queued, for the first to
	 * free up (queueing delay under load). Default Infinity. A task starts running a tenth of its latency
	 * after it gets a worker, as before.
	 */
	workers?: number;
	/** A prompt containing it fails with the gateway's content-policy failure; default 'FAIL_TASK'. */
	failKeyword?: string;
	/** Default true: unknown create fields or invalid values get the gateway's validation error. */
	strict?: boolean;
	/**
	 * How input images are fetched. 'any' (default): URLs the simulator does not host are accepted and the
	 * result is generated from the prompt. 'own-only': such a URL fails the task like an unreachable image.
	 */
	fetchInputs?: 'any' | 'own-only';
	/** The CDN answers 403 (expired signed URL) for every file. */
	cdnExpired?: boolean;
	/**
	 * What result files hold. 'pattern' (default): a gradient seeded by the task's prompt and the result's
	 * index, rendered on its first download (≈ 50 ms of CPU for 1024x1024, ≈ 260 KB).
	 * 'sharedPattern': one gradient per pixel size and index, rendered once and served to every task: no
	 * render cost per task, for timing benchmarks where 100 renders would be the simulator's bottleneck.
	 * 'noise': pseudo-random RGBA pixels that do not compress (1024x1024 ≈ 4 MiB), for memory benchmarks;
	 * also rendered once per pixel size and index. Edits of hosted images are always rendered per task.
	 */
	imagePayload?: ImagePayload;
	/**
	 * Per gateway, by its id: the wire variants it can serve and its rate limits, each documented in the
	 * gateway's module (test/simulator/gateways/<id>/): `{ <id>: { <option>: value, rateLimits: { <limit>: n } } }`.
	 * Fields left out keep their values; unknown gateways and fields throw.
	 */
	gateways?: { [K in GatewayName]?: GatewayOptionsPatch<K> };
}

export interface ResolvedOptions {
	apiKey: string;
	latencyMs: number;
	jitter: number;
	seed: number;
	profile: ProgressProfile;
	workers: number;
	failKeyword: string;
	strict: boolean;
	fetchInputs: 'any' | 'own-only';
	cdnExpired: boolean;
	imagePayload: ImagePayload;
	gateways: { [K in GatewayName]: GatewayOptions<K> };
}

export type FaultResponse =
	/**
	 * Answer this HTTP status instead; without a body, 5xx get an HTML error page and 4xx the gateway's JSON.
	 * A body given as a function is made from the request (e.g. a hostile gateway echoing its headers).
	 */
	| {
			type: 'status';
			status: number;
			body?: unknown | ((request: LoggedRequest) => unknown);
			headers?: Record<string, string>;
	  }
	/** Answer what the gateway would, with its JSON body passed through `map` first (a hostile twist on a real answer). */
	| { type: 'rewrite'; map: (body: unknown, request: LoggedRequest) => unknown }
	/**
	 * Answer 200 with `bytes` bytes streamed in chunks of `chunkBytes` (default 64 KiB), `intervalMs` apart
	 * (default 0), starting with `head` (default a PNG signature): a huge file, or one that trickles.
	 */
	| { type: 'stream'; bytes: number; chunkBytes?: number; intervalMs?: number; head?: Buffer; headers?: Record<string, string> }
	/**
	 * The gateway's error envelope carrying this code, for gateways that answer errors in an HTTP-200
	 * envelope; the others answer their HTTP error of that status.
	 */
	| { type: 'envelope'; code: number; msg: string }
	/** HTTP 200 with a truncated JSON body. */
	| { type: 'malformed' }
	/** Destroy the socket without answering. */
	| { type: 'reset' }
	/** Answer nothing for `ms`, then destroy the socket. */
	| { type: 'stall'; ms: number }
	/** Wait `ms`, then answer normally. */
	| { type: 'delay'; ms: number }
	/** Do the work (a create makes its task), then destroy the socket: the client never hears. */
	| { type: 'acceptThenReset' }
	/** Answer a redirect (default 302) to `location` (or to what it returns for the request), e.g. another host. */
	| { type: 'redirect'; location: string | ((request: LoggedRequest) => string); status?: 301 | 302 | 303 | 307 | 308 };

export interface Fault {
	gateway?: GatewayName;
	kind: RequestKind;
	/** How many matching requests get the fault; default 1. */
	times?: number;
	/** Let this many matching requests through first; default 0. */
	afterMatches?: number;
	/**
	 * Only requests this returns true for match, e.g. one item's create by its prompt
	 * (`(r) => String((r.body as {prompt?: string})?.prompt).includes('x')`), or its polls by
	 * `r.taskId` (known for polls and CDN files before the fault is chosen).
	 */
	when?: (request: LoggedRequest) => boolean;
	response: FaultResponse;
}

export interface LoggedRequest {
	server: 'api' | 'cdn';
	gateway?: GatewayName;
	kind: RequestKind;
	method: string;
	path: string;
	query: Record<string, string>;
	headers: IncomingHttpHeaders;
	/** Parsed JSON, a string, or for binary/multipart bodies `{bytes, ...fields}` (file parts as `{filename, contentType, bytes}`). */
	body: unknown;
	/** Date.now() on arrival. */
	at: number;
	/** What was answered; undefined when the socket was destroyed instead. */
	status?: number;
	taskId?: string;
	/** Set when a scripted fault shaped the answer. */
	fault?: FaultResponse['type'];
	/** Set when the answer was a 429: HTTP 429, or an HTTP-200 envelope with code 429. */
	rateLimited?: true;
}

export interface SimulatorStats {
	/** 429 answers: HTTP 429 or an HTTP-200 envelope with code 429, built-in limits and injected faults alike. */
	rateLimited: number;
	/** Tasks actually created. */
	creates: number;
	/** Poll requests answered by the gateway logic (not rate-limited, not faulted). */
	polls: number;
}
