import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';

import type { ImageFormat } from '../engine/imageInfo';

/**
 * What every gateway fills in, and the only thing the operations and the engine see of one: the
 * task model (wire ↔ neutral), model specs (which parameters a model takes, and their limits) and
 * capabilities (how the gateway behaves). A gateway is a folder of this directory; the registry in
 * index.ts lists them.
 */

export type TaskState = 'queued' | 'running' | 'succeeded' | 'failed';

/**
 * Why a call failed, in terms a user can act on. Every gateway maps its own codes to one of these.
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

export interface TaskError {
	category: FailureCategory;
	/** The gateway's own code, as it sent it. */
	code: string;
	message: string;
}

/** What a task costs, where the gateway says so (EvoLink reserves credits at create). */
export interface TaskCost {
	amount: number;
	unit: string;
	/** How the gateway counts it, in its own words (e.g. "per_call", reserved at create). */
	basis?: string;
}

export interface ImageTask {
	taskId: string;
	gateway: string;
	model?: string;
	state: TaskState;
	/** 0–100 on every gateway (Kie's "0.48" becomes 48); 0 where the gateway reports none. */
	progress: number;
	imageUrls: string[];
	error?: TaskError;
	createdAt?: string;
	completedAt?: string;
	expiresAt?: string;
	cost?: TaskCost;
	/** The gateway's body, untouched, for users who need a field we do not map. */
	raw: IDataObject;
}

/** A value of a model option, as the node read and checked it. */
export type OptionValue = string | number | boolean;

/** What the user asked for, checked, for one task: the API family turns it into a gateway body. */
export interface TaskRequest {
	model: ModelSpec;
	prompt: string;
	/** The model's options by key (size, resolution, quality, output format …), as its spec lists them. */
	values: Record<string, OptionValue>;
	/** Images this task makes (the model's `n`); 1 for models that make one image per task. */
	imageCount: number;
	referenceUrls: string[];
	maskUrl?: string;
	callbackUrl?: string;
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

// ---- models -------------------------------------------------------------------------------------------------

export interface OptionChoice {
	value: string | number;
	name: string;
	description?: string;
}

/**
 * One parameter a model takes besides prompt, images and count: the node shows it for that model
 * only, checks its value, and hands it to the API family under `key`.
 */
export interface ModelOption {
	/** The parameter's name in the node and the key in TaskRequest.values. */
	key: string;
	label: string;
	description: string;
	kind: 'options' | 'number' | 'boolean' | 'string';
	choices?: OptionChoice[];
	default: OptionValue;
	min?: number;
	max?: number;
	placeholder?: string;
	hint?: string;
	/** 'main' (a parameter of its own) or 'options' (inside the Options collection). */
	placement: 'main' | 'options';
	/** Shown (and read) only while other options of the model have these values. */
	showWhen?: Record<string, OptionValue[]>;
}

/** A combination of values a model refuses, found before anything is paid for. */
export interface OptionProblem {
	/** The option to blame (its key), or 'referenceImages'. */
	key: string;
	problem: string;
}

export interface ModelSpec {
	/** The Model parameter's value; the same id on every gateway for the same model. */
	id: string;
	name: string;
	description: string;
	/** The API family of the gateway that serves it (its key in Gateway.families). */
	family: string;
	prompt: {
		maxLength: number;
		/** Whether a prompt may be left empty when reference images are given (Kie's 4o Image API). */
		optionalWithImages?: boolean;
	};
	/** Input images: how many, how large, which formats. `max: 0` when the model takes none. */
	references: { max: number; maxBytes: number; formats: ImageFormat[]; note?: string };
	/** Present on models that edit with a mask (Edit offers only these). */
	mask?: {
		/** What the mask's pixels mean, in words shown in the node. */
		meaning: string;
		/** Which pixels mark the area to edit: transparent ones, black ones, or the gateway does not say. */
		marks: 'transparent' | 'black' | 'unstated';
		maxBytes: number;
		/** Whether the mask needs an alpha channel (transparent = edit). */
		needsAlpha: boolean;
		/** Whether the gateway refuses (or ignores) a mask with more than one input image. */
		singleImage: boolean;
	};
	/**
	 * Images per item. `perTask` 'many': one task makes `count` images (allowed: `choices`, or 1 to
	 * `max`); 'one': the model makes one image per task, and `count` images are `count` tasks.
	 */
	images: { perTask: 'many' | 'one'; max: number; choices?: number[] };
	options: ModelOption[];
	/** Combinations the gateway refuses (e.g. a size at a resolution), given how many references there are. */
	check?(values: Record<string, OptionValue>, references: number): OptionProblem | undefined;
	/** The pixel size the gateway documents for these values, where it does (for hints and tests). */
	pixels?(values: Record<string, OptionValue>): [number, number] | undefined;
	/** Words for the node where the docs leave something open (shown under the model). */
	notice?: string;
}

// ---- the gateway ----------------------------------------------------------------------------------------

/** One of the gateway's task APIs: how its tasks are created and read (Kie has two). */
export interface ApiFamily {
	createCall(request: TaskRequest, idempotencyKey: string): GatewayCall;
	/** The task id (and cost, where the answer says) from a successful create answer; throws when there is none. */
	readCreated(response: GatewayResponse): { taskId: string; cost?: TaskCost };
	pollCall(taskId: string): GatewayCall;
	/** The task, or undefined while the gateway does not show it yet; throws on an answer that describes no task. */
	readTask(response: GatewayResponse, taskId: string): ImageTask | undefined;
	/** A short-lived direct link for a result URL (Kie). */
	directDownload?: {
		call(taskId: string, url: string): GatewayCall;
		read(response: GatewayResponse): string;
	};
}

export interface Balance {
	remaining: number | null;
	used?: number;
	unit: string;
	/** Where the gateway reports more than one balance (the key's and the account's). */
	details?: IDataObject;
}

export interface GatewayCapabilities {
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
	/** How long result links live, in words for messages. */
	resultLifetime: string;
	/** Whether the gateway takes a callback URL, and whether it must be https. */
	callback: 'none' | 'http' | 'https';
}

export interface Gateway<Id extends string = string> {
	/** The `gateway` parameter's value. */
	id: Id;
	displayName: string;
	credentialType: string;
	capabilities: GatewayCapabilities;
	/** Every model, in the order the node offers them (the first is the default). */
	models: ModelSpec[];
	/** The task APIs, by the name model specs use. Get Status tries them in this order. */
	families: Record<string, ApiFamily>;
	/** A failure hidden in the response (HTTP status or an HTTP-200 envelope), else undefined. */
	readFailure(response: GatewayResponse): GatewayFailure | undefined;
	/**
	 * Whether a failed create certainly made no task, besides an HTTP 429 (which always means so):
	 * e.g. Kie's envelope codes for "rate limited", "maintenance" and "queue full". Only such a
	 * create is sent again; after a 5xx, a timeout or a reset it never is, whatever the body says.
	 */
	createRefused?(failure: GatewayFailure): boolean;
	/** The file API that takes images from earlier nodes; its answer holds the URL tasks can use. */
	upload?: {
		maxBytes: number;
		call(file: UploadFile): GatewayCall;
		read(response: GatewayResponse): string;
	};
	/** The free call that reads the account's balance (also what the credential test proves the key with). */
	balance: {
		call(): GatewayCall;
		read(response: GatewayResponse): Balance;
	};
}
