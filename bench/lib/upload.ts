/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- benchmark tooling, not shipped: writes the files n8n reads (node:fs/os/path), raw HTTP client (undici, node:crypto), process.hrtime */
/**
 * Issue #12, benchmark part: files from the workflow. (a) a raw undici client doing what OpenIM Notify
 * does for one binary file (part_size, MD5 of every part, initiate_multipart_upload, presigned PUTs
 * straight to the storage with auth_sign for parts not signed yet, complete_multipart_upload, then one
 * send_msg with a file element); (b) the node in n8n, fed by Read/Write Files from Disk; the floor node
 * reading the same binary (n8n's own copy, the memory any node pays before uploading a byte).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, Pool, request } from 'undici';

import { Path } from '../../openim/constants';
import type { AuthSignParts, FileElem, InitiateMultipartUploadResp, KeyValues } from '../../openim/wire';
import type { CredentialJson, WorkflowJson } from '../../test/e2e/n8n';
import { credentialRef, manualWorkflow, NOTIFY_NODE_TYPE } from '../../test/e2e/fixtures';
import { FLOOR_NODE_TYPE, SENDER, SENDER_NICKNAME, SENDER_NODE, userId } from './workflows';

/** The recipient of every file message (seeded as the one benchmark user). */
export const UPLOAD_RECIPIENT = userId(0);
export const UPLOAD_NODE = 'Send File';
export const READ_NODE = 'Read Files';
export const SETTLE_NODE = 'Settle';
export const MARK_NODE = 'Mark';

/** OpenIM Notify's own bounds (transport/upload.ts), so (a) and (b) move bytes the same way. */
const SIGNED_AT_ONCE = 20;
const PARTS_IN_FLIGHT = 2;

export interface UploadFiles {
	dir: string;
	/** `small/*.bin`: many small files; `big/big.bin`: one large file. Random bytes, so no two hashes match. */
	small: { glob: string; files: Buffer[] };
	big: { glob: string; file: Buffer };
}

export function writeUploadFiles(count: number, smallBytes: number, bigBytes: number): UploadFiles {
	const dir = mkdtempSync(join(tmpdir(), 'openim-bench-files-'));
	mkdirSync(join(dir, 'small'));
	mkdirSync(join(dir, 'big'));
	const files = Array.from({ length: count }, () => randomBytes(smallBytes));
	files.forEach((data, i) => writeFileSync(join(dir, 'small', `file-${String(i).padStart(4, '0')}.bin`), data));
	const big = randomBytes(bigBytes);
	writeFileSync(join(dir, 'big', 'big.bin'), big);
	return { dir, small: { glob: join(dir, 'small', '*.bin'), files }, big: { glob: join(dir, 'big', 'big.bin'), file: big } };
}

// ---------------------------------------------------------------------------------------------
// (a) raw client
// ---------------------------------------------------------------------------------------------

export interface RawUploadResult {
	files: number;
	bytes: number;
	ms: number;
	mbPerSec: number;
	partSize: number;
}

const md5hex = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');

function withQuery(url: string, ...lists: Array<KeyValues[] | null | undefined>): string {
	const extra = lists.flatMap((list) => (list ?? []).flatMap(({ key, values }) => (values ?? []).map((v) => `${encodeURIComponent(key)}=${encodeURIComponent(v)}`)));
	return extra.length ? `${url}${url.includes('?') ? '&' : '?'}${extra.join('&')}` : url;
}

function headersOf(...lists: Array<KeyValues[] | null | undefined>): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const list of lists) for (const { key, values } of list ?? []) headers[key] = (values ?? []).join(',');
	return headers;
}

/**
 * Uploads and sends every file, `concurrency` files at a time, two parts at a time per file; keep-alive
 * connections to OpenIM (undici Pool) and to the storage (undici Agent). The bytes are in memory before
 * the clock starts, as n8n has them when the sending node starts.
 */
export async function rawUpload(baseUrl: string, token: string, files: Buffer[], concurrency: number): Promise<RawUploadResult> {
	const api = new Pool(baseUrl, { connections: concurrency, pipelining: 1 });
	const storage = new Agent({ connections: concurrency * PARTS_IN_FLIGHT });
	const call = async <T>(path: string, body: unknown): Promise<T> => {
		const res = await api.request({
			path,
			method: 'POST',
			headers: { 'content-type': 'application/json', operationID: `raw-${randomUUID()}`, token },
			body: JSON.stringify(body),
		});
		const text = await res.body.text();
		const parsed = JSON.parse(text) as { errCode?: number; data?: T };
		if (res.statusCode !== 200 || parsed.errCode !== 0) throw new Error(`raw ${path}: HTTP ${res.statusCode} ${text.slice(0, 300)}`);
		return parsed.data as T;
	};
	let partSizeSeen = 0;

	const one = async (data: Buffer, i: number): Promise<void> => {
		const { size: partSize } = await call<{ size: number }>(Path.ObjectPartSize, { size: data.length });
		partSizeSeen = partSize;
		const parts: Buffer[] = [];
		for (let at = 0; at < data.length; at += partSize) parts.push(data.subarray(at, at + partSize));
		const partMd5s = parts.map((p) => md5hex(p));
		const hash = md5hex(partMd5s.join(','));
		const uuid = randomUUID();
		const base = { name: `n8n/bench/${uuid}/file-${i}.bin`, contentType: 'application/octet-stream', cause: 'msg-file' };
		const initiated = await call<InitiateMultipartUploadResp>(Path.ObjectInitiateMultipartUpload, {
			hash,
			size: data.length,
			partSize,
			maxParts: Math.min(SIGNED_AT_ONCE, parts.length),
			...base,
		});
		let url = initiated.url;
		if (!url) {
			const upload = initiated.upload;
			if (!upload) throw new Error('raw initiate_multipart_upload: neither url nor upload');
			const signed = new Map<number, { url: string; headers: Record<string, string> }>();
			const remember = (sign: AuthSignParts) => {
				for (const p of sign.parts ?? []) signed.set(p.partNumber, { url: withQuery(p.url || sign.url, sign.query, p.query), headers: headersOf(sign.header, p.header) });
			};
			remember(upload.sign);
			const put = async (n: number) => {
				if (!signed.has(n)) {
					const numbers: number[] = [];
					for (let k = n; k <= parts.length && numbers.length < SIGNED_AT_ONCE; k++) numbers.push(k);
					remember(await call<AuthSignParts>(Path.ObjectSignParts, { uploadID: upload.uploadID, partNumbers: numbers }));
				}
				const s = signed.get(n)!;
				const res = await request(s.url, {
					method: 'PUT',
					headers: { ...s.headers, 'content-length': String(parts[n - 1].length) },
					body: parts[n - 1],
					dispatcher: storage,
				});
				const text = await res.body.text();
				if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`raw PUT part ${n}: HTTP ${res.statusCode} ${text.slice(0, 300)}`);
			};
			// Parts in order, PARTS_IN_FLIGHT at a time (the node's read-ahead bound).
			let next = 1;
			await Promise.all(
				Array.from({ length: Math.min(PARTS_IN_FLIGHT, parts.length) }, async () => {
					while (next <= parts.length) await put(next++);
				}),
			);
			url = (await call<{ url: string }>(Path.ObjectCompleteMultipartUpload, { uploadID: upload.uploadID, parts: partMd5s, ...base })).url;
		}
		const content: FileElem = { uuid, sourceUrl: url, fileName: `file-${i}.bin`, fileSize: data.length };
		await call('/msg/send_msg', {
			sendID: SENDER,
			senderNickname: SENDER_NICKNAME,
			senderFaceURL: '',
			senderPlatformID: 10,
			recvID: UPLOAD_RECIPIENT,
			content,
			contentType: 105,
			sessionType: 1,
			isOnlineOnly: false,
			notOfflinePush: false,
			ex: '',
			offlinePushInfo: { title: SENDER_NICKNAME, desc: '', ex: '', iOSPushSound: '', iOSBadgeCount: false },
		});
	};

	try {
		let next = 0;
		const started = process.hrtime.bigint();
		await Promise.all(
			Array.from({ length: Math.min(concurrency, files.length) }, async () => {
				while (next < files.length) {
					const i = next++;
					await one(files[i], i);
				}
			}),
		);
		const ms = Number(process.hrtime.bigint() - started) / 1e6;
		const bytes = files.reduce((sum, f) => sum + f.length, 0);
		return { files: files.length, bytes, ms, mbPerSec: bytes / (1024 * 1024) / (ms / 1000), partSize: partSizeSeen };
	} finally {
		await api.close();
		await storage.close();
	}
}

// ---------------------------------------------------------------------------------------------
// (b) and the floor in n8n
// ---------------------------------------------------------------------------------------------

function readNode(glob: string) {
	return { name: READ_NODE, type: 'n8n-nodes-base.readWriteFile', typeVersion: 1, parameters: { operation: 'read', fileSelector: glob, options: {} } };
}

/**
 * The floor node's Settle operation: a full GC between reading the files and the measured node, so
 * the RSS window of (b) and of the floor starts without Read/Write Files' garbage (its read buffers
 * and, in n8n 1.x memory mode, the Buffer it turned into base64), which a GC otherwise frees at a
 * random moment, sometimes inside the window (seen: the floor's copy showing as +0 MB).
 */
function settleNode() {
	return { name: SETTLE_NODE, type: FLOOR_NODE_TYPE, typeVersion: 1, parameters: { operation: 'settle' } };
}

/** The floor node's Mark operation: the probe samples (VmHWM: the measured node's peak) right after it. */
function markNode() {
	return { name: MARK_NODE, type: FLOOR_NODE_TYPE, typeVersion: 1, parameters: { operation: 'mark' } };
}

/** Read/Write Files from Disk → Settle → OpenIM Notify (Message → Send, File, Binary File), one message per file → Mark. */
export function uploadWorkflow(id: string, glob: string, cred: CredentialJson, concurrency: number): WorkflowJson {
	return manualWorkflow(id, `bench upload ${glob}`, [
		readNode(glob),
		settleNode(),
		{
			name: UPLOAD_NODE,
			type: NOTIFY_NODE_TYPE,
			typeVersion: 1,
			parameters: {
				resource: 'message',
				operation: 'send',
				sendID: { __rl: true, mode: 'id', value: SENDER },
				sessionType: 1,
				recvID: { __rl: true, mode: 'id', value: UPLOAD_RECIPIENT },
				contentType: 105,
				fileSource: 'binary',
				fileBinaryProperty: 'data',
				// 100 MB is the default limit; the large file must not trip it.
				options: { maxConcurrency: concurrency, maxFileSizeMB: 1024 },
			},
			credentials: credentialRef(cred),
		},
		markNode(),
	]);
}

/** Read/Write Files from Disk → Settle → the floor node reading each item's binary (getBinaryDataBuffer), nothing else → Mark. */
export function floorReadWorkflow(id: string, glob: string): WorkflowJson {
	return manualWorkflow(id, `bench floor read ${glob}`, [
		readNode(glob),
		settleNode(),
		{
			name: SENDER_NODE.floor,
			type: FLOOR_NODE_TYPE,
			typeVersion: 1,
			parameters: { operation: 'readBinary', binaryProperty: 'data' },
		},
		markNode(),
	]);
}
