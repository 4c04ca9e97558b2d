/**
 * EvoLink's models on `POST /v1/images/generations`: the fields each documents, how each reads them and
 * what a task reserves. Everything not listed for a model is refused in strict mode (e.g. `quality` on
 * gpt-image-2-beta, `mask_url` on the newer models, which document none).
 */
import type { InputFile } from '../../gateway';
import type { Tier } from '../../pixels';
import { MB, type FieldReader, type InputLimits } from '../../validate';
import { AUTO_PIXELS, GPT_IMAGE_2_PIXELS, OPENAI_PIXELS, pixelRuleBroken } from './sizes';

export const MODEL_IDS = ['gpt-4o-image', 'gpt-image-2', 'gpt-image-2-beta', 'gpt-image-1.5'] as const;
export type ModelId = (typeof MODEL_IDS)[number];

/** A create body once read: what the task is made from. */
export interface Shape {
	size: string;
	resolution?: Tier;
	quality?: string;
	n: number;
	width: number;
	height: number;
	imageUrls: string[];
	maskUrl?: string;
	/** 'keep': an edit of a hosted image comes out at its size; 'fit': at the requested size. */
	inputSize: 'keep' | 'fit';
}

/** The create answer's `usage`. Its numbers are the simulator's invention: the docs show one generic sample. */
export interface Usage {
	billing_rule: 'per_call' | 'per_token';
	credits_reserved: number;
	user_group: 'default';
}

export interface ModelSpec {
	fields: readonly string[];
	maxPromptLength: number;
	read(reader: FieldReader, inspect: (url: string) => InputFile | undefined): Shape;
	usage(shape: Shape): Usage;
}

const TIERS: readonly Tier[] = ['1K', '2K', '4K'];
const RATIOS = Object.keys(GPT_IMAGE_2_PIXELS['1K']);
const GPT_4O_INPUTS: InputLimits = { maxBytes: 10 * MB, types: ['image/jpeg', 'image/png', 'image/webp'] };
const NEWER_INPUTS: InputLimits = { maxBytes: 50 * MB, types: ['image/jpeg', 'image/png', 'image/webp'] };

/** Invented credit prices: a base per image by tier, times a quality factor. */
const TIER_CREDITS: Record<Tier, number> = { '1K': 2, '2K': 4, '4K': 8 };
const QUALITY_FACTOR: Record<string, number> = { low: 0.5, medium: 1, high: 2, auto: 1 };
/** gpt-image-2-beta's documented price multipliers per tier [E-G2B], on the same invented base. */
const BETA_FACTOR: Record<Tier, number> = { '1K': 1, '2K': 1.7, '4K': 2.6 };

const usage = (billing: Usage['billing_rule'], credits: number): Usage => ({
	billing_rule: billing,
	credits_reserved: Math.round(credits * 100) / 100,
	user_group: 'default',
});

/** The tier a size is billed at: its resolution, 1K for `auto`, and by pixels for `WxH` [E-G2B]. */
function billedTier(shape: Shape): Tier {
	if (shape.resolution) return shape.resolution;
	if (shape.size === 'auto') return '1K';
	const pixels = shape.width * shape.height;
	return pixels <= 1.7e6 ? '1K' : pixels <= 4.4e6 ? '2K' : '4K';
}

/**
 * gpt-image-2's sizes [E-G2]: one of 15 ratios (with `resolution`), `WxH` / `W×H` under the pixel rules,
 * or `auto` (default; resolution ignored). Resolution with a `WxH` size is refused: the docs allow it
 * "only with ratio sizes".
 */
function readImage2Size(reader: FieldReader): Pick<Shape, 'size' | 'resolution' | 'width' | 'height'> {
	const size = reader.string('size') ?? 'auto';
	const pixels = /^(\d+)[x×](\d+)$/.exec(size);
	if (pixels) {
		const [width, height] = [Number(pixels[1]), Number(pixels[2])];
		const broken = pixelRuleBroken(width, height);
		if (broken) reader.problem('size', `Invalid size '${size}': ${broken}.`);
		if (reader.has('resolution')) reader.problem('resolution', 'resolution applies only to ratio sizes, not to WxH.');
		return { size, width, height };
	}
	if (size === 'auto') {
		reader.choice('resolution', TIERS, '1K');
		return { size, width: AUTO_PIXELS[0], height: AUTO_PIXELS[1] };
	}
	const resolution = reader.choice('resolution', TIERS, '1K');
	if (!RATIOS.includes(size)) {
		reader.problem('size', `Invalid size '${size}': use one of ${RATIOS.join(', ')}, WxH or auto.`);
		return { size: '1:1', resolution, width: 1024, height: 1024 };
	}
	const [width, height] = GPT_IMAGE_2_PIXELS[resolution][size];
	return { size, resolution, width, height };
}

function readReferences(reader: FieldReader, max: number, limits: InputLimits, inspect: (url: string) => InputFile | undefined) {
	const imageUrls = reader.urlList('image_urls', max);
	reader.inputs('image_urls', imageUrls.map(inspect), limits);
	return imageUrls;
}

export const MODELS: Record<ModelId, ModelSpec> = {
	'gpt-4o-image': {
		fields: ['model', 'prompt', 'size', 'n', 'image_urls', 'mask_url', 'callback_url'],
		// The English API page's limit (other pages say 2000 tokens); the stricter one is what a client must respect.
		maxPromptLength: 1000,
		read(reader, inspect) {
			const size = reader.choice('size', Object.keys(OPENAI_PIXELS), '1:1');
			const [width, height] = OPENAI_PIXELS[size];
			const imageUrls = readReferences(reader, 5, GPT_4O_INPUTS, inspect);
			const maskUrl = reader.url('mask_url');
			if (maskUrl && imageUrls.length !== 1) {
				reader.problem('mask_url', 'mask_url can only be used with exactly one image in image_urls');
			}
			return { size, n: reader.choice('n', [1, 2, 4], 1), width, height, imageUrls, maskUrl, inputSize: 'keep' };
		},
		usage: (shape) => usage('per_call', 2.5 * shape.n),
	},
	'gpt-image-2': {
		fields: ['model', 'prompt', 'size', 'resolution', 'quality', 'n', 'image_urls', 'callback_url'],
		maxPromptLength: 32000,
		read(reader, inspect) {
			const size = readImage2Size(reader);
			const quality = reader.choice('quality', ['low', 'medium', 'high'], 'medium');
			const n = reader.integer('n', 1, 10) ?? 1;
			const imageUrls = readReferences(reader, 16, NEWER_INPUTS, inspect);
			return { ...size, quality, n, imageUrls, inputSize: 'fit' };
		},
		usage: (shape) => usage('per_token', TIER_CREDITS[billedTier(shape)] * QUALITY_FACTOR[shape.quality ?? 'medium'] * shape.n),
	},
	'gpt-image-2-beta': {
		fields: ['model', 'prompt', 'size', 'resolution', 'n', 'image_urls', 'callback_url'],
		maxPromptLength: 2000,
		read(reader, inspect) {
			const size = readImage2Size(reader);
			// n is fixed at 1 [E-G2B]: 1 is taken, anything else refused.
			reader.integer('n', 1, 1);
			const imageUrls = readReferences(reader, 16, NEWER_INPUTS, inspect);
			return { ...size, n: 1, imageUrls, inputSize: 'fit' };
		},
		usage: (shape) => usage('per_call', TIER_CREDITS['1K'] * BETA_FACTOR[billedTier(shape)]),
	},
	'gpt-image-1.5': {
		fields: ['model', 'prompt', 'size', 'quality', 'n', 'image_urls', 'callback_url'],
		maxPromptLength: 2000,
		read(reader, inspect) {
			const size = reader.choice('size', Object.keys(OPENAI_PIXELS), '1:1');
			const [width, height] = OPENAI_PIXELS[size];
			const quality = reader.choice('quality', ['low', 'medium', 'high', 'auto'], 'auto');
			const n = reader.integer('n', 1, 10) ?? 1;
			const imageUrls = readReferences(reader, 16, NEWER_INPUTS, inspect);
			return { size, quality, n, width, height, imageUrls, inputSize: 'fit' };
		},
		usage: (shape) => usage('per_token', TIER_CREDITS['1K'] * QUALITY_FACTOR[shape.quality ?? 'auto'] * shape.n),
	},
};
