/* eslint-disable @n8n/community-nodes/require-node-api-error -- dev tooling (OpenIM error answers), not an n8n node and not shipped */
/**
 * /msg/* (openim-api.md §2). The send pipeline keeps the real order, because the order decides which
 * error a client sees (§2.1 "Validation pipeline"):
 *   1. gin BindJSON + binding tags            → HTTP 400, 1001
 *   2. admin token                            → 1002 only app manager can send message
 *   3. contentType allow-list (per generation) → 1001; 1400 forces sessionType 4 and checks the sender (1101/1002)
 *   4. WeakDecode + validator on content      → 500 with the validator text
 *   5. msg RPC: MsgData.Check()               → 1001 (sessionType 4 ⇔ contentType 1400)
 *   6. msg RPC routing by sessionType         → 1 needs a known recvID (1004); 3 a live group (1004/1204/1203);
 *                                               4 has no checks at all; anything else 1001
 */
import { createHash, randomBytes } from 'node:crypto';

import { AppManagerLevel, ContentType, ErrCode, SessionType } from '../../openim/constants';
import * as wire from '../../openim/wire';
import { checkContent, elementFor, LegacyContentType } from '../content';
import { goMarshal } from '../gojson';
import {
	a2rBody,
	ApiError,
	argsError,
	bindJSON,
	noPermission,
	notFound,
	requireAdmin,
	requireAuth,
	type RouteContext,
	type RouteTable,
	validatorError,
} from '../http';
import { OpenImPath } from '../paths';
import { conversationIDFor, GroupStatus, RoleLevel, SendStatus } from '../store';
import type { SandboxMessage } from '../types';

type SendMsg = wire.SendMsgReq;
type BatchSendMsg = wire.BatchSendMsgReq;

/** msgFrom for messages sent through the REST API (constant.SysMsgType). */
const SYS_MSG_FROM = 200;
/** globalRecvMsgOpt: the user receives nothing. */
const NOT_RECEIVE_MESSAGE = 1;

let msgCounter = 0;
/** utils.GetMsgID: an MD5 hex string. */
function newMsgID(sendID: string): string {
	msgCounter++;
	return createHash('md5')
		.update(`${sendID}-${Date.now()}-${msgCounter}-${randomBytes(8).toString('hex')}`)
		.digest('hex');
}

/* ---------- 1. binding ---------- */

/** The custom `required_if` validator (internal/api/custom_validator.go, §2.1). */
function requiredIf(sessionType: number, field: 'RecvID' | 'GroupID', value: string): boolean {
	if (sessionType === SessionType.Single || sessionType === SessionType.Notification) {
		return field !== 'RecvID' || value !== '';
	}
	if (sessionType === 2 || sessionType === SessionType.Group) return field !== 'GroupID' || value !== '';
	return true;
}

/** `binding` tags of apistruct.SendMsg, in struct field order. */
function sendMsgBinding(req: Omit<SendMsg, 'recvID'>, ns: string): string[] {
	const errs: string[] = [];
	if (!req.sendID) errs.push(validatorError(`${ns}.SendMsg.SendID`, 'SendID', 'required'));
	if (!requiredIf(req.sessionType, 'GroupID', req.groupID ?? '')) {
		errs.push(validatorError(`${ns}.SendMsg.GroupID`, 'GroupID', 'required_if'));
	}
	// `required` on a map only rejects nil: {} passes and fails later in content validation.
	if (req.content === null) errs.push(validatorError(`${ns}.SendMsg.Content`, 'Content', 'required'));
	if (!req.contentType) errs.push(validatorError(`${ns}.SendMsg.ContentType`, 'ContentType', 'required'));
	if (!req.sessionType) errs.push(validatorError(`${ns}.SendMsg.SessionType`, 'SessionType', 'required'));
	return errs;
}

function bindSendMsg(ctx: RouteContext): SendMsg {
	return bindJSON(ctx, { goName: 'apistruct.SendMsgReq', schema: wire.SendMsgReq }, (req) => {
		const errs: string[] = [];
		if (!requiredIf(req.sessionType, 'RecvID', req.recvID ?? '')) {
			errs.push(validatorError('SendMsgReq.RecvID', 'RecvID', 'required_if'));
		}
		return [...errs, ...sendMsgBinding(req, 'SendMsgReq')];
	});
}

function bindBatchSendMsg(ctx: RouteContext): BatchSendMsg {
	return bindJSON(ctx, { goName: 'apistruct.BatchSendMsgReq', schema: wire.BatchSendMsgReq }, (req) => {
		const errs = sendMsgBinding(req, 'BatchSendMsgReq');
		// `recvIDs` is `binding:"required"`: null/missing fails, [] passes (§2.3).
		if (req.recvIDs === null) errs.push(validatorError('BatchSendMsgReq.RecvIDs', 'RecvIDs', 'required'));
		return errs;
	});
}

/* ---------- 3./4. getSendMsgReq ---------- */

/** A message as the API hands it to the msg RPC (recvID is filled in per receiver). */
interface Prepared {
	req: Omit<SendMsg, 'recvID'>;
	sessionType: number;
	clientMsgID: string;
	storedContent: string;
	options: Record<string, boolean>;
	/** isOnlineOnly, or 120 CustomOnlineOnly (v3.0/v2 modes): not stored in history, no seq. */
	onlineOnly: boolean;
}

function prepare(ctx: RouteContext, req: Omit<SendMsg, 'recvID'>): Prepared {
	// The switch differs per generation (v3.0/v3.2 modes: v3.2.2, no 106 AtText but 111/119/120).
	const element = elementFor(ctx.state.generation, req.contentType);
	let sessionType = req.sessionType;
	if (req.contentType === ContentType.OANotification) {
		sessionType = SessionType.Notification;
		// user RPC GetNotificationAccount (§3.2)
		const sender = ctx.state.store.users.get(req.sendID);
		if (!sender) throw new ApiError(ErrCode.UserIDNotFound, `notification account ${req.sendID} not found`);
		const level = sender.appMangerLevel;
		if (level !== AppManagerLevel.AppAdmin && level < AppManagerLevel.AppNotificationAdmin) {
			throw noPermission('notification messages cannot be sent for this ID');
		}
	}
	checkContent(element, req.content);
	const raw = goMarshal(req.content);
	const options: Record<string, boolean> = {};
	// v3.2.2/v2.3.3 newUserSendMsgReq: 120 is always online-only, 119 never updates the conversation.
	const onlineOnly = Boolean(req.isOnlineOnly) || req.contentType === LegacyContentType.CustomOnlineOnly;
	if (onlineOnly) {
		for (const k of ['history', 'persistent', 'senderSync', 'conversationUpdate']) options[k] = false;
	}
	if (req.notOfflinePush) options.offlinePush = false;
	if (req.contentType === LegacyContentType.CustomNotTriggerConversation) options.conversationUpdate = false;
	return {
		req,
		sessionType,
		clientMsgID: newMsgID(req.sendID),
		// 1400 is wrapped in a NotificationElem: {"detail":"<json of the raw content map>"} (§3.2).
		storedContent: req.contentType === ContentType.OANotification ? goMarshal({ detail: raw }) : raw,
		options,
		onlineOnly,
	};
}

/* ---------- 5./6. the msg RPC ---------- */

interface Sent {
	serverMsgID: string;
	clientMsgID: string;
	sendTime: number;
}

function deliver(ctx: RouteContext, p: Prepared, recvID: string): Sent {
	const { store, config, stats } = ctx.state;
	const { req } = p;
	// MsgData.Check() (protocol sdkws.go)
	if ((p.sessionType === SessionType.Notification) !== (req.contentType === ContentType.OANotification)) {
		throw argsError('notification msg must have correct session type and content type');
	}
	const senderIsAdmin = config.adminUserIDs.includes(req.sendID);
	let recipients: string[];
	switch (p.sessionType) {
		case SessionType.Single: {
			// Sender checks (blacklist, friendVerify=false) are skipped for admins and 1000–5000 types;
			// the sandbox models no friendships, so only the receiver lookup remains.
			const recv = store.users.get(recvID);
			if (!recv) throw notFound('userID not found');
			if (recv.globalRecvMsgOpt === NOT_RECEIVE_MESSAGE) {
				// The RPC returns an empty response; the API still answers errCode 0 (§2.1 step 6, inferred).
				return { serverMsgID: '', clientMsgID: '', sendTime: 0 };
			}
			recipients = [recvID];
			break;
		}
		case SessionType.Group: {
			const group = store.groups.get(req.groupID ?? '');
			if (!group) throw notFound('group not found');
			if (group.status === GroupStatus.Dismissed) {
				throw new ApiError(ErrCode.DismissedAlready, 'group dismissed');
			}
			if (!senderIsAdmin) {
				const member = group.members.find((m) => m.userID === req.sendID);
				if (!member) throw new ApiError(ErrCode.NotInGroupYet, 'user not in group');
				if (group.status === GroupStatus.Muted && member.roleLevel === RoleLevel.Member) {
					throw new ApiError(ErrCode.MutedGroup, 'group is muted');
				}
			}
			recipients = group.members.map((m) => m.userID);
			break;
		}
		case SessionType.Notification:
			// No checks at all, not even whether recvID exists (§2.1 step 6, §3.2).
			recipients = [recvID];
			break;
		default:
			throw argsError('unknown sessionType');
	}
	const now = Date.now();
	const conversationID = conversationIDFor(p.sessionType, req.sendID, recvID, req.groupID ?? '');
	const msg: SandboxMessage = {
		// Assigned by store.addMessage, at once or after seqDelayMs (msg-transfer's lag).
		seq: 0,
		conversationID,
		serverMsgID: newMsgID(req.sendID),
		clientMsgID: p.clientMsgID,
		sendID: req.sendID,
		recvID: p.sessionType === SessionType.Group ? '' : recvID,
		groupID: p.sessionType === SessionType.Group ? (req.groupID ?? '') : '',
		senderNickname: req.senderNickname ?? '',
		senderFaceURL: req.senderFaceURL ?? '',
		senderPlatformID: req.senderPlatformID ?? 0,
		sessionType: p.sessionType,
		contentType: req.contentType,
		msgFrom: SYS_MSG_FROM,
		content: req.content,
		storedContent: p.storedContent,
		createTime: now,
		sendTime: req.sendTime || now,
		isOnlineOnly: p.onlineOnly,
		notOfflinePush: Boolean(req.notOfflinePush),
		offlinePushInfo: (req.offlinePushInfo as Record<string, unknown> | null | undefined) ?? null,
		ex: req.ex ?? '',
		options: { ...p.options },
		operationID: ctx.operationID,
		via: ctx.path,
		recipients,
	};
	store.addMessage(msg);
	stats.messageStored();
	return { serverMsgID: msg.serverMsgID, clientMsgID: msg.clientMsgID, sendTime: msg.sendTime };
}

/* ---------- handlers ---------- */

function sendMsg(ctx: RouteContext) {
	const req = bindSendMsg(ctx);
	requireAdmin(ctx, 'only app manager can send message');
	const { recvID, ...rest } = req;
	const prepared = prepare(ctx, rest);
	const sent = deliver(ctx, prepared, recvID ?? '');
	// SetSendMsgStatus under the operationID header (§2.6); only successes are recorded.
	ctx.state.store.setSendStatus(ctx.operationID, SendStatus.Success);
	ctx.state.stats.sendAccepted(ctx.path, ctx.operationID, req);
	// `modify` exists (always null) with the protocol the 3.8.3 patch line pins (§2.1); v3.2's
	// msg.SendMsgResp (protocol v0.0.18) and v2's UserSendMsgResp have only the three fields.
	return { data: ctx.state.generation === 'v3.8' ? { ...sent, modify: null } : sent };
}

function batchSendMsg(ctx: RouteContext) {
	const req = bindBatchSendMsg(ctx);
	requireAdmin(ctx, 'only app manager can send message');
	const { store } = ctx.state;
	// isSendAll pages through every user in the DB, admins and notification accounts included (§2.3).
	const recvIDs = req.isSendAll ? [...store.users.keys()] : req.recvIDs;
	const prepared = prepare(ctx, req);
	const results: Array<Sent & { recvID: string }> = [];
	const failed: string[] = [];
	// One RPC per receiver, sequentially; a failure is recorded and its error code is lost.
	for (const recvID of recvIDs) {
		try {
			results.push({ ...deliver(ctx, prepared, recvID), recvID });
		} catch (e) {
			if (!(e instanceof ApiError)) throw e;
			failed.push(recvID);
		}
	}
	// Unlike send_msg, no send status is recorded (§2.3).
	ctx.state.stats.sendAccepted(ctx.path, ctx.operationID, req);
	return { data: { results: results.length ? results : null, failedUserIDs: failed.length ? failed : null } };
}

function checkMsgIsSendSuccess(ctx: RouteContext) {
	a2rBody(ctx, { goName: 'msg.GetSendMsgStatusReq', schema: wire.EmptyReq });
	requireAuth(ctx);
	return { data: { status: ctx.state.store.getSendStatus(ctx.operationID) } };
}

function getServerTime(ctx: RouteContext) {
	a2rBody(ctx, { goName: 'msg.GetServerTimeReq', schema: wire.EmptyReq });
	requireAuth(ctx);
	return { data: { serverTime: Date.now() } };
}

/* ---------- recall: search_msg + revoke_msg (§2.5) ---------- */

/** MsgStatusSendSuccess: every stored message. */
const MSG_STATUS_SEND_SUCCESS = 2;
const DAY_MS = 24 * 60 * 60 * 1000;

/** time.Parse(time.DateOnly, s): UTC midnight in ms, or undefined for anything else (2024-02-30 too). */
function parseDateOnly(s: string): number | undefined {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
	if (!m) return undefined;
	const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
	const t = Date.UTC(year, month - 1, day);
	const d = new Date(t);
	if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
	return t;
}

/** SearchMessage's ChatLog: the MsgData fields copied over, names and group details filled in (sync_msg.go). */
function chatLog(ctx: RouteContext, m: SandboxMessage): wire.ChatLog {
	const { users, groups } = ctx.state.store;
	const log: wire.ChatLog = {
		serverMsgID: m.serverMsgID,
		clientMsgID: m.clientMsgID,
		sendID: m.sendID,
		recvID: m.recvID,
		groupID: m.groupID,
		recvNickname: '',
		senderPlatformID: m.senderPlatformID,
		senderNickname: m.senderNickname || (users.get(m.sendID)?.nickname ?? ''),
		senderFaceURL: m.senderFaceURL,
		groupName: '',
		sessionType: m.sessionType,
		msgFrom: m.msgFrom,
		contentType: m.contentType,
		content: m.storedContent,
		status: MSG_STATUS_SEND_SUCCESS,
		sendTime: m.sendTime,
		createTime: m.createTime,
		ex: m.ex,
		groupFaceURL: '',
		groupMemberCount: 0,
		seq: m.seq,
		groupOwner: '',
		groupType: 0,
	};
	if (m.sessionType === SessionType.Single) log.recvNickname = users.get(m.recvID)?.nickname ?? '';
	const group = m.sessionType === SessionType.Group ? groups.get(m.groupID) : undefined;
	if (group) {
		// (sic) the server puts the group's face URL into senderFaceURL
		log.senderFaceURL = group.faceURL;
		log.groupMemberCount = group.members.length;
		log.recvID = group.groupID;
		log.groupName = group.groupName;
		log.groupOwner = group.ownerUserID;
		log.groupType = group.groupType;
	}
	return log;
}

/**
 * /msg/search_msg (MsgMgo.searchMessage, 3.8.x): only `si_`/`sg_` conversations — OA notifications
 * (`sn_`) are never found ("Findings"). Filters: recvID matches recvID or groupID, sendID, contentType,
 * sessionType (0/empty: any), sendTime a UTC day. Any valid token; no Check(). v3.8.1+ wraps each entry
 * as `{chatLog, isRevoked}`; v3.0–v3.8.0 answer the ChatLogs themselves (`[]*msg.ChatLog`, seq on each).
 */
function searchMsg(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'msg.SearchMessageReq', schema: wire.SearchMsgReq });
	requireAuth(ctx);
	let day: number | undefined;
	if (req.sendTime !== '') {
		day = parseDateOnly(req.sendTime);
		if (day === undefined) throw argsError(`invalid sendTime, req=${req.sendTime}, format=2006-01-02`);
	}
	const found = ctx.state.store.messages.filter(
		(m) =>
			m.seq > 0 &&
			/^s[gi]_/.test(m.conversationID) &&
			(req.recvID === '' || m.recvID === req.recvID || m.groupID === req.recvID) &&
			(req.sendID === '' || m.sendID === req.sendID) &&
			(req.contentType === 0 || m.contentType === req.contentType) &&
			(req.sessionType === 0 || m.sessionType === req.sessionType) &&
			(day === undefined || (m.sendTime >= day && m.sendTime < day + DAY_MS)),
	);
	const { pageNumber, showNumber } = req.pagination ?? { pageNumber: 0, showNumber: 0 };
	const skip = Math.max(0, (pageNumber - 1) * showNumber);
	const page = showNumber > 0 ? found.slice(skip, skip + showNumber) : [];
	const chatLogs =
		ctx.state.generation === 'v3.8'
			? page.map((m) => ({ chatLog: chatLog(ctx, m), isRevoked: Boolean(m.revoked) }))
			: page.map((m) => chatLog(ctx, m));
	return { data: { chatLogs: chatLogs.length ? chatLogs : null, chatLogsNum: found.length } };
}

/**
 * /msg/revoke_msg (internal/rpc/msg/revoke.go): Check() → access (admin, or the token's own userID) →
 * userID must exist (1004) → the message by conversationID + seq (1004 `msg not found`) → 1404 if it was
 * recalled before. Admins may recall anything, also in `sn_` conversations; others follow the sender /
 * group-role rules. The message is marked `revoked` (inbox and search show it). Not modelled: the 2101
 * MsgRevokeNotification the server sends into the conversation. No `data` on success.
 */
function revokeMsg(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'msg.RevokeMsgReq', schema: wire.RevokeMsgReq }, (r) => {
		if (r.conversationID === '') return 'conversationID is empty';
		if (r.seq < 1) return 'seq is invalid';
		if (r.userID === '') return 'userID is empty';
		return undefined;
	});
	const auth = requireAuth(ctx);
	if (!auth.isAdmin && auth.userID !== req.userID) throw noPermission(`ownerUserID ${req.userID}`);
	const { store } = ctx.state;
	const user = store.users.get(req.userID);
	if (!user) throw notFound('record not found');
	const msg = store.messages.find((m) => m.conversationID === req.conversationID && m.seq === req.seq);
	if (!msg) throw notFound('msg not found');
	if (msg.revoked) throw new ApiError(ErrCode.MsgAlreadyRevoke, 'msg already revoke');
	let role = 0;
	if (!auth.isAdmin) {
		if (msg.sessionType === SessionType.Single) {
			if (msg.sendID !== auth.userID) throw noPermission(`ownerUserID ${msg.sendID}`);
			role = user.appMangerLevel;
		} else if (msg.sessionType === SessionType.Group) {
			const members = store.groups.get(msg.groupID)?.members ?? [];
			const me = members.find((m) => m.userID === req.userID);
			if (req.userID !== msg.sendID) {
				const sender = members.find((m) => m.userID === msg.sendID);
				const allowed =
					me?.roleLevel === RoleLevel.Owner ||
					(me?.roleLevel === RoleLevel.Admin && (!sender || sender.roleLevel === RoleLevel.Member));
				if (!allowed) throw noPermission('no permission');
			}
			role = me?.roleLevel ?? 0;
		} else {
			throw new ApiError(ErrCode.ServerInternal, `msg sessionType not supported, sessionType=${msg.sessionType}`);
		}
	}
	msg.revoked = { userID: req.userID, nickname: user.nickname, role, time: Date.now(), revokerUserID: auth.userID };
	return {};
}

export const msgRoutes: RouteTable = {
	[OpenImPath.SendMsg]: sendMsg,
	[OpenImPath.BatchSendMsg]: batchSendMsg,
	[OpenImPath.CheckMsgIsSendSuccess]: checkMsgIsSendSuccess,
	[OpenImPath.GetServerTime]: getServerTime,
	[OpenImPath.SearchMsg]: searchMsg,
	[OpenImPath.RevokeMsg]: revokeMsg,
};
