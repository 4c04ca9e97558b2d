/** Pixel-size tables as the gateway modules write them down: a size name → [width, height]. */
export type PixelTable = Readonly<Record<string, readonly [number, number]>>;

/** The gpt-image-2 resolution tiers, as the simulators name them internally. */
export type Tier = '1K' | '2K' | '4K';

/** Reads a tier the way gateways that take `1k` as well as `1K` do. */
export const upperCase = (value: unknown): unknown => (typeof value === 'string' ? value.toUpperCase() : value);

/**
 * gpt-image-2 at a pixel budget per tier, for the 15 ratios upstream takes: about 1 MP at 1K, 4 MP at
 * 2K, 8.29 MP (3840x2160) at 4K; sides are multiples of 16 and at most 3840 (the long side floored,
 * the short one rounded), so every size keeps the upstream rules (655 360 ≤ W·H ≤ 8 294 400, aspect
 * ≤ 3:1). The rule one gateway documents, with its two examples: 4K 1:1 = 2880x2880, 4K 2:1 =
 * 3840x1920 [E-G2]. Gateways that state no sizes of their own may use it too, saying so.
 */
export const BUDGET_PIXELS: Readonly<Record<Tier, PixelTable>> = {
	'1K': {
		'1:1': [1024, 1024],
		'3:2': [1248, 832],
		'2:3': [832, 1248],
		'4:3': [1168, 880],
		'3:4': [880, 1168],
		'5:4': [1136, 912],
		'4:5': [912, 1136],
		'16:9': [1360, 768],
		'9:16': [768, 1360],
		'2:1': [1440, 720],
		'1:2': [720, 1440],
		'3:1': [1760, 592],
		'1:3': [592, 1760],
		'21:9': [1552, 672],
		'9:21': [672, 1552],
	},
	'2K': {
		'1:1': [2048, 2048],
		'3:2': [2496, 1664],
		'2:3': [1664, 2496],
		'4:3': [2352, 1760],
		'3:4': [1760, 2352],
		'5:4': [2288, 1824],
		'4:5': [1824, 2288],
		'16:9': [2720, 1536],
		'9:16': [1536, 2720],
		'2:1': [2896, 1440],
		'1:2': [1440, 2896],
		'3:1': [3536, 1184],
		'1:3': [1184, 3536],
		'21:9': [3120, 1344],
		'9:21': [1344, 3120],
	},
	'4K': {
		'1:1': [2880, 2880],
		'3:2': [3520, 2352],
		'2:3': [2352, 3520],
		'4:3': [3312, 2480],
		'3:4': [2480, 3312],
		'5:4': [3216, 2576],
		'4:5': [2576, 3216],
		'16:9': [3840, 2160],
		'9:16': [2160, 3840],
		'2:1': [3840, 1920],
		'1:2': [1920, 3840],
		'3:1': [3840, 1280],
		'1:3': [1280, 3840],
		'21:9': [3840, 1648],
		'9:21': [1648, 3840],
	},
};
