import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';

/**
 * The provider-neutral model every gateway adapter translates to and from.
 * The engine and the operations only ever see these types.
 */

export type GatewayId = 'toApis' | 'kieAi' | 'evoLink';

export type TaskState = 'queued' | 'running' | 'succeeded' | 'failed';

export interface TaskError {
	category: FailureCategory;
	/** The gateway's own code, as it sent it. */
	code: string;
	message: string;
}

export interface ImageTask {
	taskId: string;
	gateway: GatewayId;
	model?: string;
	state: TaskState;
	/** 0–100 on every gateway (Kie's "0.48" becomes 48). */
	progress: number;
	imageUrls: string[];
	error?: TaskError;
	createdAt?: string;
	completedAt?: string;
	expiresAt?: string;
	/** The gateway's body, untouched, for users who need a field we do not map. */
	raw: IDataObject;
}

/** What the user asked for, after validation, before it becomes a gateway body. */
export interface ImageRequest {
	model: string;
	prompt: string;
	size: string;
	count: number;
	resolution?: string;
	referenceUrls: string[];
	maskUrl?: string;
	callbackUrl?: string;
	enhancePrompt?: boolean;
	enableFallback?: boolean;
	fallbackModel?: string;
}

/** Which host of the gateway a call goes to. */
export type GatewayHost = 'api' | 'upload';

export interface GatewayCall {
	method: IHttpRequestMethods;
	host?: GatewayHost;
	path: string;
	qs?: IDataObject;
	/** A JSON object, or raw bytes (a multipart upload) with their Content-Type in headers. */
	body?: IDataObject | Buffer;
	headers?: Record<string, string>;
}

export interface UploadFile {
	bytes: Buffer;
	fileName: string;
	mimeType: string;
}

export interface GatewayResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	/** Parsed JSON where the gateway sent JSON, else the text it sent (an HTML error page, say). */
	body: unknown;
}

/**
 * Why a call failed, in terms a user can act on. Every adapter maps its own codes to one of these.
 */
export type FailureCategory =
	| 'credentials'
	| 'quota'
	| 'rateLimit'
	| 'contentPolicy'
	| 'badInput'
	| 'inputNotFetchable'
	| 'notFound'
	| 'gatewayDown'
	| 'timeout'
	| 'unknown';

export interface GatewayFailure {
	category: FailureCategory;
	/** The code shown to the user as the HTTP code: the real status, or an envelope's code (Kie). */
	httpCode: number;
	/** The real HTTP status of the answer; 0 when none came (a network error). */
	httpStatus: number;
	/** The gateway's own code, as it sent it. */
	code: string;
	message: string;
	/** Seconds the gateway asked us to wait (Retry-After). */
	retryAfterSeconds?: number;
}

export interface ModelSpec {
	value: string;
	name: string;
	description: string;
	/** Allowed sizes; for models with resolution tiers, per tier. */
	sizes: string[] | Record<string, string[]>;
	counts: number[];
	maxPromptLength: number;
	/** Whether the model takes a mask (Edit offers only these). */
	supportsMask: boolean;
}

export interface GatewayLimits {
	/** Tasks in flight at once by default. */
	defaultConcurrency: number;
	/** Shortest time between two polls of one task. */
	minPollIntervalMs: number;
	/** How many tasks may be created in a time window, where the gateway documents it. */
	createsPerWindow?: { count: number; windowMs: number };
	/**
	 * How long a task may stay invisible (not found, or answering oddly) right after it was created
	 * before the node calls it "not found". Get Status and Download wait this long too.
	 */
	notVisibleGraceMs: number;
}

/** Gateway rules the node checks before anything is paid for. */
export interface GatewayRules {
	maxReferenceImages: number;
	/** Kie: the prompt may be left out when images are given. */
	promptOptionalWithImages: boolean;
	/** Whether the gateway takes a callback URL, and whether it must be https. */
	callback: 'none' | 'http' | 'https';
	/** Largest input image and mask, in bytes. */
	maxImageBytes: number;
	maxMaskBytes: number;
	/** Whether a mask is refused (or ignored) with more than one input image. */
	maskNeedsSingleImage: boolean;
	/** What the mask's pixels mean on this gateway, in words for the Mask parameter. */
	maskConvention: string;
	/** Whether the gateway can rewrite the prompt before generating (Kie's 4o Image API). */
	enhancePrompt?: boolean;
	/** Models the gateway may fall back to when asked (Kie's 4o Image API). */
	fallbackModels?: string[];
}

export interface GatewayAdapter {
	id: GatewayId;
	displayName: string;
	credentialType: string;
	models: ModelSpec[];
	limits: GatewayLimits;
	rules: GatewayRules;

	createCall(request: ImageRequest, idempotencyKey: string): GatewayCall;
	/** The task id from a successful create answer. */
	readCreated(response: GatewayResponse): string;

	pollCall(taskId: string): GatewayCall;
	/** The task, or undefined while the gateway does not show it yet (Kie, right after create). */
	readTask(response: GatewayResponse, taskId: string): ImageTask | undefined;

	/** A failure hidden in the response (HTTP status or an HTTP-200 envelope), else undefined. */
	readFailure(response: GatewayResponse): GatewayFailure | undefined;

	/**
	 * Whether a failed create certainly made no task, besides an HTTP 429 (which always means so):
	 * e.g. Kie's envelope codes for "rate limited", "maintenance" and "queue full". Only such a
	 * create is sent again; after a 5xx, a timeout or a reset it never is, whatever the body says.
	 */
	createRefused?(failure: GatewayFailure): boolean;

	/** Upload an image from an earlier node; the answer holds the URL tasks can use. */
	uploadCall?(file: UploadFile): GatewayCall;
	readUpload?(response: GatewayResponse): string;

	/** Kie only: trade a result URL for a short-lived direct link. */
	directDownloadCall?(taskId: string, url: string): GatewayCall;
	readDirectDownload?(response: GatewayResponse): string;
}
