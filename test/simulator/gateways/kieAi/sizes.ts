/**
 * What Kie.ai renders, per model and size: the one table of this gateway. Kie states no pixel sizes
 * for any of its models, so every row is a simulator choice:
 * - gpt-4o-image and GPT Image 1.5: OpenAI's three sizes for the three ratios.
 * - GPT Image 2: the pixel-budget rule another gateway documents for the same upstream model
 *   (BUDGET_PIXELS in pixels.ts: about 1 MP at 1K, 4 MP at 2K, 8.29 MP at 4K); `auto` is the tier's 1:1.
 */
import { BUDGET_PIXELS, type PixelTable, type Tier } from '../../pixels';

/** gpt-4o-image (4o Image API `size`) and GPT Image 1.5 (`input.aspect_ratio`). */
export const OPENAI_PIXELS: PixelTable = {
	'1:1': [1024, 1024],
	'3:2': [1536, 1024],
	'2:3': [1024, 1536],
};

/** GPT Image 2 (`input.aspect_ratio` × `input.resolution`): the budget rule, `auto` = the tier's 1:1. */
export const GPT_IMAGE_2_PIXELS: Readonly<Record<Tier, PixelTable>> = {
	'1K': { auto: [1024, 1024], ...BUDGET_PIXELS['1K'] },
	'2K': { auto: [2048, 2048], ...BUDGET_PIXELS['2K'] },
	'4K': { auto: [2880, 2880], ...BUDGET_PIXELS['4K'] },
};
