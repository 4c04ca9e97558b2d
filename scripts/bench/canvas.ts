/** A tiny RGBA canvas with a 5×7 bitmap font: enough to draw the benchmark chart without a dependency. */
import { encodePng } from '../../test/simulator';

export type Rgb = readonly [number, number, number];

/** 5×7 glyphs, one string of 5 bits per row. Lower-case letters are drawn as capitals; '×' as a small x. */
const GLYPHS: Record<string, string> = {
	A: '01110 10001 10001 11111 10001 10001 10001',
	B: '11110 10001 10001 11110 10001 10001 11110',
	C: '01110 10001 10000 10000 10000 10001 01110',
	D: '11110 10001 10001 10001 10001 10001 11110',
	E: '11111 10000 10000 11110 10000 10000 11111',
	F: '11111 10000 10000 11110 10000 10000 10000',
	G: '01110 10001 10000 10111 10001 10001 01111',
	H: '10001 10001 10001 11111 10001 10001 10001',
	I: '01110 00100 00100 00100 00100 00100 01110',
	J: '00111 00010 00010 00010 00010 10010 01100',
	K: '10001 10010 10100 11000 10100 10010 10001',
	L: '10000 10000 10000 10000 10000 10000 11111',
	M: '10001 11011 10101 10101 10001 10001 10001',
	N: '10001 10001 11001 10101 10011 10001 10001',
	O: '01110 10001 10001 10001 10001 10001 01110',
	P: '11110 10001 10001 11110 10000 10000 10000',
	Q: '01110 10001 10001 10001 10101 10010 01101',
	R: '11110 10001 10001 11110 10100 10010 10001',
	S: '01111 10000 10000 01110 00001 00001 11110',
	T: '11111 00100 00100 00100 00100 00100 00100',
	U: '10001 10001 10001 10001 10001 10001 01110',
	V: '10001 10001 10001 10001 10001 01010 00100',
	W: '10001 10001 10001 10101 10101 10101 01010',
	X: '10001 10001 01010 00100 01010 10001 10001',
	Y: '10001 10001 01010 00100 00100 00100 00100',
	Z: '11111 00001 00010 00100 01000 10000 11111',
	'0': '01110 10001 10011 10101 11001 10001 01110',
	'1': '00100 01100 00100 00100 00100 00100 01110',
	'2': '01110 10001 00001 00010 00100 01000 11111',
	'3': '11111 00010 00100 00010 00001 10001 01110',
	'4': '00010 00110 01010 10010 11111 00010 00010',
	'5': '11111 10000 11110 00001 00001 10001 01110',
	'6': '00110 01000 10000 11110 10001 10001 01110',
	'7': '11111 00001 00010 00100 01000 01000 01000',
	'8': '01110 10001 10001 01110 10001 10001 01110',
	'9': '01110 10001 10001 01111 00001 00010 01100',
	' ': '00000 00000 00000 00000 00000 00000 00000',
	'.': '00000 00000 00000 00000 00000 01100 01100',
	',': '00000 00000 00000 00000 01100 00100 01000',
	'=': '00000 00000 11111 00000 11111 00000 00000',
	'/': '00000 00001 00010 00100 01000 10000 00000',
	':': '00000 01100 01100 00000 01100 01100 00000',
	'(': '00010 00100 01000 01000 01000 00100 00010',
	')': '01000 00100 00010 00010 00010 00100 01000',
	'-': '00000 00000 00000 11111 00000 00000 00000',
	'+': '00000 00100 00100 11111 00100 00100 00000',
	'%': '11000 11001 00010 00100 01000 10011 00011',
	'≤': '00010 00100 01000 00100 00010 00000 01110',
	'×': '00000 00000 10001 01010 00100 01010 10001',
	'?': '01110 10001 00001 00010 00100 00000 00100',
};

export class Canvas {
	readonly rgba: Buffer;

	constructor(
		readonly width: number,
		readonly height: number,
		background: Rgb = [255, 255, 255],
	) {
		this.rgba = Buffer.alloc(width * height * 4);
		this.fillRect(0, 0, width, height, background);
	}

	pixel(x: number, y: number, [r, g, b]: Rgb): void {
		x = Math.round(x);
		y = Math.round(y);
		if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
		const o = (y * this.width + x) * 4;
		this.rgba[o] = r;
		this.rgba[o + 1] = g;
		this.rgba[o + 2] = b;
		this.rgba[o + 3] = 255;
	}

	fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
		for (let yy = Math.round(y); yy < Math.round(y + h); yy++) {
			for (let xx = Math.round(x); xx < Math.round(x + w); xx++) this.pixel(xx, yy, color);
		}
	}

	/** A rectangle striped diagonally: `color` on `background`, stripes `period` px apart. */
	hatchRect(x: number, y: number, w: number, h: number, color: Rgb, background: Rgb, period = 6): void {
		for (let yy = Math.round(y); yy < Math.round(y + h); yy++) {
			for (let xx = Math.round(x); xx < Math.round(x + w); xx++) {
				this.pixel(xx, yy, (xx + yy) % period < period / 2 ? color : background);
			}
		}
	}

	strokeRect(x: number, y: number, w: number, h: number, color: Rgb): void {
		this.hLine(x, x + w - 1, y, color);
		this.hLine(x, x + w - 1, y + h - 1, color);
		this.vLine(x, y, y + h - 1, color);
		this.vLine(x + w - 1, y, y + h - 1, color);
	}

	hLine(x0: number, x1: number, y: number, color: Rgb, dash = 0): void {
		for (let x = Math.round(x0); x <= Math.round(x1); x++) {
			if (!dash || Math.floor((x - x0) / dash) % 2 === 0) this.pixel(x, y, color);
		}
	}

	vLine(x: number, y0: number, y1: number, color: Rgb): void {
		for (let y = Math.round(y0); y <= Math.round(y1); y++) this.pixel(x, y, color);
	}

	/** Width in pixels of `text` at `scale`. */
	static textWidth(text: string, scale = 1): number {
		return text.length ? (text.length * 6 - 1) * scale : 0;
	}

	/** Draws text with its top-left corner at (x, y); `align` shifts it so x is its centre or right end. */
	text(x: number, y: number, text: string, color: Rgb, scale = 1, align: 'left' | 'center' | 'right' = 'left'): void {
		const width = Canvas.textWidth(text, scale);
		let left = align === 'center' ? x - width / 2 : align === 'right' ? x - width : x;
		left = Math.round(left);
		for (const char of text) {
			const rows = (GLYPHS[char] ?? GLYPHS[char.toUpperCase()] ?? GLYPHS['?']).split(' ');
			rows.forEach((row, gy) => {
				for (let gx = 0; gx < 5; gx++) {
					if (row[gx] === '1') this.fillRect(left + gx * scale, y + gy * scale, scale, scale, color);
				}
			});
			left += 6 * scale;
		}
	}

	png(): Buffer {
		return encodePng(this.width, this.height, this.rgba, { color: 'rgb' });
	}
}
