/* eslint-disable @typescript-eslint/no-explicit-any -- test answers are arbitrary JSON */
/**
 * /object/* (openim-objects.md) against the real S3-protocol storage beside the sandbox (s3rver behind
 * the SigV4-checking front, sandbox/storage.ts): the OpenIM steps, and that the storage refuses what
 * real S3 refuses.
 */
import { createHash } from 'node:crypto';
import { request } from 'undici';

import type { Sandbox } from '../../sandbox/server';
import { Client, withSandbox } from './helpers';

let sandbox: Sandbox;
let client: Client;
const MIN_PART = 64 * 1024;

beforeAll(async () => {
	({ sandbox, client } = await withSandbox({ storage: true, minPartSize: MIN_PART }));
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

function split(data: Buffer, partSize: number): Buffer[] {
	const parts: Buffer[] = [];
	for (let i = 0; i < data.length; i += partSize) parts.push(data.subarray(i, i + partSize));
	return parts;
}

async function put(url: string, body: Buffer, headers: Record<string, string> = {}) {
	const res = await request(url, { method: 'PUT', body, headers });
	const text = await res.body.text();
	const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
	return { status: res.statusCode, etag: res.headers.etag, code, text };
}

async function initiate(data: Buffer, name: string, extra: Record<string, unknown> = {}) {
	const partSize = (await client.api('/object/part_size', { size: data.length })).body.data.size as number;
	const parts = split(data, partSize);
	const partMd5s = parts.map(md5);
	const hash = md5(partMd5s.join(','));
	const answer = await client.api('/object/initiate_multipart_upload', {
		hash,
		size: data.length,
		partSize,
		maxParts: parts.length,
		cause: 'msg-file',
		name,
		contentType: 'application/pdf',
		...extra,
	});
	return { answer, parts, partMd5s, hash, partSize };
}

describe('/object/* with the storage', () => {
	it('answers the part size as OpenIM does (the storage minimum up to 10000 parts)', async () => {
		expect((await client.api('/object/part_size', { size: 10 })).body.data).toEqual({ size: MIN_PART });
		expect((await client.api('/object/part_size', { size: MIN_PART * 10000 + 1 })).body.data).toEqual({ size: MIN_PART + 1 });
		const zero = await client.api('/object/part_size', { size: 0 });
		expect(zero.body).toMatchObject({ errCode: 1001, errDlt: expect.stringContaining('size must be greater than 0') });
	});

	it('uploads in parts through presigned PUTs, completes, and GET /object/<name> redirects to the bytes', async () => {
		const data = Buffer.alloc(MIN_PART * 2 + 1000, 7);
		data.write('%PDF-1.4');
		const { answer, parts, partMd5s } = await initiate(data, 'n8n/2026-12-02/u1/payslip.pdf');
		expect(answer.body.errCode).toBe(0);
		const upload = answer.body.data.upload;
		expect(upload.sign.parts).toHaveLength(3);
		for (const part of upload.sign.parts as any[]) {
			const res = await put(part.url, parts[part.partNumber - 1]);
			expect(res).toMatchObject({ status: 200 });
			expect(String(res.etag).replace(/"/g, '')).toBe(partMd5s[part.partNumber - 1]);
		}
		const done = await client.api('/object/complete_multipart_upload', {
			uploadID: upload.uploadID,
			parts: partMd5s,
			name: 'n8n/2026-12-02/u1/payslip.pdf',
			contentType: 'application/pdf',
			cause: 'msg-file',
		});
		expect(done.body.errCode).toBe(0);
		expect(done.body.data.url).toBe(`${sandbox.url}/object/n8n/2026-12-02/u1/payslip.pdf`);
		expect(sandbox.objects?.byName.get('n8n/2026-12-02/u1/payslip.pdf')).toMatchObject({ group: 'msg-file', size: data.length });

		const redirect = await request(done.body.data.url, { method: 'GET' });
		await redirect.body.dump();
		expect(redirect.statusCode).toBe(302);
		const location = String(redirect.headers.location);
		expect(location.startsWith(sandbox.storage!.url)).toBe(true);
		const file = await request(location);
		expect(file.statusCode).toBe(200);
		expect(Buffer.from(await file.body.arrayBuffer()).equals(data)).toBe(true);
		// Without the signature the bucket is private.
		const anonymous = await request(location.split('?')[0]);
		expect(anonymous.statusCode).toBe(403);
		await anonymous.body.dump();
	});

	it('answers {url} at once when the hash is stored already', async () => {
		const data = Buffer.from('same bytes');
		const first = await initiate(data, 'n8n/a/one.txt');
		const upload = first.answer.body.data.upload;
		await put(upload.sign.parts[0].url, first.parts[0]);
		await client.api('/object/complete_multipart_upload', { uploadID: upload.uploadID, parts: first.partMd5s, name: 'n8n/a/one.txt', contentType: 'text/plain', cause: 'msg-file' });
		const again = await initiate(data, 'n8n/b/two.txt');
		expect(again.answer.body.data).toEqual({ url: `${sandbox.url}/object/n8n/b/two.txt` });
	});

	it('signs further parts with auth_sign and refuses more part numbers than parts', async () => {
		const data = Buffer.alloc(MIN_PART * 3, 1);
		const { answer, parts } = await initiate(data, 'n8n/x/big.bin', { maxParts: 1 });
		const upload = answer.body.data.upload;
		expect(upload.sign.parts).toHaveLength(1);
		const more = await client.api('/object/auth_sign', { uploadID: upload.uploadID, partNumbers: [2, 3] });
		expect(more.body.data.parts.map((p: any) => p.partNumber)).toEqual([2, 3]);
		expect((await put(more.body.data.parts[1].url, parts[2])).status).toBe(200);
		const tooMany = await client.api('/object/auth_sign', { uploadID: upload.uploadID, partNumbers: [1, 2, 3, 4] });
		expect(tooMany.body).toMatchObject({ errCode: 1001, errDlt: expect.stringContaining('too many parts') });
	});

	it('refuses a wrong part size, an unknown upload ID, MD5s that do not give the hash, and names of others', async () => {
		const data = Buffer.from('x'.repeat(100));
		const wrong = await initiate(data, 'n8n/a/x.txt', { partSize: 5 });
		expect(wrong.answer.body).toMatchObject({ errCode: 1001, errDlt: `part size must be ${MIN_PART}` });
		const unknown = await client.api('/object/complete_multipart_upload', { uploadID: 'nope', parts: ['a'], name: 'n8n/a/x.txt', contentType: '', cause: '' });
		expect(unknown.body.errCode).toBe(1001);
		const { answer } = await initiate(data, 'n8n/a/x.txt');
		const bad = await client.api('/object/complete_multipart_upload', { uploadID: answer.body.data.upload.uploadID, parts: [md5('other')], name: 'n8n/a/x.txt', contentType: '', cause: '' });
		expect(bad.body).toMatchObject({ errCode: 1001, errDlt: 'md5 mismatching' });
		// Completing before the part was uploaded: the storage has no such part.
		const early = await client.api('/object/complete_multipart_upload', { uploadID: answer.body.data.upload.uploadID, parts: [md5(data)], name: 'n8n/a/x.txt', contentType: '', cause: '' });
		expect(early.body).toMatchObject({ errCode: 500, errDlt: expect.stringContaining('InvalidPart') });

		const userToken = (await client.api('/auth/get_user_token', { userID: 'alice', platformID: 1 })).body.data.token;
		const notMine = await client.api('/object/initiate_multipart_upload', { hash: md5('a'), size: 1, partSize: MIN_PART, maxParts: 1, cause: '', name: 'bob/x', contentType: '' }, { token: userToken });
		expect(notMine.body.errCode).toBe(1002);
	});
});

describe('the storage refuses what S3 refuses', () => {
	async function presigned() {
		const data = Buffer.from('hello storage');
		const { answer, parts } = await initiate(data, 'n8n/s/hello.txt');
		return { url: answer.body.data.upload.sign.parts[0].url as string, body: parts[0], uploadID: answer.body.data.upload.uploadID as string };
	}

	it('a changed signature: SignatureDoesNotMatch', async () => {
		const { url, body } = await presigned();
		const tampered = url.replace(/X-Amz-Signature=([0-9a-f])/, (_, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
		expect(await put(tampered, body)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
		// Another part number than the one signed.
		expect(await put(url.replace('partNumber=1', 'partNumber=2'), body)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
	});

	it('a changed Content-Length: SignatureDoesNotMatch (the length is signed)', async () => {
		const { url, body } = await presigned();
		expect(await put(url, Buffer.concat([body, Buffer.from('!')]))).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
		expect(await put(url, body)).toMatchObject({ status: 200 });
	});

	it('an expired signature: AccessDenied "Request has expired"', async () => {
		const { body, uploadID } = await presigned();
		const url = sandbox.storage!.presign({
			method: 'PUT',
			objectPath: `openim/data/hash/${md5(md5(body))}`,
			query: { partNumber: '1', uploadId: uploadID },
			expiresSeconds: 60,
			contentLength: body.length,
			now: new Date(Date.now() - 3600_000),
		});
		const res = await put(url, body);
		expect(res).toMatchObject({ status: 403, code: 'AccessDenied' });
		expect(res.text).toContain('Request has expired');
	});

	it('an unknown upload ID: NoSuchUpload', async () => {
		const body = Buffer.from('x');
		const url = sandbox.storage!.presign({ method: 'PUT', objectPath: 'openim/data/hash/abc', query: { partNumber: '1', uploadId: 'deadbeef' }, expiresSeconds: 60, contentLength: 1 });
		expect(await put(url, body)).toMatchObject({ status: 404, code: 'NoSuchUpload' });
	});
});
