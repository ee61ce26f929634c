/* eslint-disable @n8n/community-nodes/no-restricted-imports -- dev tooling (node:http, node:fs, node:crypto), not an n8n node and not shipped */
/**
 * The object storage beside the sandbox, as OpenIM's minio backend sees it (openim-objects.md):
 * s3rver (a real S3-protocol server: bytes on disk, multipart assembly, ETags, expiry of presigned
 * requests) behind a small front that adds what s3rver 3.7.1 leaves out and real S3 does not:
 * SigV4 signature checks (s3rver accepts any V4 signature), NoSuchUpload for an unknown upload ID
 * (s3rver stores parts of any ID), InvalidPart for a wrong ETag and EntityTooSmall for a short
 * middle part on completion. Clients reach the front only; s3rver listens on another port.
 *
 * URLs are presigned with the query form of SigV4 (X-Amz-*), as minio-go's Presign does; part
 * uploads also sign `content-length`, so a PUT with another length than the part's is refused.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StorageOptions {
	host?: string;
	/** 0 = a free port. */
	port?: number;
	accessKey?: string;
	secretKey?: string;
	bucket?: string;
	region?: string;
	/** S3's minimum size of a part other than the last (5 MiB); tests may lower it with the sandbox's. */
	minPartSize?: number;
}

export interface StorageError {
	status: number;
	code: string;
	message: string;
}

interface UploadState {
	key: string;
	contentType: string;
	/** partNumber → what the storage received. */
	parts: Map<number, { etag: string; size: number }>;
}

const MiB = 1024 * 1024;
const UNSIGNED = 'UNSIGNED-PAYLOAD';
/** S3 refuses presigned URLs valid for longer than a week. */
export const MAX_PRESIGN_SECONDS = 604800;

/** RFC 3986 encoding as SigV4 canonicalises it (encodeURIComponent leaves !'()* alone). */
export const rfc3986 = (s: string): string =>
	encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string): Buffer => createHmac('sha256', key).update(s).digest();

const amzDate = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

function canonicalQuery(params: Array<[string, string]>): string {
	return params
		.map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
		.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
		.map(([k, v]) => `${k}=${v}`)
		.join('&');
}

/** The path as SigV4 signs it: every segment decoded, then RFC 3986-encoded. */
function canonicalPath(path: string): string {
	return path
		.split('/')
		.map((segment) => {
			let decoded = segment;
			try {
				decoded = decodeURIComponent(segment);
			} catch {
				// Not valid percent-encoding: sign as written; the signatures will not match.
			}
			return rfc3986(decoded);
		})
		.join('/');
}

export interface PresignInput {
	method: 'GET' | 'PUT';
	/** Object key inside the bucket. */
	objectPath: string;
	/** Extra query parameters (partNumber, uploadId). */
	query?: Record<string, string>;
	expiresSeconds: number;
	/** Signs Content-Length too: the PUT must carry exactly this many bytes. */
	contentLength?: number;
	/** The signing time (tests sign in the past to get an expired URL). */
	now?: Date;
}

export interface ObjectStorage {
	/** http://host:port of the front (what presigned URLs point to). */
	readonly url: string;
	readonly bucket: string;
	readonly minPartSize: number;
	presign(input: PresignInput): string;
	createMultipartUpload(key: string, contentType: string): Promise<string>;
	/** Checks the parts as S3 does, then assembles them; throws a StorageError. */
	completeMultipartUpload(uploadID: string, etags: string[]): Promise<void>;
	hasUpload(uploadID: string): boolean;
	/**
	 * Presigns with another secret key than the storage checks, as an OpenIM configured with a wrong
	 * minio secret does: every upload is refused (SignatureDoesNotMatch). `undefined` restores it.
	 */
	misconfigureSecret(secretKey: string | undefined): void;
	/** Forgets every upload and object (the sandbox's reset). */
	reset(): Promise<void>;
	close(): Promise<void>;
}

class S3Failure extends Error implements StorageError {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
	) {
		super(message);
	}
}

function xmlError(res: ServerResponse, failure: StorageError, resource: string): void {
	const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
	const body =
		'<?xml version="1.0" encoding="UTF-8"?>\n' +
		`<Error><Code>${failure.code}</Code><Message>${esc(failure.message)}</Message><Resource>${esc(resource)}</Resource><RequestId>${randomUUID()}</RequestId></Error>`;
	res.writeHead(failure.status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
	res.end(body);
}

class Storage implements ObjectStorage {
	url = '';
	readonly bucket: string;
	readonly minPartSize: number;
	private readonly accessKey: string;
	private readonly secretKey: string;
	private readonly region: string;
	private readonly uploads = new Map<string, UploadState>();
	private presignSecret?: string;
	private front!: Server;
	private backendUrl = '';
	private s3: { close(): Promise<unknown>; reset(): void } | undefined;
	private backendServer!: Server;
	private readonly directory: string;
	private host = '';

	constructor(private readonly options: StorageOptions) {
		this.bucket = options.bucket ?? 'openim';
		this.accessKey = options.accessKey ?? 'openIM123-access';
		this.secretKey = options.secretKey ?? 'openIM123-storage-secret';
		this.region = options.region ?? 'us-east-1';
		this.minPartSize = options.minPartSize ?? 5 * MiB;
		this.directory = mkdtempSync(join(tmpdir(), 'openim-sandbox-s3-'));
	}

	async start(): Promise<void> {
		// s3rver is a devDependency: loaded only when the storage is turned on.
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const S3rver = require('s3rver') as new (options: object) => {
			run(): Promise<AddressInfo>;
			close(): Promise<unknown>;
			reset(): void;
			httpServer: Server;
		};
		const s3 = new S3rver({
			address: '127.0.0.1',
			port: 0,
			silent: true,
			directory: this.directory,
			configureBuckets: [{ name: this.bucket }],
			resetOnClose: true,
		});
		const backend = await s3.run();
		this.backendServer = s3.httpServer;
		this.s3 = s3;
		this.backendUrl = `http://127.0.0.1:${backend.port}`;

		this.front = createServer((req, res) => {
			this.handle(req, res).catch((e: unknown) => {
				const failure = e instanceof S3Failure ? e : new S3Failure(500, 'InternalError', String(e));
				if (!res.headersSent) xmlError(res, failure, req.url ?? '/');
				else res.destroy();
				req.resume();
			});
		});
		const host = this.options.host ?? '127.0.0.1';
		await new Promise<void>((resolve, reject) => {
			this.front.once('error', reject);
			this.front.listen(this.options.port ?? 0, host, () => resolve());
		});
		this.host = `${host}:${(this.front.address() as AddressInfo).port}`;
		this.url = `http://${this.host}`;
	}

	presign({ method, objectPath, query = {}, expiresSeconds, contentLength, now = new Date() }: PresignInput): string {
		const date = amzDate(now);
		const scope = `${date.slice(0, 8)}/${this.region}/s3/aws4_request`;
		const signedHeaders = contentLength === undefined ? 'host' : 'content-length;host';
		const params: Array<[string, string]> = [
			...Object.entries(query),
			['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
			['X-Amz-Credential', `${this.accessKey}/${scope}`],
			['X-Amz-Date', date],
			['X-Amz-Expires', String(expiresSeconds)],
			['X-Amz-SignedHeaders', signedHeaders],
		];
		const path = canonicalPath(`/${this.bucket}/${objectPath}`);
		const headers: Record<string, string> = { host: this.host };
		if (contentLength !== undefined) headers['content-length'] = String(contentLength);
		const signature = this.signature(method, path, params, headers, signedHeaders, date, this.presignSecret);
		return `${this.url}${path}?${canonicalQuery(params)}&X-Amz-Signature=${signature}`;
	}

	private signature(
		method: string,
		path: string,
		params: Array<[string, string]>,
		headers: Record<string, string>,
		signedHeaders: string,
		date: string,
		secretKey = this.secretKey,
	): string {
		const canonicalHeaders = signedHeaders
			.split(';')
			.map((name) => `${name}:${(headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
			.join('');
		const canonicalRequest = [method, path, canonicalQuery(params), canonicalHeaders, signedHeaders, UNSIGNED].join('\n');
		const scope = `${date.slice(0, 8)}/${this.region}/s3/aws4_request`;
		const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256(canonicalRequest)].join('\n');
		let key = hmac(`AWS4${secretKey}`, date.slice(0, 8));
		key = hmac(key, this.region);
		key = hmac(key, 's3');
		key = hmac(key, 'aws4_request');
		return createHmac('sha256', key).update(stringToSign).digest('hex');
	}

	/** What S3 checks before it reads a presigned request's body. */
	private verify(req: IncomingMessage, url: URL): void {
		const q = url.searchParams;
		if (q.get('X-Amz-Algorithm') === null) {
			// The bucket is private: anonymous requests are refused.
			throw new S3Failure(403, 'AccessDenied', 'Access Denied.');
		}
		if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') {
			throw new S3Failure(400, 'AuthorizationQueryParametersError', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
		}
		const credential = q.get('X-Amz-Credential') ?? '';
		const date = q.get('X-Amz-Date') ?? '';
		const expires = Number(q.get('X-Amz-Expires'));
		const signedHeaders = q.get('X-Amz-SignedHeaders') ?? '';
		const provided = q.get('X-Amz-Signature') ?? '';
		if (!credential || !/^\d{8}T\d{6}Z$/.test(date) || !Number.isInteger(expires) || !signedHeaders || !provided) {
			throw new S3Failure(400, 'AuthorizationQueryParametersError', 'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
		}
		if (expires < 1 || expires > MAX_PRESIGN_SECONDS) {
			throw new S3Failure(400, 'AuthorizationQueryParametersError', 'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds');
		}
		if (credential.split('/')[0] !== this.accessKey) {
			throw new S3Failure(403, 'InvalidAccessKeyId', 'The Access Key Id you provided does not exist in our records.');
		}
		const signedAt = Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8), +date.slice(9, 11), +date.slice(11, 13), +date.slice(13, 15));
		if (Date.now() > signedAt + expires * 1000) throw new S3Failure(403, 'AccessDenied', 'Request has expired');
		const params = [...q.entries()].filter(([k]) => k !== 'X-Amz-Signature');
		const headers: Record<string, string> = {};
		for (const name of signedHeaders.split(';')) {
			const value = req.headers[name];
			headers[name] = Array.isArray(value) ? value.join(',') : (value ?? '');
		}
		const expected = this.signature(req.method ?? 'GET', canonicalPath(url.pathname), params, headers, signedHeaders, date);
		if (expected !== provided) {
			throw new S3Failure(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
		}
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://storage');
		this.verify(req, url);
		const uploadID = url.searchParams.get('uploadId');
		const partNumber = url.searchParams.get('partNumber');
		const upload = uploadID === null ? undefined : this.uploads.get(uploadID);
		if (uploadID !== null && !upload) {
			throw new S3Failure(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.');
		}
		if (req.method === 'PUT' && upload && partNumber !== null) {
			const n = Number(partNumber);
			if (!Number.isInteger(n) || n < 1 || n > 10000) {
				throw new S3Failure(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
			}
		}
		// Forward without the signature: s3rver would check it against its own key.
		const forward = new URLSearchParams([...url.searchParams.entries()].filter(([k]) => !k.startsWith('X-Amz-')));
		const path = `${url.pathname}${forward.size ? `?${forward.toString()}` : ''}`;
		const headers = { ...req.headers };
		delete headers.host;
		await new Promise<void>((resolve, reject) => {
			const out = httpRequest(`${this.backendUrl}${path}`, { method: req.method, headers }, (answer) => {
				if (req.method === 'PUT' && upload && partNumber !== null && answer.statusCode === 200) {
					const etag = String(answer.headers.etag ?? '').replace(/"/g, '');
					upload.parts.set(Number(partNumber), { etag, size: Number(req.headers['content-length'] ?? 0) });
				}
				res.writeHead(answer.statusCode ?? 500, answer.headers);
				answer.pipe(res);
				answer.on('end', resolve);
				answer.on('error', reject);
			});
			out.on('error', reject);
			req.pipe(out);
		});
	}

	private async backend(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<string> {
		const response = await fetch(`${this.backendUrl}${path}`, { method, body, headers });
		const text = await response.text();
		if (!response.ok) {
			const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? 'InternalError';
			const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? text.slice(0, 200);
			throw new S3Failure(response.status, code, message);
		}
		return text;
	}

	async createMultipartUpload(key: string, contentType: string): Promise<string> {
		const text = await this.backend('POST', `${canonicalPath(`/${this.bucket}/${key}`)}?uploads`, undefined, { 'Content-Type': contentType });
		const uploadID = /<UploadId>([^<]+)<\/UploadId>/.exec(text)?.[1];
		if (!uploadID) throw new S3Failure(500, 'InternalError', 'no UploadId in the answer');
		this.uploads.set(uploadID, { key, contentType, parts: new Map() });
		return uploadID;
	}

	misconfigureSecret(secretKey: string | undefined): void {
		this.presignSecret = secretKey;
	}

	hasUpload(uploadID: string): boolean {
		return this.uploads.has(uploadID);
	}

	async completeMultipartUpload(uploadID: string, etags: string[]): Promise<void> {
		const upload = this.uploads.get(uploadID);
		if (!upload) throw new S3Failure(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.');
		etags.forEach((etag, i) => {
			const part = upload.parts.get(i + 1);
			if (!part || part.etag !== etag.replace(/"/g, '')) {
				throw new S3Failure(400, 'InvalidPart', `One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag. (part ${i + 1})`);
			}
			if (i < etags.length - 1 && part.size < this.minPartSize) {
				throw new S3Failure(400, 'EntityTooSmall', `Your proposed upload is smaller than the minimum allowed object size. (part ${i + 1}: ${part.size} bytes)`);
			}
		});
		const xml = `<CompleteMultipartUpload>${etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>"${etag}"</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
		await this.backend('POST', `${canonicalPath(`/${this.bucket}/${upload.key}`)}?uploadId=${uploadID}`, xml, { 'Content-Type': 'application/xml' });
		this.uploads.delete(uploadID);
	}

	async reset(): Promise<void> {
		this.uploads.clear();
		this.presignSecret = undefined;
		this.s3?.reset();
		// reset() removes the buckets too: configure ours again.
		await this.backend('PUT', `/${this.bucket}`).catch(() => undefined);
	}

	async close(): Promise<void> {
		await new Promise<void>((resolve) => {
			if (!this.front?.listening) return resolve();
			this.front.close(() => resolve());
			this.front.closeAllConnections();
		});
		this.backendServer?.closeAllConnections?.();
		await this.s3?.close();
		rmSync(this.directory, { recursive: true, force: true });
	}
}

export function isStorageError(e: unknown): e is StorageError {
	return e instanceof S3Failure;
}

/** Starts s3rver and its signature-checking front. */
export async function startStorage(options: StorageOptions = {}): Promise<ObjectStorage> {
	const storage = new Storage(options);
	await storage.start();
	return storage;
}
