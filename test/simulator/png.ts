/**
 * A small PNG codec: enough to serve real result files and to read back the PNGs a client uploads
 * (8-bit RGB/RGBA/grey, palettes, sub-byte and 16-bit depths, all five filters; no interlacing).
 */
import { deflateSync, inflateSync } from 'zlib';

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

/** CRC-32 as PNG chunks use it; pass the previous value to continue over several buffers. */
export function crc32(data: Uint8Array, previous = 0): number {
	let crc = ~previous >>> 0;
	for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
	return ~crc >>> 0;
}

export type PngFilter = 'none' | 'sub' | 'up' | 'average' | 'paeth';
const FILTER_CODE: Record<PngFilter, number> = { none: 0, sub: 1, up: 2, average: 3, paeth: 4 };

/** Interleaved 8-bit pixels: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA channels. */
export interface Raster {
	width: number;
	height: number;
	channels: 1 | 2 | 3 | 4;
	data: Buffer;
}

export interface DecodedPng {
	width: number;
	height: number;
	/** Always RGBA, 4 bytes per pixel, whatever the file's colour type. */
	rgba: Buffer;
}

const COLOR_TYPE_OF_CHANNELS = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;
const CHANNELS_OF_COLOR_TYPE: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function paeth(a: number, b: number, c: number): number {
	const p = a + b - c;
	const pa = Math.abs(p - a);
	const pb = Math.abs(p - b);
	const pc = Math.abs(p - c);
	if (pa <= pb && pa <= pc) return a;
	return pb <= pc ? b : c;
}

function chunk(type: string, data: Buffer): Buffer {
	const head = Buffer.alloc(8);
	head.writeUInt32BE(data.length, 0);
	head.write(type, 4, 'latin1');
	const tail = Buffer.alloc(4);
	tail.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
	return Buffer.concat([head, data, tail]);
}

/** Writes one filtered row; one loop per filter type keeps the hot path free of branches. */
function filterRow(code: number, cur: Buffer, prev: Buffer, bpp: number, out: Buffer): void {
	const n = cur.length;
	const left = (i: number) => (i >= bpp ? cur[i - bpp] : 0);
	switch (code) {
		case 0:
			cur.copy(out);
			return;
		case 1:
			for (let i = 0; i < n; i++) out[i] = cur[i] - left(i);
			return;
		case 2:
			for (let i = 0; i < n; i++) out[i] = cur[i] - prev[i];
			return;
		case 3:
			for (let i = 0; i < n; i++) out[i] = cur[i] - ((left(i) + prev[i]) >> 1);
			return;
		default:
			for (let i = 0; i < n; i++) out[i] = cur[i] - paeth(left(i), prev[i], i >= bpp ? prev[i - bpp] : 0);
	}
}

/** Encodes a raster with one filter for every row; deflate level 1 keeps a 4K image well under a second. */
export function encodeRaster(raster: Raster, filter: PngFilter = 'sub'): Buffer {
	const { width, height, channels, data } = raster;
	if (data.length !== width * height * channels) throw new Error('raster data does not match its size');
	const stride = width * channels;
	const code = FILTER_CODE[filter];
	const out = Buffer.alloc((stride + 1) * height);
	const zeroRow = Buffer.alloc(stride);
	for (let y = 0; y < height; y++) {
		const cur = data.subarray(y * stride, (y + 1) * stride);
		const prev = y > 0 ? data.subarray((y - 1) * stride, y * stride) : zeroRow;
		out[y * (stride + 1)] = code;
		filterRow(code, cur, prev, channels, out.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
	}
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8;
	ihdr[9] = COLOR_TYPE_OF_CHANNELS[channels];
	return Buffer.concat([
		SIGNATURE,
		chunk('IHDR', ihdr),
		chunk('IDAT', deflateSync(out, { level: 1 })),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

export type PixelFunction = (x: number, y: number) => readonly [number, number, number, number];

export interface EncodeOptions {
	/** Which colour type to write; default 'rgba'. Grey uses the pixel's luma. */
	color?: 'rgba' | 'rgb' | 'grey' | 'greyAlpha';
	filter?: PngFilter;
}

/** Encodes RGBA pixels (a buffer of width*height*4 bytes, or a function of x, y) as a PNG. */
export function encodePng(
	width: number,
	height: number,
	rgba: Buffer | PixelFunction,
	options: EncodeOptions = {},
): Buffer {
	const source = typeof rgba === 'function' ? rgbaFromFunction(width, height, rgba) : rgba;
	if (source.length !== width * height * 4) throw new Error('expected width*height*4 RGBA bytes');
	const color = options.color ?? 'rgba';
	const channels = ({ grey: 1, greyAlpha: 2, rgb: 3, rgba: 4 } as const)[color];
	const data = Buffer.alloc(width * height * channels);
	for (let p = 0; p < width * height; p++) {
		const [r, g, b, a] = [source[p * 4], source[p * 4 + 1], source[p * 4 + 2], source[p * 4 + 3]];
		const o = p * channels;
		if (channels >= 3) {
			data[o] = r;
			data[o + 1] = g;
			data[o + 2] = b;
		} else {
			data[o] = Math.round((r * 299 + g * 587 + b * 114) / 1000);
		}
		if (channels === 2 || channels === 4) data[o + channels - 1] = a;
	}
	return encodeRaster({ width, height, channels, data }, options.filter);
}

function rgbaFromFunction(width: number, height: number, pixel: PixelFunction): Buffer {
	const out = Buffer.alloc(width * height * 4);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const [r, g, b, a] = pixel(x, y);
			out.set([r, g, b, a], (y * width + x) * 4);
		}
	}
	return out;
}

export function isPng(buf: Buffer): boolean {
	return buf.length >= 24 && buf.subarray(0, 8).equals(SIGNATURE) && buf.toString('latin1', 12, 16) === 'IHDR';
}

/** Width and height from the IHDR chunk; throws when the buffer is not a PNG. */
export function pngSize(buf: Buffer): { width: number; height: number } {
	if (!isPng(buf)) throw new Error('not a PNG file');
	return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

interface Header {
	width: number;
	height: number;
	bitDepth: number;
	colorType: number;
}

export function decodePng(buf: Buffer): DecodedPng {
	if (!isPng(buf)) throw new Error('not a PNG file');
	let header: Header | undefined;
	let palette: Buffer | undefined;
	let transparency: Buffer | undefined;
	const idat: Buffer[] = [];
	for (let pos = 8; pos + 12 <= buf.length; ) {
		const length = buf.readUInt32BE(pos);
		const type = buf.toString('latin1', pos + 4, pos + 8);
		const data = buf.subarray(pos + 8, pos + 8 + length);
		if (data.length !== length) throw new Error(`truncated ${type} chunk`);
		if (crc32(data, crc32(buf.subarray(pos + 4, pos + 8))) !== buf.readUInt32BE(pos + 8 + length)) {
			throw new Error(`bad CRC in ${type} chunk`);
		}
		if (type === 'IHDR') {
			header = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), bitDepth: data[8], colorType: data[9] };
			if (data[12] !== 0) throw new Error('interlaced PNGs are not supported');
		} else if (type === 'PLTE') palette = data;
		else if (type === 'tRNS') transparency = data;
		else if (type === 'IDAT') idat.push(data);
		else if (type === 'IEND') break;
		pos += 12 + length;
	}
	if (!header) throw new Error('PNG without IHDR');
	const channels = CHANNELS_OF_COLOR_TYPE[header.colorType];
	if (!channels) throw new Error(`unknown PNG colour type ${header.colorType}`);
	if (header.colorType === 3 && !palette) throw new Error('palette PNG without PLTE');
	const pixels = unfilter(inflateSync(Buffer.concat(idat)), header, channels);
	return { width: header.width, height: header.height, rgba: toRgba(pixels, header, channels, palette, transparency) };
}

function unfilter(raw: Buffer, h: Header, channels: number): Buffer {
	const bitsPerPixel = channels * h.bitDepth;
	const stride = Math.ceil((h.width * bitsPerPixel) / 8);
	const bpp = Math.max(1, bitsPerPixel >> 3);
	if (raw.length < (stride + 1) * h.height) throw new Error('PNG image data is truncated');
	const out = Buffer.alloc(stride * h.height);
	for (let y = 0; y < h.height; y++) {
		const filter = raw[y * (stride + 1)];
		const src = y * (stride + 1) + 1;
		const o = y * stride;
		for (let i = 0; i < stride; i++) {
			const a = i >= bpp ? out[o + i - bpp] : 0;
			const b = y > 0 ? out[o - stride + i] : 0;
			const c = i >= bpp && y > 0 ? out[o - stride + i - bpp] : 0;
			let predicted: number;
			switch (filter) {
				case 0: predicted = 0; break;
				case 1: predicted = a; break;
				case 2: predicted = b; break;
				case 3: predicted = (a + b) >> 1; break;
				case 4: predicted = paeth(a, b, c); break;
				default: throw new Error(`unknown PNG filter ${filter}`);
			}
			out[o + i] = (raw[src + i] + predicted) & 0xff;
		}
	}
	return out;
}

function toRgba(pixels: Buffer, h: Header, channels: number, palette?: Buffer, trns?: Buffer): Buffer {
	const { width, height, bitDepth, colorType } = h;
	const out = Buffer.alloc(width * height * 4);
	// Fast path for the common 8-bit RGB/RGBA files.
	if (bitDepth === 8 && (colorType === 2 || colorType === 6) && !trns) {
		for (let p = 0, s = 0; p < width * height; p++, s += channels) {
			out[p * 4] = pixels[s];
			out[p * 4 + 1] = pixels[s + 1];
			out[p * 4 + 2] = pixels[s + 2];
			out[p * 4 + 3] = channels === 4 ? pixels[s + 3] : 255;
		}
		return out;
	}
	const stride = Math.ceil((width * channels * bitDepth) / 8);
	const maxSample = (1 << Math.min(bitDepth, 8)) - 1;
	/** The raw sample (at the file's depth, 16-bit reduced to its high byte) of channel c of pixel x. */
	const sample = (row: number, x: number, c: number): number => {
		const index = x * channels + c;
		if (bitDepth === 8) return pixels[row + index];
		if (bitDepth === 16) return pixels[row + index * 2];
		const bit = index * bitDepth;
		return (pixels[row + (bit >> 3)] >> (8 - bitDepth - (bit & 7))) & maxSample;
	};
	const scale = (v: number): number => (bitDepth >= 8 ? v : Math.round((v * 255) / maxSample));
	const transparentKey = trns && colorType !== 3 ? keyColour(trns, colorType, bitDepth) : undefined;
	for (let y = 0; y < height; y++) {
		const row = y * stride;
		for (let x = 0; x < width; x++) {
			const o = (y * width + x) * 4;
			let rgb: [number, number, number];
			let alpha = 255;
			if (colorType === 3) {
				const i = sample(row, x, 0);
				rgb = [palette![i * 3], palette![i * 3 + 1], palette![i * 3 + 2]];
				if (trns && i < trns.length) alpha = trns[i];
			} else if (colorType === 0 || colorType === 4) {
				const grey = scale(sample(row, x, 0));
				rgb = [grey, grey, grey];
				if (colorType === 4) alpha = sample(row, x, 1);
			} else {
				rgb = [sample(row, x, 0), sample(row, x, 1), sample(row, x, 2)];
				if (colorType === 6) alpha = sample(row, x, 3);
			}
			if (transparentKey && transparentKey.every((v, c) => v === sample(row, x, c))) alpha = 0;
			out[o] = rgb[0];
			out[o + 1] = rgb[1];
			out[o + 2] = rgb[2];
			out[o + 3] = alpha;
		}
	}
	return out;
}

/** The single fully transparent colour a grey or RGB tRNS chunk names, in the same units `sample` returns. */
function keyColour(trns: Buffer, colorType: number, bitDepth: number): number[] | undefined {
	const count = colorType === 0 ? 1 : colorType === 2 ? 3 : 0;
	if (count === 0 || trns.length < count * 2) return undefined;
	const values = Array.from({ length: count }, (_, c) => trns.readUInt16BE(c * 2));
	return bitDepth === 16 ? values.map((v) => v >> 8) : values;
}
