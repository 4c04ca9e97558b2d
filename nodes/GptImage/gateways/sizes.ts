import type { OptionChoice, OptionValue } from './types';

/**
 * Sizes as the gateways name them (ratios like "16:9", pixel sizes like "1536x1024", "auto") and as
 * the node shows them: with their orientation and, where a gateway documents them, their pixels.
 * Gateway-neutral: each gateway brings its own tables.
 */

export type PixelTable = Readonly<Record<string, readonly [number, number]>>;

export const TIERS = ['1K', '2K', '4K'] as const;
export type Tier = (typeof TIERS)[number];

/** The 13 ratios of the GPT Image 2 family (ToAPIs, and Kie and EvoLink with 3:1 and 1:3 besides). */
export const RATIOS_13 = ['1:1', '3:2', '2:3', '4:3', '3:4', '5:4', '4:5', '16:9', '9:16', '2:1', '1:2', '21:9', '9:21'];

function orientation(width: number, height: number): string {
	return width === height ? 'square' : width > height ? 'landscape' : 'portrait';
}

/** "16:9" → [16, 9]; "1536x1024" → [1536, 1024]; otherwise undefined. */
export function sizeShape(size: string): [number, number] | undefined {
	const match = /^(\d+)\s*[:x×]\s*(\d+)$/.exec(size);
	return match ? [Number(match[1]), Number(match[2])] : undefined;
}

const times = (pixels: readonly [number, number]) => `${pixels[0]}×${pixels[1]}`;

/**
 * A Size choice: "16:9 landscape" and, where pixels are known, what the gateway makes of it at each
 * tier ("2K 2048×1152 · 4K 3840×2160"), or at the one size ("1536×1024").
 */
export function sizeChoice(size: string, pixels?: PixelTable | Partial<Record<Tier, PixelTable>>): OptionChoice {
	if (size === 'auto') return { value: 'auto', name: 'Auto', description: 'The model picks the aspect ratio (from the reference image, where there is one)' };
	const shape = sizeShape(size);
	const name = shape ? `${size} ${orientation(shape[0], shape[1])}` : size;
	if (!pixels) return { value: size, name };
	const single = (pixels as PixelTable)[size];
	if (Array.isArray(single)) return { value: size, name: `${name} (${times(single)})` };
	const tiers = TIERS.filter((tier) => (pixels as Partial<Record<Tier, PixelTable>>)[tier]?.[size]).map(
		(tier) => `${tier} ${times((pixels as Record<Tier, PixelTable>)[tier][size])}`,
	);
	return { value: size, name, description: tiers.length ? `Pixels: ${tiers.join(' · ')}` : undefined };
}

/** Which sizes a model takes at each tier, in words for a notice: "1K: 1:1, 3:2, 2:3 · 2K: all 13 ratios". */
export function tierSummary(allowed: Record<string, readonly string[]>, every: readonly string[]): string {
	return Object.entries(allowed)
		.map(([tier, sizes]) => `${tier}: ${sizes.length === every.length ? 'all listed sizes' : sizes.join(', ')}`)
		.join(' · ');
}

/** The problem with a size at a tier, from a table of what each tier allows. */
export function tierProblem(
	allowed: Readonly<Record<string, readonly string[]>>,
	values: Record<string, OptionValue>,
	modelName: string,
	gatewayName: string,
): { key: string; problem: string } | undefined {
	const size = String(values.size);
	const tier = String(values.resolution);
	const sizes = allowed[tier];
	if (!sizes || sizes.includes(size)) return undefined;
	const elsewhere = Object.entries(allowed)
		.filter(([, list]) => list.includes(size))
		.map(([other]) => other);
	return {
		key: 'size',
		problem: `"${size}" is not available for ${modelName} at ${tier} on ${gatewayName}; use one of ${sizes.join(', ')}${
			elsewhere.length ? `, or choose Resolution ${elsewhere.join(' or ')}` : ''
		}`,
	};
}
