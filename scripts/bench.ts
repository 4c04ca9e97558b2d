/**
 * The benchmark (issues 4 and 12): the GPT Image node on n8n's real engine against the gateway
 * simulator, every gateway of the node's registry:
 *   1. L = 2 s, N = 1, 10, 100, concurrent (the node as users get it) beside the per-item
 *      sequential baseline (the same node with Max Concurrent Tasks 1), measured for every N;
 *      N = 100 again at L = 10 s.
 *   2. Real-looking tasks: L = 30 s and 60 s with ± 30 % jitter, N = 10 and 100, every progress
 *      profile (linear, none until done, a long stall at 99 %, fast to 90 % then slow); polls per
 *      task and detection lag p50/p95/max per profile. The runs of one L and N go side by side,
 *      each on a simulator and key of its own.
 *   3. 1,000 items at L = 10 s on a gateway without a create limit, in a fresh process with the
 *      simulator in another: makespan, CPU per image, peak RSS growth.
 *   4. 100 incompressible 4 MiB images: peak RSS growth, in a fresh process.
 * Writes bench/results.json and bench/results.svg. Run it with `npm run bench` (about 20 minutes).
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'fs';
import { cpus, loadavg } from 'os';
import { join } from 'path';

import { gatewayById } from '../nodes/GptImage/gateways';
import { GATEWAYS } from '../test/support';
import type { GatewayId } from '../test/support';
import { PROGRESS_PROFILES } from '../test/simulator/tasks';
import type { ProgressProfile } from '../test/simulator/types';
import { renderChart } from './bench/chart';
import { CHILD_CASE_FLAG, childMain, runInChild } from './bench/child';
import { measureRun, percentile, SIMULATOR_RATE_LIMITS } from './bench/measure';
import type { RunMetrics, RunSpec } from './bench/measure';
import { MEMORY, memoryCase } from './bench/memory';
import type { MemoryResult } from './bench/memory';
import { maxConcurrentTasks, SCALE, scaleCase, unlimitedGateway } from './bench/scale';
import { SimulatorHost } from './bench/simHost';
import { check, defaultConcurrency, minPollIntervalMs, pollIntervalAt, rateLimitFloorMs } from './bench/targets';
import type { TargetCheck } from './bench/targets';

const ROOT = join(__dirname, '..', '..');
const OUT = join(ROOT, 'bench');

/** `--quick`: every latency a tenth (a check that the bench works; its figures mean nothing). */
const QUICK = process.argv.includes('--quick') ? 10 : 1;
const LATENCY_MS = 2000 / QUICK;
/** N = 100 again at a latency where n8n's fixed cost for 100 items (~0.5–0.8 s) is not a quarter of L. */
const REALISTIC_LATENCY_MS = 10_000 / QUICK;
const ITEM_COUNTS = [1, 10, 100];
const MAKESPAN_SLACK = 1.15;
const MIN_SPEEDUP = 50;

const PROFILE_LATENCIES_MS = [30_000 / QUICK, 60_000 / QUICK];
const PROFILE_ITEM_COUNTS = [10, 100];
const JITTER = 0.3;
/** Issue 12's targets at L = 60 s, per profile: p95 detection lag and polls per task. */
const PROFILE_TARGET_LATENCY_MS = 60_000 / QUICK;
const PROFILE_TARGETS: Record<ProgressProfile, { lagP95Ms: number; pollsPerTask: number }> = {
	linear: { lagP95Ms: 1000, pollsPerTask: 10 },
	none: { lagP95Ms: 3000, pollsPerTask: 15 },
	stall: { lagP95Ms: 3000, pollsPerTask: 15 },
	fastThenSlow: { lagP95Ms: 3000, pollsPerTask: 15 },
};

const LABEL = Object.fromEntries(GATEWAYS.map(({ id }) => [id, gatewayById(id)!.displayName])) as Record<GatewayId, string>;

const MiB = 1024 * 1024;
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const seconds = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(2)} s`);
const fixed = (value: number | null, digits = 2) => (value === null ? '-' : value.toFixed(digits));
const yesNo = (met: boolean) => (met ? 'met' : 'NOT MET');
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');

function table(head: string[], rows: string[][]): string {
	const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
	return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function progress(run: RunMetrics): void {
	const failed = run.error ? `  FAILED: ${run.error}` : '';
	const shape = run.jitter ? ` ${run.profile} ±${run.jitter * 100}%` : '';
	console.log(
		`  ${LABEL[run.gateway].padEnd(7)} N=${String(run.items).padEnd(4)} L=${run.latencyMs / 1000} s${shape} ${run.mode.padEnd(10)} ${seconds(run.makespanMs).padStart(9)}` +
			`  polls/task ${fixed(run.pollsPerTask, 1)}  lag p95 ${seconds(run.detectionLagP95Ms)}  429s ${run.rateLimited}${failed}`,
	);
}

interface CaseResult {
	gateway: GatewayId;
	items: number;
	latencyMs: number;
	profile: ProgressProfile;
	jitter: number;
	makespanMs: number;
	baselineMakespanMs: number;
	pollsPerTask: number;
	detectionLagMs: number | null;
	detectionLagP95Ms: number | null;
	cpuMsPerImage: number | null;
	rateLimited: number;
	createsPerItem: number;
	baselineExtrapolated: boolean;
	makespanOverL: number;
	baselineOverL: number;
	speedup: number;
	pollsPerTaskMax: number;
	detectionLagMeanMs: number | null;
	pollIntervalMs: number;
	pollsPerTaskLimit: number;
	makespanTargetMs?: number;
	defaultConcurrency: number;
	concurrent: Omit<RunMetrics, 'raw'>;
	baseline: Omit<RunMetrics, 'raw'> | { extrapolatedFrom: string; perItemMs: number };
}

interface ProfileSummary {
	profile: ProgressProfile;
	latencyMs: number;
	tasks: number;
	pollsPerTask: number;
	pollsPerTaskMax: number;
	detectionLagP50Ms: number | null;
	detectionLagP95Ms: number | null;
	detectionLagMaxMs: number | null;
	pollsPerSecondMaxAfter10s: number;
	/** The same, per item count. */
	byItems: Array<{ items: number; pollsPerTask: number; detectionLagP95Ms: number | null; detectionLagMaxMs: number | null }>;
}

const withoutRaw = ({ raw: _raw, ...run }: RunMetrics): Omit<RunMetrics, 'raw'> => run;

async function main(): Promise<number> {
	const started = Date.now();
	console.log(`GPT Image benchmark: ${GATEWAYS.length} gateways, ${cpus().length} CPUs, Node ${process.version}, load average ${load()}`);
	console.log(`Simulator rate limits: Kie ${SIMULATOR_RATE_LIMITS.kieCreatesPer10s} creates per 10 s, ${SIMULATOR_RATE_LIMITS.kiePollsPerSecondPerTask} polls/s per task; ToAPIs and EvoLink none.`);
	console.log(`Simulators on a worker thread (their PNG rendering must not block the node's event loop); a fresh one per run.\n`);
	const host = new SimulatorHost();
	try {
		return await benchmark(host, started);
	} finally {
		await host.terminate();
	}
}

/** Runs side by side, each on its own simulator (and so its own key and rate limits). */
async function together(host: SimulatorHost, specs: RunSpec[]): Promise<RunMetrics[]> {
	const runs = await Promise.all(specs.map((spec, i) => measureRun(host, { ...spec, sim: `run${i}` }, specs.length === 1)));
	runs.forEach(progress);
	return runs;
}

async function benchmark(host: SimulatorHost, started: number): Promise<number> {
	// Loads n8n-core, the node and the HTTP stack once, so the first measured run does not pay for it.
	await measureRun(host, { gateway: GATEWAYS[0].id, items: 1, latencyMs: 100, mode: 'concurrent' });
	const loads: Array<{ part: string; loadAverage: string }> = [];
	const note = (part: string) => loads.push({ part, loadAverage: load() });

	// 1. The L = 2 s matrix, and N = 100 at L = 10 s.
	console.log(`1. L = ${LATENCY_MS / 1000} s: concurrent and sequential, N = ${ITEM_COUNTS.join(', ')}; N = 100 at L = ${REALISTIC_LATENCY_MS / 1000} s`);
	const runs: RunMetrics[] = [];
	for (const { id } of GATEWAYS) {
		for (const items of ITEM_COUNTS) runs.push(...(await together(host, [{ gateway: id, items, latencyMs: LATENCY_MS, mode: 'concurrent' }])));
		for (const items of [1, 10]) runs.push(...(await together(host, [{ gateway: id, items, latencyMs: LATENCY_MS, mode: 'baseline' }])));
		runs.push(...(await together(host, [{ gateway: id, items: 100, latencyMs: REALISTIC_LATENCY_MS, mode: 'concurrent' }])));
	}
	// The N = 100 baseline, measured (100 × ~2.2 s): the gateways side by side.
	runs.push(...(await together(host, GATEWAYS.map(({ id }) => ({ gateway: id, items: 100, latencyMs: LATENCY_MS, mode: 'baseline' as const })))));
	note('1. L = 2 s matrix');

	// 2. Real-looking tasks.
	console.log(`\n2. Progress profiles: L = ${PROFILE_LATENCIES_MS.map((l) => l / 1000).join(' and ')} s ± ${JITTER * 100} %, N = ${PROFILE_ITEM_COUNTS.join(' and ')}, every gateway × profile side by side`);
	const profileRuns: RunMetrics[] = [];
	for (const latencyMs of PROFILE_LATENCIES_MS) {
		for (const items of PROFILE_ITEM_COUNTS) {
			const specs = GATEWAYS.flatMap(({ id }) =>
				PROGRESS_PROFILES.map((profile) => ({ gateway: id, items, latencyMs, profile, jitter: JITTER, mode: 'concurrent' as const })),
			);
			profileRuns.push(...(await together(host, specs)));
			note(`2. L = ${latencyMs / 1000} s, N = ${items}`);
		}
	}

	// 3. and 4., each in a fresh process.
	console.log(`\n3. ${SCALE.items} items at L = ${SCALE.latencyMs / 1000} s on ${LABEL[unlimitedGateway()]} (no create limit), Max Concurrent Tasks ${Math.min(SCALE.items, maxConcurrentTasks())} (the node's maximum), in a fresh process`);
	const scale = await runInChild<RunMetrics>(__filename, 'scale');
	progress(scale);
	note('3. 1,000 items');
	console.log(`\n4. Memory: ${MEMORY.items} × 4 MiB images, in a fresh process`);
	const { imageBytes, run: memoryRun } = await runInChild<MemoryResult>(__filename, 'memory');
	progress(memoryRun);
	note('4. memory');
	const rss = memoryRun.rss!;
	const peakRssGrowthBytes = rss.peakBytes - rss.baselineBytes;

	// Cases: every concurrent run beside its baseline (measured at L = 2 s, else extrapolated from N = 100 at L = 2 s).
	const cases: CaseResult[] = [];
	const baselineOf = (id: GatewayId, items: number) => runs.find((r) => r.gateway === id && r.mode === 'baseline' && r.items === items);
	const concurrentRuns = [...runs.filter((r) => r.mode === 'concurrent'), ...profileRuns, scale];
	for (const run of concurrentRuns) {
		const id = run.gateway;
		const { intervalMs, readsToL } = pollIntervalAt(run.latencyMs, minPollIntervalMs(id));
		const from = baselineOf(id, 100)!;
		const perItemMs = from.makespanMs / from.items;
		const measured = run.latencyMs === LATENCY_MS && !run.jitter ? baselineOf(id, run.items) : undefined;
		// Sequential items each take about L plus the same overhead, whatever L is.
		const baselineMakespanMs = measured ? measured.makespanMs : Math.round((perItemMs + run.latencyMs - LATENCY_MS) * run.items);
		const floor = rateLimitFloorMs(id, run.items);
		cases.push({
			gateway: id,
			items: run.items,
			latencyMs: run.latencyMs,
			profile: run.profile,
			jitter: run.jitter,
			makespanMs: run.makespanMs,
			baselineMakespanMs,
			pollsPerTask: run.pollsPerTask,
			detectionLagMs: run.detectionLagMaxMs,
			detectionLagP95Ms: run.detectionLagP95Ms,
			cpuMsPerImage: run.cpuMsPerImage,
			rateLimited: run.rateLimited,
			createsPerItem: run.createsPerItem,
			baselineExtrapolated: !measured,
			makespanOverL: round(run.makespanMs / run.latencyMs, 3),
			baselineOverL: round(baselineMakespanMs / run.latencyMs, 3),
			speedup: round(baselineMakespanMs / run.makespanMs, 2),
			pollsPerTaskMax: run.pollsPerTaskMax,
			detectionLagMeanMs: run.detectionLagMeanMs,
			pollIntervalMs: intervalMs,
			pollsPerTaskLimit: readsToL + 1,
			...(run.items === 100 && !run.jitter ? { makespanTargetMs: MAKESPAN_SLACK * run.latencyMs + floor } : {}),
			defaultConcurrency: defaultConcurrency(id),
			concurrent: withoutRaw(run),
			baseline: measured ? withoutRaw(measured) : { extrapolatedFrom: `N = 100 at L = ${LATENCY_MS / 1000} s, + (L − ${LATENCY_MS / 1000} s) per item`, perItemMs: Math.round(perItemMs) },
		});
	}

	// Per profile and L, pooled over gateways and item counts.
	const profiles: ProfileSummary[] = PROFILE_LATENCIES_MS.flatMap((latencyMs) =>
		PROGRESS_PROFILES.map((profile) => {
			const own = profileRuns.filter((r) => r.profile === profile && r.latencyMs === latencyMs);
			return {
				profile,
				latencyMs,
				...pool(own),
				byItems: PROFILE_ITEM_COUNTS.map((items) => {
					const { pollsPerTask, detectionLagP95Ms, detectionLagMaxMs } = pool(own.filter((r) => r.items === items));
					return { items, pollsPerTask, detectionLagP95Ms, detectionLagMaxMs };
				}),
			};
		}),
	);

	const targets = judge(cases, profiles, scale, memoryRun, peakRssGrowthBytes);
	print(cases, runs, profiles, scale, memoryRun, imageBytes, peakRssGrowthBytes, targets, loads);

	// Files.
	mkdirSync(OUT, { recursive: true });
	const results = {
		cases,
		profiles,
		scale: {
			gateway: scale.gateway,
			items: scale.items,
			latencyMs: scale.latencyMs,
			maxConcurrentTasks: Math.min(SCALE.items, maxConcurrentTasks()),
			makespanMs: scale.makespanMs,
			makespanOverL: round(scale.makespanMs / scale.latencyMs, 3),
			cpuMsPerImage: scale.cpuMsPerImage,
			peakRssGrowthBytes: scale.rss ? scale.rss.peakBytes - scale.rss.baselineBytes : null,
			run: withoutRaw(scale),
		},
		memory: {
			images: MEMORY.items,
			imageBytes,
			peakRssGrowthBytes,
			gateway: MEMORY.gateway,
			baselineRssBytes: rss.baselineBytes,
			peakRssBytes: rss.peakBytes,
			baselineArrayBuffersBytes: rss.baselineArrayBuffersBytes,
			peakArrayBuffersBytes: rss.peakArrayBuffersBytes,
			samples: rss.samples,
			sampleEveryMs: MEMORY.sampleEveryMs,
			makespanMs: memoryRun.makespanMs,
			binaries: memoryRun.binaries,
			...(memoryRun.error ? { error: memoryRun.error } : {}),
		},
		targets,
		meta: {
			latencyMs: LATENCY_MS,
			baseline: 'the same node with options.maxConcurrentTasks = 1 (create, wait, download, next item)',
			baselineExtrapolation: `measured for N = 1, 10, 100 at L = ${LATENCY_MS / 1000} s; elsewhere N × (N = 100 per-item time at L = ${LATENCY_MS / 1000} s + L − ${LATENCY_MS / 1000} s): 100 × 60 s sequential would take 100 minutes`,
			pollInterval: `the node's adaptive schedule taken plain (a task alone, no progress): the longest wait spanning L over its phases; polls limit = its reads up to the first at or after L, + 1`,
			detectionLag: 'per task: arrival of the first poll answered normally (HTTP 200, not rate limited) at or after doneAt, minus doneAt; p95 interpolated between ranks',
			jitter: `profile runs: each task takes L × (1 ± ${JITTER}), uniformly spread, seeded by its prompt`,
			sideBySide: 'the profile runs of one L and N run at once in this process (one execution each, on its own simulator and key); their cpuMsPerImage is null',
			simulatorRateLimits: SIMULATOR_RATE_LIMITS,
			cpus: cpus().length,
			node: process.version,
			loadAverage: loads,
			benchSeconds: Math.round((Date.now() - started) / 100) / 10,
		},
	};
	writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(results, (_, v: unknown) => (v === Infinity ? 'Infinity' : v), 2)}\n`);
	const svg = renderChart(
		cases
			.filter((c) => c.latencyMs === LATENCY_MS && !c.jitter)
			.map((c) => ({
				label: `${LABEL[c.gateway]} N=${c.items}`,
				makespanOverL: c.makespanOverL,
				baselineOverL: c.baselineOverL,
				baselineExtrapolated: c.baselineExtrapolated,
				targetOverL: c.makespanTargetMs === undefined ? undefined : c.makespanTargetMs / c.latencyMs,
			})),
		profiles
			.filter((p) => p.latencyMs === PROFILE_TARGET_LATENCY_MS)
			.map((p) => ({
				profile: p.profile,
				lagP95Seconds: (p.detectionLagP95Ms ?? 0) / 1000,
				pollsPerTask: p.pollsPerTask,
				lagTargetSeconds: PROFILE_TARGETS[p.profile].lagP95Ms / 1000,
				pollsTarget: PROFILE_TARGETS[p.profile].pollsPerTask,
			})),
		`GPT Image node on the gateway simulator: concurrency at L = ${LATENCY_MS / 1000} s, and real-looking tasks`,
	);
	writeFileSync(join(OUT, 'results.svg.tmp'), svg);
	renameSync(join(OUT, 'results.svg.tmp'), join(OUT, 'results.svg'));
	rmSync(join(OUT, 'results.png'), { force: true });
	console.log(`\nWrote bench/results.json and bench/results.svg. Benchmark time ${seconds(Date.now() - started)} (build not included).`);
	return 0;
}

function pool(runs: RunMetrics[]): Omit<ProfileSummary, 'profile' | 'latencyMs' | 'byItems'> {
	const lags = runs.flatMap((r) => r.raw.lagsMs);
	const polls = runs.flatMap((r) => r.raw.pollCounts);
	return {
		tasks: polls.length,
		pollsPerTask: polls.length ? round(polls.reduce((a, b) => a + b, 0) / polls.length, 1) : 0,
		pollsPerTaskMax: polls.length ? Math.max(...polls) : 0,
		detectionLagP50Ms: percentile(lags, 0.5),
		detectionLagP95Ms: percentile(lags, 0.95),
		detectionLagMaxMs: lags.length ? Math.max(...lags) : null,
		pollsPerSecondMaxAfter10s: Math.max(0, ...runs.map((r) => r.pollsPerSecondMaxAfter10s)),
	};
}

function judge(
	cases: CaseResult[],
	profiles: ProfileSummary[],
	scale: RunMetrics,
	memoryRun: RunMetrics,
	peakRssGrowthBytes: number,
): TargetCheck[] {
	const targets: TargetCheck[] = [];
	const smaller = (a: number, b: number) => Math.min(a, b);
	const larger = (a: number, b: number) => Math.max(a, b);
	const failed = (c: CaseResult) => c.concurrent.error !== undefined;
	for (const { id } of GATEWAYS) {
		const own = cases.filter((c) => c.gateway === id && c.latencyMs === LATENCY_MS);
		const at100 = own.find((c) => c.items === 100)!;
		const at100Realistic = cases.find((c) => c.gateway === id && c.latencyMs === REALISTIC_LATENCY_MS && c.items === 100)!;
		const floor = rateLimitFloorMs(id, 100);
		targets.push(
			...[at100, at100Realistic].map((c) =>
				check(
					{
						id: c === at100 ? 'makespan100' : 'makespan100Realistic',
						gateway: id,
						description: `makespan(100) ≤ 1.15 × L + rate-limit floor (${floor / 1000} s), at L = ${c.latencyMs / 1000} s`,
						limit: c.makespanTargetMs!,
						unit: 'ms',
					},
					[{ items: 100, value: failed(c) ? null : c.makespanMs }],
					(v) => v <= c.makespanTargetMs!,
					larger,
				),
			),
			check(
				{ id: 'speedup100', gateway: id, description: `≥ ${MIN_SPEEDUP}× faster than the sequential baseline at N=100 (both measured)`, limit: MIN_SPEEDUP, unit: '×' },
				[{ items: 100, value: failed(at100) ? null : at100.speedup }],
				(v) => v >= MIN_SPEEDUP,
				smaller,
			),
			check(
				{ id: 'pollsPerTask', gateway: id, description: `status polls per task (max) at L = 2 s ≤ the plain cadence's reads to L + 1`, limit: at100.pollsPerTaskLimit, unit: 'polls' },
				own.map((c) => ({ items: c.items, value: c.pollsPerTaskMax })),
				(v) => v <= at100.pollsPerTaskLimit,
				larger,
			),
			check(
				{ id: 'detectionLag', gateway: id, description: `detection lag (max) at L = 2 s ≤ one plain poll interval (${at100.pollIntervalMs} ms)`, limit: at100.pollIntervalMs, unit: 'ms' },
				own.map((c) => ({ items: c.items, value: c.detectionLagMs })),
				(v) => v <= at100.pollIntervalMs,
				larger,
			),
			check(
				{ id: 'rateLimited', gateway: id, description: '0 self-inflicted 429s (every run)', limit: 0, unit: '429s' },
				cases.filter((c) => c.gateway === id).map((c) => ({ items: caseLabel(c), value: c.rateLimited })),
				(v) => v === 0,
				larger,
			),
			check(
				{ id: 'createsPerItem', gateway: id, description: 'exactly 1 create request per item (every run)', limit: 1, unit: 'creates/item' },
				cases.filter((c) => c.gateway === id).map((c) => ({ items: caseLabel(c), value: c.createsPerItem })),
				(v) => v === 1,
				(a, b) => (Math.abs(a - 1) >= Math.abs(b - 1) ? a : b),
			),
		);
	}
	for (const p of profiles.filter((p) => p.latencyMs === PROFILE_TARGET_LATENCY_MS)) {
		const target = PROFILE_TARGETS[p.profile];
		const items = `${p.tasks} tasks`;
		targets.push(
			check(
				{ id: `lagP95:${p.profile}`, description: `${p.profile}: detection lag p95 at L = 60 s ± 30 % (all gateways, N = 10 and 100)`, limit: target.lagP95Ms, unit: 'ms' },
				[{ items, value: p.detectionLagP95Ms }],
				(v) => v <= target.lagP95Ms,
				larger,
			),
			check(
				{ id: `polls:${p.profile}`, description: `${p.profile}: polls per task at L = 60 s ± 30 %`, limit: target.pollsPerTask, unit: 'polls' },
				[{ items, value: p.pollsPerTask }],
				(v) => v <= target.pollsPerTask,
				larger,
			),
		);
	}
	targets.push(
		check(
			{ id: 'pollsPerSecond', description: 'after a task\'s first 10 s, at most 1 poll per second (every profile run)', limit: 1, unit: 'polls/s' },
			profiles.map((p) => ({ items: `${p.profile} L=${p.latencyMs / 1000}s`, value: p.pollsPerSecondMaxAfter10s })),
			(v) => v <= 1,
			larger,
		),
		check(
			{ id: 'scaleMakespan', gateway: scale.gateway, description: `${SCALE.items} items at L = ${SCALE.latencyMs / 1000} s: makespan ≤ ${SCALE.makespanOverL} × L`, limit: SCALE.makespanOverL * SCALE.latencyMs, unit: 'ms' },
			[{ items: SCALE.items, value: scale.error ? null : scale.makespanMs }],
			(v) => v <= SCALE.makespanOverL * SCALE.latencyMs,
			larger,
		),
		check(
			{ id: 'scaleCpu', gateway: scale.gateway, description: `${SCALE.items} items: CPU of the n8n process per image`, limit: SCALE.cpuMsPerImage, unit: 'ms' },
			[{ items: SCALE.items, value: scale.binaries === SCALE.items ? scale.cpuMsPerImage : null }],
			(v) => v <= SCALE.cpuMsPerImage,
			larger,
		),
		check(
			{ id: 'scaleRss', gateway: scale.gateway, description: `${SCALE.items} items: peak RSS growth`, limit: SCALE.rssGrowthBytes, unit: 'bytes' },
			[{ items: SCALE.items, value: scale.rss && !scale.error ? scale.rss.peakBytes - scale.rss.baselineBytes : null }],
			(v) => v <= SCALE.rssGrowthBytes,
			larger,
		),
		check(
			{ id: 'peakRssGrowth', gateway: MEMORY.gateway, description: `peak RSS growth ≤ 64 MiB for ${MEMORY.items} × 4 MiB images`, limit: MEMORY.limitBytes, unit: 'bytes' },
			[{ items: MEMORY.items, value: !memoryRun.error && memoryRun.binaries === MEMORY.items ? peakRssGrowthBytes : null }],
			(v) => v <= MEMORY.limitBytes,
			larger,
		),
	);
	return targets;
}

function caseLabel(c: CaseResult): string {
	return `${c.items}${c.latencyMs === LATENCY_MS ? '' : ` L=${c.latencyMs / 1000}s`}${c.jitter ? ` ${c.profile}` : ''}`;
}

function print(
	cases: CaseResult[],
	runs: RunMetrics[],
	profiles: ProfileSummary[],
	scale: RunMetrics,
	memoryRun: RunMetrics,
	imageBytes: number,
	peakRssGrowthBytes: number,
	targets: TargetCheck[],
	loads: Array<{ part: string; loadAverage: string }>,
): void {
	console.log('\nConcurrent runs without jitter, beside the sequential baseline ("*" = extrapolated from N = 100 at L = 2 s):\n');
	console.log(
		table(
			['gateway', 'N', 'makespan', '/L', 'baseline', '/L', 'speed-up', 'polls/task', 'max', 'lag p95', 'lag max', '429s', 'creates/item', 'in flight'],
			cases
				.filter((c) => !c.jitter)
				.map((c) => [
					LABEL[c.gateway],
					String(c.items) + (c.latencyMs === LATENCY_MS ? '' : ` (L ${c.latencyMs / 1000} s)`),
					seconds(c.makespanMs) + (c.concurrent.error ? ' (failed)' : ''),
					fixed(c.makespanOverL),
					seconds(c.baselineMakespanMs) + (c.baselineExtrapolated ? '*' : ''),
					fixed(c.baselineOverL, 1),
					`${fixed(c.speedup, 1)}×`,
					fixed(c.pollsPerTask, 1),
					String(c.pollsPerTaskMax),
					seconds(c.detectionLagP95Ms),
					seconds(c.detectionLagMs),
					String(c.rateLimited),
					fixed(c.createsPerItem),
					String(c.concurrent.maxTasksInFlight),
				]),
		),
	);
	console.log('\nBaseline runs as measured:\n');
	console.log(
		table(
			['gateway', 'N', 'makespan', 'per item', 'polls/task', 'lag max', '429s', 'creates/item'],
			runs
				.filter((r) => r.mode === 'baseline')
				.map((r) => [
					LABEL[r.gateway],
					String(r.items),
					seconds(r.makespanMs),
					seconds(r.makespanMs / r.items),
					fixed(r.pollsPerTask, 1),
					seconds(r.detectionLagMaxMs),
					String(r.rateLimited),
					fixed(r.createsPerItem),
				]),
		),
	);
	console.log(`\nProgress profiles, ± ${JITTER * 100} % jitter, pooled over the gateways and N = ${PROFILE_ITEM_COUNTS.join(' and ')}:\n`);
	console.log(
		table(
			['profile', 'L', 'tasks', 'polls/task', 'max', 'lag p50', 'lag p95', 'lag max', 'polls/s max after 10 s', ...PROFILE_ITEM_COUNTS.map((n) => `N=${n}: polls, p95, max`)],
			profiles.map((p) => [
				p.profile,
				`${p.latencyMs / 1000} s`,
				String(p.tasks),
				fixed(p.pollsPerTask, 1),
				String(p.pollsPerTaskMax),
				seconds(p.detectionLagP50Ms),
				seconds(p.detectionLagP95Ms),
				seconds(p.detectionLagMaxMs),
				String(p.pollsPerSecondMaxAfter10s),
				...p.byItems.map((b) => `${fixed(b.pollsPerTask, 1)}, ${seconds(b.detectionLagP95Ms)}, ${seconds(b.detectionLagMaxMs)}`),
			]),
		),
	);
	console.log('\nProfile runs, per gateway:\n');
	console.log(
		table(
			['gateway', 'N', 'L', 'profile', 'makespan', 'polls/task', 'max', 'lag p50', 'lag p95', 'lag max', '429s', 'creates/item'],
			cases
				.filter((c) => c.jitter)
				.map((c) => [
					LABEL[c.gateway],
					String(c.items),
					`${c.latencyMs / 1000} s`,
					c.profile,
					seconds(c.makespanMs) + (c.concurrent.error ? ' (failed)' : ''),
					fixed(c.pollsPerTask, 1),
					String(c.pollsPerTaskMax),
					seconds(c.concurrent.detectionLagP50Ms),
					seconds(c.detectionLagP95Ms),
					seconds(c.detectionLagMs),
					String(c.rateLimited),
					fixed(c.createsPerItem),
				]),
		),
	);
	for (const c of cases.filter((c) => c.concurrent.error)) {
		console.log(`\n${LABEL[c.gateway]} N=${c.items} L=${c.latencyMs / 1000} s ${c.profile} run failed: ${c.concurrent.error}`);
	}
	const interval = pollIntervalAt(LATENCY_MS, minPollIntervalMs(GATEWAYS[0].id));
	console.log(
		`\nPlain cadence of the node's schedule (nodes/GptImage/engine/poll.ts, a task alone without progress), phase 0: reads at ${interval.readsAtMs.join(', ')} ms;` +
			` the longest wait spanning L = ${LATENCY_MS} ms over all phases is ${interval.intervalMs} ms, at most ${interval.readsToL} reads to L.`,
	);
	const scaleRss = scale.rss ? (scale.rss.peakBytes - scale.rss.baselineBytes) / MiB : null;
	console.log(
		`\n${SCALE.items} items at L = ${SCALE.latencyMs / 1000} s on ${LABEL[scale.gateway]}: makespan ${seconds(scale.makespanMs)} (${fixed(scale.makespanMs / scale.latencyMs)} × L), ` +
			`CPU ${fixed(scale.cpuMsPerImage, 1)} ms per image, peak RSS growth ${fixed(scaleRss, 1)} MiB, polls/task ${fixed(scale.pollsPerTask, 1)}, lag p95 ${seconds(scale.detectionLagP95Ms)}, ` +
			`${scale.binaries} images, 429s ${scale.rateLimited}${scale.error ? `, FAILED: ${scale.error}` : ''}.`,
	);
	const rss = memoryRun.rss!;
	console.log(
		`\nMemory: ${MEMORY.items} × ${(imageBytes / MiB).toFixed(2)} MiB PNGs (incompressible noise) on ${LABEL[MEMORY.gateway]}, filesystem binary mode, ` +
			`default options: peak RSS growth ${(peakRssGrowthBytes / MiB).toFixed(1)} MiB ` +
			`(baseline ${(rss.baselineBytes / MiB).toFixed(0)} MiB, peak ${(rss.peakBytes / MiB).toFixed(0)} MiB, ${rss.samples} samples every ${MEMORY.sampleEveryMs} ms; ` +
			`run ${seconds(memoryRun.makespanMs)}, ${memoryRun.binaries} binaries${memoryRun.error ? `, FAILED: ${memoryRun.error}` : ''}).`,
	);
	console.log(`\nLoad average (1, 5, 15 min) after each part: ${loads.map((l) => `${l.part}: ${l.loadAverage}`).join('; ')}.`);
	console.log('\nTargets:\n');
	console.log(
		table(
			['target', 'gateway', 'limit', 'worst', 'result', 'per case'],
			targets.map((t) => [
				t.description,
				t.gateway ? LABEL[t.gateway] : '',
				formatValue(t.limit, t.unit),
				t.worst === null ? '(no value)' : formatValue(t.worst, t.unit),
				yesNo(t.met),
				t.values.length > 6 ? `${t.values.filter((v) => v.met).length} of ${t.values.length} met` : t.values.map((v) => `${v.items}: ${v.value === null ? '-' : formatValue(v.value, t.unit)}`).join(', '),
			]),
		),
	);
	const missed = targets.filter((t) => !t.met);
	console.log(`\n${targets.length - missed.length} of ${targets.length} targets met.`);
}

function formatValue(value: number, unit: string): string {
	if (unit === 'bytes') return `${(value / MiB).toFixed(1)} MiB`;
	if (unit === 'ms') return `${Math.round(value)} ms`;
	if (unit === '×') return `${value.toFixed(1)}×`;
	return `${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`;
}

(process.argv.includes(CHILD_CASE_FLAG) ? childMain({ scale: scaleCase, memory: memoryCase }).then(() => 0) : main()).then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
