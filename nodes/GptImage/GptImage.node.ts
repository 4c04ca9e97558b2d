import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { OPERATIONS, route } from './actions/router';
import { DEFAULT_GATEWAY, GATEWAYS, gatewayOptions } from './gateways';

/** "Generate on Kie.ai" under the node on the canvas. */
const OPERATION_NAMES = JSON.stringify(Object.fromEntries(OPERATIONS.map((op) => [op.value, op.name])));
const GATEWAY_NAMES = JSON.stringify(Object.fromEntries(gatewayOptions.map((g) => [g.value, g.name])));

const gateways = Object.values(GATEWAYS);

/**
 * n8n hides the parameter the credentials depend on (Gateway) and offers the choice only in the
 * credential menu. These notices say, where the user looks, which gateway the node uses and how to
 * use another.
 */
const gatewayNotices: INodeProperties[] = gateways.map((gateway) => ({
	displayName: `This node is set to ${gateway.displayName}. It also works with ${gateways
		.filter((other) => other !== gateway)
		.map((other) => other.displayName)
		.join(' and ')}: choose or create a credential of that gateway above, and models and options follow it.`,
	name: 'gatewayNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: { gateway: [gateway.id] } },
}));

export class GptImage implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'GPT Image',
		name: 'gptImage',
		icon: { light: 'file:gptImage.svg', dark: 'file:gptImage.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: `={{ (${OPERATION_NAMES})[$parameter["operation"]] + " on " + (${GATEWAY_NAMES})[$parameter["gateway"]] }}`,
		description: "Generate and edit images with OpenAI's GPT image models through ToAPIs, Kie.ai or EvoLink",
		defaults: { name: 'GPT Image' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: gateways.map((gateway) => ({
			name: gateway.credentialType,
			// The credential menu's label for this choice.
			displayName: gateway.displayName,
			required: true,
			displayOptions: { show: { gateway: [gateway.id] } },
		})),
		properties: [
			{
				displayName: 'Gateway',
				name: 'gateway',
				type: 'options',
				noDataExpression: true,
				default: DEFAULT_GATEWAY,
				options: gatewayOptions,
				description: 'The service that runs the GPT image model for you. In the editor, choosing a credential chooses its gateway.',
			},
			...gatewayNotices,
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'generate',
				options: OPERATIONS.map(({ name, value, description, action }) => ({ name, value, description, action })),
			},
			...OPERATIONS.flatMap((operation) => operation.properties),
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route(this);
	}
}
