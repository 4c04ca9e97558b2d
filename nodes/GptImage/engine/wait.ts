import * as workflow from 'n8n-workflow';

/**
 * Every wait of the node goes through the sleep of the n8n-workflow that the running n8n provides
 * (a community package resolves it from n8n's own installation, whatever version that is). How a
 * sleep can be cut short differs between versions, so the host is asked once, on the first wait:
 *
 * - n8n-workflow 2.4x (n8n 2.41): `sleep(ms, signal)` rejects when the signal aborts;
 * - 1.x to 2.1x (n8n 1.123, the 2.11 the tests build on): `sleepWithAbort(ms, signal)`;
 * - anything older: a plain `sleep(ms)`, taken in short slices with a look at the signal after
 *   each, so that a Stop is seen within a slice instead of at once.
 */

type AbortableSleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** What n8n-workflow offers, by name; the tests hand in each version they run against. */
export type HostWorkflow = { sleep?: (ms: number, signal?: AbortSignal) => Promise<void>; sleepWithAbort?: AbortableSleep };

export interface HostSleep {
	/** Which of n8n-workflow's functions the node waits with. */
	form: 'sleep(ms, signal)' | 'sleepWithAbort(ms, signal)' | 'sleep(ms) in slices';
	sleep: AbortableSleep;
	/** Longest single sleep: a slice when the sleep cannot be aborted. */
	maxMs: number;
}

/** Node's longest timer; longer ones fire at once with a warning. */
const MAX_TIMER_MS = 2_147_483_647;
/** Longest plain sleep between two looks at the signal when no sleep can be aborted. */
const SLICE_MS = 200;

/**
 * Whether `sleep` takes an abort signal: asked with one that is already aborted, an abortable
 * sleep rejects with its reason, a plain one just sleeps 0 ms. Tried rather than read from the
 * function's arity, which a wrapper or a bundler can change.
 */
async function sleepTakesSignal(sleep: NonNullable<HostWorkflow['sleep']>): Promise<boolean> {
	const probe = new AbortController();
	const reason = new Error('probe');
	probe.abort(reason);
	try {
		await sleep(0, probe.signal);
		return false;
	} catch (error) {
		return error === reason;
	}
}

/** Finds the best sleep `host` offers. */
export async function detectHostSleep(host: HostWorkflow): Promise<HostSleep> {
	const { sleep, sleepWithAbort } = host;
	if (sleep && (await sleepTakesSignal(sleep))) {
		return { form: 'sleep(ms, signal)', sleep, maxMs: MAX_TIMER_MS };
	}
	if (sleepWithAbort) return { form: 'sleepWithAbort(ms, signal)', sleep: sleepWithAbort, maxMs: MAX_TIMER_MS };
	if (!sleep) throw new Error('n8n-workflow offers no sleep: this n8n is too old for the GPT Image node');
	return { form: 'sleep(ms) in slices', sleep: async (ms) => await sleep(ms), maxMs: SLICE_MS };
}

let hostSleep: Promise<HostSleep> | undefined;

/** The running n8n's sleep, found on the first call. */
export async function runningHostSleep(): Promise<HostSleep> {
	hostSleep ??= detectHostSleep(workflow as HostWorkflow);
	return await hostSleep;
}

/**
 * Waits `ms`, or less if the execution is stopped: then it rejects with the abort, so that no
 * loop goes on sleeping (and later sending) after Stop. Callers tell a stop from a failure by
 * looking at the signal, not at the error.
 */
export async function waitFor(ms: number, signal?: AbortSignal): Promise<void> {
	signal?.throwIfAborted();
	if (!(ms > 0)) return;
	const host = await runningHostSleep();
	// A stop may have come while the host was asked.
	signal?.throwIfAborted();
	// An item's signal sees many waits (retries, rate limits), and some sleeps leave their
	// listener on the signal when the time is up: they listen to a signal of ours, and we let go
	// of the caller's when the wait ends.
	const own = new AbortController();
	const forward = () => own.abort(signal?.reason);
	signal?.addEventListener('abort', forward, { once: true });
	try {
		// The clock is read once per round, so no sleep is ever asked for 0 or less.
		const end = Date.now() + ms;
		for (let left = ms; left > 0 && !own.signal.aborted; left = end - Date.now()) {
			await host.sleep(Math.min(left, host.maxMs), own.signal);
		}
	} finally {
		signal?.removeEventListener('abort', forward);
	}
	signal?.throwIfAborted();
}
