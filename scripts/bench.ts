/**
 * The benchmark of issue 4: the GPT Image node on n8n's real engine against the gateway simulator,
 * for each gateway and N = 1, 10, 100 items of latency L, twice in this process:
 *   (a) concurrent: the node as users get it (default options, adaptive polling);
 *   (b) baseline: the per-item sequential pattern of existing nodes (create, wait, download, next
 *       item), which is the same node with options.maxConcurrentTasks = 1. N=100 is extrapolated
 *       from the measured N=10 per-item time (100 × ~2.5 s would not fit the time budget).
 * Then, in a fresh child process, the peak RSS growth while the node downloads 100 incompressible
 * 4 MiB PNGs (filesystem binary mode).
 * Writes bench/results.json and bench/results.png. Run it with `npm run bench`.
 */
import { mkdirSync, renameSync, writeFileSync } from 'fs';
import { cpus } from 'os';
import { join } from 'path';

import { GATEWAYS } from '../test/support';
import type { GatewayId } from '../test/support';
import { renderChart } from './bench/chart';
import { measureRun, SIMULATOR_RATE_LIMITS } from './bench/measure';
import { MEMORY, MEMORY_CASE_FLAG, memoryCaseChildMain, memoryCaseInChild } from './bench/memory';
import type { RunMetrics } from './bench/measure';
import { SimulatorHost } from './bench/simHost';
import {
	check,
	defaultConcurrency,
	minPollIntervalMs,
	pollIntervalAt,
	rateLimitFloorMs,
} from './bench/targets';
import type { TargetCheck } from './bench/targets';

const ROOT = join(__dirname, '..', '..');
const OUT = join(ROOT, 'bench');

const LATENCY_MS = 2000;
/**
 * n8n's engine and request helpers cost a fixed ~0.5–0.8 s for 100 items (start, 300 requests,
 * output), which is a quarter of a 2 s task but noise beside a real one (30–90 s). N = 100 is
 * also run at this latency, so the makespan target is judged where that overhead is not L itself.
 */
const REALISTIC_LATENCY_MS = 10_000;
const ITEM_COUNTS = [1, 10, 100];
const BASELINE_MEASURED = [1, 10];
const EXTRAPOLATE_FROM = 10;
const MAKESPAN_SLACK = 1.15;
const MIN_SPEEDUP = 50;

const LABEL: Record<GatewayId, string> = { toApis: 'ToAPIs', kieAi: 'Kie.ai', evoLink: 'EvoLink' };

const MiB = 1024 * 1024;
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const seconds = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(2)} s`);
const fixed = (value: number | null, digits = 2) => (value === null ? '-' : value.toFixed(digits));
const yesNo = (met: boolean) => (met ? 'met' : 'NOT MET');

function table(head: string[], rows: string[][]): string {
	const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
	return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function progress(run: RunMetrics): void {
	const failed = run.error ? `  FAILED: ${run.error}` : '';
	console.log(
		`  ${LABEL[run.gateway].padEnd(7)} N=${String(run.items).padEnd(3)} ${run.mode.padEnd(10)} ${seconds(run.makespanMs).padStart(9)}` +
			`  polls/task ${fixed(run.pollsPerTask, 1)}  429s ${run.rateLimited}${failed}`,
	);
}

interface CaseResult {
	gateway: GatewayId;
	items: number;
	latencyMs: number;
	makespanMs: number;
	baselineMakespanMs: number;
	pollsPerTask: number;
	detectionLagMs: number | null;
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
	concurrent: RunMetrics;
	baseline: RunMetrics | { extrapolatedFrom: number; perItemMs: number };
}

async function main(): Promise<number> {
	const started = Date.now();
	console.log(`GPT Image benchmark: L = ${LATENCY_MS} ms per task, N = ${ITEM_COUNTS.join(', ')} items, ${cpus().length} CPUs, Node ${process.version}`);
	console.log(`(a) concurrent = the node with default options; (b) baseline = the same node with options.maxConcurrentTasks = 1`);
	console.log(`    (create, wait, download, next item), measured for N = ${BASELINE_MEASURED.join(', ')}; N = 100 extrapolated from N = ${EXTRAPOLATE_FROM}.`);
	console.log(`Simulator rate limits: Kie ${SIMULATOR_RATE_LIMITS.kieCreatesPer10s} creates per 10 s, ${SIMULATOR_RATE_LIMITS.kiePollsPerSecondPerTask} polls/s per task; ToAPIs and EvoLink none.`);
	console.log(`A fresh simulator per run, on a worker thread (its PNG rendering must not block the node's event loop).\n`);

	const host = new SimulatorHost();
	try {
		return await benchmark(host, started);
	} finally {
		await host.terminate();
	}
}

async function benchmark(host: SimulatorHost, started: number): Promise<number> {
	// Loads n8n-core, the node and the HTTP stack once, so the first measured run does not pay for it.
	await measureRun(host, { gateway: 'toApis', items: 1, latencyMs: 100, mode: 'concurrent' });

	const runs: RunMetrics[] = [];
	for (const { id } of GATEWAYS) {
		for (const items of ITEM_COUNTS) {
			runs.push(await measureRun(host, { gateway: id, items, latencyMs: LATENCY_MS, mode: 'concurrent' }));
			progress(runs.at(-1)!);
		}
		for (const items of BASELINE_MEASURED) {
			runs.push(await measureRun(host, { gateway: id, items, latencyMs: LATENCY_MS, mode: 'baseline' }));
			progress(runs.at(-1)!);
		}
		runs.push(await measureRun(host, { gateway: id, items: 100, latencyMs: REALISTIC_LATENCY_MS, mode: 'concurrent' }));
		progress(runs.at(-1)!);
	}

	// Memory, in a fresh process (see bench/memory.ts).
	const { imageBytes, run: memoryRun } = await memoryCaseInChild(__filename, LATENCY_MS);
	progress(memoryRun);
	const rss = memoryRun.rss!;
	const peakRssGrowthBytes = rss.peakBytes - rss.baselineBytes;

	// Cases: one per gateway and N, the concurrent run beside its baseline.
	const cases: CaseResult[] = [];
	for (const { id } of GATEWAYS) {
		const { intervalMs } = pollIntervalAt(LATENCY_MS, minPollIntervalMs(id));
		const pollsLimit = Math.ceil(LATENCY_MS / intervalMs) + 2;
		const perItemMs = runs.find((r) => r.gateway === id && r.mode === 'baseline' && r.items === EXTRAPOLATE_FROM)!.makespanMs / EXTRAPOLATE_FROM;
		const variants = [
			...ITEM_COUNTS.map((items) => ({ items, latencyMs: LATENCY_MS })),
			{ items: 100, latencyMs: REALISTIC_LATENCY_MS },
		];
		for (const { items, latencyMs } of variants) {
			const concurrent = runs.find(
				(r) => r.gateway === id && r.mode === 'concurrent' && r.items === items && r.latencyMs === latencyMs,
			)!;
			const measured =
				latencyMs === LATENCY_MS ? runs.find((r) => r.gateway === id && r.mode === 'baseline' && r.items === items) : undefined;
			// Sequential items each take about L plus the same overhead, whatever L is.
			const baselineMakespanMs = measured
				? measured.makespanMs
				: Math.round((perItemMs + latencyMs - LATENCY_MS) * items);
			cases.push({
				gateway: id,
				items,
				latencyMs,
				makespanMs: concurrent.makespanMs,
				baselineMakespanMs,
				pollsPerTask: concurrent.pollsPerTask,
				detectionLagMs: concurrent.detectionLagMaxMs,
				rateLimited: concurrent.rateLimited,
				createsPerItem: concurrent.createsPerItem,
				baselineExtrapolated: !measured,
				makespanOverL: round(concurrent.makespanMs / latencyMs, 3),
				baselineOverL: round(baselineMakespanMs / latencyMs, 3),
				speedup: round(baselineMakespanMs / concurrent.makespanMs, 2),
				pollsPerTaskMax: concurrent.pollsPerTaskMax,
				detectionLagMeanMs: concurrent.detectionLagMeanMs,
				pollIntervalMs: intervalMs,
				pollsPerTaskLimit: pollsLimit,
				...(items === 100
					? { makespanTargetMs: MAKESPAN_SLACK * latencyMs + rateLimitFloorMs(id, items, SIMULATOR_RATE_LIMITS.kieCreatesPer10s) }
					: {}),
				defaultConcurrency: defaultConcurrency(id),
				concurrent,
				baseline: measured ?? { extrapolatedFrom: EXTRAPOLATE_FROM, perItemMs: Math.round(perItemMs) },
			});
		}
	}

	// Targets: makespan and speed-up at N=100; the per-task ones on every concurrent run.
	const targets: TargetCheck[] = [];
	const smaller = (a: number, b: number) => Math.min(a, b);
	const larger = (a: number, b: number) => Math.max(a, b);
	for (const { id } of GATEWAYS) {
		const own = cases.filter((c) => c.gateway === id && c.latencyMs === LATENCY_MS);
		const at100 = own.find((c) => c.items === 100)!;
		const at100Realistic = cases.find((c) => c.gateway === id && c.latencyMs === REALISTIC_LATENCY_MS)!;
		const failed = (c: CaseResult) => c.concurrent.error !== undefined;
		const floor = rateLimitFloorMs(id, 100, SIMULATOR_RATE_LIMITS.kieCreatesPer10s);
		targets.push(
			check(
				{
					id: 'makespan100',
					gateway: id,
					description: `makespan(100) ≤ 1.15 × L + rate-limit floor (${floor / 1000} s)`,
					limit: at100.makespanTargetMs!,
					unit: 'ms',
				},
				[{ items: 100, value: failed(at100) ? null : at100.makespanMs }],
				(v) => v <= at100.makespanTargetMs!,
				larger,
			),
			check(
				{
					id: 'makespan100Realistic',
					gateway: id,
					description: `makespan(100) ≤ 1.15 × L + rate-limit floor (${floor / 1000} s), at L = ${REALISTIC_LATENCY_MS / 1000} s`,
					limit: at100Realistic.makespanTargetMs!,
					unit: 'ms',
				},
				[{ items: 100, value: failed(at100Realistic) ? null : at100Realistic.makespanMs }],
				(v) => v <= at100Realistic.makespanTargetMs!,
				larger,
			),
			check(
				{ id: 'speedup100', gateway: id, description: `≥ ${MIN_SPEEDUP}× faster than the sequential baseline at N=100`, limit: MIN_SPEEDUP, unit: '×' },
				[{ items: 100, value: failed(at100) ? null : at100.speedup }],
				(v) => v >= MIN_SPEEDUP,
				smaller,
			),
			check(
				{ id: 'pollsPerTask', gateway: id, description: `status polls per task (max) ≤ ceil(L / ${at100.pollIntervalMs} ms) + 2`, limit: at100.pollsPerTaskLimit, unit: 'polls' },
				own.map((c) => ({ items: c.items, value: c.pollsPerTaskMax })),
				(v) => v <= at100.pollsPerTaskLimit,
				larger,
			),
			check(
				{ id: 'detectionLag', gateway: id, description: `detection lag (max) ≤ one poll interval (${at100.pollIntervalMs} ms)`, limit: at100.pollIntervalMs, unit: 'ms' },
				own.map((c) => ({ items: c.items, value: c.detectionLagMs })),
				(v) => v <= at100.pollIntervalMs,
				larger,
			),
			check(
				{ id: 'rateLimited', gateway: id, description: '0 self-inflicted 429s', limit: 0, unit: '429s' },
				own.map((c) => ({ items: c.items, value: c.rateLimited })),
				(v) => v === 0,
				larger,
			),
			check(
				{ id: 'createsPerItem', gateway: id, description: 'exactly 1 create request per item', limit: 1, unit: 'creates/item' },
				own.map((c) => ({ items: c.items, value: c.createsPerItem })),
				(v) => v === 1,
				(a, b) => (Math.abs(a - 1) >= Math.abs(b - 1) ? a : b),
			),
		);
	}
	const memoryComplete = !memoryRun.error && memoryRun.binaries === MEMORY.items;
	targets.push(
		check(
			{ id: 'peakRssGrowth', gateway: MEMORY.gateway, description: `peak RSS growth ≤ 64 MiB for ${MEMORY.items} × 4 MiB images`, limit: MEMORY.limitBytes, unit: 'bytes' },
			[{ items: MEMORY.items, value: memoryComplete ? peakRssGrowthBytes : null }],
			(v) => v <= MEMORY.limitBytes,
			larger,
		),
	);

	// Printout.
	console.log('\nPer case (concurrent = default options; baseline = maxConcurrentTasks 1, "*" = extrapolated from N=10):\n');
	console.log(
		table(
			['gateway', 'N', 'makespan', '/L', 'baseline', '/L', 'speed-up', 'polls/task', 'max', 'lag max', 'lag mean', '429s', 'creates/item', 'in flight'],
			cases.map((c) => [
				LABEL[c.gateway],
				String(c.items) + (c.latencyMs === LATENCY_MS ? '' : ` (L ${c.latencyMs / 1000} s)`),
				seconds(c.makespanMs) + (c.concurrent.error ? ' (failed)' : ''),
				fixed(c.makespanOverL),
				seconds(c.baselineMakespanMs) + (c.baselineExtrapolated ? '*' : ''),
				fixed(c.baselineOverL, 1),
				`${fixed(c.speedup, 1)}×`,
				fixed(c.pollsPerTask, 1),
				String(c.pollsPerTaskMax),
				c.detectionLagMs === null ? '-' : `${c.detectionLagMs} ms`,
				c.detectionLagMeanMs === null ? '-' : `${c.detectionLagMeanMs} ms`,
				String(c.rateLimited),
				fixed(c.createsPerItem),
				String(c.concurrent.maxTasksInFlight),
			]),
		),
	);
	const baselineRuns = runs.filter((r) => r.mode === 'baseline');
	console.log('\nBaseline runs as measured:\n');
	console.log(
		table(
			['gateway', 'N', 'makespan', 'per item', 'polls/task', 'lag max', '429s', 'creates/item'],
			baselineRuns.map((r) => [
				LABEL[r.gateway],
				String(r.items),
				seconds(r.makespanMs),
				seconds(r.makespanMs / r.items),
				fixed(r.pollsPerTask, 1),
				r.detectionLagMaxMs === null ? '-' : `${r.detectionLagMaxMs} ms`,
				String(r.rateLimited),
				fixed(r.createsPerItem),
			]),
		),
	);
	for (const c of cases.filter((c) => c.concurrent.error)) {
		console.log(`\n${LABEL[c.gateway]} N=${c.items} concurrent run failed: ${c.concurrent.error}`);
	}

	const intervals = GATEWAYS.map(({ id }) => ({ id, min: minPollIntervalMs(id), ...pollIntervalAt(LATENCY_MS, minPollIntervalMs(id)) }));
	const interval = intervals[0];
	console.log(
		`\nPoll interval, from the node's own schedule: adaptiveSchedule(minPollIntervalMs).delayBefore(k) of nodes/GptImage/engine/poll.ts,` +
			`\ntaken plain (no progress trend, the cadence the node falls back to). Its reads go at ${interval.readsAtMs.join(', ')} ms after the create` +
			`\n(waits ${interval.waitsMs.join(', ')} ms; minPollIntervalMs ${intervals.map((i) => `${LABEL[i.id]} ${i.min}`).join(', ')} ms` +
			`${intervals.every((i) => i.intervalMs === interval.intervalMs) ? ', same result for all three' : ''}). The interval is the wait before the first read at or after` +
			`\nL = ${LATENCY_MS} ms: ${intervals.map((i) => `${LABEL[i.id]} ${i.intervalMs} ms`).join(', ')}.` +
			`\nPolls per task limit = ceil(L / interval) + 2 = ${intervals.map((i) => `${LABEL[i.id]} ${Math.ceil(LATENCY_MS / i.intervalMs) + 2}`).join(', ')}; detection lag limit = one interval.` +
			`\nMakespan target at N=100 = 1.15 × L + floor, floor = the last create's earliest time (Kie: (ceil(100/20) - 1) × 10 s = 40 s; others 0).`,
	);

	console.log(
		`\nMemory: ${MEMORY.items} × ${(imageBytes / MiB).toFixed(2)} MiB PNGs (incompressible noise) on ${LABEL[MEMORY.gateway]}, filesystem binary mode, ` +
			`default options: peak RSS growth ${(peakRssGrowthBytes / MiB).toFixed(1)} MiB ` +
			`(baseline ${(rss.baselineBytes / MiB).toFixed(0)} MiB, peak ${(rss.peakBytes / MiB).toFixed(0)} MiB, ${rss.samples} samples every ${MEMORY.sampleEveryMs} ms; ` +
			`run ${seconds(memoryRun.makespanMs)}, ${memoryRun.binaries} binaries${memoryRun.error ? `, FAILED: ${memoryRun.error}` : ''}).`,
	);

	console.log('\nTargets:\n');
	console.log(
		table(
			['target', 'gateway', 'limit', 'worst', 'result', 'per N'],
			targets.map((t) => [
				t.description,
				t.gateway ? LABEL[t.gateway] : '',
				formatValue(t.limit, t.unit),
				t.worst === null ? '(no value)' : formatValue(t.worst, t.unit),
				yesNo(t.met),
				t.values.map((v) => `${v.items}: ${v.value === null ? '-' : formatValue(v.value, t.unit)}`).join(', '),
			]),
		),
	);
	const missed = targets.filter((t) => !t.met);
	console.log(`\n${targets.length - missed.length} of ${targets.length} targets met.`);

	// Files.
	mkdirSync(OUT, { recursive: true });
	const results = {
		cases,
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
			baselineExtrapolation: `N=100 baseline = 100 × (measured N=${EXTRAPOLATE_FROM} makespan / ${EXTRAPOLATE_FROM})`,
			pollInterval: `the node's adaptiveSchedule(minPollIntervalMs).delayBefore(k) without a progress trend; interval = the wait before its first read at or after L (reads at ${interval.readsAtMs.join(', ')} ms → ${interval.intervalMs} ms)`,
			detectionLag: 'per task: arrival of the first poll answered normally (HTTP 200, not rate limited) at or after doneAt, minus doneAt',
			simulatorRateLimits: SIMULATOR_RATE_LIMITS,
			cpus: cpus().length,
			node: process.version,
			benchSeconds: Math.round((Date.now() - started) / 100) / 10,
		},
	};
	writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(results, (_, v: unknown) => (v === Infinity ? 'Infinity' : v), 2)}\n`);
	const chart = renderChart(
		cases.filter((c) => c.latencyMs === LATENCY_MS).map((c) => ({
			gatewayLabel: LABEL[c.gateway],
			items: c.items,
			latencyMs: c.latencyMs,
			makespanMs: c.makespanMs,
			baselineMakespanMs: c.baselineMakespanMs,
			baselineExtrapolated: c.baselineExtrapolated,
			targetMs: c.makespanTargetMs,
			failed: c.concurrent.error !== undefined,
		})),
		`GPT IMAGE NODE: CONCURRENT VS SEQUENTIAL, L = ${LATENCY_MS / 1000} S`,
	);
	writeFileSync(join(OUT, 'results.png.tmp'), chart);
	renameSync(join(OUT, 'results.png.tmp'), join(OUT, 'results.png'));
	console.log(`\nWrote bench/results.json and bench/results.png. Benchmark time ${seconds(Date.now() - started)} (build not included).`);
	return 0;
}

function formatValue(value: number, unit: string): string {
	if (unit === 'bytes') return `${(value / MiB).toFixed(1)} MiB`;
	if (unit === 'ms') return `${Math.round(value)} ms`;
	if (unit === '×') return `${value.toFixed(1)}×`;
	return `${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`;
}

(process.argv.includes(MEMORY_CASE_FLAG) ? memoryCaseChildMain().then(() => 0) : main()).then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
