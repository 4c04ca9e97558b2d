import { sizeChoice } from './sizes';
import type { PixelTable, Tier } from './sizes';
import type { ModelOption } from './types';

/** Model options several gateways' models share, built the same way everywhere. */

/** Size: the sizes a model takes, with orientation and (where documented) pixels. */
export function sizeOption(
	sizes: string[],
	pixels?: PixelTable | Partial<Record<Tier, PixelTable>>,
	extra: Partial<Pick<ModelOption, 'description' | 'hint' | 'default'>> = {},
): ModelOption {
	return {
		key: 'size',
		label: 'Size',
		description: 'Aspect ratio (and, where listed, pixel size) of the images',
		kind: 'options',
		choices: sizes.map((size) => sizeChoice(size, pixels)),
		default: '1:1',
		placement: 'main',
		...extra,
	};
}

/** Resolution: 1K, 2K or 4K, with what each means on the gateway. */
export function resolutionOption(description: string, meaning: Partial<Record<Tier, string>> = {}): ModelOption {
	return {
		key: 'resolution',
		label: 'Resolution',
		description,
		kind: 'options',
		choices: (['1K', '2K', '4K'] as const).map((tier) => ({ value: tier, name: tier, description: meaning[tier] })),
		default: '1K',
		placement: 'main',
	};
}

const QUALITY_NAMES: Record<string, string> = { auto: 'Auto', low: 'Low', medium: 'Medium', high: 'High' };

/** Quality: the levels a model takes, the first of `levels` unless `initial` says otherwise. */
export function qualityOption(levels: string[], initial: string, description = 'Higher quality takes longer and costs more'): ModelOption {
	return {
		key: 'quality',
		label: 'Quality',
		description,
		kind: 'options',
		choices: levels.map((level) => ({ value: level, name: QUALITY_NAMES[level] ?? level })),
		default: initial,
		placement: 'main',
	};
}
