/**
 * ToAPIs' models on `POST /v1/images/generations`: the fields each documents, and how each reads them.
 * Everything not listed for a model is refused in strict mode (e.g. `mask_url` on gpt-image-2).
 */
import type { InputFile } from '../../gateway';
import { upperCase, type Tier } from '../../pixels';
import type { ResultFormat } from '../../results';
import { MB, type FieldReader, type InputLimits } from '../../validate';
import { AUTO_PIXELS, GPT_4O_PIXELS, GPT_IMAGE_2_PIXELS } from './sizes';

export const MODEL_IDS = ['gpt-4o-image', 'gpt-image-2', 'gpt-image-2-vip', 'gpt-image-1.5-official'] as const;
export type ModelId = (typeof MODEL_IDS)[number];

/** A create body once read: what the task is made from. */
export interface Shape {
	size: string;
	resolution?: Tier;
	n: number;
	width: number;
	height: number;
	imageUrls: string[];
	maskUrl?: string;
	quality?: string;
	/** 'keep': an edit of a hosted image comes out at its size; 'fit': at the requested size. */
	inputSize: 'keep' | 'fit';
	output?: ResultFormat;
}

export interface ReadContext {
	/** Which ratios gpt-image-2 takes per tier: as its page says, or all 13 at every tier (a working client). */
	gptImage2Sizes: 'docs' | 'allTiers';
	/** The official channel's largest `n`: "1~10" [T-EDIT] or "up to 4" [T-OFF]. */
	officialMaxN: number;
	inspect(url: string): InputFile | undefined;
}

export interface ModelSpec {
	/** How its task ids start: `task_img_` in the older samples, `tsk_img_` in the official channel's [T-EDIT]. */
	idPrefix: string;
	fields: readonly string[];
	maxPromptLength: number;
	read(reader: FieldReader, context: ReadContext): Shape;
	/** US dollars per image, for the balance: [T-GUIDE] for gpt-image-2, otherwise simulator choice. */
	pricePerImage(shape: Shape): number;
}

const TIERS: readonly Tier[] = ['1K', '2K', '4K'];
const ALL_RATIOS = Object.keys(GPT_IMAGE_2_PIXELS['2K']);
/** The six ratios 4K takes on gpt-image-2 and the official channel [T-G2][T-OFF]. */
const RATIOS_4K = ['16:9', '9:16', '2:1', '1:2', '21:9', '9:21'];
/** gpt-image-2's page: 1K takes 3 ratios, 2K all 13, 4K six [T-G2]. */
const GPT_IMAGE_2_DOCS: Record<Tier, readonly string[]> = { '1K': ['1:1', '3:2', '2:3'], '2K': ALL_RATIOS, '4K': RATIOS_4K };
const EVERY_TIER: Record<Tier, readonly string[]> = { '1K': ALL_RATIOS, '2K': ALL_RATIOS, '4K': ALL_RATIOS };
/** The official channel: all 13 at 1K and 2K, six at 4K [T-OFF]. */
const OFFICIAL: Record<Tier, readonly string[]> = { '1K': ALL_RATIOS, '2K': ALL_RATIOS, '4K': RATIOS_4K };

const REFERENCE_CODE = 'invalid_reference_images';
const GPT_4O_INPUTS: InputLimits = { maxBytes: 10 * MB, types: ['image/jpeg', 'image/png', 'image/webp'] };
const OFFICIAL_INPUTS: InputLimits = { maxBytes: 50 * MB, types: ['image/jpeg', 'image/png'] };
/** gpt-image-2 states no reference limits [T-G2]: simulator choice, the official channel's 16. */
const MAX_GPT_IMAGE_2_REFERENCES = 16;

const TIER_PRICE: Record<Tier, number> = { '1K': 0.015, '2K': 0.02, '4K': 0.025 };
const QUALITY_FACTOR: Record<string, number> = { low: 1, medium: 2, high: 4 };

/** References from both documented names, deduplicated; `max` over both together. */
function references(reader: FieldReader, names: readonly string[], max: number): string[] {
	const urls = [...new Set(names.flatMap((name) => reader.urlList(name, max, REFERENCE_CODE)))];
	if (urls.length > max) reader.problem(names[0], `At most ${max} reference images are allowed.`, REFERENCE_CODE);
	return urls.slice(0, max);
}

/** A ratio the tier takes, with its pixels; a ratio it does not take is a 400 [T-GUIDE]. */
function tierSize(reader: FieldReader, resolution: Tier, allowed: readonly string[]): { size: string; width: number; height: number } {
	let size = reader.string('size') ?? '1:1';
	if (!allowed.includes(size)) {
		reader.problem('size', `size '${size}' is not supported at resolution ${resolution}; use one of ${allowed.join(', ')}.`);
		size = allowed[0];
	}
	const [width, height] = GPT_IMAGE_2_PIXELS[resolution][size];
	return { size, width, height };
}

const resolutionOf = (reader: FieldReader) => reader.choice('resolution', TIERS, '1K', upperCase);

export const MODELS: Record<ModelId, ModelSpec> = {
	'gpt-4o-image': {
		idPrefix: 'task_img_',
		fields: ['model', 'prompt', 'size', 'n', 'image_urls', 'reference_images', 'mask_url'],
		maxPromptLength: 1000,
		read(reader, context) {
			const imageUrls = references(reader, ['image_urls', 'reference_images'], 5);
			reader.inputs('image_urls', imageUrls.map(context.inspect), GPT_4O_INPUTS, REFERENCE_CODE);
			const size = reader.choice('size', Object.keys(GPT_4O_PIXELS), '1:1');
			const [width, height] = GPT_4O_PIXELS[size];
			const maskUrl = reader.url('mask_url');
			if (maskUrl && imageUrls.length === 0) reader.problem('mask_url', 'mask_url needs a reference image to edit.');
			return { size, n: reader.choice('n', [1, 2, 4], 1), width, height, imageUrls, maskUrl, inputSize: 'keep' };
		},
		pricePerImage: () => 0.02,
	},
	'gpt-image-2': {
		idPrefix: 'task_img_',
		fields: ['model', 'prompt', 'size', 'resolution', 'reference_images', 'image_urls', 'response_format'],
		maxPromptLength: 32000,
		read(reader, context) {
			const imageUrls = references(reader, ['reference_images', 'image_urls'], MAX_GPT_IMAGE_2_REFERENCES);
			const resolution = resolutionOf(reader);
			reader.choice('response_format', ['url', 'b64_json'], 'url');
			const tiers = context.gptImage2Sizes === 'docs' ? GPT_IMAGE_2_DOCS : EVERY_TIER;
			return { ...tierSize(reader, resolution, tiers[resolution]), resolution, n: 1, imageUrls, inputSize: 'fit' };
		},
		pricePerImage: (shape) => TIER_PRICE[shape.resolution ?? '1K'],
	},
	'gpt-image-2-vip': {
		idPrefix: 'task_img_',
		fields: ['model', 'prompt', 'size', 'resolution', 'quality', 'reference_images', 'image_urls', 'response_format'],
		maxPromptLength: 32000,
		read(reader) {
			const imageUrls = references(reader, ['reference_images', 'image_urls'], MAX_GPT_IMAGE_2_REFERENCES);
			const resolution = resolutionOf(reader);
			const quality = reader.choice('quality', ['low', 'medium', 'high'], 'medium');
			reader.choice('response_format', ['url', 'b64_json'], 'url');
			// 13 ratios at every tier, no `auto` [T-VIP].
			const size = tierSize(reader, resolution, EVERY_TIER[resolution]);
			return { ...size, resolution, quality, n: 1, imageUrls, inputSize: 'fit' };
		},
		pricePerImage: (shape) => TIER_PRICE[shape.resolution ?? '1K'] * QUALITY_FACTOR[shape.quality ?? 'medium'],
	},
	'gpt-image-1.5-official': {
		idPrefix: 'tsk_img_',
		fields: [
			'model',
			'prompt',
			'image_urls',
			'mask_url',
			'size',
			'resolution',
			'quality',
			'n',
			'output_format',
			'output_compression',
			'background',
		],
		maxPromptLength: 32000,
		read(reader, context) {
			const imageUrls = reader.urlList('image_urls', 16, REFERENCE_CODE);
			const inputs = imageUrls.map(context.inspect);
			reader.inputs('image_urls', inputs, OFFICIAL_INPUTS, REFERENCE_CODE);
			const maskUrl = reader.url('mask_url');
			if (maskUrl) checkMask(reader, inputs[0], context.inspect(maskUrl));
			const resolution = resolutionOf(reader);
			const quality = reader.choice('quality', ['low', 'medium', 'high'], 'medium');
			const n = reader.integer('n', 1, context.officialMaxN) ?? 1;
			const format = reader.choice('output_format', ['png', 'jpeg'], 'png');
			const compression = reader.integer('output_compression', 0, 100);
			if (compression !== undefined && format !== 'jpeg') {
				reader.problem('output_compression', "output_compression is only supported with output_format 'jpeg'.");
			}
			// `transparent` is taken and silently made `auto` [T-OFF].
			reader.choice('background', ['transparent', 'opaque', 'auto'], 'auto');
			const output: ResultFormat = format === 'jpeg' ? { type: 'jpeg', quality: compression ?? 100 } : { type: 'png' };
			const common = { resolution, quality, n, imageUrls, maskUrl, output };
			if (reader.string('size') === 'auto') {
				const [width, height] = AUTO_PIXELS;
				return { ...common, size: 'auto', width, height, inputSize: 'keep' };
			}
			return { ...common, ...tierSize(reader, resolution, OFFICIAL[resolution]), inputSize: 'fit' };
		},
		pricePerImage: (shape) => TIER_PRICE[shape.resolution ?? '1K'] * QUALITY_FACTOR[shape.quality ?? 'medium'],
	},
};

/**
 * The official channel's mask [T-EDIT]: it needs an image to edit, and where the simulator hosts both,
 * it must be a PNG with alpha (alpha 0 = repaint) of the first image's width and height.
 */
function checkMask(reader: FieldReader, image: InputFile | undefined, mask: InputFile | undefined): void {
	if (!reader.has('image_urls')) {
		reader.problem('mask_url', 'mask_url needs image_urls: the mask applies to the first image.');
		return;
	}
	if (!mask) return;
	if (mask.mimeType !== 'image/png' || !mask.hasAlpha) {
		reader.problem('mask_url', 'The mask must be a PNG with an alpha channel (transparent = area to edit).');
	} else if (image?.width !== undefined && (mask.width !== image.width || mask.height !== image.height)) {
		const detail = `the mask is ${mask.width}x${mask.height}, the first image ${image.width}x${image.height}`;
		reader.problem('mask_url', `The mask must have the same size as the first image: ${detail}.`);
	}
}
