/** A simulated generation task: its inputs and a life that advances with wall-clock time, no timers. */
import type { MaskConvention } from './images';
import type { ResultFormat } from './results';
import type { GatewayName } from './types';

export type TaskState = 'queued' | 'running' | 'succeeded' | 'failed';

/** Why a task fails; each gateway turns this into its own error code and message. */
export type TaskFailure =
	| { reason: 'contentPolicy' }
	/** `[[fail:<code>]]` in the prompt: the gateway's own code, passed through. */
	| { reason: 'requested'; code: string }
	| { reason: 'inputUnreachable'; url: string }
	| { reason: 'invalidMask'; detail: string };

export interface TaskInit {
	id: string;
	gateway: GatewayName;
	model: string;
	/** The prompt as sent, directives included. */
	prompt: string;
	n: number;
	size: string;
	resolution?: string;
	/** Pixel size of every result. */
	width: number;
	height: number;
	imageUrls: string[];
	maskUrl?: string;
	/** The create body as received. */
	params: unknown;
	createdAt: number;
	doneAt: number;
	failure?: TaskFailure;
	/** CDN URLs of the results (fewer than n with `[[partial:k]]`); served only once the task succeeded. */
	resultUrls: string[];
	/** An input image this simulator hosts: results are edits of it rather than fresh pictures. */
	editSource?: string;
	/** A mask this simulator hosts, already checked to match editSource's size. */
	editMask?: string;
	maskConvention: MaskConvention;
	/** The result files' format; PNG when absent. */
	output?: ResultFormat;
}

export interface SimTask extends Readonly<TaskInit> {
	/** The state right now, computed at each read. */
	readonly state: TaskState;
	/** Queued for the first tenth of its latency, then running until doneAt, then finished. */
	stateAt(now: number): TaskState;
	/** Share of the work done, 0..1, rising linearly while running; 0 for a failed task as the gateways report it. */
	progressAt(now: number): number;
}

export function newTask(init: TaskInit): SimTask {
	return {
		...init,
		get state() {
			return this.stateAt(Date.now());
		},
		stateAt(now) {
			if (now >= this.doneAt) return this.failure ? 'failed' : 'succeeded';
			return now < this.createdAt + (this.doneAt - this.createdAt) / 10 ? 'queued' : 'running';
		},
		progressAt(now) {
			const state = this.stateAt(now);
			if (state === 'succeeded') return 1;
			if (state !== 'running') return 0;
			return (now - this.createdAt) / (this.doneAt - this.createdAt);
		},
	};
}

export interface PromptDirectives {
	latencyMs?: number;
	fail?: { code?: string };
	partial?: number;
}

const DIRECTIVE = /\[\[(latency|fail|partial)(?::([^\]]*))?\]\]/g;

/** Test directives a prompt may carry: `[[latency:3000]]`, `[[fail]]`, `[[fail:<code>]]`, `[[partial:1]]`. */
export function parseDirectives(prompt: string): PromptDirectives {
	const found: PromptDirectives = {};
	for (const [, name, value] of prompt.matchAll(DIRECTIVE)) {
		const number = Number(value);
		if (name === 'latency' && Number.isFinite(number) && number >= 0) found.latencyMs = number;
		else if (name === 'partial' && Number.isInteger(number) && number >= 0) found.partial = number;
		else if (name === 'fail') found.fail = { code: value?.trim() || undefined };
	}
	return found;
}
