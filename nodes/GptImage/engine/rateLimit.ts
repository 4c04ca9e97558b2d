import { waitFor } from './wait';

/** One counted call: pending (Infinity) until the gateway's answer came, then the time it came. */
export interface WindowTicket {
	at: number;
}

/** How often to look again while every counted call is still waiting for its answer. */
const PENDING_RECHECK_MS = 100;

/**
 * At most `count` calls in any `windowMs`: Kie.ai allows 20 new tasks per 10 seconds and answers
 * the 21st with a 429, so creates wait their turn here instead of being refused there. The
 * gateway counts a call when it arrives, somewhere between our send and its answer; counting
 * from the answer is safe without a large margin.
 */
export class SlidingWindowLimiter {
	private tickets: WindowTicket[] = [];

	constructor(
		private readonly count: number,
		private readonly windowMs: number,
		/** Slack for the gateway's clock and rounding. */
		private readonly marginMs = 100,
	) {}

	/** Resolves when a call may go; set the ticket's `at` to the answer's arrival once it came (or failed). */
	async acquire(signal?: AbortSignal): Promise<WindowTicket> {
		for (;;) {
			const now = Date.now();
			const span = this.windowMs + this.marginMs;
			this.tickets = this.tickets.filter((ticket) => ticket.at > now - span);
			if (this.tickets.length < this.count) {
				// A call in flight counts until its answer is here, however long that takes.
				const ticket = { at: Infinity };
				this.tickets.push(ticket);
				return ticket;
			}
			const oldest = Math.min(...this.tickets.map((ticket) => ticket.at));
			await waitFor(Number.isFinite(oldest) ? oldest + span - now : PENDING_RECHECK_MS, signal);
		}
	}
}

/**
 * At most `slots` holders at once; the others wait in line. A waiter whose signal aborts leaves the
 * line at once (Stop must not wait for someone else's download to end).
 */
export class Slots {
	private free: number;
	private readonly waiting: Array<{ grant: () => void }> = [];

	constructor(slots: number) {
		this.free = slots;
	}

	private async acquire(signal?: AbortSignal): Promise<void> {
		signal?.throwIfAborted();
		if (this.free > 0) {
			this.free--;
			return;
		}
		await new Promise<void>((resolve, reject) => {
			const waiter = {
				grant: () => {
					signal?.removeEventListener('abort', leave);
					resolve();
				},
			};
			const leave = () => {
				const index = this.waiting.indexOf(waiter);
				if (index >= 0) this.waiting.splice(index, 1);
				reject(signal?.reason);
			};
			signal?.addEventListener('abort', leave, { once: true });
			this.waiting.push(waiter);
		});
	}

	private release(): void {
		const next = this.waiting.shift();
		if (next) next.grant();
		else this.free++;
	}

	async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
		await this.acquire(signal);
		try {
			return await work();
		} finally {
			this.release();
		}
	}
}
