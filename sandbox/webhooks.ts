/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling (timers, node:http), not an n8n node and not shipped */
/**
 * The webhook side of the sandbox: OpenIM's *after* callbacks (openim-api.md §6), sent the way the
 * real server sends them.
 *
 *   POST {url}/{callbackCommand}         the command appended as a path segment (no query string)
 *   Content-Type: application/json; charset=utf-8
 *   operationID: <the operationID of the API request that caused it>
 *   body: the event's struct, Go field order, `callbackCommand` inside too
 *
 * Like the real server they are asynchronous and best-effort: an in-memory queue (100 slots, 2
 * workers), one attempt with a timeout (5 s, webhooks.yml's default), no retries, the HTTP status
 * ignored; a full queue drops the event (the real one waits up to 3 s first). Every attempt is
 * recorded for tests (`deliveries()`, `GET /_sandbox/webhooks`).
 *
 * Which API calls fire what (3.8.x): send_msg / batch_send_msg with sessionType 1 → afterSendSingleMsg
 * (admin REST sends included: the loop a replying bot must avoid), sessionType 3 → afterSendGroupMsg,
 * sessionType 4 (OA notifications) → nothing; user_register → afterUserRegister; revoke_msg →
 * afterRevokeMsg; an app opening a one-to-one chat (`POST /_sandbox/read`) → afterSingleMsgRead. The
 * sandbox has no routes for the other events, so tests emit them with `emit()` /
 * `POST /_sandbox/webhooks/emit`.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';

import { PlatformID, SessionType } from '../openim/constants';
import { goJsonText } from './http';
import type { Store } from './store';
import type { SandboxGroup, SandboxMessage, SandboxUser } from './types';

/** webhooks.yml key → callbackCommand (pkg/callbackstruct/constant.go; the revoke one is a typo in the server). */
export const AFTER_EVENTS = {
	afterSendSingleMsg: 'callbackAfterSendSingleMsgCommand',
	afterSendGroupMsg: 'callbackAfterSendGroupMsgCommand',
	afterUserOnline: 'callbackAfterUserOnlineCommand',
	afterUserOffline: 'callbackAfterUserOfflineCommand',
	afterUserRegister: 'callbackAfterUserRegisterCommand',
	afterCreateGroup: 'callbackAfterCreateGroupCommand',
	afterJoinGroup: 'callbackAfterJoinGroupCommand',
	afterQuitGroup: 'callbackAfterQuitGroupCommand',
	afterKickGroupMember: 'callbackAfterKickGroupCommand',
	afterDismissGroup: 'callbackAfterDisMissGroupCommand',
	afterRevokeMsg: 'callbackBeforeAfterMsgCommand',
	afterSingleMsgRead: 'callbackAfterSingleMsgReadCommand',
} as const;

export type AfterEvent = keyof typeof AFTER_EVENTS;
export const AFTER_EVENT_KEYS = Object.keys(AFTER_EVENTS) as [AfterEvent, ...AfterEvent[]];

/** The expected answer (CommonCallbackResp); anything else is logged by the real server and ignored. */
export const CALLBACK_ACK = { actionCode: 0, errCode: 0, errMsg: '', errDlt: '', nextCode: 0 };

export interface WebhookSettings {
	/** webhooks.yml `url` (null: webhooks off). */
	url: string | null;
	/** Enabled events (null: every after-event). */
	events: AfterEvent[] | null;
	/** Per-event `timeout`, in ms (default 5000). */
	timeoutMs: number;
}

export type DeliveryState = 'queued' | 'sending' | 'delivered' | 'failed' | 'dropped';

export interface WebhookDelivery {
	id: number;
	event: AfterEvent;
	callbackCommand: string;
	/** The full URL called: `{url}/{callbackCommand}`. */
	url: string;
	operationID: string;
	/** The JSON body sent (parsed back, for assertions). */
	body: Record<string, unknown>;
	queuedAt: number;
	state: DeliveryState;
	/** Set once an answer arrived (its status is ignored, like the real server does). */
	httpStatus?: number;
	/** The answer, parsed when it is JSON. */
	response?: unknown;
	/** The answer is OpenIM's expected `{actionCode:0, errCode:0, …, nextCode≠1}` JSON. */
	acknowledged?: boolean;
	/** Network error or timeout. */
	error?: string;
	durationMs?: number;
}

export interface WebhookStats {
	/** Events queued (enabled, with a URL). */
	fired: number;
	/** An HTTP answer arrived. */
	delivered: number;
	/** ...and it was OpenIM's expected JSON. */
	acknowledged: number;
	/** Network error or timeout (no retry). */
	failed: number;
	/** Queue full. */
	dropped: number;
	/** Queued per event. */
	byEvent: Record<string, number>;
	/** Queued or being sent right now. */
	pending: number;
}

const QUEUE_SLOTS = 100;
const WORKERS = 2;
const DEFAULT_TIMEOUT_MS = 5000;
/** Deliveries kept for inspection. */
const KEEP = 1000;

/* ---------- bodies (Go struct field order) ---------- */

/** CommonCallbackReq (pkg/callbackstruct/common.go, 3.8.x) + recvID or groupID, from a stored message. */
export function messageBody(msg: SandboxMessage, operationID: string): Record<string, unknown> {
	const group = msg.sessionType === SessionType.Group;
	return {
		sendID: msg.sendID,
		callbackCommand: group ? AFTER_EVENTS.afterSendGroupMsg : AFTER_EVENTS.afterSendSingleMsg,
		serverMsgID: msg.serverMsgID,
		clientMsgID: msg.clientMsgID,
		operationID,
		senderPlatformID: msg.senderPlatformID,
		senderNickname: msg.senderNickname,
		sessionType: msg.sessionType,
		msgFrom: msg.msgFrom,
		contentType: msg.contentType,
		// MsgData.Status is not set on the API path.
		status: 0,
		sendTime: msg.sendTime,
		createTime: msg.createTime,
		// The raw content JSON as a string: the receiver has to parse it a second time (§6.4).
		content: msg.storedContent,
		// The seq is assigned after the hook fires (§6.4, inferred).
		seq: 0,
		// send_msg does not copy atUserList into MsgData in 3.8.x (§2.1): always null.
		atUserList: null,
		faceURL: msg.senderFaceURL,
		ex: msg.ex,
		...(group ? { groupID: msg.groupID } : { recvID: msg.recvID }),
	};
}

/** sdkws.UserInfo field order. */
function userInfo(u: Partial<SandboxUser> & { userID: string }): Record<string, unknown> {
	return {
		userID: u.userID,
		nickname: u.nickname ?? u.userID,
		faceURL: u.faceURL ?? '',
		ex: u.ex ?? '',
		createTime: u.createTime ?? Date.now(),
		appMangerLevel: u.appMangerLevel ?? 0,
		globalRecvMsgOpt: u.globalRecvMsgOpt ?? 0,
	};
}

/**
 * CallbackSingleMsgReadReq: the reader, the seqs it marked read (sic: capital `Seqs`) and, as
 * `contentType`, the conversation's type (1), as MarkConversationAsRead fills it (§6.4).
 */
export function singleMsgReadBody(conversationID: string, userID: string, seqs: number[]): Record<string, unknown> {
	return { callbackCommand: AFTER_EVENTS.afterSingleMsgRead, conversationID, userID, Seqs: seqs, contentType: SessionType.Single };
}

export function userRegisterBody(users: SandboxUser[]): Record<string, unknown> {
	return { callbackCommand: AFTER_EVENTS.afterUserRegister, users: users.map(userInfo) };
}

/** sdkws.GroupInfo field order. */
function groupInfo(g: Partial<SandboxGroup>, groupID: string): Record<string, unknown> {
	return {
		groupID,
		groupName: g.groupName ?? groupID,
		notification: g.notification ?? '',
		introduction: g.introduction ?? '',
		faceURL: g.faceURL ?? '',
		ownerUserID: g.ownerUserID ?? '',
		createTime: g.createTime ?? Date.now(),
		memberCount: g.members?.length ?? 0,
		ex: g.ex ?? '',
		status: g.status ?? 0,
		creatorUserID: g.creatorUserID ?? g.ownerUserID ?? '',
		groupType: g.groupType ?? 2,
		needVerification: g.needVerification ?? 0,
		lookMemberInfo: g.lookMemberInfo ?? 0,
		applyMemberFriend: g.applyMemberFriend ?? 0,
		notificationUpdateTime: g.notificationUpdateTime ?? 0,
		notificationUserID: g.notificationUserID ?? '',
	};
}

const PLATFORM_NAME: Record<number, string> = Object.fromEntries(
	Object.entries(PlatformID).map(([name, id]) => [id, name]),
);

/**
 * The body of any after-event, defaults filled the way the server fills them; `fields` override
 * (and unknown keys are appended). Groups named by `groupID` are read from the store when they exist.
 */
export function eventBody(
	event: AfterEvent,
	fields: Record<string, unknown>,
	operationID: string,
	store?: Store,
): Record<string, unknown> {
	const callbackCommand = AFTER_EVENTS[event];
	const str = (key: string, fallback = '') => (typeof fields[key] === 'string' ? (fields[key] as string) : fallback);
	const group = store?.groups.get(str('groupID'));
	const platformID = typeof fields.platformID === 'number' ? fields.platformID : PlatformID.Web;
	let base: Record<string, unknown>;
	switch (event) {
		case 'afterSendSingleMsg':
		case 'afterSendGroupMsg': {
			const single = event === 'afterSendSingleMsg';
			const content = fields.content ?? { content: 'hello' };
			base = {
				sendID: str('sendID', 'alice'),
				callbackCommand,
				serverMsgID: randomBytes(16).toString('hex'),
				clientMsgID: randomBytes(16).toString('hex'),
				operationID,
				senderPlatformID: PlatformID.Web,
				senderNickname: '',
				sessionType: single ? SessionType.Single : SessionType.Group,
				// 100: sent by a client (UserMsgType); REST sends are 200.
				msgFrom: 100,
				contentType: 101,
				status: 0,
				sendTime: Date.now(),
				createTime: Date.now(),
				content: typeof content === 'string' ? content : goJsonText(content),
				seq: 0,
				atUserList: null,
				faceURL: '',
				ex: '',
				...(single ? { recvID: str('recvID', 'bob') } : { groupID: str('groupID', 'all_staff') }),
			};
			break;
		}
		case 'afterUserOnline':
		case 'afterUserOffline':
			base = {
				callbackCommand,
				operationID,
				platformID,
				platform: PLATFORM_NAME[platformID] ?? '',
				userID: str('userID', 'alice'),
				seq: Date.now(),
				...(event === 'afterUserOnline' ? { isAppBackground: false } : {}),
				connID: randomBytes(8).toString('hex'),
			};
			break;
		case 'afterUserRegister': {
			const users = Array.isArray(fields.users) ? (fields.users as Array<Partial<SandboxUser> & { userID: string }>) : [];
			base = { callbackCommand, users: users.map(userInfo) };
			break;
		}
		case 'afterCreateGroup': {
			const groupID = str('groupID', 'new_group');
			base = {
				callbackCommand,
				...groupInfo(group ?? {}, groupID),
				initMemberList: (group?.members ?? []).map((m) => ({ userID: m.userID, roleLevel: m.roleLevel })),
			};
			break;
		}
		case 'afterJoinGroup':
			base = { callbackCommand, operationID, groupID: str('groupID', 'all_staff'), reqMessage: '', joinSource: 2, inviterUserID: '' };
			break;
		case 'afterQuitGroup':
			base = { callbackCommand, groupID: str('groupID', 'all_staff'), userID: str('userID', 'alice') };
			break;
		case 'afterKickGroupMember':
			base = { callbackCommand, groupID: str('groupID', 'all_staff'), kickedUserIDs: [], reason: '' };
			break;
		case 'afterDismissGroup':
			base = {
				callbackCommand,
				groupID: str('groupID', 'all_staff'),
				ownerID: group?.ownerUserID ?? '',
				// (sic) a string in this struct
				groupType: String(group?.groupType ?? 2),
				membersID: group ? group.members.map((m) => m.userID) : [],
			};
			break;
		case 'afterRevokeMsg':
			base = { callbackCommand, conversationID: '', seq: 0, userID: str('userID', 'alice') };
			break;
		case 'afterSingleMsgRead': {
			const userID = str('userID', 'alice');
			base = singleMsgReadBody(str('conversationID', `si_${['imAdmin', userID].sort().join('_')}`), userID, [1]);
			break;
		}
	}
	return { ...base, ...fields, callbackCommand };
}

/**
 * What an API request changed that fires after-hooks: call `mark()` before the route handler and
 * `since()` right after it (synchronously, so no other request interleaves).
 */
export function webhookMark(store: Store): { messages: number; users: number } {
	return { messages: store.messages.length, users: store.users.size };
}

export function webhookEventsSince(
	store: Store,
	mark: { messages: number; users: number },
	path: string,
	operationID: string,
	requestBody = '',
): Array<{ event: AfterEvent; body: Record<string, unknown> }> {
	const events: Array<{ event: AfterEvent; body: Record<string, unknown> }> = [];
	for (const msg of store.messages.slice(mark.messages)) {
		// OA notifications (sessionType 4) go straight to Kafka: no hooks (§2.1 step 6).
		if (msg.sessionType === SessionType.Single) events.push({ event: 'afterSendSingleMsg', body: messageBody(msg, operationID) });
		if (msg.sessionType === SessionType.Group) events.push({ event: 'afterSendGroupMsg', body: messageBody(msg, operationID) });
	}
	if (path === '/user/user_register' && store.users.size > mark.users) {
		events.push({ event: 'afterUserRegister', body: userRegisterBody([...store.users.values()].slice(mark.users)) });
	}
	if (path === '/msg/revoke_msg') {
		// CallbackAfterRevokeMsgReq is filled from the request (conversationID, seq, userID).
		const req = requestFields(requestBody);
		events.push({
			event: 'afterRevokeMsg',
			body: {
				callbackCommand: AFTER_EVENTS.afterRevokeMsg,
				conversationID: String(req.conversationid ?? ''),
				seq: Number(req.seq ?? 0),
				userID: String(req.userid ?? ''),
			},
		});
	}
	return events;
}

/** Top-level fields of a JSON request, keys lower-cased (encoding/json matches them case-insensitively). */
function requestFields(text: string): Record<string, unknown> {
	try {
		const parsed = JSON.parse(text) as unknown;
		if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
		return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k.toLowerCase(), v]));
	} catch {
		return {};
	}
}

/* ---------- dispatcher ---------- */

export class WebhookDispatcher {
	private settings: WebhookSettings = { url: null, events: null, timeoutMs: DEFAULT_TIMEOUT_MS };
	private queue: WebhookDelivery[] = [];
	private list: WebhookDelivery[] = [];
	private counters = { fired: 0, delivered: 0, acknowledged: 0, failed: 0, dropped: 0 };
	private byEvent: Record<string, number> = {};
	private sending = 0;
	private nextID = 0;
	private waiters: Array<() => void> = [];
	private readonly httpAgent = new HttpAgent({ keepAlive: false });
	private readonly httpsAgent = new HttpsAgent({ keepAlive: false });
	private readonly inFlight = new Set<{ destroy(err?: Error): void }>();

	constructor(private readonly log?: (line: string) => void) {}

	configure(settings: Partial<WebhookSettings>): WebhookSettings {
		this.settings = { ...this.settings, ...settings };
		return this.config();
	}

	config(): WebhookSettings {
		return { ...this.settings, events: this.settings.events ? [...this.settings.events] : null };
	}

	/** A URL is configured (callbacks may be sent at all). */
	get active(): boolean {
		return this.settings.url !== null;
	}

	enabled(event: AfterEvent): boolean {
		return this.settings.url !== null && (this.settings.events === null || this.settings.events.includes(event));
	}

	/** Queues one callback if the event is enabled; returns its record (undefined when not enabled). */
	fire(event: AfterEvent, body: Record<string, unknown>, operationID: string): WebhookDelivery | undefined {
		if (!this.enabled(event)) return undefined;
		const callbackCommand = AFTER_EVENTS[event];
		const delivery: WebhookDelivery = {
			id: ++this.nextID,
			event,
			callbackCommand,
			url: `${this.settings.url}/${callbackCommand}`,
			operationID,
			body,
			queuedAt: Date.now(),
			state: 'queued',
		};
		this.counters.fired++;
		this.byEvent[event] = (this.byEvent[event] ?? 0) + 1;
		this.remember(delivery);
		if (this.queue.length >= QUEUE_SLOTS) {
			delivery.state = 'dropped';
			this.counters.dropped++;
			this.log?.(`webhook ${callbackCommand} dropped: queue full`);
			return delivery;
		}
		this.queue.push(delivery);
		// Asynchronous, like the real server's memamq workers: never inside the API request.
		setImmediate(() => this.pump());
		return delivery;
	}

	/** Builds the event's body (see `eventBody`) and fires it. */
	emit(event: AfterEvent, fields: Record<string, unknown> = {}, operationID = `sandbox-${randomBytes(6).toString('hex')}`, store?: Store) {
		return this.fire(event, eventBody(event, fields, operationID, store), operationID);
	}

	deliveries(): WebhookDelivery[] {
		return JSON.parse(JSON.stringify(this.list)) as WebhookDelivery[];
	}

	stats(): WebhookStats {
		return { ...this.counters, byEvent: { ...this.byEvent }, pending: this.queue.length + this.sending };
	}

	/** Resolves once nothing is queued or being sent. */
	idle(): Promise<void> {
		if (this.queue.length === 0 && this.sending === 0) return Promise.resolve();
		return new Promise((resolve) => this.waiters.push(resolve));
	}

	/** Forgets the records and the configuration; callbacks in flight finish unrecorded. */
	reset(): void {
		this.settings = { url: null, events: null, timeoutMs: DEFAULT_TIMEOUT_MS };
		for (const d of this.queue) d.state = 'dropped';
		this.queue = [];
		this.list = [];
		this.counters = { fired: 0, delivered: 0, acknowledged: 0, failed: 0, dropped: 0 };
		this.byEvent = {};
		this.wake();
	}

	close(): void {
		this.queue = [];
		for (const req of this.inFlight) req.destroy(new Error('sandbox closed'));
		this.httpAgent.destroy();
		this.httpsAgent.destroy();
		this.wake();
	}

	private remember(d: WebhookDelivery): void {
		this.list.push(d);
		if (this.list.length > KEEP) this.list.splice(0, this.list.length - KEEP);
	}

	private wake(): void {
		if (this.queue.length === 0 && this.sending === 0) {
			const waiters = this.waiters;
			this.waiters = [];
			for (const w of waiters) w();
		}
	}

	private pump(): void {
		while (this.sending < WORKERS && this.queue.length > 0) {
			const d = this.queue.shift()!;
			this.sending++;
			void this.send(d).finally(() => {
				this.sending--;
				this.pump();
				this.wake();
			});
		}
		this.wake();
	}

	private send(d: WebhookDelivery): Promise<void> {
		d.state = 'sending';
		const started = Date.now();
		const text = goJsonText(d.body);
		const counters = this.counters;
		return new Promise<void>((resolve) => {
			let url: URL;
			try {
				url = new URL(d.url);
			} catch {
				d.state = 'failed';
				d.error = `invalid URL ${d.url}`;
				counters.failed++;
				return resolve();
			}
			const https = url.protocol === 'https:';
			const req = (https ? httpsRequest : httpRequest)(url, {
				method: 'POST',
				agent: https ? this.httpsAgent : this.httpAgent,
				headers: {
					'Content-Type': 'application/json; charset=utf-8',
					'Content-Length': Buffer.byteLength(text),
					operationID: d.operationID,
					'User-Agent': 'Go-http-client/1.1',
				},
			});
			this.inFlight.add(req);
			const timer = setTimeout(() => req.destroy(new Error(`timeout after ${this.settings.timeoutMs} ms`)), this.settings.timeoutMs);
			const finish = () => {
				clearTimeout(timer);
				this.inFlight.delete(req);
				d.durationMs = Date.now() - started;
				resolve();
			};
			req.on('response', (res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('error', () => undefined);
				res.on('end', () => {
					const body = Buffer.concat(chunks).toString('utf8');
					d.httpStatus = res.statusCode;
					try {
						d.response = JSON.parse(body) as unknown;
					} catch {
						d.response = body;
					}
					const r = d.response as Record<string, unknown> | null;
					d.acknowledged =
						typeof r === 'object' && r !== null && r.actionCode === 0 && r.errCode === 0 && r.nextCode !== 1;
					d.state = 'delivered';
					counters.delivered++;
					if (d.acknowledged) counters.acknowledged++;
					this.log?.(`webhook ${d.callbackCommand} → HTTP ${res.statusCode}${d.acknowledged ? '' : ' (not acknowledged)'}`);
					finish();
				});
			});
			req.on('error', (err) => {
				if (d.state === 'delivered') return;
				d.state = 'failed';
				d.error = err.message;
				counters.failed++;
				this.log?.(`webhook ${d.callbackCommand} failed: ${err.message}`);
				finish();
			});
			req.end(text);
		});
	}
}
