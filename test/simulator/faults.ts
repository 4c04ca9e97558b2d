/** Scripted faults: a test queues them, matching requests consume them in injection order. */
import type { Fault, FaultResponse, LoggedRequest } from './types';

interface PendingFault {
	fault: Fault;
	/** Matching requests still to let through before the fault fires. */
	skip: number;
	/** Matching requests still to fault. */
	remaining: number;
}

export class FaultQueue {
	private pending: PendingFault[] = [];

	add(fault: Fault): void {
		this.pending.push({ fault, skip: fault.afterMatches ?? 0, remaining: fault.times ?? 1 });
	}

	clear(): void {
		this.pending = [];
	}

	/** Faults that have not fired yet (counting each remaining `times`). */
	get size(): number {
		return this.pending.reduce((sum, entry) => sum + entry.remaining, 0);
	}

	/** The fault this request gets, if any; the first one (in injection order) that fires wins. */
	take(request: LoggedRequest): FaultResponse | undefined {
		for (const entry of this.pending) {
			const { fault } = entry;
			if (fault.kind !== request.kind || (fault.gateway !== undefined && fault.gateway !== request.gateway)) continue;
			if (fault.when && !fault.when(request)) continue;
			if (entry.skip > 0) {
				entry.skip--;
				continue;
			}
			entry.remaining--;
			this.pending = this.pending.filter((e) => e.remaining > 0);
			return fault.response;
		}
		return undefined;
	}
}
