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

export type HostCommand =
	| { type: 'start'; options: SimulatorOptions }
	| { type: 'prerenderNoise'; width: number; height: number; index: number }
	| { type: 'snapshot' }
	| { type: 'stop' };

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
	tasks: Array<{ id: string; gateway: GatewayName; createdAt: number; doneAt: number }>;
	stats: SimulatorStats;
	options: { kieCreatesPer10s: number };
}

const API_KEY = 'sk-sim-test';

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

	/** Starts a fresh simulator (stopping the previous one) and returns credentials pointing at it. */
	async start(options: SimulatorOptions): Promise<Record<string, ICredentialDataDecryptedObject>> {
		const urls = await this.call<SimUrls>({ type: 'start', options: { ...options, apiKey: API_KEY } });
		return Object.fromEntries(
			GATEWAYS.map((g) => [g.credential, { apiKey: API_KEY, baseUrl: urls.baseUrl[g.sim], uploadBaseUrl: urls.uploadBaseUrl[g.sim] }]),
		);
	}

	/** Renders (and caches, in the worker) the noise PNG of that size and index; returns its byte length. */
	async prerenderNoise(width: number, height: number, index: number): Promise<number> {
		return await this.call<number>({ type: 'prerenderNoise', width, height, index });
	}

	async snapshot(): Promise<SimSnapshot> {
		return await this.call<SimSnapshot>({ type: 'snapshot' });
	}

	async stop(): Promise<void> {
		await this.call<null>({ type: 'stop' });
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
