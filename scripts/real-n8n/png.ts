/** The few PNG facts the real-n8n checks need: the signature and the IHDR size. */
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk, or undefined when the bytes are not a PNG. */
export function pngDimensions(bytes: Buffer): { width: number; height: number } | undefined {
	if (bytes.length < 24 || !bytes.subarray(0, 8).equals(SIGNATURE)) return undefined;
	if (bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
	return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** n8n writes a binary's size as e.g. "4.19 MB" (decimal units); returns bytes, or NaN. */
export function parseFileSize(value: unknown): number {
	if (typeof value === 'number') return value;
	const match = /^\s*([\d.]+)\s*(B|kB|KB|MB|GB)?\s*$/.exec(String(value ?? ''));
	if (!match) return NaN;
	const unit = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 }[match[2] ?? 'B'] ?? NaN;
	return Number(match[1]) * unit;
}
