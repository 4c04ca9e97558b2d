import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { ItemJob } from '../engine/batch';
import type { Downloader } from '../engine/binary';
import type { PollLoop } from '../engine/poll';
import type { Slots } from '../engine/rateLimit';
import type { GatewayClient } from '../engine/transport';
import type { Gateway } from '../gateways/types';

/** What an operation gets for one input item. Everything in it belongs to this execution alone. */
export interface OperationRun {
	ctx: IExecuteFunctions;
	gateway: Gateway;
	client: GatewayClient;
	/** The one loop that polls every task of this execution. */
	poller: PollLoop;
	/** Result downloads: bounded in bytes and time, at most a few at once. */
	downloads: Downloader;
	/** Uploads of input images hold their bytes in memory: at most a few at once. */
	uploads: Slots;
	job: ItemJob;
}

/**
 * One file per operation: its parameters, and what it does for one item in two steps. `prepare`
 * reads and checks the item's parameters; the router runs it for every item before any `execute`,
 * so that bad input in item 7 stops the node before item 0 has paid for a task.
 */
export interface Operation<Prepared = unknown> {
	name: string;
	value: string;
	description: string;
	action: string;
	properties: INodeProperties[];
	prepare(ctx: IExecuteFunctions, gateway: Gateway, itemIndex: number): Promise<Prepared>;
	execute(run: OperationRun, prepared: Prepared): Promise<INodeExecutionData[]>;
}

/** Operations of every kind, as the router holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOperation = Operation<any>;
