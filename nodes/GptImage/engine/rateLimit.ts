import { waitFor } from './wait';

/**
 * At most `count` calls in any `windowMs`: Kie.ai allows 20 new tasks per 10 seconds and answers
 * the 21st with a 429, so creates wait their turn here instead of being refused there.
 */
export class SlidingWindowLimiter {
	private readonly sent: number[] = [];

	constructor(
		private readonly count: number,
		private readonly windowMs: number,
		/** Slack for clock and network jitter between our send and the gateway's count. */
		private readonly marginMs = 100,
	) {}

	/** Resolves when a call may go; the call is counted from then. */
	async acquire(signal?: AbortSignal): Promise<void> {
		for (;;) {
			const now = Date.now();
			while (this.sent.length && this.sent[0] <= now - this.windowMs - this.marginMs) this.sent.shift();
			if (this.sent.length < this.count) {
				this.sent.push(now);
				return;
			}
			await waitFor(this.sent[0] + this.windowMs + this.marginMs - now, signal);
		}
	}
}

/** At most `slots` holders at once; the others wait in line. */
export class Slots {
	private free: number;
	private readonly waiting: Array<() => void> = [];

	constructor(slots: number) {
		this.free = slots;
	}

	async run<T>(work: () => Promise<T>): Promise<T> {
		if (this.free > 0) this.free--;
		else await new Promise<void>((resolve) => this.waiting.push(resolve));
		try {
			return await work();
		} finally {
			const next = this.waiting.shift();
			if (next) next();
			else this.free++;
		}
	}
}
