/**
 * The bench's handle on the simulator running in simWorker.ts: a worker thread of this process, or
 * for the memory case a process of its own, so that its buffers do not count as the node's RSS.
 */
import { fork } from 'child_process';
import type { ChildProcess } from 'child_process';
import { join } from 'path';
import { Worker } from 'worker_threads';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { GatewayName, LoggedRequest, SimulatorOptions, SimulatorStats } from '../../test/simulator';
import { GATEWAYS } from '../../test/support';

/** `sim` names one of the host's simulators. */
export type HostCommand =
	| { type: 'start'; sim: string; options: SimulatorOptions }
	| { type: 'prerenderNoise'; sim: string; width: number; height: number; index: number }
	| { type: 'snapshot'; sim: string }
	| { type: 'stop'; sim: string };

export type HostRequest = HostCommand & { id: number };

export type HostReply = { id: number; result?: unknown; error?: string };

export interface SimUrls {
	baseUrl: Record<GatewayName, string>;
	uploadBaseUrl: Record<GatewayName, string>;
}

/** The request log without headers and bodies. */
export type LoggedRequestLite = Pick<LoggedRequest, 'server' | 'gateway' | 'kind' | 'at' | 'status' | 'taskId' | 'rateLimited' | 'fault'>;

export interface SimSnapshot {
	requests: LoggedRequestLite[];
	tasks: Array<{ id: string; gateway: GatewayName; createdAt: number; doneAt: number; failed: boolean }>;
	stats: SimulatorStats;
	options: { kieCreatesPer10s: number };
}


export class SimulatorHost {
	private readonly worker: Worker | ChildProcess;
	private nextId = 0;
	private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

	constructor(where: 'thread' | 'process' = 'thread') {
		const script = join(__dirname, 'simWorker.js');
		this.worker = where === 'thread' ? new Worker(script) : fork(script, [], { stdio: 'inherit', serialization: 'advanced' });
		this.worker.on('message', (reply: HostReply) => {
			const waiting = this.pending.get(reply.id);
			this.pending.delete(reply.id);
			if (reply.error !== undefined) waiting?.reject(new Error(`simulator worker: ${reply.error}`));
			else waiting?.resolve(reply.result);
		});
		this.worker.on('error', (error) => {
			for (const waiting of this.pending.values()) waiting.reject(error);
			this.pending.clear();
		});
	}

	private async call<T>(request: HostCommand): Promise<T> {
		const id = this.nextId++;
		return await new Promise<T>((resolve, reject) => {
			this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
			const message = { ...request, id };
			if (this.worker instanceof Worker) this.worker.postMessage(message);
			else this.worker.send(message);
		});
	}

	/**
	 * Starts a fresh simulator named `sim` (stopping the previous one of that name) and returns
	 * credentials pointing at it. Each name gets its own key, so that the node's per-key limits do
	 * not couple runs that go side by side.
	 */
	async start(options: SimulatorOptions, sim = 'main'): Promise<Record<string, ICredentialDataDecryptedObject>> {
		const apiKey = `sk-sim-bench-${sim}`;
		const urls = await this.call<SimUrls>({ type: 'start', sim, options: { ...options, apiKey } });
		return Object.fromEntries(
			GATEWAYS.map((g) => [g.credential, { apiKey, baseUrl: urls.baseUrl[g.id], uploadBaseUrl: urls.uploadBaseUrl[g.id] }]),
		);
	}

	/** Renders (and caches, in the worker) the noise PNG of that size and index; returns its byte length. */
	async prerenderNoise(width: number, height: number, index: number): Promise<number> {
		return await this.call<number>({ type: 'prerenderNoise', sim: '', width, height, index });
	}

	async snapshot(sim = 'main'): Promise<SimSnapshot> {
		return await this.call<SimSnapshot>({ type: 'snapshot', sim });
	}

	async stop(sim = 'main'): Promise<void> {
		await this.call<null>({ type: 'stop', sim });
	}

	async terminate(): Promise<void> {
		if (this.worker instanceof Worker) {
			await this.worker.terminate();
			return;
		}
		const child = this.worker;
		if (child.exitCode !== null) return;
		await new Promise<void>((resolve) => {
			child.once('exit', () => resolve());
			child.kill();
		});
	}
}
