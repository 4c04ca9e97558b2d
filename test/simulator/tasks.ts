/** A simulated generation task: its inputs and a life that advances with wall-clock time, no timers. */
import { createHash } from 'crypto';
import type { MaskConvention } from './images';
import type { ResultFormat } from './results';
import type { GatewayName, ProgressProfile } from './types';

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
	/** When a worker starts it (after any wait for a free worker and its own startup); queued before. */
	runningAt: number;
	doneAt: number;
	/** How its progress rises while it runs. */
	profile: ProgressProfile;
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
	/** Queued until runningAt, then running until doneAt, then finished. */
	stateAt(now: number): TaskState;
	/** Share of the work reported done, 0..1, following its profile while running; 0 for a failed task as the gateways report it. */
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
			return now < this.runningAt ? 'queued' : 'running';
		},
		progressAt(now) {
			const state = this.stateAt(now);
			if (state === 'succeeded') return 1;
			if (state !== 'running') return 0;
			return profileProgress(this.profile, (now - this.runningAt) / (this.doneAt - this.runningAt));
		},
	};
}

export const PROGRESS_PROFILES: readonly ProgressProfile[] = ['linear', 'none', 'stall', 'fastThenSlow'];

/**
 * The share of the work a task reports (0..1) at fraction `x` (0 ≤ x < 1) of its running time:
 * - `linear`: x.
 * - `none`: 0 until done, as a gateway that reports no progress.
 * - `stall`: steps of 18 % every tenth, 90 % at half-time, 95 % at 0.6, then 99 % from 0.7 until
 *   done (a gateway's "0.99" that lasts a third of the task).
 * - `fastThenSlow`: 90 % in the first 30 % of the time, the last 10 % over the other 70 %.
 */
export function profileProgress(profile: ProgressProfile, x: number): number {
	switch (profile) {
		case 'linear':
			return x;
		case 'none':
			return 0;
		case 'stall':
			if (x < 0.5) return Math.floor(x * 10) * 0.18;
			return x < 0.6 ? 0.9 : x < 0.7 ? 0.95 : 0.99;
		case 'fastThenSlow':
			return x < 0.3 ? x * 3 : 0.9 + (x - 0.3) / 7;
	}
}

/** A task's latency: `latencyMs × (1 ± jitter)`, uniformly spread and reproducible from `seed`. */
export function jitteredLatency(latencyMs: number, jitter: number, seed: string): number {
	if (jitter <= 0) return latencyMs;
	const unit = createHash('sha256').update(seed).digest().readUInt32LE(0) / 2 ** 32;
	return Math.round(latencyMs * (1 + jitter * (2 * unit - 1)));
}

export interface PromptDirectives {
	latencyMs?: number;
	fail?: { code?: string };
	partial?: number;
	profile?: ProgressProfile;
	jitter?: number;
}

const DIRECTIVE = /\[\[(latency|fail|partial|profile|jitter)(?::([^\]]*))?\]\]/g;

/**
 * Test directives a prompt may carry: `[[latency:3000]]`, `[[fail]]`, `[[fail:<code>]]`, `[[partial:1]]`,
 * `[[profile:stall]]` (one of PROGRESS_PROFILES), `[[jitter:0.3]]` (0 ≤ jitter < 1).
 */
export function parseDirectives(prompt: string): PromptDirectives {
	const found: PromptDirectives = {};
	for (const [, name, value] of prompt.matchAll(DIRECTIVE)) {
		const number = Number(value);
		if (name === 'latency' && Number.isFinite(number) && number >= 0) found.latencyMs = number;
		else if (name === 'partial' && Number.isInteger(number) && number >= 0) found.partial = number;
		else if (name === 'fail') found.fail = { code: value?.trim() || undefined };
		else if (name === 'profile' && PROGRESS_PROFILES.includes(value as ProgressProfile)) found.profile = value as ProgressProfile;
		else if (name === 'jitter' && value !== undefined && number >= 0 && number < 1) found.jitter = number;
	}
	return found;
}
