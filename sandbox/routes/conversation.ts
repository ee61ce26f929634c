/**
 * Read state of conversations (openim-clients.md §3; msg RPC `sync_msg.go`, `seq.go` of 3.8.x), the two
 * /msg routes an admin uses to learn whether a recipient has read a message:
 *
 *   /msg/get_conversations_has_read_and_max_seq  {userID, conversationIDs} → seqs{id: {maxSeq, hasReadSeq, maxSeqTime}}
 *   /msg/pull_msg_by_seq                          {userID, seqRanges, order} → msgs{id: {Msgs, isEnd}}, notificationMsgs
 *
 * Both are a2r calls (json.Unmarshal, Check() → 1001) with the access check CheckAccessV3: an admin
 * may ask as any user, anyone else only as themselves (1002). A message has a seq only once
 * msg-transfer assigned it (store.seqDelayMs), so a fresh send may not be there yet.
 * Not modelled: deleted messages and the revoke notification a recalled message is pulled as.
 * Also the conversation documents /conversation/set_conversations writes and /conversation/get_conversations
 * reads (sandbox/README.md "Conversation records"): where Send and Wait keeps approvers' answers.
 */
import { SessionType } from '../../openim/constants';
import * as wire from '../../openim/wire';
import { a2rBody, noPermission, requireAuth, type RouteContext, type RouteTable } from '../http';
import { OpenImPath } from '../paths';
import type { SandboxMessage } from '../types';

/** MsgStatusSendSuccess */
const MSG_STATUS_SEND_SUCCESS = 2;

/** authverify.CheckAccessV3: admins act for anyone; a user token only for itself. */
function checkAccess(ctx: RouteContext, userID: string): void {
	const auth = requireAuth(ctx);
	if (!auth.isAdmin && auth.userID !== userID) throw noPermission(`ownerUserID ${userID}`);
}

/** sdkws.OfflinePushInfo with every field present (gen.sh strips omitempty, §1.3). */
function offlinePushInfo(info: Record<string, unknown> | null): Record<string, unknown> | null {
	if (!info) return null;
	return {
		title: info.title ?? '',
		desc: info.desc ?? '',
		ex: info.ex ?? '',
		iOSPushSound: info.iOSPushSound ?? '',
		iOSBadgeCount: info.iOSBadgeCount ?? false,
		signalInfo: info.signalInfo ?? '',
	};
}

/** The stored message as sdkws.MsgData: `content` is `bytes`, so base64 (§1.3). */
export function msgData(m: SandboxMessage): wire.MsgData {
	return {
		sendID: m.sendID,
		recvID: m.recvID,
		groupID: m.groupID,
		clientMsgID: m.clientMsgID,
		serverMsgID: m.serverMsgID,
		senderPlatformID: m.senderPlatformID,
		senderNickname: m.senderNickname,
		senderFaceURL: m.senderFaceURL,
		sessionType: m.sessionType,
		msgFrom: m.msgFrom,
		contentType: m.contentType,
		content: Buffer.from(m.storedContent, 'utf8').toString('base64'),
		seq: m.seq,
		sendTime: m.sendTime,
		createTime: m.createTime,
		status: MSG_STATUS_SEND_SUCCESS,
		isRead: m.sessionType === SessionType.Single && Boolean(m.isRead),
		options: Object.keys(m.options).length ? { ...m.options } : null,
		offlinePushInfo: offlinePushInfo(m.offlinePushInfo),
		atUserIDList: null,
		attachedInfo: '',
		ex: m.ex,
	};
}

/**
 * GetConversationsHasReadAndMaxSeq: the given conversations (or all of the user's), each with its
 * newest seq and the user's hasReadSeq. Conversations without any seq yet are left out (inferred from
 * GetMaxSeqsWithTime, which answers only seqs it has).
 */
function getConversationsHasReadAndMaxSeq(ctx: RouteContext) {
	const req = a2rBody(
		ctx,
		{ goName: 'msg.GetConversationsHasReadAndMaxSeqReq', schema: wire.GetConversationsHasReadAndMaxSeqReq },
		(r) => (r.userID === '' ? 'userID is empty' : undefined),
	);
	checkAccess(ctx, req.userID);
	const { store } = ctx.state;
	const ids = req.conversationIDs?.length ? req.conversationIDs : store.conversationIDs(req.userID);
	const seqs: Record<string, wire.ConversationSeqs> = {};
	for (const id of ids) {
		const { maxSeq, maxSeqTime } = store.maxSeq(id);
		if (maxSeq === 0) continue;
		seqs[id] = { maxSeq, hasReadSeq: store.hasReadSeq(req.userID, id), maxSeqTime };
	}
	return { data: { seqs } };
}

/**
 * PullMessageBySeqs → GetMsgBySeqsRange per range: skipped (logged by the server, not an error) when
 * the user has no such conversation, the range is empty after clamping to [1, maxSeq], or it holds no
 * messages; otherwise the newest `num` seqs of [begin, end], oldest first. `n_` streams would go to
 * notificationMsgs; work notifications are `sn_` conversations, so they come in `msgs`.
 */
function pullMsgBySeq(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'sdkws.PullMessageBySeqsReq', schema: wire.PullMsgBySeqReq }, (r) => {
		if (r.seqRanges === null) return 'seqRanges is empty';
		if (r.userID === '') return 'userID is empty';
		return undefined;
	});
	checkAccess(ctx, req.userID);
	const { store } = ctx.state;
	const msgs: Record<string, wire.PullMsgs> = {};
	for (const range of req.seqRanges ?? []) {
		if (range.conversationID.startsWith('n_') || !store.hasConversation(req.userID, range.conversationID)) continue;
		const { maxSeq } = store.maxSeq(range.conversationID);
		const minSeq = 1;
		const begin = Math.max(range.begin, minSeq);
		const end = Math.min(range.end, maxSeq);
		if (end < begin) continue;
		const from = end - begin + 1 <= range.num ? begin : end - range.num + 1;
		const found = store.conversationMessages(range.conversationID).filter((m) => m.seq >= from && m.seq <= end);
		if (found.length === 0) continue;
		const isEnd = req.order === 1 ? range.begin <= minSeq : maxSeq <= range.end;
		msgs[range.conversationID] = { Msgs: found.map(msgData), isEnd };
	}
	return { data: { msgs, notificationMsgs: {} } };
}

/**
 * SetConversations (3.8.x conversation RPC; no access check beyond a valid token): for each owner in
 * `userIDs`, update the given fields of its conversation document, or create the document with them
 * (SetUsersConversationFieldTx). Only the fields a caller sets change (`{value}` wrappers); the
 * owner need not exist. Check(): `userIDs` and `conversation` non-null → 1001.
 */
function setConversations(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'conversation.SetConversationsReq', schema: wire.SetConversationsReq }, (r) => {
		if (r.userIDs === null) return 'userID is empty';
		if (r.conversation === null) return 'conversation is empty';
		return undefined;
	});
	requireAuth(ctx);
	const conversation = req.conversation as NonNullable<wire.SetConversationsReq['conversation']>;
	const records = ctx.state.store.conversationRecords;
	for (const owner of req.userIDs ?? []) {
		const key = `${owner}\u0000${conversation.conversationID}`;
		const prev = records.get(key);
		const base: wire.ConversationInfo = prev ?? {
			ownerUserID: owner,
			conversationID: conversation.conversationID,
			conversationType: conversation.conversationType,
			userID: conversation.userID ?? '',
			groupID: conversation.groupID ?? '',
			recvMsgOpt: 0,
			isPinned: false,
			attachedInfo: '',
			isPrivateChat: false,
			groupAtType: 0,
			ex: '',
			burnDuration: 0,
			minSeq: 0,
			maxSeq: 0,
			msgDestructTime: 0,
			latestMsgDestructTime: 0,
			isMsgDestruct: false,
		};
		records.set(key, {
			...base,
			...(conversation.recvMsgOpt ? { recvMsgOpt: conversation.recvMsgOpt.value } : {}),
			...(conversation.isPinned ? { isPinned: conversation.isPinned.value } : {}),
			...(conversation.attachedInfo ? { attachedInfo: conversation.attachedInfo.value } : {}),
			...(conversation.ex ? { ex: conversation.ex.value } : {}),
		});
	}
	return { data: {} };
}

/** GetConversations: the owner's documents among `conversationIDs`; unknown IDs are simply absent. */
function getConversations(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'conversation.GetConversationsReq', schema: wire.GetConversationsReq }, (r) => {
		if (r.ownerUserID === '') return 'ownerUserID is empty';
		if (r.conversationIDs === null) return 'conversationIDs is empty';
		return undefined;
	});
	requireAuth(ctx);
	const records = ctx.state.store.conversationRecords;
	const conversations = (req.conversationIDs ?? []).flatMap((id) => {
		const found = records.get(`${req.ownerUserID}\u0000${id}`);
		return found ? [{ ...found }] : [];
	});
	return { data: { conversations } };
}

export const conversationRoutes: RouteTable = {
	[OpenImPath.SetConversations]: setConversations,
	[OpenImPath.GetConversations]: getConversations,
	[OpenImPath.GetConversationsHasReadAndMaxSeq]: getConversationsHasReadAndMaxSeq,
	[OpenImPath.PullMsgBySeq]: pullMsgBySeq,
};
