/**
 * Small stand-ins for the n8n-nodes-base nodes our example workflows use (n8n-nodes-base itself is
 * not installed). Each keeps the real node's type name, versions, parameter names and defaults, so
 * an editor-exported workflow (which omits default values) runs unchanged, but implements only
 * what the examples need.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

type Description = Pick<INodeTypeDescription, 'displayName' | 'name' | 'version' | 'inputs' | 'outputs'> &
	Partial<INodeTypeDescription>;

function describe(description: Description): INodeTypeDescription {
	return {
		group: ['transform'],
		description: `${description.displayName} (test stand-in)`,
		defaults: { name: description.displayName },
		properties: [],
		...description,
	};
}

const main = [NodeConnectionTypes.Main];

/** Emits one empty item when the workflow is run by hand, like n8n's "Execute workflow". */
const manualTrigger: INodeType = {
	description: describe({
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		maxNodes: 1,
		inputs: [],
		outputs: main,
	}),
	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return {
			manualTriggerFunction: async () => {
				this.emit([this.helpers.returnJsonArray([{}])]);
			},
		};
	},
};

const noOp: INodeType = {
	description: describe({
		displayName: 'No Operation, do nothing',
		name: 'noOp',
		version: 1,
		inputs: main,
		outputs: main,
	}),
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	},
};

/** Never connected, so never executed; it only has to be a known type. */
const stickyNote: INodeType = {
	description: describe({
		displayName: 'Sticky Note',
		name: 'stickyNote',
		group: ['input'],
		version: 1,
		inputs: [],
		outputs: [],
		properties: [
			{ displayName: 'Content', name: 'content', type: 'string', default: '' },
			{ displayName: 'Height', name: 'height', type: 'number', default: 160 },
			{ displayName: 'Width', name: 'width', type: 'number', default: 240 },
		],
	}),
};

const SECONDS_PER_UNIT: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/**
 * Only "After Time Interval": sleeps in-process (as n8n does for waits under 65 s), then passes the
 * items on. Stopping the execution ends the wait at once with an error, so a cancelled run settles.
 */
const wait: INodeType = {
	description: describe({
		displayName: 'Wait',
		name: 'wait',
		group: ['organization'],
		version: [1, 1.1],
		inputs: main,
		outputs: main,
		properties: [
			{
				displayName: 'Resume',
				name: 'resume',
				type: 'options',
				options: [
					{ name: 'After Time Interval', value: 'timeInterval' },
					{ name: 'At Specified Time', value: 'specificTime' },
					{ name: 'On Webhook Call', value: 'webhook' },
					{ name: 'On Form Submitted', value: 'form' },
				],
				default: 'timeInterval',
			},
			// The real node changed these defaults in version 1.1 (1 hour before, 5 seconds since).
			{
				displayName: 'Wait Amount',
				name: 'amount',
				type: 'number',
				displayOptions: { show: { resume: ['timeInterval'], '@version': [1] } },
				default: 1,
			},
			{
				displayName: 'Wait Unit',
				name: 'unit',
				type: 'options',
				displayOptions: { show: { resume: ['timeInterval'], '@version': [1] } },
				options: Object.keys(SECONDS_PER_UNIT).map((unit) => ({ name: unit, value: unit })),
				default: 'hours',
			},
			{
				displayName: 'Wait Amount',
				name: 'amount',
				type: 'number',
				displayOptions: { show: { resume: ['timeInterval'] }, hide: { '@version': [1] } },
				default: 5,
			},
			{
				displayName: 'Wait Unit',
				name: 'unit',
				type: 'options',
				displayOptions: { show: { resume: ['timeInterval'] }, hide: { '@version': [1] } },
				options: Object.keys(SECONDS_PER_UNIT).map((unit) => ({ name: unit, value: unit })),
				default: 'seconds',
			},
		],
	}),
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const resume = this.getNodeParameter('resume', 0) as string;
		if (resume !== 'timeInterval') {
			throw new NodeOperationError(
				this.getNode(),
				`The Wait stand-in only supports "After Time Interval", not "${resume}"`,
			);
		}
		const amount = this.getNodeParameter('amount', 0) as number;
		const unit = this.getNodeParameter('unit', 0) as string;
		const seconds = SECONDS_PER_UNIT[unit];
		if (seconds === undefined) throw new NodeOperationError(this.getNode(), `Unknown wait unit "${unit}"`);

		const signal = this.getExecutionCancelSignal();
		await new Promise<void>((resolve, reject) => {
			const stop = () => {
				clearTimeout(timer);
				reject(new NodeOperationError(this.getNode(), 'Wait was interrupted: the execution was stopped'));
			};
			const timer = setTimeout(
				() => {
					signal?.removeEventListener('abort', stop);
					resolve();
				},
				amount * seconds * 1000,
			);
			if (signal?.aborted) stop();
			else signal?.addEventListener('abort', stop, { once: true });
		});
		return [this.getInputData()];
	},
};

type CodeFunction = (
	items: INodeExecutionData[],
	$input: IDataObject,
	$json: IDataObject | undefined,
) => Promise<unknown>;

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
	...argsAndBody: string[]
) => CodeFunction;

function isItem(value: unknown): value is INodeExecutionData {
	return value !== null && typeof value === 'object' && 'json' in value && typeof value.json === 'object';
}

function toItem(value: unknown): INodeExecutionData {
	return isItem(value) ? value : { json: value as IDataObject };
}

/**
 * JavaScript only. The code runs as the body of an async function (so `return` and `await` work)
 * with `items`, `$input` (`all()`, `first()`, `last()`, and `item` per item) and, per item, `$json`.
 */
const code: INodeType = {
	description: describe({
		displayName: 'Code',
		name: 'code',
		version: [1, 2],
		inputs: main,
		outputs: main,
		properties: [
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				options: [
					{ name: 'Run Once for All Items', value: 'runOnceForAllItems' },
					{ name: 'Run Once for Each Item', value: 'runOnceForEachItem' },
				],
				default: 'runOnceForAllItems',
			},
			{
				displayName: 'Language',
				name: 'language',
				type: 'options',
				options: [
					{ name: 'JavaScript', value: 'javaScript' },
					{ name: 'Python', value: 'python' },
				],
				default: 'javaScript',
			},
			{ displayName: 'JavaScript', name: 'jsCode', type: 'string', default: 'return $input.all();' },
		],
	}),
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const node = this.getNode();
		const language = this.getNodeParameter('language', 0) as string;
		if (language !== 'javaScript') {
			throw new NodeOperationError(node, `The Code stand-in only runs JavaScript, not "${language}"`);
		}
		const mode = this.getNodeParameter('mode', 0) as string;
		let run: CodeFunction;
		try {
			run = new AsyncFunction('items', '$input', '$json', this.getNodeParameter('jsCode', 0) as string);
		} catch (error) {
			throw new NodeOperationError(node, error as Error);
		}
		const items = this.getInputData();
		const input = (item?: INodeExecutionData): IDataObject => ({
			all: () => items,
			first: () => items[0],
			last: () => items[items.length - 1],
			get item() {
				if (item === undefined) {
					throw new Error("Can't use $input.item here: it only exists in 'Run Once for Each Item' mode");
				}
				return item;
			},
		});

		if (mode === 'runOnceForEachItem') {
			const output: INodeExecutionData[] = [];
			for (const [itemIndex, item] of items.entries()) {
				let result: unknown;
				try {
					result = await run(items, input(item), item.json);
				} catch (error) {
					throw new NodeOperationError(node, error as Error, { itemIndex });
				}
				if (result === null || typeof result !== 'object' || Array.isArray(result)) {
					throw new NodeOperationError(node, "Code doesn't return an object", { itemIndex });
				}
				output.push({ pairedItem: { item: itemIndex }, ...toItem(result) });
			}
			return [output];
		}

		let result: unknown;
		try {
			result = await run(items, input(), undefined);
		} catch (error) {
			throw new NodeOperationError(node, error as Error);
		}
		if (result === null || typeof result !== 'object') {
			throw new NodeOperationError(node, "Code doesn't return items properly", {
				description: 'Please return an array of objects, one for each item you would like to output.',
			});
		}
		return [(Array.isArray(result) ? result : [result]).map(toItem)];
	},
};

export const standInNodeTypes: Record<string, INodeType> = {
	'n8n-nodes-base.manualTrigger': manualTrigger,
	'n8n-nodes-base.noOp': noOp,
	'n8n-nodes-base.stickyNote': stickyNote,
	'n8n-nodes-base.wait': wait,
	'n8n-nodes-base.code': code,
};
