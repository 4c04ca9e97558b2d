import { qualityOption, resolutionOption, sizeOption } from '../options';
import { sizeChoice, sizeShape } from '../sizes';
import type { ModelOption, ModelSpec, OptionValue } from '../types';
import { MB } from '../wire';

/** EvoLink's models, all on `POST /v1/images/generations` (family 'images'). See providers-gpt-image-2.md. */

const OPENAI_SIZES = ['1:1', '2:3', '3:2', '1024x1024', '1024x1536', '1536x1024'];
const OPENAI_PIXELS = {
	'1:1': [1024, 1024],
	'2:3': [1024, 1536],
	'3:2': [1536, 1024],
	'1024x1024': [1024, 1024],
	'1024x1536': [1024, 1536],
	'1536x1024': [1536, 1024],
} as const;

/** gpt-image-2's 15 ratios [E-G2]. */
const RATIOS_15 = ['1:1', '1:2', '2:1', '1:3', '3:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '9:21', '21:9'];

/**
 * The 4K sizes EvoLink's page spells out: the 8.29 MP budget is 3840×2160 at 16:9, and budgets past
 * 3840 pixels a side are scaled down (2:1 = 3840×1920, 1:1 = 2880×2880) [E-G2].
 */
const DOCUMENTED_4K: Record<string, [number, number]> = { '16:9': [3840, 2160], '1:1': [2880, 2880], '2:1': [3840, 1920] };

/** Why a `WxH` size breaks EvoLink's pixel rules [E-G2], or undefined. */
function customSizeProblem(value: string): string | undefined {
	const shape = sizeShape(value.trim());
	if (!shape || !/^\d+\s*[x×]\s*\d+$/.test(value.trim())) return `"${value}" is not a size like 1536x1024`;
	const [width, height] = shape;
	if (width % 16 !== 0 || height % 16 !== 0) return `${width}x${height}: width and height must be multiples of 16`;
	if (Math.min(width, height) < 16 || Math.max(width, height) > 3840) return `${width}x${height}: each side must be 16 to 3840 pixels`;
	if (width * height < 655_360 || width * height > 8_294_400) {
		return `${width}x${height}: width × height must be 655 360 to 8 294 400 pixels (about 0.66 to 8.3 megapixels)`;
	}
	if (Math.max(width / height, height / width) > 3) return `${width}x${height}: the aspect ratio may be at most 3:1`;
	return undefined;
}

function image2Options(withQuality: boolean): ModelOption[] {
	return [
		{
			key: 'size',
			label: 'Size',
			description: 'Aspect ratio of the images, Auto, or a custom width × height',
			kind: 'options',
			choices: [
				...['auto', ...RATIOS_15].map((size) => sizeChoice(size)),
				{ value: 'custom', name: 'Custom Size', description: 'Width × height in pixels, e.g. 1536x1024' },
			],
			default: '1:1',
			placement: 'main',
		},
		{
			key: 'customSize',
			label: 'Custom Size',
			description: 'Width × height in pixels: multiples of 16, each side 16 to 3840, 0.66 to 8.3 megapixels, at most 3:1',
			kind: 'string',
			default: '1536x1024',
			placeholder: 'e.g. 1536x1024',
			placement: 'main',
			showWhen: { size: ['custom'] },
		},
		{
			...resolutionOption('Pixel budget for ratio sizes (not used with Auto or a custom size)', {
				'1K': 'About 1 megapixel',
				'2K': 'About 4 megapixels',
				'4K': '8.3 megapixels; wide sizes are scaled down (2:1 = 3840×1920, 1:1 = 2880×2880)',
			}),
			showWhen: { size: ['auto', ...RATIOS_15] },
		},
		...(withQuality ? [qualityOption(['low', 'medium', 'high'], 'medium', 'Higher quality takes longer and costs more tokens')] : []),
	];
}

function image2Check(values: Record<string, OptionValue>) {
	if (values.size !== 'custom') return undefined;
	const problem = customSizeProblem(String(values.customSize ?? ''));
	return problem ? { key: 'customSize', problem } : undefined;
}

function image2Pixels(values: Record<string, OptionValue>): [number, number] | undefined {
	if (values.size === 'custom') return sizeShape(String(values.customSize ?? ''));
	if (values.resolution === '4K') return DOCUMENTED_4K[String(values.size)];
	return values.size === '1:1' && values.resolution === '1K' ? [1024, 1024] : undefined;
}

const newerReferences = (): ModelSpec['references'] => ({ max: 16, maxBytes: 50 * MB, formats: ['jpeg', 'png', 'webp'] });

export const MODELS: ModelSpec[] = [
	{
		id: 'gpt-image-2',
		name: 'GPT Image 2',
		description: 'Up to 4K or a custom size, quality, 1 to 10 images per task, up to 16 references',
		family: 'images',
		prompt: { maxLength: 32000 },
		references: newerReferences(),
		images: { perTask: 'many', max: 10 },
		options: image2Options(true),
		check: image2Check,
		pixels: image2Pixels,
	},
	{
		id: 'gpt-image-2-beta',
		name: 'GPT Image 2 Beta',
		description: 'GPT Image 2 billed per call: one image per task, no quality setting',
		family: 'images',
		prompt: { maxLength: 2000 },
		references: newerReferences(),
		images: { perTask: 'one', max: 10 },
		options: image2Options(false),
		check: image2Check,
		pixels: image2Pixels,
	},
	{
		id: 'gpt-image-1.5',
		name: 'GPT Image 1.5',
		description: 'Quality, 1 to 10 images per task, up to 16 references',
		family: 'images',
		// "2000 tokens" on its page: the node holds it to 2000 characters, the stricter reading.
		prompt: { maxLength: 2000 },
		references: newerReferences(),
		images: { perTask: 'many', max: 10 },
		options: [sizeOption(OPENAI_SIZES, OPENAI_PIXELS), qualityOption(['auto', 'low', 'medium', 'high'], 'auto', 'Auto lets the model choose')],
		pixels: (values) => OPENAI_PIXELS[values.size as keyof typeof OPENAI_PIXELS] as [number, number] | undefined,
	},
	{
		id: 'gpt-4o-image',
		name: 'GPT-4o Image',
		description: 'Text-to-image, image-to-image and mask edits; 1, 2 or 4 images per task',
		family: 'images',
		// The English API page's limit (other pages say 2000 tokens): the stricter one.
		prompt: { maxLength: 1000 },
		references: { max: 5, maxBytes: 10 * MB, formats: ['jpeg', 'png', 'webp'] },
		mask: {
			meaning:
				'EvoLink does not document which pixels are repainted (one of its guides says white); transparent pixels, as OpenAI reads them, are the safe choice',
			maxBytes: 4 * MB,
			marks: 'unstated',
			needsAlpha: false,
			singleImage: true,
		},
		images: { perTask: 'many', max: 4, choices: [1, 2, 4] },
		options: [sizeOption(OPENAI_SIZES, OPENAI_PIXELS)],
		pixels: (values) => OPENAI_PIXELS[values.size as keyof typeof OPENAI_PIXELS] as [number, number] | undefined,
	},
];
