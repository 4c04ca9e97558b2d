import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

/**
 * Every parameter the node reads is checked for type and range here, before anything is paid for.
 * Expressions can give anything: a missing field (`undefined`), `null`, an object, "10 min" where a
 * number belongs, `Infinity`. None of it may reach a gateway (as the prompt "undefined") or a timer
 * (Node fires timers past 2^31 ms at once); each is refused with the parameter and the item.
 */

/** Turns a raw parameter value into a checked one, or says what is wrong with it. */
export type ValueRule<T> = (value: unknown) => { ok: true; value: T } | { ok: false; problem: string };

/** A raw value as a user would recognise it in an error message. */
export function describeValue(value: unknown): string {
	if (value === undefined) return 'empty (the expression gave no value)';
	if (value === null) return 'null';
	if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 37)}..."` : `"${value}"`;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	if (Array.isArray(value)) return 'a list';
	return 'an object';
}

/** Text: a string, or a finite number written as text. Objects, lists, booleans, null and nothing are refused. */
export function text(): ValueRule<string> {
	return (value) => {
		if (typeof value === 'string') return { ok: true, value };
		if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value: String(value) };
		return { ok: false, problem: `is ${describeValue(value)}; expected text` };
	};
}

/** A finite number in [min, max] (a plain numeric string counts), optionally whole. */
export function number(min: number, max: number, options: { integer?: boolean; unit?: string } = {}): ValueRule<number> {
	const what = `${options.integer ? 'a whole number' : 'a number'}${options.unit ? ` of ${options.unit}` : ''} from ${min} to ${max}`;
	return (value) => {
		const parsed =
			typeof value === 'number'
				? value
				: typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)
					? Number(value)
					: NaN;
		const fits = Number.isFinite(parsed) && parsed >= min && parsed <= max && (!options.integer || Number.isInteger(parsed));
		return fits ? { ok: true, value: parsed } : { ok: false, problem: `is ${describeValue(value)}; expected ${what}` };
	};
}

export function flag(): ValueRule<boolean> {
	return (value) =>
		typeof value === 'boolean' ? { ok: true, value } : { ok: false, problem: `is ${describeValue(value)}; expected true or false` };
}

export function oneOf<T extends string | number>(allowed: readonly T[]): ValueRule<T> {
	return (value) =>
		allowed.includes(value as T)
			? { ok: true, value: value as T }
			: { ok: false, problem: `is ${describeValue(value)}; use one of ${allowed.join(', ')}` };
}

export interface ValueCheck {
	ctx: IExecuteFunctions;
	itemIndex: number;
	/** Who would have been paid: "Nothing was sent to Kie.ai." */
	gatewayName: string;
}

export function invalidParameter(check: ValueCheck, label: string, problem: string): NodeOperationError {
	return new NodeOperationError(check.ctx.getNode(), `Invalid "${label}" in item ${check.itemIndex}: ${problem}`, {
		itemIndex: check.itemIndex,
		description: `Change "${label}" and run again. Nothing was sent to ${check.gatewayName}.`,
	});
}

function apply<T>(check: ValueCheck, label: string, rule: ValueRule<T>, value: unknown): T {
	const result = rule(value);
	if (!result.ok) throw invalidParameter(check, label, result.problem);
	return result.value;
}

/** A top-level parameter of the item, checked; `fallback` when the parameter is not shown. */
export function parameter<T>(check: ValueCheck, name: string, label: string, rule: ValueRule<T>, fallback: T): T {
	const value = check.ctx.getNodeParameter(name, check.itemIndex, fallback);
	return apply(check, label, rule, value);
}

/** A field of a collection (Options), checked; `fallback` when the user did not add it. */
export function field<T>(check: ValueCheck, collection: IDataObject, key: string, label: string, rule: ValueRule<T>, fallback: T): T {
	return key in collection ? apply(check, label, rule, collection[key]) : fallback;
}

/** A collection parameter (Options): an object, or refused. */
export function collection(check: ValueCheck, name: string, label: string): IDataObject {
	const value = check.ctx.getNodeParameter(name, check.itemIndex, {});
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		throw invalidParameter(check, label, `is ${describeValue(value)}; expected a set of options`);
	}
	return value as IDataObject;
}
