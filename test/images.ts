import { GATEWAYS } from '../nodes/GptImage/gateways';
import type { GatewayId } from '../nodes/GptImage/gateways';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { registerNodeType } from './engine/runWorkflow';
import { encodePng } from './simulator';

/**
 * A test-only node that puts images on its items as real n8n binary data, the way a Read File,
 * Google Drive or HTTP Request node would: photos, masks, and files that should be refused.
 */

export const IMAGES_NODE_TYPE = 'test.images';

/** The rectangle masks mark as "edit": the middle half across, a quarter to five eighths down. */
export function insideRegion(x: number, y: number, width = 64, height = 64): boolean {
	return x >= width / 4 && x < (3 * width) / 4 && y >= height / 4 && y < (5 * height) / 8;
}

/**
 * How to draw a mask for a gateway's first mask model, as the node documents it: black where Kie.ai
 * edits black pixels, else transparent (the OpenAI convention, and the safe choice where a gateway
 * does not say).
 */
export function maskConvention(gateway: GatewayId): 'black' | 'transparent' {
	return GATEWAYS[gateway].models.find((model) => model.mask)?.mask?.marks === 'black' ? 'black' : 'transparent';
}

export type FileSpec =
	| { field: string; kind: 'photo'; width: number; height: number }
	/** black: black = edit, white = keep (Kie). transparent: alpha 0 = edit (OpenAI, ToAPIs, EvoLink). */
	| { field: string; kind: 'mask'; width: number; height: number; convention: 'black' | 'transparent' }
	/** A JPEG as far as its header goes (SOF0 with the given size); enough for the node's checks. */
	| { field: string; kind: 'jpegHeader'; width: number; height: number }
	/** A valid PNG header followed by padding up to `bytes`: a file too large for the gateway. */
	| { field: string; kind: 'paddedPng'; width: number; height: number; bytes: number }
	| { field: string; kind: 'gifHeader'; width: number; height: number }
	/** Only a PNG signature and IHDR chunk, of any declared size (0x0 too); RGBA unless `rgb`. */
	| { field: string; kind: 'pngHeader'; width: number; height: number; rgb?: boolean }
	| { field: string; kind: 'text' };

export function photoPixel(x: number, y: number): [number, number, number, number] {
	return [(x * 4) % 256, (y * 4) % 256, 128, 255];
}

export function fileOf(spec: FileSpec): { bytes: Buffer; fileName: string; mimeType: string } {
	switch (spec.kind) {
		case 'photo':
			return { bytes: encodePng(spec.width, spec.height, photoPixel), fileName: 'photo.png', mimeType: 'image/png' };
		case 'mask': {
			const pixel = (x: number, y: number): [number, number, number, number] =>
				spec.convention === 'black'
					? insideRegion(x, y, spec.width, spec.height) ? [0, 0, 0, 255] : [255, 255, 255, 255]
					: insideRegion(x, y, spec.width, spec.height) ? [0, 0, 0, 0] : [0, 0, 0, 255];
			return { bytes: encodePng(spec.width, spec.height, pixel), fileName: 'mask.png', mimeType: 'image/png' };
		}
		case 'jpegHeader': {
			const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0, 0, 0, 0, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
			sof.writeUInt16BE(spec.height, 5);
			sof.writeUInt16BE(spec.width, 7);
			const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
			const bytes = Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
			return { bytes, fileName: 'photo.jpg', mimeType: 'image/jpeg' };
		}
		case 'paddedPng': {
			const png = encodePng(spec.width, spec.height, photoPixel);
			return {
				bytes: Buffer.concat([png, Buffer.alloc(Math.max(0, spec.bytes - png.length))]),
				fileName: 'large.png',
				mimeType: 'image/png',
			};
		}
		case 'gifHeader': {
			const bytes = Buffer.alloc(16);
			bytes.write('GIF89a', 0, 'latin1');
			bytes.writeUInt16LE(spec.width, 6);
			bytes.writeUInt16LE(spec.height, 8);
			return { bytes, fileName: 'anim.gif', mimeType: 'image/gif' };
		}
		case 'pngHeader': {
			const bytes = Buffer.alloc(33);
			Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(bytes);
			bytes.write('IHDR', 12, 'latin1');
			bytes.writeUInt32BE(spec.width, 16);
			bytes.writeUInt32BE(spec.height, 20);
			bytes.set([8, spec.rgb ? 2 : 6, 0, 0, 0], 24);
			return { bytes, fileName: 'header.png', mimeType: 'image/png' };
		}
		case 'text':
			return { bytes: Buffer.from('not an image at all'), fileName: 'notes.txt', mimeType: 'text/plain' };
	}
}

class TestImages implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Test Images',
		name: 'testImages',
		group: ['input'],
		version: 1,
		description: 'Test only: items with image binaries',
		defaults: { name: 'Test Images' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const specs = JSON.parse(this.getNodeParameter('items', 0) as string) as Array<{ json?: IDataObject; files: FileSpec[] }>;
		const items: INodeExecutionData[] = [];
		for (const [index, spec] of specs.entries()) {
			const binary: INodeExecutionData['binary'] = {};
			for (const file of spec.files) {
				const { bytes, fileName, mimeType } = fileOf(file);
				binary[file.field] = await this.helpers.prepareBinaryData(bytes, fileName, mimeType);
			}
			items.push({ json: spec.json ?? {}, binary, pairedItem: { item: index } });
		}
		return [items];
	}
}

registerNodeType(IMAGES_NODE_TYPE, new TestImages());
