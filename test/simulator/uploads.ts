/** What the three upload endpoints have in common: telling file types apart and unpacking base64. */

const SIGNATURES: Array<[mimeType: string, matches: (b: Buffer) => boolean]> = [
	['image/png', (b) => b.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]))],
	['image/jpeg', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
	['image/gif', (b) => b.toString('latin1', 0, 4) === 'GIF8'],
	['image/webp', (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP'],
];

/** The image type the bytes really are (gateways sniff, they do not trust the declared type). */
export function sniffImageType(bytes: Buffer): string | undefined {
	return SIGNATURES.find(([, matches]) => matches(bytes))?.[0];
}

export function extensionOf(mimeType: string): string {
	return { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' }[mimeType] ?? 'bin';
}

/** A `data:<type>;base64,...` URL or bare base64; undefined when it is neither. */
export function decodeBase64Payload(value: string): { bytes: Buffer; declaredType?: string } | undefined {
	const dataUrl = /^data:([^;,]+)?(?:;[^,]*)?;base64,(.*)$/s.exec(value);
	const base64 = (dataUrl ? dataUrl[2] : value).replace(/\s+/g, '');
	if (base64 === '' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(base64)) return undefined;
	return { bytes: Buffer.from(base64, 'base64'), declaredType: dataUrl?.[1] };
}

/** Width and height from a JPEG's first frame header (SOFn); undefined when there is none. */
export function jpegSize(bytes: Buffer): { width: number; height: number } | undefined {
	let pos = 2;
	while (pos + 9 < bytes.length && bytes[pos] === 0xff) {
		const marker = bytes[pos + 1];
		const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
		if (isFrame) return { height: bytes.readUInt16BE(pos + 5), width: bytes.readUInt16BE(pos + 7) };
		pos += 2 + bytes.readUInt16BE(pos + 2);
	}
	return undefined;
}

/** Whether a PNG can hold transparency: an alpha channel (colour types 4 and 6) or a tRNS chunk. */
export function pngHasAlpha(bytes: Buffer): boolean {
	const colourType = bytes[25];
	if (colourType === 4 || colourType === 6) return true;
	for (let pos = 8; pos + 8 <= bytes.length; pos += 12 + bytes.readUInt32BE(pos)) {
		const type = bytes.toString('latin1', pos + 4, pos + 8);
		if (type === 'tRNS') return true;
		if (type === 'IDAT' || type === 'IEND') return false;
	}
	return false;
}
