/**
 * How a gateway plugs into the simulator. Each gateway is one module, test/simulator/gateways/<id>/,
 * exporting `gateway = defineGateway({...})`: its options with their defaults, its rate limits, and its
 * hosts (the API, and the file-upload host when uploads go elsewhere). The core finds the modules by
 * the ids of the node's registry (nodes/GptImage/gateways) and names no gateway itself: a new gateway
 * is its folder here plus its line in the node's registry.
 */
import { GATEWAYS } from '../../nodes/GptImage/gateways';
import type { ApiCall, SimResponse } from './http';
import type { Mount, Route } from './mount';
import type { SimState, TaskRequest } from './state';
import { resultMimeType } from './results';
import type { SimTask } from './tasks';
import { jpegSize, pngHasAlpha, sniffImageType } from './uploads';
import type { GatewayName, ResolvedOptions } from './types';

/** Rate limits: numbers by name (Infinity = off). */
export type Limits<L> = { [K in keyof L]: number };

/** One host of a gateway: its routes and its own error forms. The core gives it a path prefix. */
export interface GatewayHost {
	routes: Route[];
	/** The answer to a missing or wrong Bearer key. */
	unauthorized(call: ApiCall): SimResponse;
	notFound(call: ApiCall): SimResponse;
	/** The gateway's own error body for an HTTP status (what an injected status fault without a body sends). */
	httpError(status: number): SimResponse;
	/** Its HTTP-200 error envelope with this code, for gateways that answer errors that way. */
	envelope?(code: number, msg: string): SimResponse;
}

export interface GatewayDefinition<O extends object, L extends Limits<L>> {
	/** The wire variants the gateway's docs leave open, and other knobs, with their defaults. */
	options: O;
	/** The gateway's rate limits, with their defaults (the documented ones; Infinity = none). */
	rateLimits: L;
	/** Builds the hosts once per simulator. Without `upload`, uploads go to the API host. */
	hosts(ctx: GatewayContext<O, L>): { api: GatewayHost; upload?: GatewayHost };
}

/** A gateway module as the core sees it. */
export type GatewayModule = GatewayDefinition<object, Record<string, number>>;

export function defineGateway<O extends object, L extends Limits<L>>(
	definition: GatewayDefinition<O, L>,
): GatewayDefinition<O, L> {
	return definition;
}

/** What a gateway module reaches of the simulator: the shared state, and its own options and tasks. */
export class GatewayContext<O extends object, L extends Limits<L>> {
	constructor(
		readonly id: GatewayName,
		readonly sim: SimState,
	) {}

	/** This gateway's options in force (they change with `configure`). */
	get options(): O & { rateLimits: L } {
		return this.sim.options.gateways[this.id] as unknown as O & { rateLimits: L };
	}

	/** The options every gateway shares (strict, API key, fail keyword, …). */
	get shared(): ResolvedOptions {
		return this.sim.options;
	}

	/** A task of this gateway; another gateway's id is as unknown as a made-up one. */
	task(id: string): SimTask | undefined {
		return this.sim.task(id, this.id);
	}

	tasks(): SimTask[] {
		return [...this.sim.tasks.values()].filter((t) => t.gateway === this.id);
	}

	createTask(request: Omit<TaskRequest, 'gateway'>, now: number): SimTask {
		return this.sim.createTask({ ...request, gateway: this.id }, now);
	}

	/** An input URL as the gateway would see it, when the simulator hosts it; undefined for foreign URLs. */
	inspect(url: string, now: number): InputFile | undefined {
		const file = this.sim.files.hostedFile(url, now);
		if (!file) return undefined;
		if (file.kind === 'result') {
			const { task } = file;
			return { mimeType: resultMimeType(task.output), width: task.width, height: task.height, hasAlpha: false };
		}
		const { bytes } = file.upload;
		const mimeType = sniffImageType(bytes) ?? file.upload.mimeType;
		const size = mimeType === 'image/png' ? this.sim.files.imageSize(file) : mimeType === 'image/jpeg' ? jpegSize(bytes) : undefined;
		return { mimeType, bytes: bytes.length, ...size, ...(mimeType === 'image/png' && { hasAlpha: pngHasAlpha(bytes) }) };
	}
}

/** What a gateway's worker would learn of an input image the simulator hosts. */
export interface InputFile {
	mimeType: string;
	/** Byte size; unknown for results not rendered yet (never large). */
	bytes?: number;
	/** Pixel size, where the header tells it (PNG, JPEG, results). */
	width?: number;
	height?: number;
	/** PNG only: whether it can hold transparency. */
	hasAlpha?: boolean;
}

export interface LoadedGateway {
	id: GatewayName;
	module: GatewayModule;
}

/** The module of every gateway of the node's registry, in its order. */
export async function loadGateways(): Promise<LoadedGateway[]> {
	return await Promise.all(
		Object.values(GATEWAYS).map(async ({ id }) => {
			const loaded = (await import(`./gateways/${id}`)) as { gateway?: GatewayModule };
			if (!loaded.gateway) throw new Error(`test/simulator/gateways/${id} must export 'gateway' (see gateway.ts)`);
			return { id, module: loaded.gateway };
		}),
	);
}

/** The path prefix of a gateway's host on the API server. */
export function hostPrefix(id: GatewayName, host: 'api' | 'upload'): string {
	return host === 'api' ? `/${id}` : `/${id}-files`;
}

/** The mounts of every gateway: its API host and, where it has one, its upload host. */
export function mountGateways(gateways: readonly LoadedGateway[], sim: SimState): Mount[] {
	return gateways.flatMap(({ id, module }) => {
		const hosts = module.hosts(new GatewayContext(id, sim));
		const mounts: Mount[] = [{ ...hosts.api, prefix: hostPrefix(id, 'api'), gateway: id }];
		if (hosts.upload) mounts.push({ ...hosts.upload, prefix: hostPrefix(id, 'upload'), gateway: id });
		return mounts;
	});
}
