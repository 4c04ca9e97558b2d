import type { INodePropertyOptions } from 'n8n-workflow';

import { evoLink } from './evolink';
import { kieAi } from './kie';
import { toApis } from './toapis';
import type { GatewayAdapter, GatewayId } from './types';

/** Every gateway the node speaks. A new gateway is one adapter file plus one line here. */
export const GATEWAYS: Record<GatewayId, GatewayAdapter> = { toApis, kieAi, evoLink };

export function gatewayById(id: string): GatewayAdapter | undefined {
	return Object.prototype.hasOwnProperty.call(GATEWAYS, id) ? GATEWAYS[id as GatewayId] : undefined;
}

/** The ids of the gateways that have a capability, for `displayOptions` that follow capabilities. */
export function gatewayIdsWhere(has: (gateway: GatewayAdapter) => boolean): GatewayId[] {
	return Object.values(GATEWAYS)
		.filter(has)
		.map((gateway) => gateway.id);
}

export const gatewayOptions: INodePropertyOptions[] = Object.values(GATEWAYS).map((gateway) => ({
	name: gateway.displayName,
	value: gateway.id,
}));

export type * from './types';
