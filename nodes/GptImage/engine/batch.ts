/**
 * Runs one job per input item, up to `concurrency` at once, and returns the outcomes in input
 * order. Gateway-free: a job is whatever the operation does for one item.
 */

export interface ItemJob {
	itemIndex: number;
	/** Aborts when the execution is stopped, or when another item failed and the node will fail. */
	signal: AbortSignal;
	/** Remember a created task until the job ends, so a failing batch can name the tasks it leaves running. */
	trackTask(taskId: string): void;
}

export type ItemOutcome<T> = { ok: true; value: T } | { ok: false; error: Error };

export interface BatchOptions {
	count: number;
	concurrency: number;
	signal?: AbortSignal;
	/** With continueOnFail off, the first failure stops the batch. */
	stopOnError: boolean;
}

export interface BatchFailure {
	error: Error;
	itemIndex: number;
}

export interface BatchResult<T> {
	outcomes: Array<ItemOutcome<T>>;
	/** The first failure, when it stopped the batch. */
	failure?: BatchFailure;
	/**
	 * Tasks created for items that did not finish (other than the failed one): when the batch stops
	 * (Stop, or another item failed) they may still run, and be billed, on the gateway.
	 */
	openTaskIds: string[];
}

export async function runBatch<T>(
	options: BatchOptions,
	job: (item: ItemJob) => Promise<T>,
): Promise<BatchResult<T>> {
	const { count, signal, stopOnError } = options;
	// Each job gets its own controller, aborted from here: one listener on the execution's signal
	// however many items run, instead of one per request in flight.
	const jobs = new Set<AbortController>();
	let stopping = signal?.aborted === true;
	const stopAll = () => {
		stopping = true;
		for (const job of jobs) job.abort();
	};
	signal?.addEventListener('abort', stopAll, { once: true });

	const outcomes: Array<ItemOutcome<T>> = new Array(count);
	/** Every item's tasks, kept after the item's job ended. */
	const tracked = new Map<number, Set<string>>();
	let failure: BatchFailure | undefined;
	let next = 0;

	const worker = async () => {
		while (next < count && !stopping) {
			const itemIndex = next++;
			const tasks = new Set<string>();
			const controller = new AbortController();
			jobs.add(controller);
			tracked.set(itemIndex, tasks);
			try {
				const value = await job({
					itemIndex,
					signal: controller.signal,
					trackTask: (taskId) => tasks.add(taskId),
				});
				outcomes[itemIndex] = { ok: true, value };
			} catch (caught) {
				const error = caught instanceof Error ? caught : new Error(String(caught));
				outcomes[itemIndex] = { ok: false, error };
				// Once the batch is stopping, the other items' errors are only the abort itself.
				if (stopOnError && !failure && !stopping) {
					failure = { error, itemIndex };
					stopAll();
				}
			} finally {
				jobs.delete(controller);
			}
		}
	};

	try {
		await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, count)) }, worker));
	} finally {
		signal?.removeEventListener('abort', stopAll);
	}
	// Named once every job has ended: a create under way when the batch stopped was awaited (it may
	// have made a billed task), and that task is named too.
	const openTaskIds = [...tracked]
		.filter(([index]) => index !== failure?.itemIndex && !outcomes[index]?.ok)
		.flatMap(([, ids]) => [...ids]);
	return { outcomes, failure, openTaskIds };
}
