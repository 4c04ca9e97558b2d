/** The simulator's state every gateway shares: options, tasks, hosted files, limits, counters. */
import { FileStore } from './files';
import type { LoadedGateway } from './gateway';
import { RateLimiter } from './ratelimit';
import {
	jitteredLatency,
	newTask,
	parseDirectives,
	type PromptDirectives,
	type SimTask,
	type TaskFailure,
	type TaskInit,
} from './tasks';
import type { GatewayName, ResolvedOptions, SimulatorOptions, SimulatorStats } from './types';

/** The options every gateway shares; each gateway module adds its own (see gateway.ts). */
const SHARED_DEFAULTS: Omit<ResolvedOptions, 'gateways'> = {
	apiKey: 'sk-sim-test',
	latencyMs: 1500,
	jitter: 0,
	seed: 1,
	profile: 'linear',
	workers: Infinity,
	failKeyword: 'FAIL_TASK',
	strict: true,
	fetchInputs: 'any',
	cdnExpired: false,
	imagePayload: 'pattern',
};

/** The defaults: the shared ones, and each gateway module's options and rate limits. */
export function defaultOptions(gateways: readonly LoadedGateway[]): ResolvedOptions {
	const perGateway = Object.fromEntries(
		gateways.map(({ id, module }) => [id, { ...module.options, rateLimits: { ...module.rateLimits } }]),
	);
	return { ...SHARED_DEFAULTS, gateways: perGateway as unknown as ResolvedOptions['gateways'] };
}

/**
 * Top-level options are replaced; each gateway's options, and its rate limits, are merged field by field.
 * An unknown option, gateway or gateway field throws: a test setting what the simulator does not know
 * would otherwise test nothing.
 */
export function mergeOptions(base: ResolvedOptions, patch: Partial<SimulatorOptions>): ResolvedOptions {
	for (const key of Object.keys(patch)) {
		if (!(key in base)) throw new Error(`Unknown simulator option '${key}' (per-gateway options go under 'gateways')`);
	}
	const gateways: Record<string, Record<string, unknown>> = { ...(base.gateways as unknown as Record<string, Record<string, unknown>>) };
	for (const [id, gatewayPatch] of Object.entries(patch.gateways ?? {})) {
		const current = gateways[id] as Record<string, unknown> | undefined;
		if (!current) throw new Error(`Unknown gateway '${id}' in simulator options`);
		const merged: Record<string, unknown> = { ...current };
		for (const [field, value] of Object.entries(gatewayPatch ?? {})) {
			if (!(field in current)) throw new Error(`Unknown option '${field}' of the ${id} simulator`);
			if (value === undefined) continue;
			if (field !== 'rateLimits') merged[field] = value;
			else {
				const limits = current.rateLimits as Record<string, number>;
				for (const limit of Object.keys(value as object)) {
					if (!(limit in limits)) throw new Error(`Unknown rate limit '${limit}' of the ${id} simulator`);
				}
				merged.rateLimits = { ...limits, ...withoutUndefined(value as Record<string, number>) };
			}
		}
		gateways[id] = merged;
	}
	const shared = withoutUndefined({ ...patch, gateways: undefined });
	return { ...base, ...shared, gateways: gateways as unknown as ResolvedOptions['gateways'] };
}

function withoutUndefined<T extends object>(value: T | undefined): Partial<T> {
	return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The failure a prompt asks for: `[[fail:<code>]]`, or content policy for `[[fail]]` and the fail keyword. */
function promptFailure(prompt: string, directives: PromptDirectives, failKeyword: string): TaskFailure | undefined {
	if (directives.fail?.code) return { reason: 'requested', code: directives.fail.code };
	if (directives.fail || (failKeyword !== '' && prompt.includes(failKeyword))) return { reason: 'contentPolicy' };
	return undefined;
}

/** A validated create, in gateway-neutral terms: what the task is made from. */
export interface TaskRequest
	extends Omit<TaskInit, 'createdAt' | 'runningAt' | 'doneAt' | 'profile' | 'failure' | 'resultUrls' | 'editSource' | 'editMask'> {
	/** False when the gateway ignores the mask (e.g. one that ignores it with more than one input image). */
	maskApplies: boolean;
	/**
	 * What an edit of a hosted image comes out as: 'keep' (default) its input's size, whatever the
	 * request's width and height; 'fit' the request's size, the input scaled to it.
	 */
	inputSize?: 'keep' | 'fit';
}

interface ResolvedInputs {
	editSource?: string;
	editMask?: string;
	size?: { width: number; height: number };
	failure?: TaskFailure;
}

export class SimState {
	readonly tasks = new Map<string, SimTask>();
	readonly files: FileStore;
	readonly limiter = new RateLimiter();
	stats: SimulatorStats = { rateLimited: 0, creates: 0, polls: 0 };
	/** Per gateway, when each busy worker frees up (only with a finite `workers` option). */
	private readonly busyUntil = new Map<GatewayName, number[]>();
	/** How often each prompt was seen, so that repeated prompts get different jitter. */
	private readonly promptCount = new Map<string, number>();

	constructor(
		public options: ResolvedOptions,
		cdnUrl: string,
	) {
		this.files = new FileStore(cdnUrl, (id) => this.tasks.get(id), () => this.options.imagePayload);
	}

	/** A task of this gateway; another gateway's id is as unknown as a made-up one. */
	task(id: string, gateway: GatewayName): SimTask | undefined {
		const task = this.tasks.get(id);
		return task?.gateway === gateway ? task : undefined;
	}

	createTask(request: TaskRequest, now: number): SimTask {
		const directives = parseDirectives(request.prompt);
		const inputs = this.resolveInputs(request, now);
		// Input problems come first: the gateway's worker meets them before the model runs.
		const failure = inputs.failure ?? promptFailure(request.prompt, directives, this.options.failKeyword);
		const resultCount = Math.min(request.n, directives.partial ?? request.n);
		const { width, height } = request.inputSize === 'fit' ? request : (inputs.size ?? request);
		const latencyMs = this.latencyOf(request.prompt, directives);
		const startsAt = this.takeWorker(request.gateway, now, latencyMs);
		const task = newTask({
			id: request.id,
			gateway: request.gateway,
			model: request.model,
			prompt: request.prompt,
			n: request.n,
			size: request.size,
			resolution: request.resolution,
			width,
			height,
			imageUrls: request.imageUrls,
			maskUrl: request.maskUrl,
			params: request.params,
			createdAt: now,
			runningAt: startsAt + latencyMs / 10,
			doneAt: startsAt + latencyMs,
			profile: directives.profile ?? this.options.profile,
			failure,
			resultUrls: Array.from({ length: resultCount }, (_, i) => this.files.resultUrl(request.id, i, request.output)),
			editSource: inputs.editSource,
			editMask: inputs.editMask,
			maskConvention: request.maskConvention,
			output: request.output,
		});
		this.tasks.set(task.id, task);
		this.stats.creates++;
		return task;
	}

	/** The latency of the next task with this prompt: the directive's or the option's, jittered. */
	private latencyOf(prompt: string, directives: PromptDirectives): number {
		const occurrence = this.promptCount.get(prompt) ?? 0;
		this.promptCount.set(prompt, occurrence + 1);
		const base = directives.latencyMs ?? this.options.latencyMs;
		const jitter = directives.jitter ?? this.options.jitter;
		return jitteredLatency(base, jitter, `${this.options.seed}\u0000${prompt}\u0000${occurrence}`);
	}

	/** When a task created now gets a worker: at once, or when the first busy one frees up. */
	private takeWorker(gateway: GatewayName, now: number, latencyMs: number): number {
		if (!Number.isFinite(this.options.workers)) return now;
		const busy = (this.busyUntil.get(gateway) ?? []).filter((until) => until > now).sort((a, b) => a - b);
		const startsAt = busy.length < this.options.workers ? now : busy.shift()!;
		busy.push(startsAt + latencyMs);
		this.busyUntil.set(gateway, busy);
		return startsAt;
	}

	/**
	 * Looks at the input images the way the gateway's worker would: unreachable inputs fail the task (only
	 * with fetchInputs 'own-only'); a hosted PNG as first image makes the task an edit of it (at its size, or
	 * scaled to the requested one with inputSize 'fit');
	 * a hosted mask must be a PNG of the same size. Foreign inputs are otherwise taken on trust and ignored.
	 */
	private resolveInputs(request: TaskRequest, now: number): ResolvedInputs {
		const maskUrl = request.maskApplies ? request.maskUrl : undefined;
		if (this.options.fetchInputs === 'own-only') {
			const unreachable = [...request.imageUrls, ...(maskUrl ? [maskUrl] : [])].find(
				(url) => !this.files.hostedFile(url, now),
			);
			if (unreachable) return { failure: { reason: 'inputUnreachable', url: unreachable } };
		}
		const sourceFile = request.imageUrls[0] ? this.files.hostedFile(request.imageUrls[0], now) : undefined;
		const size = sourceFile && this.files.imageSize(sourceFile);
		if (!size) return {};
		const edit: ResolvedInputs = { editSource: request.imageUrls[0], size };
		const maskFile = maskUrl ? this.files.hostedFile(maskUrl, now) : undefined;
		if (!maskFile) return edit;
		const maskSize = this.files.imageSize(maskFile);
		if (!maskSize) return { ...edit, failure: { reason: 'invalidMask', detail: 'The mask must be a PNG image' } };
		if (maskSize.width !== size.width || maskSize.height !== size.height) {
			const detail = `The mask is ${maskSize.width}x${maskSize.height} but the image is ${size.width}x${size.height}`;
			return { ...edit, failure: { reason: 'invalidMask', detail } };
		}
		return { ...edit, editMask: maskUrl };
	}
}
