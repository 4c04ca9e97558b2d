import type { RunWorkflowResult } from './engine/runWorkflow';
import type { GatewaySimulator } from './simulator';

/** Checks the fault, stop and batch tests make after every run. */

export const API_KEY = 'sk-sim-test';

/**
 * Everything an error holds, as text: own properties whether enumerable or not (message, stack,
 * description, context, errorResponse …) and their causes, cycles cut.
 */
export function dumpError(error: unknown): string {
	const seen = new WeakSet<object>();
	const walk = (value: unknown, depth: number): unknown => {
		if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
		if (seen.has(value) || depth > 8) return '[seen]';
		seen.add(value);
		if (Buffer.isBuffer(value)) return value.toString('latin1');
		if (Array.isArray(value)) return value.map((entry) => walk(entry, depth + 1));
		const out: Record<string, unknown> = {};
		for (const key of Object.getOwnPropertyNames(value)) {
			out[key] = walk((value as Record<string, unknown>)[key], depth + 1);
		}
		return out;
	};
	return JSON.stringify(walk(error, 0));
}

/** The run as text: every node's output and stored error, and the error the node threw. */
export function dumpRun(run: RunWorkflowResult): string {
	return `${dumpError(run.runData)}\n${dumpError(run.error)}`;
}

/** The key is nowhere in what the run produced: output items, stored errors, the thrown error. */
export function expectNoKey(run: RunWorkflowResult): void {
	const dump = dumpRun(run);
	expect(dump).not.toContain(API_KEY);
	// Nor as a header value of some kind that survived in an error.
	expect(dump).not.toMatch(/Bearer\s+sk-/);
}

/** No request to the CDN server (result files, redirects followed there) carried a key. */
export function expectNoKeyOnCdn(sim: GatewaySimulator): void {
	const cdn = sim.requests.filter((request) => request.server === 'cdn');
	expect(cdn.filter((request) => request.headers.authorization !== undefined)).toEqual([]);
}

/**
 * Presses Stop (aborts `signal`) as soon as `ready()` holds, checked every 20 ms; after `maxMs`
 * it presses it anyway. `dispose()` ends the watch and returns when Stop was pressed (0: never).
 */
export function stopWhen(ready: () => boolean, maxMs = 15_000): { signal: AbortSignal; dispose: () => number } {
	const controller = new AbortController();
	const started = Date.now();
	let at = 0;
	const timer = setInterval(() => {
		if (!ready() && Date.now() - started < maxMs) return;
		clearInterval(timer);
		at = Date.now();
		controller.abort();
	}, 20);
	return {
		signal: controller.signal,
		dispose: () => {
			clearInterval(timer);
			return at;
		},
	};
}
