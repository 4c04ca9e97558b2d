import type { INodePropertyOptions } from 'n8n-workflow';

import { evoLink } from './evoLink';
import { kieAi } from './kieAi';
import { toApis } from './toApis';
import type { Gateway } from './types';

/**
 * The registry: every gateway the node speaks, one line each. The node's description, the tests,
 * the simulator, the demo, the bench and the real-n8n scripts all iterate it; a new gateway is its
 * folder here, its credential, this line, and its simulator module.
 */
export const GATEWAYS = { toApis, kieAi, evoLink };

export type GatewayId = keyof typeof GATEWAYS;

/** The gateway a new node starts with: the registry's first. */
export const DEFAULT_GATEWAY: string = Object.values(GATEWAYS)[0].id;

export function gatewayById(id: string): Gateway | undefined {
	return Object.prototype.hasOwnProperty.call(GATEWAYS, id) ? GATEWAYS[id as GatewayId] : undefined;
}

/** The ids of the gateways that have a capability, for `displayOptions` that follow capabilities. */
export function gatewayIdsWhere(has: (gateway: Gateway) => boolean): string[] {
	return Object.values(GATEWAYS)
		.filter(has)
		.map((gateway) => gateway.id);
}

export const gatewayOptions: INodePropertyOptions[] = Object.values(GATEWAYS).map((gateway) => ({
	name: gateway.displayName,
	value: gateway.id,
}));

export type * from './types';
