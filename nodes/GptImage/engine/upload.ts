import { NodeOperationError } from 'n8n-workflow';
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { HEADER_BYTES, MIME_TYPES, readImageHeader } from './imageInfo';
import type { Slots } from './rateLimit';
import type { ImageHeader } from './imageInfo';
import type { CallContext, GatewayClient } from './transport';

/**
 * Images that come from earlier nodes as n8n binary data. The gateways only take URLs, so each
 * binary is first checked (format, size, pixel size) from its header, then uploaded through the
 * gateway's own file API, and its URL passed on.
 */

export interface BinaryImage {
	/** The binary field of the input item it comes from. */
	property: string;
	binary: IBinaryData;
	fileName: string;
	byteLength: number;
	header?: ImageHeader;
}

/** The first bytes of a binary, read from n8n's binary store (filesystem, S3 …) when it lives there. */
async function headOf(ctx: IExecuteFunctions, binary: IBinaryData): Promise<{ head: Buffer; length: number }> {
	if (!binary.id) {
		const bytes = Buffer.from(binary.data, 'base64');
		return { head: bytes.subarray(0, HEADER_BYTES), length: bytes.length };
	}
	const stream = await ctx.helpers.getBinaryStream(binary.id, HEADER_BYTES);
	const chunks: Buffer[] = [];
	let read = 0;
	for await (const chunk of stream) {
		chunks.push(chunk as Buffer);
		read += (chunk as Buffer).length;
		if (read >= HEADER_BYTES) break;
	}
	stream.destroy();
	const length = binary.bytes ?? (await ctx.helpers.getBinaryMetadata(binary.id)).fileSize;
	return { head: Buffer.concat(chunks).subarray(0, HEADER_BYTES), length };
}

/** Reads what the checks need from a binary field of the input item, or says which fields there are. */
export async function inspectBinary(
	ctx: IExecuteFunctions,
	itemIndex: number,
	property: string,
	parameter: string,
): Promise<BinaryImage> {
	const binaries = ctx.getInputData()[itemIndex]?.binary ?? {};
	const binary = binaries[property];
	if (!binary) {
		const available = Object.keys(binaries);
		throw new NodeOperationError(
			ctx.getNode(),
			`Invalid "${parameter}" in item ${itemIndex}: the input item has no binary field "${property}"`,
			{
				itemIndex,
				description: available.length
					? `Use one of its binary fields: ${available.join(', ')}.`
					: 'The input item has no binary data at all: add a node before this one that reads or downloads the image, or use an image URL instead.',
			},
		);
	}
	const { head, length } = await headOf(ctx, binary);
	const header = readImageHeader(head);
	const extension = header ? (header.format === 'jpeg' ? 'jpg' : header.format) : 'png';
	return {
		property,
		binary,
		fileName: binary.fileName || `${property}.${extension}`,
		byteLength: length,
		header,
	};
}

/** Uploads a checked binary through the gateway's file API and returns the URL tasks can use. */
export async function uploadImage(
	ctx: IExecuteFunctions,
	client: GatewayClient,
	image: BinaryImage,
	context: CallContext,
	/**
	 * The gateways take an upload whole (base64 JSON, or one multipart body), so each try holds its
	 * file in memory (at most 25 MB by the checks): only this many at once in an execution.
	 */
	slots: Slots,
): Promise<string> {
	const { upload, displayName } = client.gateway;
	if (!upload) {
		throw new NodeOperationError(ctx.getNode(), `${displayName} has no file upload: use an image URL`, {
			itemIndex: context.itemIndex,
		});
	}
	const mimeType = image.header ? MIME_TYPES[image.header.format] : image.binary.mimeType;
	const response = await client.send(
		async () => {
			const bytes = await ctx.helpers.getBinaryDataBuffer(context.itemIndex, image.property);
			return upload.call({ bytes, fileName: image.fileName, mimeType });
		},
		'read',
		context,
		slots,
	);
	return client.decode(response, (answer) => upload.read(answer), context, {
		code: 'UNEXPECTED_ANSWER',
		message: 'The file upload answer holds no file URL',
	});
}
