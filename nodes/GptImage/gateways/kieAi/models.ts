import { qualityOption, resolutionOption, sizeOption } from '../options';
import { RATIOS_13 } from '../sizes';
import type { ModelOption, ModelSpec, OptionValue } from '../types';
import { MB } from '../wire';

/** Kie.ai's models: gpt-4o-image on the 4o Image API, GPT Image 2 and 1.5 on the Market jobs API. */

const GPT_4O_PIXELS = { '1:1': [1024, 1024], '3:2': [1536, 1024], '2:3': [1024, 1536] } as const;

/** GPT Image 2's aspect ratios on Kie: `auto` and 15 ratios [K-T2I][K-I2I]. */
const GPT_IMAGE_2_RATIOS = ['auto', ...RATIOS_13, '3:1', '1:3'];

/**
 * The two GPT Image 2 pages forbid different pairs, and which the server enforces is unverified:
 * each page's rule applies to its own model. Text-to-image: 2K and 4K do not take 5:4, 4:5, 3:1,
 * 1:3 and 9:21 [K-T2I]. Image-to-image: 5:4 and 4:5 are 1K only, 1:1 is never 4K, and `auto` is 1K
 * only [K-I2I].
 */
function gptImage2Problem(values: Record<string, OptionValue>, references: number): string | undefined {
	const ratio = String(values.size);
	const tier = String(values.resolution);
	if (tier === '1K') return undefined;
	if (references === 0) {
		const excluded = ['5:4', '4:5', '3:1', '1:3', '9:21'];
		return excluded.includes(ratio) ? `at 2K and 4K, text-to-image takes none of ${excluded.join(', ')}` : undefined;
	}
	if (ratio === '5:4' || ratio === '4:5') return 'with reference images, 5:4 and 4:5 are 1K only';
	if (ratio === 'auto') return 'with reference images, Auto is 1K only';
	if (ratio === '1:1' && tier === '4K') return 'with reference images, 1:1 cannot be 4K';
	return undefined;
}

const enhancePrompt: ModelOption = {
	key: 'enhancePrompt',
	label: 'Enhance Prompt',
	description: 'Whether Kie.ai rewrites the prompt for more detail before generating',
	kind: 'boolean',
	default: false,
	placement: 'options',
};

export const MODELS: ModelSpec[] = [
	{
		id: 'gpt-image-2',
		name: 'GPT Image 2',
		description: 'Up to 4K, up to 16 reference images; one image per task, each billed',
		family: 'market',
		prompt: { maxLength: 20000 },
		// Not stated for GPT Image 2; GPT Image 1.5's page says JPEG, PNG or WebP up to 10 MB [K-15I].
		references: { max: 16, maxBytes: 10 * MB, formats: ['jpeg', 'png', 'webp'] },
		images: { perTask: 'one', max: 10 },
		options: [
			resolutionOption('Output resolution; 2K and 4K take fewer aspect ratios'),
			sizeOption(GPT_IMAGE_2_RATIOS, undefined, {
				description: 'Aspect ratio of the images',
				hint: 'At 2K and 4K: without reference images not 5:4, 4:5, 3:1, 1:3 or 9:21; with them not 5:4, 4:5 or Auto, and 1:1 not at 4K',
			}),
		],
		check(values, references) {
			const problem = gptImage2Problem(values, references);
			return problem
				? { key: 'size', problem: `"${String(values.size)}" cannot be made at ${String(values.resolution)} on Kie.ai: ${problem}; choose another Size, or Resolution 1K` }
				: undefined;
		},
	},
	{
		id: 'gpt-image-1.5',
		name: 'GPT Image 1.5',
		description: 'Medium or high quality, up to 16 reference images; one image per task, each billed',
		family: 'market',
		prompt: { maxLength: 20000 },
		references: { max: 16, maxBytes: 10 * MB, formats: ['jpeg', 'png', 'webp'] },
		images: { perTask: 'one', max: 10 },
		options: [
			sizeOption(['1:1', '3:2', '2:3'], undefined, { description: 'Aspect ratio of the images' }),
			qualityOption(['medium', 'high'], 'medium', 'High costs more (Kie.ai: about $0.02 medium, $0.11 high per image)'),
		],
	},
	{
		id: 'gpt-4o-image',
		name: 'GPT-4o Image',
		description: "Kie.ai's 4o Image API: text-to-image, image-to-image and mask edits; 1, 2 or 4 images per task",
		family: 'fourO',
		// Kie states no limit; this is OpenAI's own for its GPT image models.
		prompt: { maxLength: 32000, optionalWithImages: true },
		references: { max: 5, maxBytes: 10 * MB, formats: ['jpeg', 'png', 'webp'] },
		mask: {
			meaning: 'black pixels are repainted, white pixels are kept (the opposite of OpenAI’s convention); with more than one image Kie.ai ignores the mask',
			maxBytes: 25 * MB,
			marks: 'black',
			needsAlpha: false,
			singleImage: true,
		},
		images: { perTask: 'many', max: 4, choices: [1, 2, 4] },
		options: [
			sizeOption(Object.keys(GPT_4O_PIXELS), GPT_4O_PIXELS),
			enhancePrompt,
			{
				key: 'enableFallback',
				label: 'Enable Fallback',
				description: 'Whether Kie.ai may use the fallback model when GPT-4o Image is unavailable',
				kind: 'boolean',
				default: false,
				placement: 'options',
			},
			{
				key: 'fallbackModel',
				label: 'Fallback Model',
				description: 'The model Kie.ai falls back to when Enable Fallback is on',
				kind: 'options',
				choices: [
					{ value: 'FLUX_MAX', name: 'FLUX Max' },
					{ value: 'GPT_IMAGE_1', name: 'GPT Image 1' },
				],
				default: 'FLUX_MAX',
				placement: 'options',
				showWhen: { enableFallback: [true] },
			},
		],
		pixels: (values) => GPT_4O_PIXELS[values.size as keyof typeof GPT_4O_PIXELS] as [number, number] | undefined,
	},
];
