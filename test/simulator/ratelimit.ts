/** Sliding-window hit counters, one per key (an API key, a task id): how the gateways' rate limits count. */
export class RateLimiter {
	private readonly hits = new Map<string, number[]>();

	/** Records a hit and returns true if fewer than `limit` hits fell in the last `windowMs`; else false. */
	tryHit(key: string, limit: number, windowMs: number, now: number): boolean {
		if (limit === Infinity) return true;
		const recent = (this.hits.get(key) ?? []).filter((t) => t > now - windowMs);
		const allowed = recent.length < limit;
		if (allowed) recent.push(now);
		this.hits.set(key, recent);
		return allowed;
	}
}
