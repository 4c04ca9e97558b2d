/** The EvoLink simulator's options: the wire variants its docs leave open, its rate limits. */
import type { GatewayContext } from '../../gateway';

export interface EvoLinkOptions {
	/** Where a completed task lists its results: `results[]`, `result_data[].image_url`, or both. */
	resultForm: 'results' | 'result_data' | 'both';
	/**
	 * Default false (the API page promises nothing): a repeated `Idempotency-Key` creates a new task.
	 * When true, a create repeating a key answers with the first task instead of creating another.
	 */
	honourIdempotencyKey: boolean;
	/** Whether task answers (polls, callbacks) carry `usage` too; the create answer always does. Default false: not documented. */
	usageInTask: boolean;
	/** The credits a key starts with; `GET /v1/credits` shows them less what tasks reserved. */
	credits: number;
	/** Answer a task id not starting with `task-unified-` with 400 `invalid_task_id` [E-TASK] (default false: a 404 like any unknown id). */
	checkTaskIdFormat: boolean;
}

export interface EvoLinkRateLimits {
	/** Creates per sliding second; excess gets HTTP 429 + Retry-After. None documented: Infinity = off. */
	createsPerSecond: number;
}

export type EvoLinkContext = GatewayContext<EvoLinkOptions, EvoLinkRateLimits>;
