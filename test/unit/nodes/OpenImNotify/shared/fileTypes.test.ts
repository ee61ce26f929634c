/** The header readers behind files sent from binary data: MIME type from magic numbers, picture sizes. */
import { HEAD_BYTES, imageSize, sniffMimeType } from '../../../../../nodes/OpenImNotify/shared/fileTypes';
import { bmpHeader, gifHeader, jpegHeader, pdf, png, webpHeader } from '../../../../fixtures/files';

describe('sniffMimeType', () => {
	it.each([
		['PNG', png(3, 2), 'image/png'],
		['JPEG', jpegHeader(10, 10), 'image/jpeg'],
		['GIF', gifHeader(1, 1), 'image/gif'],
		['BMP', bmpHeader(2, 2), 'image/bmp'],
		['WebP', webpHeader('VP8L', 2, 2), 'image/webp'],
		['PDF', pdf('x'), 'application/pdf'],
		['MP4', Buffer.from('\0\0\0\x18ftypisom\0\0\0\0', 'latin1'), 'video/mp4'],
		['M4A', Buffer.from('\0\0\0\x18ftypM4A \0\0\0\0', 'latin1'), 'audio/mp4'],
		['MP3 (ID3)', Buffer.from('ID3\x04\0', 'latin1'), 'audio/mpeg'],
		['WAV', Buffer.from('RIFF\0\0\0\0WAVEfmt ', 'latin1'), 'audio/wav'],
	])('recognises %s', (_name, bytes, type) => {
		expect(sniffMimeType(bytes)).toBe(type);
	});

	it('says nothing about text or too few bytes', () => {
		expect(sniffMimeType(Buffer.from('hello, world'))).toBeUndefined();
		expect(sniffMimeType(Buffer.alloc(0))).toBeUndefined();
		expect(sniffMimeType(Buffer.from([0x89, 0x50]))).toBeUndefined();
	});
});

describe('imageSize', () => {
	it.each([
		['PNG', png(37, 21), 'image/png', { width: 37, height: 21 }],
		['JPEG after an APP1 block', jpegHeader(4032, 3024, 60000), 'image/jpeg', { width: 4032, height: 3024 }],
		['GIF', gifHeader(320, 200), 'image/gif', { width: 320, height: 200 }],
		['BMP stored top-down', bmpHeader(640, 480), 'image/bmp', { width: 640, height: 480 }],
		['WebP lossy', webpHeader('VP8 ', 800, 600), 'image/webp', { width: 800, height: 600 }],
		['WebP lossless', webpHeader('VP8L', 1024, 768), 'image/webp', { width: 1024, height: 768 }],
		['WebP extended', webpHeader('VP8X', 5000, 3000), 'image/webp', { width: 5000, height: 3000 }],
	])('reads the size of %s', (_name, bytes, type, size) => {
		expect(imageSize(bytes, type)).toEqual(size);
	});

	it('gives nothing for a cut header, a zero size or a JPEG without a frame header', () => {
		expect(imageSize(png(5, 5).subarray(0, 20), 'image/png')).toBeUndefined();
		expect(imageSize(gifHeader(0, 10), 'image/gif')).toBeUndefined();
		expect(imageSize(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 0, 0, 0, 0, 0, 0, 0]), 'image/jpeg')).toBeUndefined();
		expect(imageSize(pdf('x'), 'application/pdf')).toBeUndefined();
	});

	it('finds a JPEG frame header within the head the node reads', () => {
		const head = jpegHeader(1920, 1080, 65000);
		expect(head.length).toBeLessThan(HEAD_BYTES);
		expect(imageSize(head, 'image/jpeg')).toEqual({ width: 1920, height: 1080 });
	});
});
