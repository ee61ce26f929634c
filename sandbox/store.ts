/**
 * The sandbox's "database": users, groups, messages with a seq per conversation, and the send status
 * the msg RPC keeps under the operationID header (openim-api.md §2.6). In memory, reset at will.
 */
import { randomBytes } from 'node:crypto';

import { SessionType } from '../openim/constants';
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

	addMessage(msg: SandboxMessage): void {
		this.messages.push(msg);
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
	}
}
