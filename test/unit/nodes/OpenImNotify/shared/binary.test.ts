/**
 * Reading a binary file part by part for the upload (issue #12, "big files stay small in memory"):
 * n8n 1.x's in-memory base64 decoded one part at a time, streamed binaries assembled into parts,
 * and part buffers reused once the upload hands them back.
 */
import { randomBytes } from 'node:crypto';

import { base64Source, isCanonicalBase64, streamSource } from '../../../../../nodes/OpenImNotify/shared/binary';
import type { UploadSource } from '../../../../../nodes/OpenImNotify/transport/upload';

/** Every part, copied before it is handed back (as the upload does: hash or PUT, then release). */
async function readAll(source: UploadSource, partSize: number): Promise<Buffer[]> {
	const parts: Buffer[] = [];
	for await (const part of source.parts(partSize)) {
		parts.push(Buffer.from(part));
		source.release?.(part);
	}
	return parts;
}

function expectParts(parts: Buffer[], data: Buffer, partSize: number): void {
	expect(Buffer.concat(parts).equals(data)).toBe(true);
	parts.slice(0, -1).forEach((part) => expect(part.length).toBe(partSize));
	expect(parts.length).toBe(Math.ceil(data.length / partSize));
}

describe('isCanonicalBase64', () => {
	it.each([
		['', true],
		['QQ==', true],
		['QUI=', true],
		['QUJD', true],
		['QUJD'.repeat(250), true],
		['QUJD\nQUJD', false],
		['QUJ', false],
		['Q===', false],
		['QQ==QUJD', false],
		['QU=D', false],
		['-_-_', false],
	])('%j → %s', (data, canonical) => {
		expect(isCanonicalBase64(data)).toBe(canonical);
	});
});

describe('base64Source (n8n 1.x memory mode)', () => {
	const sizes = [1, 2, 3, 4, 5, 100, 1000, 1001, 1002];
	const partSizes = [1, 2, 3, 4, 5, 7, 64, 1000, 4096];
	it.each(sizes)('gives the bytes of a %i-byte file, every part size, parts of exactly that size', async (size) => {
		const data = randomBytes(size);
		const source = base64Source(data.toString('base64'));
		expect(source.size).toBe(size);
		for (const partSize of partSizes) expectParts(await readAll(source, partSize), data, partSize);
	});

	it('decodes parts longer than one decoding slice (256 K characters) whole', async () => {
		const data = randomBytes(1_000_003);
		const source = base64Source(data.toString('base64'));
		for (const partSize of [700_001, 196_608, 1_000_003]) expectParts(await readAll(source, partSize), data, partSize);
	});

	it('reuses part buffers once they are handed back, never one still held', async () => {
		const data = randomBytes(10_000);
		const source = base64Source(data.toString('base64'));
		const held: Array<{ part: Buffer; at: number }> = [];
		const buffers = new Set<ArrayBufferLike>();
		let at = 0;
		for await (const part of source.parts(1000)) {
			buffers.add(part.buffer);
			held.push({ part, at });
			at += part.length;
			// Two parts held at once, as the upload does (the oldest goes back when its PUT is done).
			if (held.length === 2) {
				const done = held.shift() as { part: Buffer; at: number };
				expect(done.part.equals(data.subarray(done.at, done.at + 1000))).toBe(true);
				source.release?.(done.part);
			}
		}
		expect(held[0].part.equals(data.subarray(9000))).toBe(true);
		expect(buffers.size).toBeLessThanOrEqual(3);
	});
});

describe('streamSource (binaries on disk, in S3 or in the database)', () => {
	const stream = (data: Buffer, chunks: number[]) =>
		async function* () {
			let at = 0;
			for (let i = 0; at < data.length; i++) {
				const n = chunks[i % chunks.length];
				yield data.subarray(at, at + n);
				at += n;
			}
		};

	it.each([
		['chunks of the part size (disk)', [1000]],
		['small chunks', [64]],
		['chunks larger than a part', [2500]],
		['chunks straddling part boundaries', [700, 1300, 1000, 1, 999]],
	])('%s: the parts are whole and in order', async (_name, chunks) => {
		const data = randomBytes(7_777);
		const source = streamSource(data.length, async () => stream(data, chunks)());
		expectParts(await readAll(source, 1000), data, 1000);
		// Read again (the upload reads twice: hashing, then uploading).
		expectParts(await readAll(source, 1000), data, 1000);
	});

	it('asks for chunks of the part size', async () => {
		const asked: number[] = [];
		const data = randomBytes(3000);
		const source = streamSource(data.length, async (chunkSize) => {
			asked.push(chunkSize);
			return stream(data, [chunkSize])();
		});
		await readAll(source, 1024);
		expect(asked).toEqual([1024]);
	});
});
