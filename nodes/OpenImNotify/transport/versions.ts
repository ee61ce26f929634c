/**
 * OpenIM server generations (openim-api.md §1.4, §2.2, §5.2, §8): what differs for the admin send
 * API, as one small table. The credential's "Server Version" picks a row; "Auto-detect" uses the
 * generation whose token route answered (kept with the token, in the credential's hidden
 * `detectedVersion`), or, for tokens fetched before that existed, reads it from the token itself:
 *   - v2 tokens carry the claims `UID`/`Platform`, v3 tokens `UserID`/`PlatformID`;
 *   - v3.0–v3.8.0 (`/auth/user_token`) and v3.8.1+ (`/auth/get_admin_token`) tokens look alike, so
 *     without the route a v3 token sends text as `content` (v3.3+).
 */
import { ContentType, Path, SessionType } from '../../../openim/constants';

/** v2's GroupChatType (v3: 3). */
const V2_GROUP_CHAT = 2;

export type ServerVersionSetting = 'auto' | 'v3.8' | 'v3.0' | 'v2' | 'v2.0';

export type Generation = 'v3.8' | 'v3.0' | 'v3' | 'v2' | 'v2.0';

export interface ServerProfile {
	generation: Generation;
	/** OpenIM v2 (any minor): its own error shapes and weaker guarantees. */
	family: 'v2' | 'v3';
	/** For output and error texts. */
	label: string;
	/** Where a single message goes. */
	sendPath: string;
	/** operationID travels in the JSON body (v2), not only in the header. */
	bodyOperationID: boolean;
	/** /msg/batch_send_msg with `recvIDs` (v3). v2.2+ has one with another shape: sent one by one instead. */
	batchSend: boolean;
	/** /msg/check_msg_is_send_success exists: a send whose answer was lost can be checked, then retried. */
	sendStatusCheck: boolean;
	/** Keys a text message (contentType 101) carries its text under. */
	textKeys: ReadonlyArray<'content' | 'text'>;
	/** v3 look-ups the node uses, as this generation serves them (other paths and shapes). */
	lookups?: Readonly<Record<string, Lookup>>;
	/** Why this generation answers HTTP 404 on `path`, when it is known to lack it. */
	lacks?: (path: string, label: string) => string | undefined;
	/**
	 * Paths only some servers of this generation have; a 404 there is the server's age, not a wrong
	 * URL (v3.0–v3.1 have no /msg/get_server_time, the call that proves a fresh token).
	 */
	mayLack?: readonly string[];
}

export interface Lookup {
	path: string;
	request: (body: Record<string, unknown>) => Record<string, unknown>;
	/** `data` as this generation answers → the v3.8 shape the node reads. */
	response: (data: unknown, body: Record<string, unknown>) => unknown;
}

type V2Row = Record<string, unknown>;

const V3_COMMON = {
	family: 'v3',
	sendPath: Path.SendMsg,
	bodyOperationID: false,
	batchSend: true,
	sendStatusCheck: true,
} as const;

export const SERVER_VERSION_SETTINGS: readonly ServerVersionSetting[] = ['auto', 'v3.8', 'v3.0', 'v2', 'v2.0'];

export function serverVersionSetting(value: unknown): ServerVersionSetting {
	return SERVER_VERSION_SETTINGS.includes(value as ServerVersionSetting) ? (value as ServerVersionSetting) : 'auto';
}

/** The claim names of a JWT's payload; undefined when it is not a readable JWT. */
function claimNames(token: unknown): string[] | undefined {
	if (typeof token !== 'string') return undefined;
	const parts = token.split('.');
	if (parts.length !== 3) return undefined;
	try {
		const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
		return claims !== null && typeof claims === 'object' ? Object.keys(claims) : undefined;
	} catch {
		return undefined;
	}
}

/** v2 admin tokens: `UID`/`Platform` claims (v3: `UserID`/`PlatformID`). Decoded once per token. */
let lastToken: { token: unknown; v2: boolean } | undefined;
export function isV2Token(token: unknown): boolean {
	if (lastToken === undefined || lastToken.token !== token) {
		lastToken = { token, v2: claimNames(token)?.includes('UID') === true };
	}
	return lastToken.v2;
}

export function resolveProfile(setting: unknown, token: unknown, detected?: unknown): ServerProfile {
	const chosen = serverVersionSetting(setting);
	if (chosen !== 'auto') return PROFILES[chosen];
	if (detected === 'v3.8' || detected === 'v3.0' || detected === 'v2' || detected === 'v2.0') return PROFILES[detected];
	return isV2Token(token) ? PROFILES.v2 : PROFILES.v3;
}

/**
 * The request as this generation wants it: the send path, operationID in the body (v2), the
 * text key(s) of a text message and v2's look-up routes. Other paths are sent unchanged (a generation
 * without them answers 404).
 */
export function adaptRequest(
	profile: ServerProfile,
	path: string,
	body: Record<string, unknown>,
	operationID: string,
): { path: string; body: Record<string, unknown> } {
	let out = body;
	const send = path === Path.SendMsg || path === Path.BatchSendMsg;
	if (send && out.contentType === ContentType.Text && out.content !== null && typeof out.content === 'object') {
		const content = { ...(out.content as Record<string, unknown>) };
		const text = content.content ?? content.text;
		delete content.content;
		delete content.text;
		for (const key of profile.textKeys) content[key] = text;
		out = { ...out, content };
	}
	if (send && profile.family === 'v2' && out.sessionType === SessionType.Group) {
		// v2 numbers a group chat 2; its 3 is the super group chat, which an ordinary group never receives.
		out = { ...out, sessionType: V2_GROUP_CHAT };
	}
	if (send && profile.generation === 'v2.0' && out.contentType === ContentType.OANotification && out.content !== null && typeof out.content === 'object') {
		// v2.0–v2.1 require notificationFaceURL (v2.2 made it optional): the sender's avatar stands in.
		const content = out.content as Record<string, unknown>;
		if (!content.notificationFaceURL && out.senderFaceURL) out = { ...out, content: { ...content, notificationFaceURL: out.senderFaceURL } };
	}
	let wirePath = path === Path.SendMsg ? profile.sendPath : path;
	const lookup = profile.lookups?.[path];
	if (lookup) {
		wirePath = lookup.path;
		out = lookup.request(out);
	}
	if (profile.bodyOperationID) out = { ...out, operationID };
	return { path: wirePath, body: out };
}

/** A successful answer in the v3.8 shape the node reads (older look-ups differ, see V2_LOOKUPS, V30_LOOKUPS). */
export function adaptResponse(profile: ServerProfile, path: string, body: Record<string, unknown>, data: unknown): unknown {
	const lookup = profile.lookups?.[path];
	return lookup ? lookup.response(data, body) : data;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const ids = (value: unknown): string[] => (Array.isArray(value) ? (value as string[]) : []);
/** A JSON list (v2 answers look-ups with a bare one), or none. */
const rows = (data: unknown): V2Row[] => (Array.isArray(data) ? (data as V2Row[]) : []);
const record = (value: unknown): V2Row => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as V2Row) : {});

/**
 * A group's members in one page: a showNumber past any group's size returns them all (the Mongo and
 * MySQL pagers only skip and limit).
 */
const ALL_MEMBERS = 1_000_000;

/**
 * v3.0–v3.8.0 (one profile): group members from /group/get_group_member_list, which every v3 has
 * (get_group_member_user_id is v3.2.0+), and search_msg's flat `chatLogs` (ChatLogs without the
 * v3.8.1+ `{chatLog, isRevoked}` wrapper; both read, so either server fits).
 */
const V30_LOOKUPS: Record<string, Lookup> = {
	[Path.GetGroupMemberUserID]: {
		path: Path.GetGroupMemberList,
		request: (body) => ({ groupID: str(body.groupID), pagination: { pageNumber: 1, showNumber: ALL_MEMBERS } }),
		response: (data) => {
			const members = rows(record(data).members);
			return { userIDs: members.length ? members.map((member) => str(member.userID)) : null };
		},
	},
	[Path.SearchMsg]: {
		path: Path.SearchMsg,
		request: (body) => body,
		response: (data) => {
			const answer = record(data);
			const chatLogs = rows(answer.chatLogs).map((log) => ('chatLog' in log ? log : { chatLog: log, isRevoked: false }));
			return { ...answer, chatLogs };
		},
	},
};

/** v2 platform names (constant.PlatformNameToID of v2.3.3); the numbers are v3's too. */
const V2_PLATFORMS: Record<string, number> = { IOS: 1, Android: 2, Windows: 3, OSX: 4, Web: 5, MiniWeb: 6, Linux: 7, APad: 8, IPad: 9 };

/**
 * The v3 look-ups the node uses, as OpenIM v2.2–v2.3 serves them (read from v2.3.3): other paths
 * and field names, `data` a bare list with zero fields omitted, statuses as words.
 */
const V2_LOOKUPS: Record<string, Lookup> = {
	[Path.AccountCheck]: {
		path: '/user/account_check',
		request: (body) => ({ checkUserIDList: ids(body.checkUserIDs) }),
		response: (data) => ({
			results: rows(data).map((row) => ({ userID: str(row.userID), accountStatus: row.accountStatus === 'registered' ? 1 : 0 })),
		}),
	},
	[Path.GetUsersInfo]: {
		path: '/user/get_users_info',
		request: (body) => ({ userIDList: ids(body.userIDs) }),
		// v2's public profile has no createTime, appMangerLevel or globalRecvMsgOpt: left out, not invented.
		response: (data) => ({
			usersInfo: rows(data).map((row) => ({ userID: str(row.userID), nickname: str(row.nickname), faceURL: str(row.faceURL), ex: str(row.ex) })),
		}),
	},
	[Path.GetGroupMemberUserID]: {
		// count 0 would stop at 1,000 members; a count past the group's size returns them all.
		path: '/group/get_group_all_member_list',
		request: (body) => ({ groupID: str(body.groupID), offset: 0, count: 1_000_000 }),
		response: (data) => ({ userIDs: rows(data).map((row) => str(row.userID)) }),
	},
	[Path.GetAllUsersUid]: {
		// v2 answers every ID at once: cut the page the node asked for.
		path: '/user/get_all_users_uid',
		request: () => ({}),
		response: (data, body) => {
			const all = rows(data) as unknown as string[];
			const { pageNumber = 1, showNumber = all.length } = (body.pagination ?? {}) as { pageNumber?: number; showNumber?: number };
			return { total: all.length, userIDs: all.slice((pageNumber - 1) * showNumber, pageNumber * showNumber) };
		},
	},
	[Path.GetUsersOnlineStatus]: {
		path: '/user/get_users_online_status',
		request: (body) => ({ userIDList: ids(body.userIDs) }),
		response: (data) =>
			rows(data).map((row) => ({
				userID: str(row.userID),
				status: row.status === 'online' ? 1 : 0,
				detailPlatformStatus: (Array.isArray(row.detailPlatformStatus) ? (row.detailPlatformStatus as V2Row[]) : [])
					.filter((detail) => detail.status === 'online')
					.map((detail) => ({ platformID: V2_PLATFORMS[str(detail.platform)] ?? 0, connID: '', isBackground: false, token: '' })),
			})),
	},
};

/** v2.0–v2.1 (read from v2.1.0): account check, all users and online status under /manager, same shapes. */
const V20_LOOKUPS: Record<string, Lookup> = {
	...V2_LOOKUPS,
	[Path.AccountCheck]: { ...V2_LOOKUPS[Path.AccountCheck], path: '/manager/account_check' },
	[Path.GetAllUsersUid]: { ...V2_LOOKUPS[Path.GetAllUsersUid], path: '/manager/get_all_users_uid' },
	[Path.GetUsersOnlineStatus]: { ...V2_LOOKUPS[Path.GetUsersOnlineStatus], path: '/manager/get_users_online_status' },
};

const V2_COMMON = {
	family: 'v2',
	lacks: (path: string, label: string) =>
		`This is an OpenIM ${label} server (the credential's Server Version, or what Auto-Detect found): it has no ${path}. This operation needs OpenIM v3.`,
	bodyOperationID: true,
	/** v2.1+ batch routes take another shape: sent one by one instead. */
	batchSend: false,
	sendStatusCheck: false,
	textKeys: ['text'],
} as const;

export const PROFILES: Record<Generation, ServerProfile> = {
	'v3.8': { ...V3_COMMON, generation: 'v3.8', label: 'v3.8.1+', textKeys: ['content'] },
	'v3.0': {
		...V3_COMMON,
		generation: 'v3.0',
		label: 'v3.0–v3.8.0',
		textKeys: ['content', 'text'],
		lookups: V30_LOOKUPS,
		mayLack: [Path.GetServerTime],
		lacks: (path, label) =>
			path.includes('notification_account')
				? `This is an OpenIM ${label} server: notification accounts exist from OpenIM v3.5. Send as an admin user ID instead, or upgrade OpenIM.`
				: undefined,
	},
	// A v3 token without the route that issued it: `content`, as v3.3+ wants (README); search_msg read in both shapes.
	v3: { ...V3_COMMON, generation: 'v3', label: 'v3 (auto-detected)', textKeys: ['content'], lookups: { [Path.SearchMsg]: V30_LOOKUPS[Path.SearchMsg] } },
	v2: { ...V2_COMMON, generation: 'v2', label: 'v2.x', sendPath: '/msg/manage_send_msg', lookups: V2_LOOKUPS },
	// v2.0.6–v2.1.x: the admin routes still lived under /manager (1400 needs v2.0.6+).
	'v2.0': { ...V2_COMMON, generation: 'v2.0', label: 'v2.0–v2.1', sendPath: '/manager/send_msg', lookups: V20_LOOKUPS },
};

