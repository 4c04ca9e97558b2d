/**
 * One benchmark run: a fresh simulator (on its worker thread), one workflow (Manual Trigger → Items →
 * GPT Image) on n8n's engine in this thread, and what the simulator's request log says about it afterwards.
 */
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';

import { runWorkflow } from '../../test/engine/runWorkflow';
import type { ImagePayload, SimulatorOptions } from '../../test/simulator';
import type { ProgressProfile } from '../../test/simulator/types';
import { workflowOf } from '../../test/support';
import type { GatewayId } from '../../test/support';
import type { LoggedRequestLite, SimulatorHost } from './simHost';

export type Mode = 'concurrent' | 'baseline';

/** The gateways' documented limits, on in every run (Kie: 20 creates per 10 s, 3 polls/s per task). */
export const SIMULATOR_RATE_LIMITS = {
	kieCreatesPer10s: 20,
	kiePollsPerSecondPerTask: 3,
};

/** SIMULATOR_RATE_LIMITS as simulator options (ToAPIs and EvoLink document none). */
const SIMULATOR_GATEWAY_OPTIONS: SimulatorOptions['gateways'] = {
	kieAi: {
		rateLimits: {
			createsPer10s: SIMULATOR_RATE_LIMITS.kieCreatesPer10s,
			pollsPerSecondPerTask: SIMULATOR_RATE_LIMITS.kiePollsPerSecondPerTask,
		},
	},
};

export interface RunSpec {
	gateway: GatewayId;
	items: number;
	latencyMs: number;
	mode: Mode;
	/** How the simulated tasks report progress; default linear. */
	profile?: ProgressProfile;
	/** Each task takes latencyMs × (1 ± jitter); default 0. */
	jitter?: number;
	imagePayload?: ImagePayload;
	/** Node options on top of the mode's, e.g. a higher Max Concurrent Tasks. */
	options?: Record<string, number>;
	/** Which of the host's simulators (runs side by side need one each); default 'main'. */
	sim?: string;
	/** Sample process RSS every `ms` while the workflow runs. */
	sampleRssEveryMs?: number;
}

export interface RunMetrics {
	mode: Mode;
	gateway: GatewayId;
	items: number;
	latencyMs: number;
	profile: ProgressProfile;
	jitter: number;
	/** Start of runWorkflow → its result. */
	makespanMs: number;
	status: string;
	error?: string;
	outputItems: number;
	binaries: number;
	/** Create requests sent (including refused ones) and tasks the simulator actually made. */
	createRequests: number;
	tasksCreated: number;
	createsPerItem: number;
	/** Refused creates (429s on a create). */
	createsRateLimited: number;
	polls: number;
	pollsPerTask: number;
	pollsPerTaskMax: number;
	pollsRateLimited: number;
	/** Per task: first normally answered poll at or after doneAt, minus doneAt. */
	detectionLagMaxMs: number | null;
	detectionLagMeanMs: number | null;
	detectionLagP50Ms: number | null;
	detectionLagP95Ms: number | null;
	/** CPU time (user + system) of this process during the run, when it ran alone; per output image. */
	cpuMsPerImage: number | null;
	/** Most polls of one task within any second, from 10 s after its create on. */
	pollsPerSecondMaxAfter10s: number;
	/** sim.stats().rateLimited: every 429 answer (HTTP 429 or Kie's envelope code 429). */
	rateLimited: number;
	downloads: number;
	/** Most tasks created and not yet fully downloaded at one time. */
	maxTasksInFlight: number;
	/** Milliseconds after the start of the run. */
	timeline: {
		firstCreateMs: number | null;
		lastCreateMs: number | null;
		lastDoneMs: number | null;
		lastDetectMs: number | null;
		lastDownloadMs: number | null;
	};
	/** Poll arrival times of the first task, relative to its create. */
	samplePollOffsetsMs: number[];
	/** RSS sampling, when asked for. */
	rss?: { baselineBytes: number; peakBytes: number; samples: number; baselineArrayBuffersBytes: number; peakArrayBuffersBytes: number };
	/** Every task's detection lag and poll count, for pooling runs (not written to results.json). */
	raw: { lagsMs: number[]; pollCounts: number[] };
}

let forceGc: (() => void) | undefined;

/** A full GC before a memory baseline, so garbage of earlier runs does not count against this one. */
export function collectGarbage(): void {
	if (!forceGc) {
		setFlagsFromString('--expose-gc');
		forceGc = runInNewContext('gc') as () => void;
	}
	forceGc();
}

function prompts(items: number): Array<{ prompt: string }> {
	return Array.from({ length: items }, (_, i) => ({ prompt: `benchmark product shot ${i + 1}` }));
}

/** Options as users get them (all defaults), or the per-item sequential baseline. */
export function nodeOptions(mode: Mode): Record<string, number> {
	return mode === 'baseline' ? { maxConcurrentTasks: 1 } : {};
}

function ok(request: LoggedRequestLite): boolean {
	return request.status === 200 && !request.rateLimited && request.fault === undefined;
}

const round = (value: number) => Math.round(value * 10) / 10;

/** The value at share `p` (0..1) of the values, interpolated linearly between ranks. */
export function percentile(values: readonly number[], p: number): number | null {
	if (!values.length) return null;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = (sorted.length - 1) * p;
	const low = Math.floor(rank);
	return Math.round(sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (rank - low));
}

/** Runs one workflow; `alone` says no other run shares the process now, so its CPU time is its own. */
export async function measureRun(host: SimulatorHost, spec: RunSpec, alone = true): Promise<RunMetrics> {
	const sim = spec.sim ?? 'main';
	const profile = spec.profile ?? 'linear';
	const jitter = spec.jitter ?? 0;
	const credentials = await host.start(
		{
			latencyMs: spec.latencyMs,
			profile,
			jitter,
			gateways: SIMULATOR_GATEWAY_OPTIONS,
			imagePayload: spec.imagePayload ?? 'sharedPattern',
		},
		sim,
	);
	const gatewayName = spec.gateway;
	const workflow = workflowOf(
		[
			{
				gateway: spec.gateway,
				parameters: {
					operation: 'generate',
					prompt: '={{ $json.prompt }}',
					size: '1:1',
					options: { ...nodeOptions(spec.mode), ...spec.options },
				},
			},
		],
		prompts(spec.items),
	);
	let sampler: NodeJS.Timeout | undefined;
	let rss: RunMetrics['rss'];
	try {
		if (spec.sampleRssEveryMs) {
			collectGarbage();
			const baseline = process.memoryUsage();
			rss = {
				baselineBytes: baseline.rss,
				peakBytes: baseline.rss,
				samples: 1,
				baselineArrayBuffersBytes: baseline.arrayBuffers,
				peakArrayBuffersBytes: baseline.arrayBuffers,
			};
			const sample = () => {
				const usage = process.memoryUsage();
				rss!.samples++;
				rss!.peakBytes = Math.max(rss!.peakBytes, usage.rss);
				rss!.peakArrayBuffersBytes = Math.max(rss!.peakArrayBuffersBytes, usage.arrayBuffers);
			};
			sampler = setInterval(sample, spec.sampleRssEveryMs);
		}
		const cpuBefore = process.cpuUsage();
		const started = Date.now();
		const run = await runWorkflow({ workflow, credentials });
		const finished = Date.now();
		const cpu = process.cpuUsage(cpuBefore);
		if (sampler) {
			clearInterval(sampler);
			rss!.peakBytes = Math.max(rss!.peakBytes, process.memoryUsage().rss);
		}

		const output = run.output('GPT Image');
		const snapshot = await host.snapshot(sim);
		const log = snapshot.requests.filter((r) => r.gateway === gatewayName);
		const creates = log.filter((r) => r.kind === 'create');
		const polls = log.filter((r) => r.kind === 'poll');
		const downloads = log.filter((r) => r.kind === 'download');
		const tasks = snapshot.tasks.filter((task) => task.gateway === gatewayName);

		const pollsByTask = new Map<string, LoggedRequestLite[]>(tasks.map((task) => [task.id, []]));
		for (const poll of polls) if (poll.taskId) pollsByTask.get(poll.taskId)?.push(poll);
		const pollCounts = [...pollsByTask.values()].map((list) => list.length);
		let pollsPerSecondMax = 0;
		for (const task of tasks) {
			const late = (pollsByTask.get(task.id) ?? []).map((poll) => poll.at).filter((at) => at - task.createdAt >= 10_000);
			for (let i = 0, j = 0; i < late.length; i++) {
				while (late[i] - late[j] >= 1000) j++;
				pollsPerSecondMax = Math.max(pollsPerSecondMax, i - j + 1);
			}
		}

		const lags: number[] = [];
		const detectedAt: number[] = [];
		for (const task of tasks) {
			const answered = (pollsByTask.get(task.id) ?? []).filter(ok);
			// The node stops polling once it sees the end; a read that arrived a hair before doneAt but
			// was answered after it is the last answered poll.
			const seen = answered.find((poll) => poll.at >= task.doneAt) ?? answered.at(-1);
			if (!seen) continue;
			lags.push(Math.max(0, seen.at - task.doneAt));
			detectedAt.push(Math.max(seen.at, task.doneAt));
		}

		// Tasks in flight: from the create that made it to its last download.
		const lastDownload = new Map<string, number>();
		for (const download of downloads) {
			if (download.taskId) lastDownload.set(download.taskId, Math.max(lastDownload.get(download.taskId) ?? 0, download.at));
		}
		const events = tasks.flatMap((task) => [
			{ at: task.createdAt, delta: 1 },
			{ at: lastDownload.get(task.id) ?? finished, delta: -1 },
		]);
		events.sort((a, b) => a.at - b.at || a.delta - b.delta);
		let inFlight = 0;
		let maxInFlight = 0;
		for (const event of events) {
			inFlight += event.delta;
			maxInFlight = Math.max(maxInFlight, inFlight);
		}

		const relative = (values: number[], pick: (...v: number[]) => number) =>
			values.length ? pick(...values) - started : null;
		const firstTask = tasks[0];
		const binaries = output.filter((item) => item.binary?.data).length;
		return {
			mode: spec.mode,
			gateway: spec.gateway,
			items: spec.items,
			latencyMs: spec.latencyMs,
			profile,
			jitter,
			makespanMs: finished - started,
			status: run.status,
			...(run.error ? { error: run.error.message } : {}),
			outputItems: output.length,
			binaries,
			createRequests: creates.length,
			tasksCreated: tasks.length,
			createsPerItem: creates.length / spec.items,
			createsRateLimited: creates.filter((r) => r.rateLimited).length,
			polls: polls.length,
			pollsPerTask: round(tasks.length ? polls.length / tasks.length : 0),
			pollsPerTaskMax: pollCounts.length ? Math.max(...pollCounts) : 0,
			pollsRateLimited: polls.filter((r) => r.rateLimited).length,
			detectionLagMaxMs: lags.length ? Math.max(...lags) : null,
			detectionLagMeanMs: lags.length ? Math.round(lags.reduce((a, b) => a + b, 0) / lags.length) : null,
			detectionLagP50Ms: percentile(lags, 0.5),
			detectionLagP95Ms: percentile(lags, 0.95),
			cpuMsPerImage: alone && binaries ? round((cpu.user + cpu.system) / 1000 / binaries) : null,
			pollsPerSecondMaxAfter10s: pollsPerSecondMax,
			rateLimited: snapshot.stats.rateLimited,
			downloads: downloads.length,
			maxTasksInFlight: maxInFlight,
			timeline: {
				firstCreateMs: relative(creates.map((r) => r.at), Math.min),
				lastCreateMs: relative(tasks.map((t) => t.createdAt), Math.max),
				lastDoneMs: relative(tasks.map((t) => t.doneAt), Math.max),
				lastDetectMs: relative(detectedAt, Math.max),
				lastDownloadMs: relative(downloads.map((r) => r.at), Math.max),
			},
			samplePollOffsetsMs: firstTask ? (pollsByTask.get(firstTask.id) ?? []).map((r) => r.at - firstTask.createdAt) : [],
			...(rss ? { rss } : {}),
			raw: { lagsMs: lags, pollCounts },
		};
	} finally {
		if (sampler) clearInterval(sampler);
		await host.stop(sim);
	}
}
