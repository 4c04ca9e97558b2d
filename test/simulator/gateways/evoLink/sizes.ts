/**
 * What EvoLink renders, per model and size: the one table of this gateway. Sources: [E-G2] its
 * gpt-image-2 page, providers.md for gpt-4o-image; keys as in /work/shared/providers-gpt-image-2.md.
 */
import { BUDGET_PIXELS, type PixelTable, type Tier } from '../../pixels';

/** gpt-4o-image and gpt-image-1.5: three ratios and their pixel names (providers.md, [E-15]). */
export const OPENAI_PIXELS: PixelTable = {
	'1:1': [1024, 1024],
	'2:3': [1024, 1536],
	'3:2': [1536, 1024],
	'1024x1024': [1024, 1024],
	'1024x1536': [1024, 1536],
	'1536x1024': [1536, 1024],
};

/**
 * gpt-image-2 and -beta, ratio sizes × resolution: the documented budgets (1K ~1 MP, 2K ~4 MP, 4K 8.29 MP,
 * over-budget ratios scaled down: 4K 2:1 = 3840x1920, 4K 1:1 = 2880x2880 [E-G2]) as BUDGET_PIXELS spells
 * them out; rows other than those two examples follow the rule (simulator choice of rounding).
 * `WxH` sizes render exactly as asked [E-G2].
 */
export const GPT_IMAGE_2_PIXELS: Readonly<Record<Tier, PixelTable>> = BUDGET_PIXELS;

/** `size: "auto"` (the default, resolution ignored): 1024x1024, simulator choice. */
export const AUTO_PIXELS: readonly [number, number] = [1024, 1024];

/** The pixel rules of a `WxH` size on gpt-image-2 and -beta [E-G2]; undefined when it keeps them all. */
export function pixelRuleBroken(width: number, height: number): string | undefined {
	if (width % 16 !== 0 || height % 16 !== 0) return 'width and height must be multiples of 16';
	if (Math.min(width, height) < 16 || Math.max(width, height) > 3840) return 'each side must be between 16 and 3840';
	if (width * height < 655_360 || width * height > 8_294_400) return 'width × height must be between 655360 and 8294400';
	if (Math.max(width / height, height / width) > 3) return 'the aspect ratio must be at most 3:1';
	return undefined;
}
