/**
 * Format and pixel size from the first bytes of an image, without decoding it: enough to refuse
 * a wrong format or a mask of the wrong size before a task is paid for.
 */

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

export interface ImageHeader {
	format: ImageFormat;
	width: number;
	height: number;
	/** PNG only: whether it has transparency (an alpha channel, or a tRNS chunk before the image data). */
	alpha?: boolean;
}

/** Bytes from the start of a file that are enough to find its size (JPEG may need the most). */
export const HEADER_BYTES = 256 * 1024;

export const MIME_TYPES: Record<ImageFormat, string> = {
	png: 'image/png',
	jpeg: 'image/jpeg',
	webp: 'image/webp',
	gif: 'image/gif',
};

/** Whether a PNG carries transparency: colour type 4 or 6 (with alpha), or a tRNS chunk before IDAT. */
function pngAlpha(bytes: Buffer): boolean {
	const colourType = bytes.length > 25 ? bytes[25] : 0;
	if (colourType === 4 || colourType === 6) return true;
	for (let offset = 8; offset + 8 <= bytes.length; ) {
		const type = bytes.toString('latin1', offset + 4, offset + 8);
		if (type === 'tRNS') return true;
		if (type === 'IDAT' || type === 'IEND') return false;
		offset += 12 + bytes.readUInt32BE(offset);
	}
	return false;
}

function pngHeader(bytes: Buffer): ImageHeader | undefined {
	if (bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
	return { format: 'png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), alpha: pngAlpha(bytes) };
}

function jpegHeader(bytes: Buffer): ImageHeader | undefined {
	let offset = 2;
	while (offset + 9 < bytes.length) {
		if (bytes[offset] !== 0xff) return undefined;
		const marker = bytes[offset + 1];
		// Fill bytes and markers without a length.
		if (marker === 0xff) {
			offset++;
			continue;
		}
		if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
			offset += 2;
			continue;
		}
		// Start-of-frame markers hold the size; C4 (Huffman), C8 and CC (arithmetic tables) do not.
		if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
			return { format: 'jpeg', height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
		}
		offset += 2 + bytes.readUInt16BE(offset + 2);
	}
	return undefined;
}

function webpHeader(bytes: Buffer): ImageHeader | undefined {
	if (bytes.length < 30) return undefined;
	const chunk = bytes.toString('latin1', 12, 16);
	if (chunk === 'VP8 ') {
		return { format: 'webp', width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
	}
	if (chunk === 'VP8L') {
		const bits = bytes.readUInt32LE(21);
		return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
	}
	if (chunk === 'VP8X') {
		return { format: 'webp', width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
	}
	return undefined;
}

export const EXTENSIONS: Record<ImageFormat, string> = { png: 'png', jpeg: 'jpg', webp: 'webp', gif: 'gif' };

/** The format the first bytes announce (magic numbers), whatever a Content-Type header claims. */
export function sniffImageFormat(bytes: Buffer): ImageFormat | undefined {
	if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a) return 'png';
	if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
	if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
		return 'webp';
	}
	if (bytes.length >= 10 && bytes.toString('latin1', 0, 4) === 'GIF8') return 'gif';
	return undefined;
}

/** The image's format and size, or undefined when the bytes are no PNG, JPEG, WebP or GIF we can read. */
export function readImageHeader(bytes: Buffer): ImageHeader | undefined {
	switch (sniffImageFormat(bytes)) {
		case 'png':
			return pngHeader(bytes);
		case 'jpeg':
			return jpegHeader(bytes);
		case 'webp':
			return webpHeader(bytes);
		case 'gif':
			return { format: 'gif', width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
		default:
			return undefined;
	}
}
