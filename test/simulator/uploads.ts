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
