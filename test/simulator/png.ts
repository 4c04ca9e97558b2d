/**
 * PNG files for the simulator and the tests, through pngjs: result files it serves, pictures and
 * masks the tests upload, and the PNGs a client uploads read back.
 */
import { PNG, type ColorType } from 'pngjs';

export { crc32 } from 'zlib';

export type PngFilter = 'none' | 'sub' | 'up' | 'average' | 'paeth';
const FILTER_TYPE: Record<PngFilter, number> = { none: 0, sub: 1, up: 2, average: 3, paeth: 4 };

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

const COLOR_TYPE_OF_CHANNELS: Record<Raster['channels'], ColorType> = { 1: 0, 2: 4, 3: 2, 4: 6 };

/** Encodes a raster in its own colour type, one filter for every row; deflate level 1 keeps a 4K image fast. */
export function encodeRaster(raster: Raster, filter: PngFilter = 'sub'): Buffer {
	const { width, height, channels, data } = raster;
	if (data.length !== width * height * channels) throw new Error('raster data does not match its size');
	const colorType = COLOR_TYPE_OF_CHANNELS[channels];
	const png = new PNG({ width, height, colorType, inputColorType: colorType, inputHasAlpha: channels % 2 === 0 });
	png.data = data;
	return PNG.sync.write(png, {
		colorType,
		inputColorType: colorType,
		inputHasAlpha: channels % 2 === 0,
		filterType: FILTER_TYPE[filter],
		deflateLevel: 1,
	});
}

export type PixelFunction = (x: number, y: number) => readonly [number, number, number, number];

export interface EncodeOptions {
	/** Which colour type to write; default 'rgba'. Grey is the mean of red, green and blue; without alpha, pixels are composed over white. */
	color?: 'rgba' | 'rgb' | 'grey' | 'greyAlpha';
	filter?: PngFilter;
}

const COLOR_TYPE: Record<NonNullable<EncodeOptions['color']>, ColorType> = { grey: 0, rgb: 2, greyAlpha: 4, rgba: 6 };

/** Encodes RGBA pixels (a buffer of width*height*4 bytes, or a function of x, y) as a PNG. */
export function encodePng(
	width: number,
	height: number,
	rgba: Buffer | PixelFunction,
	options: EncodeOptions = {},
): Buffer {
	const png = new PNG({ width, height });
	if (typeof rgba === 'function') {
		for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) png.data.set(rgba(x, y), (y * width + x) * 4);
	} else {
		if (rgba.length !== width * height * 4) throw new Error('expected width*height*4 RGBA bytes');
		png.data = rgba;
	}
	return PNG.sync.write(png, {
		colorType: COLOR_TYPE[options.color ?? 'rgba'],
		filterType: FILTER_TYPE[options.filter ?? 'sub'],
		deflateLevel: 1,
	});
}

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

export function isPng(buf: Buffer): boolean {
	return buf.length >= 24 && buf.subarray(0, 8).equals(SIGNATURE) && buf.toString('latin1', 12, 16) === 'IHDR';
}

/** Width and height from the IHDR chunk, without decoding; throws when the buffer is not a PNG. */
export function pngSize(buf: Buffer): { width: number; height: number } {
	if (!isPng(buf)) throw new Error('not a PNG file');
	return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** Any PNG pngjs reads (every colour type and depth, palettes, transparency, interlacing) as 8-bit RGBA. */
export function decodePng(buf: Buffer): DecodedPng {
	const { width, height, data } = PNG.sync.read(buf);
	return { width, height, rgba: data };
}
