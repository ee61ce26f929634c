import { createHash } from 'crypto';
import { NodeOperationError, sleep } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { Path } from '../../../openim/constants';
import type {
	AuthSignParts,
	AuthSignResp,
	CompleteMultipartUploadResp,
	InitiateMultipartUploadResp,
	KeyValues,
	PartSizeResp,
} from '../../../openim/wire';
import type { OpenImClient } from './index';

/**
 * Puts a file into OpenIM's object storage (openim-objects.md): part size from OpenIM, MD5 of every
 * part, initiate (a hash OpenIM already has answers with the URL at once: nothing is uploaded),
 * one presigned PUT per part straight to the storage, auth_sign for parts not signed yet, complete.
 * The presigned URL is the authorisation: OpenIM's token never goes to the storage.
 */

/** Where the bytes come from: read twice (hashing, then uploading), one part at a time. */
export interface UploadSource {
	size: number;
	parts(partSize: number): AsyncIterable<Buffer>;
	/** The caller is done with a part: its buffer may carry a later part of the same pass. */
	release?(part: Buffer): void;
}

export interface UploadRequest {
	/** Object name, unique per upload (names are upserts in OpenIM). */
	name: string;
	contentType: string;
	/** OpenIM's cron deletes objects whose cause starts with `msg-` after 180 days. */
	cause: string;
	itemIndex: number;
	/** The form field the file came from, for errors ("Picture (binary field "data")"). */
	label: string;
}

export interface UploadResult {
	url: string;
	name: string;
	size: number;
	hash: string;
	parts: number;
	/** false: OpenIM had these bytes already (same hash) and nothing was uploaded. */
	uploaded: boolean;
}

/** Part signatures initiate_multipart_upload asks for at once; auth_sign gives the rest. */
const SIGNED_AT_ONCE = 20;
/** Parts read ahead and uploading at once per file: bounds memory to a few parts. */
const PARTS_IN_FLIGHT = 2;

const md5hex = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');

function withQuery(url: string, ...lists: Array<KeyValues[] | null | undefined>): string {
	const extra: string[] = [];
	for (const list of lists) {
		for (const { key, values } of list ?? []) {
			for (const value of values ?? []) extra.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
		}
	}
	if (extra.length === 0) return url;
	return `${url}${url.includes('?') ? '&' : '?'}${extra.join('&')}`;
}

function headersOf(...lists: Array<KeyValues[] | null | undefined>): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const list of lists) for (const { key, values } of list ?? []) headers[key] = (values ?? []).join(',');
	return headers;
}

/** An S3 error answer: `<Error><Code>…</Code><Message>…</Message></Error>`. */
export function storageErrorText(status: number, body: unknown): string {
	const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
	const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
	const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
	if (code) return `${code}: ${message ?? ''} (HTTP ${status})`.replace(': (', ' (');
	return `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
}

interface PutAnswer {
	statusCode: number;
	body: unknown;
}

export async function uploadObject(
	ctx: IExecuteFunctions,
	client: OpenImClient,
	source: UploadSource,
	request: UploadRequest,
): Promise<UploadResult> {
	const { itemIndex, label } = request;
	const fail = (problem: string, hint?: string): never => {
		throw new NodeOperationError(ctx.getNode(), `${label}: ${problem} [item ${itemIndex}]`, { itemIndex, description: hint });
	};

	const { size: partSize } = await client.call<PartSizeResp>(Path.ObjectPartSize, { size: source.size }, { itemIndex });
	if (!Number.isInteger(partSize) || partSize <= 0) fail(`OpenIM answered an unusable part size (${String(partSize)})`);

	// First pass: the MD5 of every part, from which OpenIM knows whether it has the file already.
	const partMd5s: string[] = [];
	let read = 0;
	for await (const part of source.parts(partSize)) {
		partMd5s.push(md5hex(part));
		read += part.length;
		source.release?.(part);
	}
	if (read !== source.size) fail(`the file changed while it was read (${read} of ${source.size} bytes)`);
	const hash = md5hex(partMd5s.join(','));
	const base = { name: request.name, contentType: request.contentType, cause: request.cause };

	const initiated = await client.call<InitiateMultipartUploadResp>(
		Path.ObjectInitiateMultipartUpload,
		{ hash, size: source.size, partSize, maxParts: Math.min(SIGNED_AT_ONCE, partMd5s.length), ...base },
		{ itemIndex },
	);
	const result = { name: request.name, size: source.size, hash, parts: partMd5s.length };
	if (initiated?.url) return { ...result, url: initiated.url, uploaded: false };
	const upload = initiated?.upload;
	if (!upload?.uploadID || !upload.sign) return fail('OpenIM answered the upload request with neither a URL nor an upload');

	const signed = new Map<number, { url: string; headers: Record<string, string> }>();
	const remember = (sign: AuthSignParts) => {
		for (const part of sign.parts ?? []) {
			signed.set(part.partNumber, {
				url: withQuery(part.url || sign.url, sign.query, part.query),
				headers: headersOf(sign.header, part.header),
			});
		}
	};
	remember(upload.sign);
	const signatureFor = async (partNumber: number) => {
		if (!signed.has(partNumber)) {
			const numbers: number[] = [];
			for (let n = partNumber; n <= partMd5s.length && numbers.length < SIGNED_AT_ONCE; n++) numbers.push(n);
			remember(await client.call<AuthSignResp>(Path.ObjectSignParts, { uploadID: upload.uploadID, partNumbers: numbers }, { itemIndex }));
		}
		const signature = signed.get(partNumber);
		if (!signature) return fail(`OpenIM did not sign part ${partNumber}`);
		signed.delete(partNumber);
		return signature;
	};

	const putPart = async (partNumber: number, body: Buffer): Promise<void> => {
		const signature = await signatureFor(partNumber);
		for (let attempt = 0; ; attempt++) {
			const options: IHttpRequestOptions = {
				method: 'PUT',
				url: signature.url,
				// The signature carries the authorisation; no credential, no token.
				headers: { ...signature.headers, 'Content-Length': String(body.length) },
				body,
				json: false,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				encoding: 'text',
				timeout: client.timeoutMs,
			};
			let answer: PutAnswer | undefined;
			let networkError: Error | undefined;
			try {
				answer = (await client.withSlot(async () => (await ctx.helpers.httpRequest(options)) as PutAnswer)) as PutAnswer;
			} catch (error) {
				networkError = error as Error;
			}
			if (answer && answer.statusCode >= 200 && answer.statusCode < 300) return;
			const retryable = networkError !== undefined || (answer !== undefined && (answer.statusCode >= 500 || answer.statusCode === 429));
			if (!retryable || attempt >= client.maxRetries || client.isCancelled()) {
				const why = answer ? storageErrorText(answer.statusCode, answer.body) : (networkError?.message ?? 'no answer');
				fail(
					`the storage refused part ${partNumber} of ${partMd5s.length}: ${why}`,
					'OpenIM handed out a presigned upload URL and the storage refused it. Check OpenIM\'s object storage settings (minio/s3 endpoint reachable from n8n, clock in sync) and try again.',
				);
			}
			await sleep(client.retryWait(attempt));
		}
	};

	// Second pass: upload, a couple of parts at a time, within the client's request slots.
	const inFlight = new Set<Promise<void>>();
	let failure: unknown;
	let partNumber = 0;
	for await (const part of source.parts(partSize)) {
		partNumber++;
		if (failure !== undefined) break;
		if (client.isCancelled()) fail('the execution was cancelled during the upload');
		if (md5hex(part) !== partMd5s[partNumber - 1]) fail(`the file changed while it was read (part ${partNumber})`);
		const running: Promise<void> = putPart(partNumber, part).then(
			() => {
				inFlight.delete(running);
				// The storage answered 2xx, so it has read the whole body: the buffer is free again.
				source.release?.(part);
			},
			(error: unknown) => {
				inFlight.delete(running);
				failure ??= error;
			},
		);
		inFlight.add(running);
		if (inFlight.size >= PARTS_IN_FLIGHT) await Promise.race(inFlight);
	}
	await Promise.all(inFlight);
	if (failure !== undefined) throw failure;

	const completed = await client.call<CompleteMultipartUploadResp>(
		Path.ObjectCompleteMultipartUpload,
		{ uploadID: upload.uploadID, parts: partMd5s, ...base } as IDataObject,
		// A repeat after a lost answer would find the upload gone: report instead.
		{ itemIndex, idempotent: false },
	);
	if (!completed?.url) return fail('OpenIM completed the upload without a URL');
	return { ...result, url: completed.url, uploaded: true };
}
