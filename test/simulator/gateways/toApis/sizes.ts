/**
 * What ToAPIs renders, per model and size: the one table of this gateway. Sources: [T-G2] ToAPIs'
 * gpt-image-2 page, [T-OFF] its official-channel page, [T-MZ] a working client's table ("aligned with
 * ToAPIs docs"), keys as in /work/shared/providers-gpt-image-2.md.
 */
import { BUDGET_PIXELS, type PixelTable, type Tier } from '../../pixels';

/** gpt-4o-image: OpenAI's three sizes (providers.md). */
export const GPT_4O_PIXELS: PixelTable = {
	'1:1': [1024, 1024],
	'3:2': [1536, 1024],
	'2:3': [1024, 1536],
};

/**
 * The gpt-image-2 family (gpt-image-2, -vip, gpt-image-1.5-official) by tier and ratio: [T-MZ]'s table,
 * which agrees with every size the docs state (1K 1:1 = 1024x1024, 2K 16:9 = 2048x1152, 4K 16:9 =
 * 3840x2160 [T-G2]; 1K 4:3 = 1024x768 [T-OFF]). Which ratios a tier takes is each model's rule (models.ts).
 */
export const GPT_IMAGE_2_PIXELS: Readonly<Record<Tier, PixelTable>> = {
	'1K': {
		'1:1': [1024, 1024],
		'3:2': [1536, 1024],
		'2:3': [1024, 1536],
		'4:3': [1024, 768],
		'3:4': [768, 1024],
		'5:4': [1280, 1024],
		'4:5': [1024, 1280],
		'16:9': [1536, 864],
		'9:16': [864, 1536],
		'2:1': [2048, 1024],
		'1:2': [1024, 2048],
		'21:9': [2016, 864],
		'9:21': [864, 2016],
	},
	'2K': {
		'1:1': [2048, 2048],
		'3:2': [2048, 1360],
		'2:3': [1360, 2048],
		'4:3': [2048, 1536],
		'3:4': [1536, 2048],
		'5:4': [2560, 2048],
		'4:5': [2048, 2560],
		'16:9': [2048, 1152],
		'9:16': [1152, 2048],
		'2:1': [2688, 1344],
		'1:2': [1344, 2688],
		'21:9': [2688, 1152],
		'9:21': [1152, 2688],
	},
	// [T-MZ]'s 4K rows are the pixel-budget rule of BUDGET_PIXELS, but for 3:2 and 2:3 (short side 2336, not 2352).
	'4K': { ...BUDGET_PIXELS['4K'], '3:2': [3520, 2336], '2:3': [2336, 3520] },
};

/** `size: "auto"` (official channel): 1024x1024, or the first image's own size when it is an edit of one the simulator hosts. Simulator choice. */
export const AUTO_PIXELS: readonly [number, number] = [1024, 1024];
