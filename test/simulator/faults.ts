/** Scripted faults: a test queues them, matching requests consume them in injection order. */
import type { Fault, FaultResponse, GatewayName, RequestKind } from './types';

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

	/** The fault this request gets, if any; the first one (in injection order) that fires wins. */
	take(gateway: GatewayName | undefined, kind: RequestKind): FaultResponse | undefined {
		for (const entry of this.pending) {
			const { fault } = entry;
			if (fault.kind !== kind || (fault.gateway !== undefined && fault.gateway !== gateway)) continue;
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
