/* eslint-disable @n8n/community-nodes/no-restricted-globals -- dev tooling (timers), not an n8n node and not shipped */
/**
 * The sandbox's "database": users, groups, messages with a seq per conversation, how far each user
 * has read each conversation (hasReadSeq), and the send status the msg RPC keeps under the
 * operationID header (openim-api.md §2.6). In memory, reset at will.
 */
import { randomBytes } from 'node:crypto';

import { SessionType } from '../openim/constants';
import type { ConversationInfo } from '../openim/wire';
import type {
	SandboxGroup,
	SandboxGroupMember,
	SandboxMessage,
	SandboxUser,
	SeedGroup,
	SeedUser,
} from './types';

/** Group member roles (§4). */
export const RoleLevel = { Owner: 100, Admin: 60, Member: 20 } as const;
/** Group status values (§4). */
export const GroupStatus = { Ok: 0, BanChat: 1, Dismissed: 2, Muted: 3 } as const;
/** /msg/check_msg_is_send_success status values (§2.6). */
export const SendStatus = { NotFound: 0, Success: 2 } as const;

/**
 * One live connection of an online user, as the message gateway reports it to
 * /user/get_users_online_status (§4). `token` is a session token: the real gateway hands it out, the
 * node must strip it, so the sandbox fills in a JWT-shaped one that tests can look for.
 */
export interface OnlineConnection {
	platformID: number;
	connID: string;
	isBackground: boolean;
	token: string;
}

function fakeSessionToken(userID: string, platformID: number): string {
	const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
	const now = Math.floor(Date.now() / 1000);
	const claims = { UserID: userID, PlatformID: platformID, exp: now + 86400, nbf: now - 5, iat: now - 5 };
	return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.${randomBytes(32).toString('base64url')}`;
}

/**
 * conversationID rules (§2.5, msgprocessor.GetConversationIDBySessionType): single `si_`, group `sg_`,
 * notification `sn_`; the two user IDs sorted and joined with `_`.
 */
export function conversationIDFor(sessionType: number, sendID: string, recvID: string, groupID: string): string {
	const pair = [sendID, recvID].sort().join('_');
	switch (sessionType) {
		case SessionType.Single:
			return `si_${pair}`;
		case SessionType.Group:
			return `sg_${groupID}`;
		case SessionType.Notification:
			return `sn_${pair}`;
		default:
			return `unknown_${sessionType}_${pair}`;
	}
}

export class Store {
	/** Insertion order = creation order (what paging follows). */
	readonly users = new Map<string, SandboxUser>();
	readonly groups = new Map<string, SandboxGroup>();
	readonly messages: SandboxMessage[] = [];
	private readonly seqs = new Map<string, number>();
	private readonly sendStatus = new Map<string, number>();
	/** Users connected to the (imaginary) message gateway, by userID; set through SeedUser.online. */
	readonly online = new Map<string, OnlineConnection[]>();
	/** When each conversation's newest seq was assigned (maxSeqTime). */
	private readonly seqTimes = new Map<string, number>();
	/** hasReadSeq per user and conversation (key: userID + NUL + conversationID). */
	private readonly hasRead = new Map<string, number>();
	/**
	 * msg-transfer's lag: a stored message gets its seq this long after the send (0: at once). The real
	 * server assigns it after the message passed the queue (openim-clients.md §3), so until then it is in
	 * no conversation a client or /msg/pull_msg_by_seq sees.
	 */
	seqDelayMs = 0;
	/**
	 * Conversation documents written by /conversation/set_conversations (key: owner + NUL + conversationID):
	 * the per-owner settings such as `ex`. Conversations that only exist through messages are not here.
	 */
	readonly conversationRecords = new Map<string, ConversationInfo>();
	private readonly pending = new Set<ReturnType<typeof setTimeout>>();

	upsertUser(seed: SeedUser, now = Date.now()): SandboxUser {
		if (seed.online !== undefined) this.setOnline(seed.userID, seed.online);
		const prev = this.users.get(seed.userID);
		const user: SandboxUser = {
			userID: seed.userID,
			nickname: seed.nickname ?? prev?.nickname ?? seed.userID,
			faceURL: seed.faceURL ?? prev?.faceURL ?? '',
			ex: seed.ex ?? prev?.ex ?? '',
			createTime: seed.createTime ?? prev?.createTime ?? now,
			appMangerLevel: seed.appMangerLevel ?? prev?.appMangerLevel ?? 0,
			globalRecvMsgOpt: seed.globalRecvMsgOpt ?? prev?.globalRecvMsgOpt ?? 0,
		};
		this.users.set(user.userID, user);
		return user;
	}

	upsertGroup(seed: SeedGroup, now = Date.now()): SandboxGroup {
		const prev = this.groups.get(seed.groupID);
		const memberIDs = seed.memberUserIDs ?? prev?.members.map((m) => m.userID) ?? [];
		const owner = seed.ownerUserID ?? prev?.ownerUserID ?? memberIDs[0] ?? '';
		const members: SandboxGroupMember[] = memberIDs.map((userID) => ({
			userID,
			roleLevel: userID === owner ? RoleLevel.Owner : RoleLevel.Member,
			joinTime: now,
		}));
		const group: SandboxGroup = {
			groupID: seed.groupID,
			groupName: seed.groupName ?? prev?.groupName ?? seed.groupID,
			notification: seed.notification ?? prev?.notification ?? '',
			introduction: seed.introduction ?? prev?.introduction ?? '',
			faceURL: seed.faceURL ?? prev?.faceURL ?? '',
			ownerUserID: owner,
			createTime: seed.createTime ?? prev?.createTime ?? now,
			ex: seed.ex ?? prev?.ex ?? '',
			status: seed.status ?? prev?.status ?? GroupStatus.Ok,
			creatorUserID: seed.creatorUserID ?? prev?.creatorUserID ?? owner,
			groupType: seed.groupType ?? prev?.groupType ?? 2,
			needVerification: seed.needVerification ?? prev?.needVerification ?? 0,
			lookMemberInfo: seed.lookMemberInfo ?? prev?.lookMemberInfo ?? 0,
			applyMemberFriend: seed.applyMemberFriend ?? prev?.applyMemberFriend ?? 0,
			notificationUpdateTime: seed.notificationUpdateTime ?? prev?.notificationUpdateTime ?? 0,
			notificationUserID: seed.notificationUserID ?? prev?.notificationUserID ?? '',
			members,
		};
		this.groups.set(group.groupID, group);
		return group;
	}

	/** Connects `userID` from these platforms (one connection each), or takes it offline with []. */
	setOnline(userID: string, platformIDs: number[]): void {
		if (platformIDs.length === 0) {
			this.online.delete(userID);
			return;
		}
		this.online.set(
			userID,
			platformIDs.map((platformID) => ({
				platformID,
				connID: randomBytes(16).toString('hex'),
				isBackground: false,
				token: fakeSessionToken(userID, platformID),
			})),
		);
	}

	nextSeq(conversationID: string): number {
		const seq = (this.seqs.get(conversationID) ?? 0) + 1;
		this.seqs.set(conversationID, seq);
		return seq;
	}

	/** Stores a message; unless online-only it gets its seq now or after `seqDelayMs` (msg.seq 0 until then). */
	addMessage(msg: SandboxMessage): void {
		this.messages.push(msg);
		if (msg.isOnlineOnly) return;
		if (this.seqDelayMs <= 0) return this.assignSeq(msg);
		const timer = setTimeout(() => {
			this.pending.delete(timer);
			this.assignSeq(msg);
		}, this.seqDelayMs);
		timer.unref();
		this.pending.add(timer);
	}

	/**
	 * What msg-transfer does once the message leaves the queue: the next seq of its conversation, and
	 * the sender's hasReadSeq moves to it (own messages count as read).
	 */
	private assignSeq(msg: SandboxMessage): void {
		msg.seq = this.nextSeq(msg.conversationID);
		this.seqTimes.set(msg.conversationID, Date.now());
		this.setHasReadSeq(msg.sendID, msg.conversationID, msg.seq);
	}

	/** The newest assigned seq of a conversation (0: none yet) and when it was assigned. */
	maxSeq(conversationID: string): { maxSeq: number; maxSeqTime: number } {
		return { maxSeq: this.seqs.get(conversationID) ?? 0, maxSeqTime: this.seqTimes.get(conversationID) ?? 0 };
	}

	hasReadSeq(userID: string, conversationID: string): number {
		return this.hasRead.get(`${userID}\u0000${conversationID}`) ?? 0;
	}

	/** hasReadSeq only moves forward (the server ignores a smaller one). */
	setHasReadSeq(userID: string, conversationID: string, seq: number): void {
		if (seq > this.hasReadSeq(userID, conversationID)) this.hasRead.set(`${userID}\u0000${conversationID}`, seq);
	}

	/** Messages of a conversation that got their seq, oldest first. */
	conversationMessages(conversationID: string): SandboxMessage[] {
		return this.messages.filter((m) => m.conversationID === conversationID && m.seq > 0);
	}

	/** The user has the conversation: msg-transfer created it for the sender and the receivers. */
	hasConversation(userID: string, conversationID: string): boolean {
		return this.messages.some((m) => m.conversationID === conversationID && m.seq > 0 && (m.sendID === userID || m.recipients.includes(userID)));
	}

	/** The IDs of the user's conversations, in order of their first message. */
	conversationIDs(userID: string): string[] {
		const ids = new Set<string>();
		for (const m of this.messages) if (m.seq > 0 && (m.sendID === userID || m.recipients.includes(userID))) ids.add(m.conversationID);
		return [...ids];
	}

	/**
	 * What an OpenIM app does when the user opens a conversation (the SDK's mark-as-read, §3): hasReadSeq
	 * moves to the newest seq; in a one-to-one chat (`si_`) the peer's unread messages get `isRead`.
	 * Returns those messages' seqs (what the afterSingleMsgRead webhook carries).
	 */
	markConversationRead(userID: string, conversationID: string): { hasReadSeq: number; seqs: number[] } {
		const { maxSeq } = this.maxSeq(conversationID);
		this.setHasReadSeq(userID, conversationID, maxSeq);
		const seqs: number[] = [];
		if (conversationID.startsWith('si_')) {
			for (const m of this.conversationMessages(conversationID)) {
				if (m.sendID !== userID && m.recipients.includes(userID) && !m.isRead) {
					m.isRead = true;
					seqs.push(m.seq);
				}
			}
		}
		return { hasReadSeq: this.hasReadSeq(userID, conversationID), seqs };
	}

	/** Assigns the seqs still waiting (tests: no timers left behind). */
	flushSeqs(): void {
		for (const timer of this.pending) clearTimeout(timer);
		this.pending.clear();
		for (const m of this.messages) if (m.seq === 0 && !m.isOnlineOnly) this.assignSeq(m);
	}

	/** Messages delivered to a user, oldest first. Online-only messages reach nobody (no one is online). */
	inbox(userID: string): SandboxMessage[] {
		return this.messages.filter((m) => !m.isOnlineOnly && m.recipients.includes(userID));
	}

	setSendStatus(operationID: string, status: number): void {
		this.sendStatus.set(operationID, status);
	}

	getSendStatus(operationID: string): number {
		return this.sendStatus.get(operationID) ?? SendStatus.NotFound;
	}

	clear(): void {
		this.users.clear();
		this.groups.clear();
		this.messages.length = 0;
		this.seqs.clear();
		this.sendStatus.clear();
		this.online.clear();
		for (const timer of this.pending) clearTimeout(timer);
		this.pending.clear();
		this.seqTimes.clear();
		this.hasRead.clear();
		this.conversationRecords.clear();
		this.seqDelayMs = 0;
	}
}
