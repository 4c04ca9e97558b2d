import { NodeOperationError } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';
import { z } from 'zod';

import { HOST_CLASS_WORDS, hostClass, isHttpUrl } from '../engine/hosts';
import type { BinaryImage } from '../engine/upload';
import type { GatewayAdapter, ImageRequest, ModelSpec } from '../gateways/types';
import { MB } from '../gateways/wire';

/**
 * Checks a request against what the chosen gateway and model accept, before anything is paid
 * for. Every problem names the parameter as the user sees it and the item it came from.
 */

/** An input image: a URL as given, or a binary from an earlier node (uploaded later). */
export type ImageInput = { kind: 'url'; url: string } | { kind: 'binary'; image: BinaryImage };

/** A request before its binaries are uploaded: images are inputs, not yet URLs. */
export type RequestDraft = Omit<ImageRequest, 'referenceUrls' | 'maskUrl'> & {
	references: ImageInput[];
	mask?: ImageInput;
};

export type ParameterNames = Record<keyof RequestDraft, string>;

export const PARAMETER_NAMES: ParameterNames = {
	model: 'Model',
	prompt: 'Prompt',
	size: 'Size',
	count: 'Number of Images',
	resolution: 'Resolution',
	references: 'Reference Images',
	mask: 'Mask',
	callbackUrl: 'Callback URL',
	enhancePrompt: 'Enhance Prompt',
	enableFallback: 'Enable Fallback',
	fallbackModel: 'Fallback Model',
};

const ACCEPTED_FORMATS = ['jpeg', 'png', 'webp'];

function megabytes(bytes: number): string {
	return `${(bytes / MB).toFixed(1).replace(/\.0$/, '')} MB`;
}

function allowedSizes(model: ModelSpec, resolution?: string): string[] {
	if (Array.isArray(model.sizes)) return model.sizes;
	return model.sizes[(resolution ?? '').toUpperCase()] ?? [];
}

function imageInputSchema(maxBytes: number, formats: string[], what: string) {
	return z.discriminatedUnion('kind', [
		z.object({
			kind: z.literal('url'),
			url: z.string().refine(isHttpUrl, (value) => ({ message: `"${value}" is not an absolute http(s) URL` })),
		}),
		z.object({
			kind: z.literal('binary'),
			image: z.custom<BinaryImage>().superRefine((image, issues) => {
				const name = `binary field "${image.property}" (${image.fileName})`;
				if (!image.header || !formats.includes(image.header.format)) {
					const found = image.header ? image.header.format.toUpperCase() : 'not an image this node can read';
					issues.addIssue({
						code: z.ZodIssueCode.custom,
						message: `${name} is ${found}; ${what} must be ${formats.map((f) => f.toUpperCase()).join(', ')}`,
					});
				} else if (image.header.width === 0 || image.header.height === 0) {
					issues.addIssue({
						code: z.ZodIssueCode.custom,
						message: `${name} is a ${image.header.format.toUpperCase()} of ${image.header.width}x${image.header.height} pixels; ${what} must have pixels`,
					});
				} else if (image.byteLength > maxBytes) {
					issues.addIssue({
						code: z.ZodIssueCode.custom,
						message: `${name} is ${megabytes(image.byteLength)}; the gateway takes at most ${megabytes(maxBytes)}`,
					});
				}
			}),
		}),
	]);
}

function requestSchema(gateway: GatewayAdapter, model: ModelSpec) {
	const { rules } = gateway;
	const url = z.string().refine(isHttpUrl, (value) => ({
		message: `"${value}" is not an absolute http(s) URL`,
	}));
	return z
		.object({
			model: z.string(),
			prompt: z
				.string()
				.max(model.maxPromptLength, `must be at most ${model.maxPromptLength} characters for ${model.value} on ${gateway.displayName}`),
			size: z.string(),
			count: z.number().refine((count) => model.counts.includes(count), {
				message: `must be one of ${model.counts.join(', ')} for ${model.value}`,
			}),
			resolution: z.string().optional(),
			references: z
				.array(imageInputSchema(rules.maxImageBytes, ACCEPTED_FORMATS, 'an image'))
				.max(rules.maxReferenceImages, `at most ${rules.maxReferenceImages} images are allowed`),
			mask: imageInputSchema(rules.maxMaskBytes, ['png'], 'a mask').optional(),
			callbackUrl: url.optional(),
		})
		.passthrough()
		.superRefine((request, issues) => {
			if (request.mask) checkMask(request, gateway, model, issues);
			if (!request.prompt.trim() && !(rules.promptOptionalWithImages && request.references.length)) {
				issues.addIssue({
					code: z.ZodIssueCode.custom,
					path: ['prompt'],
					message: rules.promptOptionalWithImages
						? 'is empty: describe the image, or give at least one reference image'
						: `is empty: ${gateway.displayName} needs a prompt`,
				});
			}
			if (!Array.isArray(model.sizes) && !allowedSizes(model, request.resolution).length) {
				issues.addIssue({
					code: z.ZodIssueCode.custom,
					path: ['resolution'],
					message: `must be one of ${Object.keys(model.sizes).join(', ')}`,
				});
			} else if (!allowedSizes(model, request.resolution).includes(request.size)) {
				const sizes = allowedSizes(model, request.resolution);
				const tier = Array.isArray(model.sizes) ? '' : ` at ${request.resolution}`;
				issues.addIssue({
					code: z.ZodIssueCode.custom,
					path: ['size'],
					message: `"${request.size}" is not available for ${model.value}${tier} on ${gateway.displayName}; use one of ${sizes.join(', ')}`,
				});
			}
			// A callback that is no URL at all was reported by its own field's check.
			if (request.callbackUrl && isHttpUrl(request.callbackUrl)) {
				if (rules.callback === 'none') {
					issues.addIssue({
						code: z.ZodIssueCode.custom,
						path: ['callbackUrl'],
						message: `is not supported by ${gateway.displayName}`,
					});
				} else {
					const callback = new URL(request.callbackUrl);
					if (rules.callback === 'https' && callback.protocol !== 'https:') {
						issues.addIssue({
							code: z.ZodIssueCode.custom,
							path: ['callbackUrl'],
							message: `must use https on ${gateway.displayName}`,
						});
					} else if (hostClass(callback.hostname) !== 'public') {
						issues.addIssue({
							code: z.ZodIssueCode.custom,
							path: ['callbackUrl'],
							message: `points to ${HOST_CLASS_WORDS[hostClass(callback.hostname)]} (${callback.hostname}) the gateway cannot reach; use a public URL such as your n8n webhook URL`,
						});
					}
				}
			}
		});
}

/** The mask fits its image: one image, a model that edits, and the same pixel size where both are at hand. */
function checkMask(request: RequestDraft, gateway: GatewayAdapter, model: ModelSpec, issues: z.RefinementCtx): void {
	const fail = (message: string) => issues.addIssue({ code: z.ZodIssueCode.custom, path: ['mask'], message });
	if (!model.supportsMask) return fail(`is not supported by ${model.value}`);
	if (gateway.rules.maskNeedsSingleImage && request.references.length !== 1) {
		return fail(`needs exactly one image on ${gateway.displayName} (there are ${request.references.length})`);
	}
	const [image] = request.references;
	const mask = request.mask;
	// URLs are checked by the gateway; two binaries we can compare here, before paying.
	if (image?.kind !== 'binary' || mask?.kind !== 'binary' || !image.image.header || !mask.image.header) return;
	const [a, b] = [image.image.header, mask.image.header];
	if (a.width !== b.width || a.height !== b.height) {
		fail(`is ${b.width}x${b.height} but the image is ${a.width}x${a.height}: the mask must have the same width and height`);
	}
}

export function validateRequest(
	node: INode,
	gateway: GatewayAdapter,
	request: RequestDraft,
	itemIndex: number,
	names: Partial<ParameterNames> = {},
): RequestDraft {
	const model = gateway.models.find((candidate) => candidate.value === request.model);
	if (!model) {
		throw new NodeOperationError(
			node,
			`Invalid "Model" in item ${itemIndex}: "${request.model}" is not offered by ${gateway.displayName}`,
			{
				itemIndex,
				description: `Choose one of: ${gateway.models.map((m) => m.value).join(', ')}.`,
			},
		);
	}
	const result = requestSchema(gateway, model).safeParse(request);
	if (result.success) return request;
	const issue = result.error.issues[0];
	const key = String(issue.path[0] ?? 'prompt') as keyof RequestDraft;
	const parameter = names[key] ?? PARAMETER_NAMES[key] ?? key;
	// "Reference Images" is a list; a renamed single input (Edit's "Image") has no entries to count.
	const listed = typeof issue.path[1] === 'number' && !names[key];
	const entry = listed ? ` (entry ${Number(issue.path[1]) + 1})` : '';
	const others = result.error.issues.length > 1 ? ` ${result.error.issues.length - 1} more problem(s) after this one.` : '';
	throw new NodeOperationError(node, `Invalid "${parameter}"${entry} in item ${itemIndex}: ${issue.message}`, {
		itemIndex,
		description: `Change "${parameter}" and run again. Nothing was sent to ${gateway.displayName}.${others}`,
	});
}
