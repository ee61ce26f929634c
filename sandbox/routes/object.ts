/* eslint-disable @n8n/community-nodes/no-restricted-imports -- dev tooling (node:crypto, node:http types), not an n8n node and not shipped */
/**
 * /object/* as OpenIM v3.8 serves it (openim-objects.md; internal/api/third.go, internal/rpc/third/s3.go
 * and the tools library's s3/cont controller): part size, multipart upload with presigned part URLs for
 * the storage beside the sandbox (sandbox/storage.ts), "this hash is stored already" answered with a URL
 * at once, and `GET /object/<name>` redirecting to a presigned GET. Every file is a multipart upload
 * here; OpenIM uses a single presigned PUT for a file no larger than one part, which a client handles
 * the same way (one part).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { ErrCode } from '../../openim/constants';
import * as wire from '../../openim/wire';
import { a2rBody, ApiError, argsError, noPermission, requireAuth, type RouteContext, type RouteTable, writeJson, writeNotFound } from '../http';
import { OBJECT_GET_PREFIX, OpenImPath } from '../paths';
import { type ObjectTable, type PendingUpload, UPLOAD_EXPIRE_SECONDS } from '../objects';
import { isStorageError, MAX_PRESIGN_SECONDS } from '../storage';

function objects(ctx: RouteContext): ObjectTable {
	// Without a storage backend OpenIM's object routes fail (openim-objects.md).
	if (!ctx.state.objects) throw new ApiError(ErrCode.ServerInternal, 'object storage is not configured (start the sandbox with --storage)');
	return ctx.state.objects;
}

/** checkUploadName: admins may use any name, other users only `<userID>/…`. */
function checkName(ctx: RouteContext, name: string): string {
	const auth = requireAuth(ctx);
	if (name === '') throw argsError('name is empty');
	if (name.startsWith('/')) throw argsError('name cannot start with `/`');
	if (name.split('/').some((part) => part === '..' || part === '.' || part === '')) throw argsError('name is invalid');
	if (!auth.isAdmin && !name.startsWith(`${auth.userID}/`)) throw noPermission('not allowed to upload this name');
	return auth.userID;
}

/** `X-Request-Api` if the proxy set it, else http://<Host> (apiAddress). */
function apiAddress(ctx: RouteContext, name: string): string {
	const headers = ctx.headers ?? {};
	const prefix = String(headers['x-request-api'] ?? '').replace(/\/+$/, '') || `http://${String(headers.host ?? '127.0.0.1')}`;
	return `${prefix}${OBJECT_GET_PREFIX}${name}`;
}

function checkedPartSize(table: ObjectTable, size: number): number {
	const problem = table.partSizeProblem(size);
	if (problem) throw argsError(problem);
	return table.partSize(size);
}

const md5hex = (s: string) => createHash('md5').update(s).digest('hex');

function partSize(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'third.PartSizeReq', schema: wire.PartSizeReq });
	requireAuth(ctx);
	return { data: { size: checkedPartSize(objects(ctx), req.size) } satisfies wire.PartSizeResp };
}

function sign(table: ObjectTable, uploadID: string, upload: PendingUpload, partNumbers: number[]): wire.AuthSignParts {
	const expires = Math.min(MAX_PRESIGN_SECONDS, Math.max(1, Math.floor((upload.expireTime - Date.now()) / 1000)));
	return {
		url: `${table.storage.url}/${table.storage.bucket}/${upload.key}`,
		query: null,
		header: null,
		parts: partNumbers.map((partNumber) => {
			const length = partNumber < upload.parts ? upload.partSize : upload.size - upload.partSize * (upload.parts - 1);
			return {
				partNumber,
				url: table.storage.presign({
					method: 'PUT',
					objectPath: upload.key,
					query: { partNumber: String(partNumber), uploadId: uploadID },
					expiresSeconds: expires,
					contentLength: length,
				}),
				query: null,
				header: null,
			};
		}),
	};
}

async function initiate(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'third.InitiateMultipartUploadReq', schema: wire.InitiateMultipartUploadReq });
	const userID = checkName(ctx, req.name);
	const table = objects(ctx);
	if (!/^[0-9a-f]{32}$/.test(req.hash)) throw argsError('hash is invalid');
	const expected = checkedPartSize(table, req.size);
	if (req.partSize !== expected) throw argsError(`part size must be ${expected}`);
	const known = table.byHash.get(req.hash);
	if (known && known.size === req.size) {
		// HashAlreadyExistsError: a new name for the stored bytes, nothing to upload.
		table.byName.set(req.name, {
			name: req.name,
			userID,
			hash: req.hash,
			key: known.key,
			size: known.size,
			contentType: req.contentType,
			group: req.cause,
			createTime: Date.now(),
		});
		return { data: { url: apiAddress(ctx, req.name) } satisfies wire.InitiateMultipartUploadResp };
	}
	const parts = Math.ceil(req.size / req.partSize);
	let maxParts = req.maxParts;
	if (maxParts <= 0 || maxParts > parts) maxParts = parts;
	const key = `openim/data/hash/${req.hash}`;
	let uploadID: string;
	try {
		uploadID = await table.storage.createMultipartUpload(key, req.contentType || 'application/octet-stream');
	} catch (e) {
		throw storageFailure(e);
	}
	const upload: PendingUpload = { hash: req.hash, size: req.size, partSize: req.partSize, parts, key, expireTime: Date.now() + UPLOAD_EXPIRE_SECONDS * 1000 };
	table.uploads.set(uploadID, upload);
	const numbers = Array.from({ length: maxParts }, (_, i) => i + 1);
	return {
		data: {
			upload: { uploadID, partSize: req.partSize, sign: sign(table, uploadID, upload, numbers), expireTime: upload.expireTime },
		} satisfies wire.InitiateMultipartUploadResp,
	};
}

function pending(table: ObjectTable, uploadID: string): PendingUpload {
	const upload = table.uploads.get(uploadID);
	if (!upload) throw argsError('upload id not found');
	if (upload.expireTime < Date.now()) throw argsError('upload id has expired');
	return upload;
}

function authSign(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'third.AuthSignReq', schema: wire.AuthSignReq });
	requireAuth(ctx);
	const table = objects(ctx);
	const upload = pending(table, req.uploadID);
	const numbers = req.partNumbers ?? [];
	if (numbers.length > upload.parts) throw argsError('too many parts');
	for (const n of numbers) if (n < 1 || n > upload.parts) throw argsError(`invalid part number ${n}`);
	return { data: sign(table, req.uploadID, upload, numbers) satisfies wire.AuthSignResp };
}

function storageFailure(e: unknown): ApiError {
	if (isStorageError(e)) return new ApiError(ErrCode.ServerInternal, `${e.code}: ${e.message}`);
	return new ApiError(ErrCode.ServerInternal, String(e));
}

async function complete(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'third.CompleteMultipartUploadReq', schema: wire.CompleteMultipartUploadReq });
	const userID = checkName(ctx, req.name);
	const table = objects(ctx);
	const upload = pending(table, req.uploadID);
	const parts = req.parts ?? [];
	if (parts.length !== upload.parts) throw argsError(`upload part count mismatch: ${parts.length} of ${upload.parts}`);
	if (md5hex(parts.join(',')) !== upload.hash) throw argsError('md5 mismatching');
	try {
		await table.storage.completeMultipartUpload(req.uploadID, parts);
	} catch (e) {
		throw storageFailure(e);
	}
	table.uploads.delete(req.uploadID);
	table.byHash.set(upload.hash, { key: upload.key, size: upload.size });
	table.byName.set(req.name, {
		name: req.name,
		userID,
		hash: upload.hash,
		key: upload.key,
		size: upload.size,
		contentType: req.contentType,
		group: req.cause,
		createTime: Date.now(),
	});
	return { data: { url: apiAddress(ctx, req.name) } satisfies wire.CompleteMultipartUploadResp };
}

/**
 * GET /object/<name> (no token): 302 to a presigned GET valid for 7 days. `?type=image&width=&height=`
 * asks OpenIM for a thumbnail; the sandbox redirects to the original (it renders no images).
 */
export function handleObjectGet(table: ObjectTable | undefined, req: IncomingMessage, res: ServerResponse, path: string): void {
	req.resume();
	let name = path.slice(OBJECT_GET_PREFIX.length);
	try {
		name = decodeURIComponent(name);
	} catch {
		// keep as written
	}
	const object = table?.byName.get(name);
	if (!table || !object) {
		if (!table) return writeNotFound(res);
		return writeJson(res, 200, { errCode: ErrCode.RecordNotFound, errMsg: 'RecordNotFoundError', errDlt: 'object not found' });
	}
	const location = table.storage.presign({ method: 'GET', objectPath: object.key, expiresSeconds: MAX_PRESIGN_SECONDS });
	res.writeHead(302, { Location: location, 'Content-Length': 0 });
	res.end();
}

export const objectRoutes: RouteTable = {
	[OpenImPath.ObjectPartSize]: partSize,
	[OpenImPath.ObjectInitiateMultipartUpload]: initiate,
	[OpenImPath.ObjectSignParts]: authSign,
	[OpenImPath.ObjectCompleteMultipartUpload]: complete,
};
