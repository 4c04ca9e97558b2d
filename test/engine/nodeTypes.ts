/**
 * The node types a test workflow can use: our package's node (loaded lazily), stand-ins for the
 * n8n-nodes-base nodes the examples use, and whatever a test registers.
 */
import type { IDataObject, IExecuteFunctions, INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';
import { Node, NodeHelpers } from 'n8n-workflow';

import { standInNodeTypes } from './standInNodes';

type NodeTypeSource = INodeType | IVersionedNodeType | (() => INodeType | IVersionedNodeType);

const nodeTypes = new Map<string, NodeTypeSource>([
	[
		'n8n-nodes-gpt-image.gptImage',
		() => {
			// Lazy: the node may not exist yet, and tests that don't use it must not depend on it.
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			const { GptImage } = require('../../nodes/GptImage/GptImage.node') as { GptImage: new () => INodeType };
			return new GptImage();
		},
	],
	...Object.entries(standInNodeTypes),
]);

/** Makes a node type (e.g. a test-only one) available to every later run in this process. */
export function registerNodeType(typeName: string, nodeType: INodeType | IVersionedNodeType): void {
	nodeTypes.set(typeName, nodeType);
}

export function isKnownNodeType(typeName: string): boolean {
	return nodeTypes.has(typeName);
}

function loadNodeType(typeName: string): INodeType | IVersionedNodeType {
	const source = nodeTypes.get(typeName);
	if (source === undefined) {
		throw new Error(`Unknown node type "${typeName}": register it with registerNodeType()`);
	}
	if (typeof source !== 'function') return source;
	const loaded = source();
	nodeTypes.set(typeName, loaded);
	return loaded;
}

/**
 * n8n-core turns a thrown error into a plain object (`{ ...error, message, stack }`) before storing
 * it in the run data, which loses its class. Observing `execute` lets the runner hand back the very
 * instance the node threw; the engine still calls the node exactly as it would.
 */
function observeErrors(type: INodeType, onError: (nodeName: string, error: unknown) => void): INodeType {
	const { execute } = type;
	if (execute === undefined || type instanceof Node) return type;
	const observed = Object.create(type) as INodeType;
	observed.execute = async function (this: IExecuteFunctions, ...args: Parameters<typeof execute>) {
		try {
			return await execute.apply(this, args);
		} catch (error) {
			onError(this.getNode().name, error);
			throw error;
		}
	};
	return observed;
}

/** The `INodeTypes` of one run; `onError` receives every error a node's `execute` throws. */
export function createNodeTypes(onError: (nodeName: string, error: unknown) => void): INodeTypes {
	const resolved = new Map<string, INodeType>();
	return {
		getByName: (typeName) => loadNodeType(typeName),
		getByNameAndVersion(typeName, version) {
			const key = `${typeName}@${version ?? 'latest'}`;
			let type = resolved.get(key);
			if (type === undefined) {
				type = observeErrors(NodeHelpers.getVersionedNodeType(loadNodeType(typeName), version), onError);
				resolved.set(key, type);
			}
			return type;
		},
		getKnownTypes: () => Object.fromEntries([...nodeTypes.keys()].map((name) => [name, {} as IDataObject])),
	};
}
