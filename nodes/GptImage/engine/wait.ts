import * as workflow from 'n8n-workflow';

/** n8n-workflow's abortable sleep; older n8n versions only have the plain one. */
const sleepWithAbort = (workflow as Partial<typeof workflow>).sleepWithAbort;

/** Longest plain sleep between two looks at the signal when sleepWithAbort is missing. */
const SLICE_MS = 200;

/**
 * Waits `ms`, or less if the execution is stopped: then it rejects with the abort, so that no
 * loop goes on sleeping (and later sending) after Stop. Callers tell a stop from a failure by
 * looking at the signal, not at the error.
 */
export async function waitFor(ms: number, signal?: AbortSignal): Promise<void> {
	signal?.throwIfAborted();
	if (ms <= 0) return;
	if (sleepWithAbort) {
		// sleepWithAbort leaves its listener on the signal when the time is up, and an item's signal
		// sees many waits (retries, rate limits): it listens to a signal of ours, and we let go of
		// the caller's when the wait ends.
		const own = new AbortController();
		const forward = () => own.abort();
		signal?.addEventListener('abort', forward, { once: true });
		try {
			await sleepWithAbort(ms, own.signal);
		} finally {
			signal?.removeEventListener('abort', forward);
		}
	} else {
		const end = Date.now() + ms;
		while (Date.now() < end) {
			await workflow.sleep(Math.min(SLICE_MS, end - Date.now()));
			signal?.throwIfAborted();
		}
	}
	signal?.throwIfAborted();
}
