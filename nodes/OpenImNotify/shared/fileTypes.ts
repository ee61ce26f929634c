/**
 * What a file is, read from its first bytes: the MIME type from magic numbers, and a picture's
 * width and height from its header (OpenIM's validator requires them for pictures). Pure functions
 * over a Buffer, so a file read from disk needs only its head in memory.
 */

/** How many leading bytes the readers need: a JPEG's size follows its EXIF block (at most 64 KiB). */
export const HEAD_BYTES = 256 * 1024;

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp'] as const;

const ascii = (b: Buffer, start: number, end: number): string => (b.length >= end ? b.toString('latin1', start, end) : '');

/** The MIME type the magic numbers give, or undefined when they say nothing known. */
export function sniffMimeType(head: Buffer): string | undefined {
	if (head.length >= 8 && head.readUInt32BE(0) === 0x89504e47 && head.readUInt32BE(4) === 0x0d0a1a0a) return 'image/png';
	if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
	if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return 'image/gif';
	if (ascii(head, 0, 4) === 'RIFF') {
		const form = ascii(head, 8, 12);
		if (form === 'WEBP') return 'image/webp';
		if (form === 'WAVE') return 'audio/wav';
		if (form === 'AVI ') return 'video/x-msvideo';
	}
	if (ascii(head, 0, 2) === 'BM' && head.length >= 26 && head.readUInt32LE(14) >= 12) return 'image/bmp';
	if (ascii(head, 0, 5) === '%PDF-') return 'application/pdf';
	if (ascii(head, 4, 8) === 'ftyp') {
		const brand = ascii(head, 8, 12);
		if (brand === 'M4A ' || brand === 'M4B ') return 'audio/mp4';
		if (brand === 'qt  ') return 'video/quicktime';
		return 'video/mp4';
	}
	if (ascii(head, 0, 4) === 'OggS') return 'audio/ogg';
	if (ascii(head, 0, 3) === 'ID3' || (head.length >= 2 && head[0] === 0xff && (head[1] & 0xe0) === 0xe0 && (head[1] & 0x06) !== 0)) return 'audio/mpeg';
	if (ascii(head, 0, 9) === '#!AMR-WB\n') return 'audio/amr-wb';
	if (ascii(head, 0, 6) === '#!AMR\n') return 'audio/amr';
	if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return 'video/webm';
	if (ascii(head, 0, 4) === 'PK\u0003\u0004') return 'application/zip';
	return undefined;
}

export interface ImageSize {
	width: number;
	height: number;
}

const positive = (size: ImageSize): ImageSize | undefined => (size.width > 0 && size.height > 0 ? size : undefined);

function pngSize(b: Buffer): ImageSize | undefined {
	// The IHDR chunk comes first: width and height at 16 and 20.
	if (b.length < 24 || ascii(b, 12, 16) !== 'IHDR') return undefined;
	return positive({ width: b.readUInt32BE(16), height: b.readUInt32BE(20) });
}

function gifSize(b: Buffer): ImageSize | undefined {
	if (b.length < 10) return undefined;
	return positive({ width: b.readUInt16LE(6), height: b.readUInt16LE(8) });
}

function bmpSize(b: Buffer): ImageSize | undefined {
	if (b.length < 26) return undefined;
	if (b.readUInt32LE(14) === 12) return positive({ width: b.readUInt16LE(18), height: b.readUInt16LE(20) });
	// A negative height means rows stored top-down.
	return positive({ width: Math.abs(b.readInt32LE(18)), height: Math.abs(b.readInt32LE(22)) });
}

function webpSize(b: Buffer): ImageSize | undefined {
	if (b.length < 30) return undefined;
	const chunk = ascii(b, 12, 16);
	if (chunk === 'VP8 ') {
		// Lossy: after the frame tag (3 bytes) and the start code 9d 01 2a, 14-bit sizes.
		if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
		return positive({ width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff });
	}
	if (chunk === 'VP8L') {
		if (b[20] !== 0x2f) return undefined;
		const bits = b.readUInt32LE(21);
		return positive({ width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 });
	}
	if (chunk === 'VP8X') {
		// Extended: canvas size minus one, 24 bits each.
		return positive({ width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 });
	}
	return undefined;
}

function jpegSize(b: Buffer): ImageSize | undefined {
	let i = 2;
	while (i + 9 < b.length) {
		if (b[i] !== 0xff) return undefined;
		const marker = b[i + 1];
		// Fill bytes, and markers without a length (TEM, RSTn).
		if (marker === 0xff) {
			i++;
			continue;
		}
		if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
			i += 2;
			continue;
		}
		// SOF0–SOF15 carry the size, except DHT (c4), JPG (c8) and DAC (cc).
		if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
			return positive({ height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) });
		}
		// Start of scan or end of image before any frame header: no size to read.
		if (marker === 0xda || marker === 0xd9) return undefined;
		i += 2 + b.readUInt16BE(i + 2);
	}
	return undefined;
}

/** A picture's width and height from the header of `mimeType`; undefined when it cannot be read. */
export function imageSize(head: Buffer, mimeType: string): ImageSize | undefined {
	switch (mimeType) {
		case 'image/png':
			return pngSize(head);
		case 'image/jpeg':
			return jpegSize(head);
		case 'image/gif':
			return gifSize(head);
		case 'image/webp':
			return webpSize(head);
		case 'image/bmp':
			return bmpSize(head);
		default:
			return undefined;
	}
}

const EXTENSIONS: Record<string, string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/gif': 'gif',
	'image/webp': 'webp',
	'image/bmp': 'bmp',
	'application/pdf': 'pdf',
	'audio/mp4': 'm4a',
	'audio/mpeg': 'mp3',
	'audio/ogg': 'ogg',
	'audio/wav': 'wav',
	'audio/amr': 'amr',
	'video/mp4': 'mp4',
	'video/quicktime': 'mov',
	'video/webm': 'webm',
	'application/zip': 'zip',
};

/** A file extension for a MIME type (for a file name when the binary has none). */
export function extensionOf(mimeType: string): string {
	return EXTENSIONS[mimeType] ?? 'bin';
}
