/** How a result file is written: PNG or a real JPEG, at the task's pixel size. */
import { encode as encodeJpegRgba } from 'jpeg-js';
import { encodeRaster, type DecodedPng, type Raster } from './png';

/** A task's result files: PNG (the default), or JPEG at a quality (0–100) where the model offers it. */
export type ResultFormat = { type: 'png' } | { type: 'jpeg'; quality: number };

export const PNG: ResultFormat = { type: 'png' };

export function resultExtension(format: ResultFormat | undefined): 'png' | 'jpg' {
	return format?.type === 'jpeg' ? 'jpg' : 'png';
}

export function resultMimeType(format: ResultFormat | undefined): string {
	return format?.type === 'jpeg' ? 'image/jpeg' : 'image/png';
}

export function encodeResult(raster: Raster, format: ResultFormat | undefined): Buffer {
	if (format?.type !== 'jpeg') return encodeRaster(raster);
	const { width, height, channels, data } = raster;
	const rgba = Buffer.alloc(width * height * 4, 255);
	for (let p = 0; p < width * height; p++) {
		for (let c = 0; c < 3; c++) rgba[p * 4 + c] = data[p * channels + (channels < 3 ? 0 : c)];
	}
	return encodeJpegRgba({ width, height, data: rgba }, format.quality).data;
}

/**
 * The picture stretched (nearest neighbour) to width x height: an edit asked for at another size than
 * its input's is made from the input scaled to that size, its mask likewise.
 */
export function fitTo(image: DecodedPng, width: number, height: number): DecodedPng {
	if (image.width === width && image.height === height) return image;
	const rgba = Buffer.alloc(width * height * 4);
	for (let y = 0; y < height; y++) {
		const sy = Math.min(image.height - 1, Math.floor((y * image.height) / height));
		for (let x = 0; x < width; x++) {
			const sx = Math.min(image.width - 1, Math.floor((x * image.width) / width));
			image.rgba.copy(rgba, (y * width + x) * 4, (sy * image.width + sx) * 4, (sy * image.width + sx) * 4 + 4);
		}
	}
	return { width, height, rgba };
}
