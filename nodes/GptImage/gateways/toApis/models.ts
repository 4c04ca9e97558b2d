import { MB } from '../wire';
import { qualityOption, resolutionOption, sizeOption } from '../options';
import { RATIOS_13, tierProblem, tierSummary } from '../sizes';
import type { PixelTable, Tier } from '../sizes';
import type { ModelOption, ModelSpec, OptionValue } from '../types';

/**
 * ToAPIs' models (/work/shared/providers.md, providers-gpt-image-2.md). One task API serves them
 * all; `family` is 'images'.
 */

const GATEWAY = 'ToAPIs';

/** gpt-4o-image: OpenAI's three sizes. */
const GPT_4O_PIXELS: PixelTable = { '1:1': [1024, 1024], '3:2': [1536, 1024], '2:3': [1024, 1536] };

/**
 * The GPT Image 2 family's pixels by tier: 1K 1:1 = 1024×1024, 2K 16:9 = 2048×1152 and 4K 16:9 =
 * 3840×2160 are ToAPIs' own [T-G2], 1K 4:3 = 1024×768 its official channel's [T-OFF]; the rest is
 * the working client's table that says it follows ToAPIs' docs [T-MZ].
 */
const GPT_IMAGE_2_PIXELS: Record<Tier, PixelTable> = {
	'1K': {
		'1:1': [1024, 1024], '3:2': [1536, 1024], '2:3': [1024, 1536], '4:3': [1024, 768], '3:4': [768, 1024],
		'5:4': [1280, 1024], '4:5': [1024, 1280], '16:9': [1536, 864], '9:16': [864, 1536], '2:1': [2048, 1024],
		'1:2': [1024, 2048], '21:9': [2016, 864], '9:21': [864, 2016],
	},
	'2K': {
		'1:1': [2048, 2048], '3:2': [2048, 1360], '2:3': [1360, 2048], '4:3': [2048, 1536], '3:4': [1536, 2048],
		'5:4': [2560, 2048], '4:5': [2048, 2560], '16:9': [2048, 1152], '9:16': [1152, 2048], '2:1': [2688, 1344],
		'1:2': [1344, 2688], '21:9': [2688, 1152], '9:21': [1152, 2688],
	},
	'4K': {
		'1:1': [2880, 2880], '3:2': [3520, 2336], '2:3': [2336, 3520], '4:3': [3312, 2480], '3:4': [2480, 3312],
		'5:4': [3216, 2576], '4:5': [2576, 3216], '16:9': [3840, 2160], '9:16': [2160, 3840], '2:1': [3840, 1920],
		'1:2': [1920, 3840], '21:9': [3840, 1648], '9:21': [1648, 3840],
	},
};

const RATIOS_4K = ['16:9', '9:16', '2:1', '1:2', '21:9', '9:21'];

/** gpt-image-2's page: 1K takes three ratios, 2K all 13, 4K six; a wrong pair is a 400 [T-G2]. */
const GPT_IMAGE_2_TIERS: Record<Tier, readonly string[]> = { '1K': ['1:1', '3:2', '2:3'], '2K': RATIOS_13, '4K': RATIOS_4K };
/** The official channel: all 13 at 1K and 2K, six at 4K [T-OFF][T-EDIT]. */
const OFFICIAL_TIERS: Record<Tier, readonly string[]> = { '1K': RATIOS_13, '2K': RATIOS_13, '4K': RATIOS_4K };

const TIER_MEANING = { '1K': 'About 1 megapixel', '2K': 'About 4 megapixels', '4K': 'Up to 3840 pixels on the long side' };

const resolution = (description: string): ModelOption => resolutionOption(description, TIER_MEANING);

const tieredSize = (sizes: string[], hint: string): ModelOption =>
	sizeOption(sizes, GPT_IMAGE_2_PIXELS, { description: 'Aspect ratio of the images; the pixels depend on the resolution', hint });

const quality = qualityOption(['low', 'medium', 'high'], 'medium');

const tierPixels = (values: Record<string, OptionValue>) =>
	GPT_IMAGE_2_PIXELS[values.resolution as Tier]?.[String(values.size)] as [number, number] | undefined;

/** ToAPIs states no limits for gpt-image-2's references: the official channel's count, the upload's size. */
const gpt2References = (): ModelSpec['references'] => ({
	max: 16,
	maxBytes: 10 * MB,
	formats: ['jpeg', 'png', 'webp'],
	note: 'ToAPIs states no limits for these references; the node allows 16 of at most 10 MB',
});

export const MODELS: ModelSpec[] = [
	{
		id: 'gpt-image-2',
		name: 'GPT Image 2',
		description: 'Up to 4K; one image per task, each billed',
		family: 'images',
		prompt: { maxLength: 32000 },
		references: gpt2References(),
		images: { perTask: 'one', max: 10 },
		options: [
			resolution('Output resolution; each allows its own sizes'),
			tieredSize(RATIOS_13, tierSummary(GPT_IMAGE_2_TIERS, RATIOS_13)),
		],
		check: (values) => tierProblem(GPT_IMAGE_2_TIERS, values, 'GPT Image 2', GATEWAY),
		pixels: tierPixels,
	},
	{
		id: 'gpt-image-2-vip',
		name: 'GPT Image 2 VIP',
		description: 'GPT Image 2 with a quality setting; every size at every resolution',
		family: 'images',
		prompt: { maxLength: 32000 },
		references: gpt2References(),
		images: { perTask: 'one', max: 10 },
		options: [resolution('Output resolution'), tieredSize(RATIOS_13, 'Every size at every resolution'), quality],
		pixels: tierPixels,
	},
	{
		id: 'gpt-image-1.5-official',
		name: 'GPT Image 2 (Official Channel)',
		description: "OpenAI's own gpt-image-2 (ToAPIs calls it gpt-image-1.5-official): quality, JPEG output and mask edits",
		family: 'images',
		prompt: { maxLength: 32000 },
		references: { max: 16, maxBytes: 50 * MB, formats: ['jpeg', 'png'] },
		mask: {
			meaning:
				'fully transparent pixels (alpha 0) are repainted, opaque pixels are kept; the mask needs an alpha channel and applies to the first image',
			maxBytes: 50 * MB,
			marks: 'transparent',
			needsAlpha: true,
			singleImage: false,
		},
		// "1~10" on the edits page, "up to 4" on the model page [T-EDIT][T-OFF]: both are accepted.
		images: { perTask: 'many', max: 10 },
		options: [
			resolution('Output resolution; 4K takes only the wide and tall sizes'),
			tieredSize(['auto', ...RATIOS_13], tierSummary(OFFICIAL_TIERS, RATIOS_13)),
			quality,
			{
				key: 'outputFormat',
				label: 'Output Format',
				description: 'The file type of the images',
				kind: 'options',
				choices: [
					{ value: 'png', name: 'PNG' },
					{ value: 'jpeg', name: 'JPEG' },
				],
				default: 'png',
				placement: 'options',
			},
			{
				key: 'outputCompression',
				label: 'JPEG Compression',
				description: 'JPEG compression level, 0 to 100',
				kind: 'number',
				default: 100,
				min: 0,
				max: 100,
				placement: 'options',
				showWhen: { outputFormat: ['jpeg'] },
			},
		],
		check: (values) => (values.size === 'auto' ? undefined : tierProblem(OFFICIAL_TIERS, values, 'GPT Image 2 (Official Channel)', GATEWAY)),
		pixels: (values) => (values.size === 'auto' ? undefined : tierPixels(values)),
	},
	{
		id: 'gpt-4o-image',
		name: 'GPT-4o Image',
		description: 'Text-to-image, image-to-image and mask edits; 1, 2 or 4 images per task',
		family: 'images',
		prompt: { maxLength: 1000 },
		references: { max: 5, maxBytes: 10 * MB, formats: ['jpeg', 'png', 'webp'] },
		mask: {
			meaning: 'fully transparent pixels are repainted, opaque pixels are kept (the OpenAI convention)',
			maxBytes: 4 * MB,
			marks: 'transparent',
			needsAlpha: false,
			singleImage: true,
		},
		images: { perTask: 'many', max: 4, choices: [1, 2, 4] },
		options: [sizeOption(Object.keys(GPT_4O_PIXELS), GPT_4O_PIXELS)],
		pixels: (values) => GPT_4O_PIXELS[String(values.size)] as [number, number] | undefined,
	},
];
