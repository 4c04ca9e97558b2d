/** What the simulated model "draws": deterministic pictures and mask-driven edits. */
import { createHash } from 'crypto';
import { encodeRaster, type DecodedPng, type Raster } from './png';

/**
 * Which mask pixels mean "repaint here":
 * - `black`: dark pixels (luma < 128), whatever their alpha.
 * - `transparent` (OpenAI's convention): pixels with alpha 0.
 * - `transparentOrWhite` (for a gateway whose API page does not say): a mask with any transparency is read the
 *   OpenAI way (alpha 0 = edit); a fully opaque mask is read the way their tool doc says (white = edit).
 */
export type MaskConvention = 'black' | 'transparent' | 'transparentOrWhite';

/** The seed of one result picture: different prompts, and different indexes of one task, look different. */
export function patternSeed(prompt: string, index: number): Buffer {
	return createHash('sha256').update(`${prompt}\u0000${index}`).digest();
}

/** An RGB four-corner gradient whose corner colours come from the seed. */
export function renderPattern(width: number, height: number, seed: Buffer): Raster {
	const corner = (i: number): [number, number, number] => [seed[i * 3], seed[i * 3 + 1], seed[i * 3 + 2]];
	const [topLeft, topRight, bottomLeft, bottomRight] = [corner(0), corner(1), corner(2), corner(3)];
	const data = Buffer.alloc(width * height * 3);
	const xSpan = Math.max(1, width - 1);
	const ySpan = Math.max(1, height - 1);
	for (let y = 0; y < height; y++) {
		const ty = y / ySpan;
		const left = topLeft.map((v, c) => v + (bottomLeft[c] - v) * ty);
		const right = topRight.map((v, c) => v + (bottomRight[c] - v) * ty);
		// Step along the row instead of interpolating each pixel: this loop runs 8 million times for 4K.
		const step = right.map((v, c) => (v - left[c]) / xSpan);
		let [r, g, b] = left;
		let o = y * width * 3;
		for (let x = 0; x < width; x++) {
			data[o++] = r;
			data[o++] = g;
			data[o++] = b;
			r += step[0];
			g += step[1];
			b += step[2];
		}
	}
	return { width, height, channels: 3, data };
}

/**
 * An edit of `source` at its own size: with a mask, the pixels the mask marks are repainted with the
 * seed's pattern and all others are kept exactly; without one, the whole picture is blended half-and-half.
 */
export function deriveEdit(
	source: DecodedPng,
	mask: DecodedPng | undefined,
	convention: MaskConvention,
	seed: Buffer,
): Raster {
	const { width, height } = source;
	const paint = renderPattern(width, height, seed).data;
	const isEdited = mask ? maskReader(mask, convention) : undefined;
	const data = Buffer.alloc(width * height * 3);
	for (let p = 0; p < width * height; p++) {
		for (let c = 0; c < 3; c++) {
			const kept = source.rgba[p * 4 + c];
			const painted = paint[p * 3 + c];
			data[p * 3 + c] = isEdited ? (isEdited(p) ? painted : kept) : (kept + painted) >> 1;
		}
	}
	return { width, height, channels: 3, data };
}

function maskReader(mask: DecodedPng, convention: MaskConvention): (pixel: number) => boolean {
	const { rgba } = mask;
	const alpha = (p: number) => rgba[p * 4 + 3];
	const luma = (p: number) => (rgba[p * 4] * 299 + rgba[p * 4 + 1] * 587 + rgba[p * 4 + 2] * 114) / 1000;
	switch (convention) {
		case 'black':
			return (p) => luma(p) < 128;
		case 'transparent':
			return (p) => alpha(p) === 0;
		case 'transparentOrWhite': {
			let hasTransparency = false;
			for (let p = 0; p < mask.width * mask.height && !hasTransparency; p++) hasTransparency = alpha(p) < 255;
			return hasTransparency ? (p) => alpha(p) === 0 : (p) => luma(p) >= 128;
		}
	}
}

/** Rendered noise PNGs by `<width>x<height>:<index>`, for every simulator of the process. */
const noiseCache = new Map<string, Buffer>();

/**
 * An RGBA PNG of pseudo-random pixels (xorshift32, seeded by size and index): deflate cannot shrink it,
 * so 1024x1024 is ≈ 4 MiB on the wire and on disk. Rendered once per size and index, then cached.
 */
export function noisePng(width: number, height: number, index: number): Buffer {
	const key = `${width}x${height}:${index}`;
	const cached = noiseCache.get(key);
	if (cached) return cached;
	const words = new Uint32Array(width * height);
	let state = createHash('sha256').update(`noise\u0000${key}`).digest().readUInt32LE(0) || 1;
	for (let i = 0; i < words.length; i++) {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		words[i] = state >>> 0;
	}
	const png = encodeRaster({ width, height, channels: 4, data: Buffer.from(words.buffer) }, 'none');
	noiseCache.set(key, png);
	return png;
}
