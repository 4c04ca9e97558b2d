import { NodeOperationError } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';
import { z } from 'zod';

import { HOST_CLASS_WORDS, hostClass, isHttpUrl } from '../engine/hosts';
import type { ImageFormat } from '../engine/imageInfo';
import type { BinaryImage } from '../engine/upload';
import type { Gateway, ModelSpec } from '../gateways/types';
import { MB } from '../gateways/wire';
import type { ModelChoice } from './parameters';

/**
 * Checks a request against what the chosen gateway and model accept, before anything is paid
 * for. Every problem names the parameter as the user sees it and the item it came from.
 */

/** An input image: a URL as given, or a binary from an earlier node (uploaded later). */
export type ImageInput = { kind: 'url'; url: string } | { kind: 'binary'; image: BinaryImage };

/** A request before its binaries are uploaded: images are inputs, not yet URLs. */
export interface RequestDraft extends ModelChoice {
	prompt: string;
	references: ImageInput[];
	mask?: ImageInput;
	callbackUrl?: string;
}

/** The names the user sees for the draft's parts (Edit calls its one reference "Image"). */
export interface ParameterNames {
	prompt: string;
	references: string;
	mask: string;
	callbackUrl: string;
	count: string;
}

const NAMES: ParameterNames = {
	prompt: 'Prompt',
	references: 'Reference Images',
	mask: 'Mask',
	callbackUrl: 'Callback URL',
	count: 'Number of Images',
};

function megabytes(bytes: number): string {
	return `${(bytes / MB).toFixed(1).replace(/\.0$/, '')} MB`;
}

function imageInputSchema(maxBytes: number, formats: ImageFormat[], what: string, needsAlpha = false) {
	return z.discriminatedUnion('kind', [
		z.object({
			kind: z.literal('url'),
			url: z.string().refine(isHttpUrl, (value) => ({ message: `"${value}" is not an absolute http(s) URL` })),
		}),
		z.object({
			kind: z.literal('binary'),
			image: z.custom<BinaryImage>().superRefine((image, issues) => {
				const name = `binary field "${image.property}" (${image.fileName})`;
				const problem = (message: string) => issues.addIssue({ code: z.ZodIssueCode.custom, message });
				const { header } = image;
				if (!header || !formats.includes(header.format)) {
					const found = header ? header.format.toUpperCase() : 'not an image this node can read';
					problem(`${name} is ${found}; ${what} must be ${formats.map((f) => f.toUpperCase()).join(', ')}`);
				} else if (header.width === 0 || header.height === 0) {
					problem(`${name} is a ${header.format.toUpperCase()} of ${header.width}x${header.height} pixels; ${what} must have pixels`);
				} else if (image.byteLength > maxBytes) {
					problem(`${name} is ${megabytes(image.byteLength)}; the gateway takes at most ${megabytes(maxBytes)}`);
				} else if (needsAlpha && !header.alpha) {
					problem(`${name} has no alpha channel; ${what} must be a PNG with transparency (transparent = the area to edit)`);
				}
			}),
		}),
	]);
}

/** The largest binary a model takes: its own limit, and the gateway's upload limit (binaries are uploaded). */
function binaryLimit(gateway: Gateway, modelLimit: number): number {
	return Math.min(modelLimit, gateway.upload?.maxBytes ?? 0);
}

/** One schema per model: building it is not free, and a batch checks every item against the same. */
const schemas = new WeakMap<ModelSpec, ReturnType<typeof buildSchema>>();

function requestSchema(gateway: Gateway, model: ModelSpec) {
	let schema = schemas.get(model);
	if (!schema) {
		schema = buildSchema(gateway, model);
		schemas.set(model, schema);
	}
	return schema;
}

function buildSchema(gateway: Gateway, model: ModelSpec) {
	const { references, prompt } = model;
	return z
		.object({
			prompt: z.string().max(prompt.maxLength, `must be at most ${prompt.maxLength} characters for ${model.name} on ${gateway.displayName}`),
			references: z
				.array(imageInputSchema(binaryLimit(gateway, references.maxBytes), references.formats, 'an image'))
				.max(references.max, `${model.name} on ${gateway.displayName} takes at most ${references.max} images`),
			mask: model.mask
				? imageInputSchema(binaryLimit(gateway, model.mask.maxBytes), ['png'], 'a mask', model.mask.needsAlpha).optional()
				: z.undefined({ invalid_type_error: `is not taken by ${model.name}` }),
			callbackUrl: z
				.string()
				.refine(isHttpUrl, (value) => ({ message: `"${value}" is not an absolute http(s) URL` }))
				.optional(),
		})
		.passthrough()
		.superRefine((request, issues) => {
			const fail = (path: string, message: string) => issues.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
			if (request.mask) checkMask(request as unknown as RequestDraft, gateway, model, fail);
			if (!request.prompt.trim() && !(prompt.optionalWithImages && request.references.length)) {
				fail(
					'prompt',
					prompt.optionalWithImages
						? 'is empty: describe the image, or give at least one reference image'
						: `is empty: ${model.name} on ${gateway.displayName} needs a prompt`,
				);
			}
			// A callback that is no URL at all was reported by its own field's check.
			if (request.callbackUrl && isHttpUrl(request.callbackUrl)) {
				const { callback } = gateway.capabilities;
				const url = new URL(request.callbackUrl);
				const kind = hostClass(url.hostname);
				if (callback === 'none') fail('callbackUrl', `is not supported by ${gateway.displayName}`);
				else if (callback === 'https' && url.protocol !== 'https:') fail('callbackUrl', `must use https on ${gateway.displayName}`);
				else if (kind !== 'public') {
					fail(
						'callbackUrl',
						`points to ${HOST_CLASS_WORDS[kind]} (${url.hostname}) the gateway cannot reach; use a public URL such as your n8n webhook URL`,
					);
				}
			}
		});
}

/** The mask fits its image: the model's rule on the number of images, and the same pixel size where both are at hand. */
function checkMask(request: RequestDraft, gateway: Gateway, model: ModelSpec, fail: (path: string, message: string) => void): void {
	if (model.mask?.singleImage && request.references.length !== 1) {
		return fail('mask', `needs exactly one image on ${gateway.displayName} (there are ${request.references.length})`);
	}
	const [image] = request.references;
	const mask = request.mask;
	// URLs are checked by the gateway; two binaries we can compare here, before paying.
	if (image?.kind !== 'binary' || mask?.kind !== 'binary' || !image.image.header || !mask.image.header) return;
	const [a, b] = [image.image.header, mask.image.header];
	if (a.width !== b.width || a.height !== b.height) {
		fail('mask', `is ${b.width}x${b.height} but the image is ${a.width}x${a.height}: the mask must have the same width and height`);
	}
}

export function validateRequest(
	node: INode,
	gateway: Gateway,
	request: RequestDraft,
	itemIndex: number,
	names: Partial<ParameterNames> = {},
): RequestDraft {
	const { model } = request;
	const fail = (parameter: string, problem: string, others = '', entry = '') =>
		new NodeOperationError(node, `Invalid "${parameter}"${entry} in item ${itemIndex}: ${problem}`, {
			itemIndex,
			description: `Change "${parameter}" and run again. Nothing was sent to ${gateway.displayName}.${others}`,
		});
	const result = requestSchema(gateway, model).safeParse(request);
	if (!result.success) {
		const issue = result.error.issues[0];
		const key = String(issue.path[0] ?? 'prompt') as keyof ParameterNames;
		const parameter = names[key] ?? NAMES[key] ?? key;
		// "Reference Images" is a list; a renamed single input (Edit's "Image") has no entries to count.
		const listed = typeof issue.path[1] === 'number' && !names[key];
		const entry = listed ? ` (entry ${Number(issue.path[1]) + 1})` : '';
		const others = result.error.issues.length > 1 ? ` ${result.error.issues.length - 1} more problem(s) after this one.` : '';
		throw fail(parameter, issue.message, others, entry);
	}
	const combination = model.check?.(request.values, request.references.length);
	if (combination) {
		const option = model.options.find((candidate) => candidate.key === combination.key);
		throw fail(option?.label ?? NAMES.references, combination.problem);
	}
	return request;
}
