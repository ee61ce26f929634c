/* eslint-disable @typescript-eslint/no-explicit-any -- test answers are arbitrary JSON, read ad hoc by the tests */
/**
 * Test helpers for the in-process sandbox: an undici client that speaks OpenIM (operationID/token
 * headers, envelope parsing) and payload builders.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'undici';

import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';

export interface Answer<T = any> {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
	/** The parsed JSON body (undefined when it is not JSON). */
	body: { errCode: number; errMsg: string; errDlt: string; data?: T } & Record<string, any>;
}

export interface CallOptions {
	/** Extra headers; `operationID`/`token` set to undefined are left out. */
	headers?: Record<string, string | undefined>;
	method?: 'POST' | 'GET' | 'OPTIONS' | 'PUT';
}

export class Client {
	private cachedToken?: string;

	constructor(readonly sandbox: Sandbox) {}

	/** A raw request: `body` as a string is sent as is, anything else as JSON. */
	async raw<T = any>(path: string, body?: unknown, opts: CallOptions = {}): Promise<Answer<T>> {
		const headers: Record<string, string> = { 'content-type': 'application/json' };
		for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) headers[k] = v;
		const res = await request(`${this.sandbox.url}${path}`, {
			method: opts.method ?? 'POST',
			headers,
			body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
		});
		const text = await res.body.text();
		let parsed: any;
		try {
			parsed = JSON.parse(text);
		} catch {
			parsed = undefined;
		}
		return { status: res.statusCode, headers: res.headers, text, body: parsed };
	}

	async adminToken(fresh = false): Promise<string> {
		if (this.cachedToken && !fresh) return this.cachedToken;
		const res = await this.raw('/auth/get_admin_token', { secret: 'openIM123', userID: 'imAdmin' }, {
			headers: { operationID: randomUUID() },
		});
		if (res.body?.errCode !== 0) throw new Error(`get_admin_token failed: ${res.text}`);
		this.cachedToken = res.body.data.token as string;
		return this.cachedToken;
	}

	/** An OpenIM call with a fresh operationID and the admin token (override either through headers). */
	async api<T = any>(path: string, body: unknown = {}, headers: Record<string, string | undefined> = {}) {
		const token = 'token' in headers ? headers.token : await this.adminToken();
		return this.raw<T>(path, body, { headers: { operationID: randomUUID(), token, ...headers } });
	}
}

export async function withSandbox(options: Partial<SandboxOptions> = {}) {
	const sandbox = await startSandbox(options);
	return { sandbox, client: new Client(sandbox) };
}

/** A text message from imAdmin to `recvID`. */
export function textMsg(recvID = 'alice', text = 'hello', extra: Record<string, unknown> = {}) {
	return { sendID: 'imAdmin', recvID, contentType: 101, sessionType: 1, content: { content: text }, ...extra };
}

const picture = { type: 'image/png', size: 2048, width: 640, height: 480, url: 'https://cdn.example/p.png' };

/** The one media element per mixType that v3.8 accepts (openim-api.md §3.1, §11.4). */
export const MEDIA_BY_MIXTYPE: Record<number, Record<string, unknown>> = {
	0: {},
	1: { pictureElem: { sourcePath: '', sourcePicture: picture, bigPicture: picture, snapshotPicture: picture } },
	2: {
		videoElem: {
			videoUrl: 'https://cdn.example/v.mp4',
			videoType: 'video/mp4',
			videoSize: 1_000_000,
			duration: 30,
			snapshotUrl: 'https://cdn.example/v.png',
			snapshotWidth: 320,
			snapshotHeight: 180,
		},
	},
	3: { fileElem: { sourceUrl: 'https://cdn.example/f.pdf', fileName: 'policy.pdf', fileSize: 12345 } },
	4: { soundElem: { sourceUrl: 'https://cdn.example/s.mp3', dataSize: 4096, duration: 12 } },
	5: {
		soundElem: { sourceUrl: 'https://cdn.example/s.mp3', dataSize: 4096, duration: 12 },
		pictureElem: { sourcePicture: picture, bigPicture: picture, snapshotPicture: picture },
	},
};

/** A valid OA notification (contentType 1400, sessionType 4) as the node should build it. */
export function oaMsg(recvID = 'alice', mixType = 0, extra: Record<string, unknown> = {}) {
	return {
		sendID: 'imAdmin',
		recvID,
		senderPlatformID: 10,
		contentType: 1400,
		sessionType: 4,
		content: {
			notificationName: 'HR',
			notificationFaceURL: 'https://cdn.example/hr.png',
			notificationType: 1,
			text: 'Welcome aboard',
			mixType,
			url: 'https://intranet.example/onboarding',
			externalUrl: 'https://intranet.example/onboarding',
			ex: '',
			...MEDIA_BY_MIXTYPE[mixType],
		},
		offlinePushInfo: { title: 'HR', desc: 'Welcome aboard', ex: '', iOSPushSound: '', iOSBadgeCount: true },
		...extra,
	};
}

/**
 * The 2022 announcement's v2 request (../shared/seed/000_*.txt), verbatim: every media element is
 * present with empty values, `operationID` sits in the body and the sender is a v2 admin ID.
 */
export const SEED_2022_PAYLOAD = {
	operationID: 'Oa notification operationID111',
	sendID: 'openIM123456',
	recvID: '18712345678',
	senderPlatformID: 2,
	senderFaceURL: 'http://www.head.com',
	senderNickname: '系统通知2',
	content: {
		notificationName: '公文管理',
		notificationFaceURL: 'http://www.head1.com',
		notificationType: 1,
		text: '大家好,今天是...',
		externalUrl: '',
		mixType: 0,
		pictureElem: {
			sourcePath: '',
			sourcePicture: { uuid: '', type: '', size: 0, width: 0, height: 0, url: '' },
			bigPicture: { uuid: '', type: '', size: 0, width: 0, height: 0, url: '' },
			snapshotPicture: { uuid: '', type: '', size: 0, width: 0, height: 0, url: '' },
		},
		soundElem: { uuid: '', soundPath: '', sourceUrl: '', dataSize: 0, duration: 0 },
		videoElem: {
			videoPath: '',
			videoUUID: '',
			videoUrl: '',
			videoType: '',
			videoSize: 0,
			duration: 0,
			snapshotPath: '',
			snapshotUUID: '',
			snapshotSize: 0,
			snapshotUrl: '',
			snapshotWidth: 0,
			snapshotHeight: 0,
		},
		fileElem: { filePath: '', uuid: '', sourceUrl: '', fileName: '', fileSize: 0 },
		ex: '',
	},
	contentType: 1400,
	sessionType: 4,
	isOnlineOnly: false,
	offlinePushInfo: {
		title: 'admin revoke your message',
		desc: '',
		ex: '',
		iOSPushSound: 'default',
		iOSBadgeCount: false,
	},
};

/** A copy of `obj` without `keys`. */
export function omit<T extends Record<string, unknown>, K extends keyof T>(obj: T, ...keys: K[]): Omit<T, K> {
	const copy: Record<string, unknown> = { ...obj };
	for (const k of keys) delete copy[k as string];
	return copy as Omit<T, K>;
}

/** Decodes a JWT segment. */
export function jwtPart(token: string, i: 0 | 1): Record<string, any> {
	return JSON.parse(Buffer.from(token.split('.')[i], 'base64url').toString('utf8'));
}
