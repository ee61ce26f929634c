/* eslint-disable @n8n/community-nodes/require-node-api-error -- dev tooling (OpenIM error answers), not an n8n node and not shipped */
/**
 * The `v2` generation: OpenIM server v2.2+ as tagged v2.3.3 (openim-api.md §8; route by route notes
 * with the v2.3.3 source files below). v2 has no operationID/token middlewares: every gin handler
 * binds its own body (`operationID` is a required body field, a bind failure is HTTP 400
 * `{errCode:400, errMsg:<validator text>}`), then reads the `token` header (a bad token is HTTP 400
 * `{errCode:500, errMsg:"<opID> GetUserIDFromToken failed <reason> token:<token>"}`), then calls the
 * RPC, whose CommonResp code comes back with HTTP 200 (801 `no permission`, 802 `db failed`,
 * 803 `args failed`). Envelopes are `{errCode, errMsg, data}` (no errDlt). Tokens carry `UID`/`Platform`.
 *
 * Routes: `/auth/user_token`, `/auth/parse_token`, `/msg/manage_send_msg` (the send runs through the
 * v3.8 pipeline after translation; text is `content.text`), `/auth/user_register`,
 * `/user/get_users_info`, `/user/account_check`, `/user/get_all_users_uid`,
 * `/user/get_users_online_status`, `/group/get_group_all_member_list`, `/group/get_groups_info`,
 * `/group/get_joined_group_list`. Everything else is 404.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

import { ErrCode, PlatformID } from '../openim/constants';
import { SEND_CONTENT_TYPES } from './content';
import { parseJson, TEXT_REQUIRED, textToContent } from './generations';
import { decodeInto, GoJsonError, parseGoJson } from './gojson';
import { ApiError, validatorError, type RouteContext, type RouteHandler, type SandboxState } from './http';
import { groupInfo } from './routes/group';
import { RoleLevel } from './store';
import type { SandboxGroup, SandboxUser } from './types';

export const V2Path = {
	Login: '/auth/user_token',
	SessionParse: '/auth/parse_token',
	ManageSendMsg: '/msg/manage_send_msg',
	UserRegister: '/auth/user_register',
	GetUsersInfo: '/user/get_users_info',
	AccountCheck: '/user/account_check',
	GetAllUsersUid: '/user/get_all_users_uid',
	GetUsersOnlineStatus: '/user/get_users_online_status',
	GetGroupAllMemberList: '/group/get_group_all_member_list',
	GetGroupsInfo: '/group/get_groups_info',
	GetJoinedGroupList: '/group/get_joined_group_list',
} as const;

export interface V2Answer {
	status: number;
	/** gin.H answers are maps: encoding/json writes their keys sorted (`MsgID` first). */
	envelope: { errCode: number; errMsg: string; data?: unknown; [key: string]: unknown };
}

export const v2Error = (status: number, errCode: number, errMsg: string): V2Answer => ({ status, envelope: { errCode, errMsg } });
export const ok = (data: unknown): V2Answer => ({ status: 200, envelope: { errCode: 0, errMsg: '', data } });
/** An RPC CommonResp error: HTTP 200, the API still writes its (empty) list as `data: []`. */
export const rpcError = (errCode: number, errMsg: string): V2Answer => ({ status: 200, envelope: { errCode, errMsg, data: [] } });

/** constant.ErrAccess / ErrDB / ErrArgs (pkg/common/constant/error.go). */
export const ErrAccess = { code: 801, msg: 'no permission' };
export const ErrDB = { code: 802, msg: 'db failed' };
const ErrArgs = { code: 803, msg: 'args failed' };

/** constant.PlatformID2Name: v2 knows platforms 1–9 only (there is no admin platform). */
export const PLATFORM_NAMES: Record<number, string> = {
	1: 'IOS',
	2: 'Android',
	3: 'Windows',
	4: 'OSX',
	5: 'Web',
	6: 'MiniWeb',
	7: 'Linux',
	8: 'APad',
	9: 'IPad',
};

/* ---------- tokens ---------- */

function b64url(data: string | Buffer): string {
	return Buffer.from(data).toString('base64url');
}

/** v2 claims: `UID`, `Platform` (the platform name), `exp`, `nbf`, `iat`. */
export function signV2Token(
	userID: string,
	lifetimeSeconds: number,
	secret: string,
	nowMs = Date.now(),
	platform = 'Admin',
): string {
	const now = Math.floor(nowMs / 1000);
	const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
	const payload = b64url(JSON.stringify({ UID: userID, Platform: platform, exp: now + lifetimeSeconds, nbf: now, iat: now }));
	const input = `${header}.${payload}`;
	return `${input}.${b64url(createHmac('sha256', secret).update(input).digest())}`;
}

/** The UID of a valid v2 token, or the reason it is not valid. */
export function verifyV2Token(token: string, secret: string): { uid: string } | { reason: string } {
	const parts = token.split('.');
	if (parts.length !== 3) return { reason: 'token malformed' };
	const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
	const given = Buffer.from(parts[2], 'base64url');
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { reason: 'signature is invalid' };
	const claims = parseJson(Buffer.from(parts[1], 'base64url').toString('utf8'));
	if (!claims || typeof claims.UID !== 'string') return { reason: 'token malformed' };
	if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return { reason: 'token is expired' };
	return { uid: claims.UID };
}

/** A valid token's UID, or why not (expireTokens(): v2 tokens are not in the registry, an expireAll() cut-off catches them all). */
export function tokenUID(state: SandboxState, token: string): { uid: string } | { reason: string } {
	const verified = verifyV2Token(token, state.config.secret);
	if ('uid' in verified && state.tokens.isExpiredByServer(token)) return { reason: 'token is expired' };
	return verified;
}

/**
 * token_verify.GetUserIDFromToken as the handlers report it: errCode 500, HTTP 400 from v2.2.0
 * (HTTP 500 before, `status`), `what` names the token function in the text.
 */
export function checkToken(
	state: SandboxState,
	token: string,
	operationID: string,
	status = 400,
	what = 'GetUserIDFromToken',
): { uid: string } | V2Answer {
	const verified = tokenUID(state, token);
	if ('reason' in verified) return v2Error(status, 500, `${operationID} ${what} failed ${verified.reason} token:${token}`);
	return verified;
}

/* ---------- gin BindJSON: json.Decoder + go-playground/validator `binding` tags ---------- */

interface BoundField {
	/** JSON key (the decoded object's property). */
	json: string;
	/** Validator namespace below the struct, e.g. `ApiUserInfo.UserID`. */
	ns: string;
	/** The `binding` tag, e.g. `required,min=1,max=64`. */
	binding: string;
}

export interface BindSpec {
	/** Go type, e.g. `base_info.GetUsersInfoReq`. */
	goName: string;
	schema: z.ZodType;
	/** Fields with a `binding` tag, in struct order (the validator's order). */
	fields: BoundField[];
	/** Text UserRegister/UserToken put before the bind error. */
	errPrefix?: string;
}

function isZero(v: unknown): boolean {
	return v === null || v === undefined || v === '' || v === 0 || v === false;
}

/** len() for min/max/lte: runes of a string, elements of a slice, the value of a number. */
function measure(v: unknown): number {
	if (typeof v === 'string') return [...v].length;
	if (Array.isArray(v)) return v.length;
	return typeof v === 'number' ? v : 0;
}

/** The first failing tag of one field, validator-style (`min`, not `min=1`), or undefined. */
function failingTag(value: unknown, binding: string): string | undefined {
	const tags = binding.split(',');
	if (tags.includes('omitempty') && isZero(value)) return undefined;
	for (const tag of tags) {
		const [name, param] = tag.split('=');
		if (name === 'required' && isZero(value)) return name;
		if (value === null) continue; // a nil slice has nothing to measure
		if (name === 'min' && measure(value) < Number(param)) return name;
		if ((name === 'max' || name === 'lte') && measure(value) > Number(param)) return name;
		if (name === 'oneof' && !param.split(' ').includes(String(value))) return name;
	}
	return undefined;
}

export function bind<T>(raw: string, spec: BindSpec): T | V2Answer {
	const prefix = spec.errPrefix ?? '';
	let req: Record<string, unknown>;
	try {
		req = decodeInto<Record<string, unknown>>(parseGoJson(raw, 'decoder'), spec);
	} catch (e) {
		if (e instanceof GoJsonError) return v2Error(400, 400, prefix + e.message);
		throw e;
	}
	const struct = spec.goName.split('.').pop() ?? spec.goName;
	const problems: string[] = [];
	for (const f of spec.fields) {
		const tag = failingTag(req[f.json], f.binding);
		if (tag) problems.push(validatorError(`${struct}.${f.ns}`, f.ns.split('.').pop() ?? f.ns, tag));
	}
	if (problems.length) return v2Error(400, 400, prefix + problems.join('\n'));
	return req as T;
}

function jsonKind(v: unknown): string {
	if (Array.isArray(v)) return 'array';
	if (typeof v === 'boolean') return 'bool';
	return typeof v; // string or object (null never gets here)
}

export const isAnswer = (v: unknown): v is V2Answer => typeof v === 'object' && v !== null && 'envelope' in v;

export const OP_ID: BoundField = { json: 'operationID', ns: 'OperationID', binding: 'required' };
export const ids = z.array(z.string()).nullable();

/* ---------- JSON the way v2 writes it ---------- */

/**
 * internal/utils.JsonDataList: jsonpb with EmitDefaults false (zero values dropped), read back into a
 * map[string]interface{} and written by encoding/json, so keys come out sorted.
 */
function pbMap(fields: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const k of Object.keys(fields).sort()) if (!isZero(fields[k])) out[k] = fields[k];
	return out;
}

export const seconds = (ms: number) => Math.floor(ms / 1000);

/** sdk_ws.GroupInfo (v2: 1 is a super group, 2 a working group; times in seconds); `fields`: an older, shorter struct. */
function groupInfoV2(g: SandboxGroup, fields?: readonly string[]): Record<string, unknown> {
	// The v3 GroupInfo with v2's times in seconds.
	const info: Record<string, unknown> = {
		...groupInfo(g),
		createTime: seconds(g.createTime),
		notificationUpdateTime: seconds(g.notificationUpdateTime),
	};
	if (fields) for (const k of Object.keys(info)) if (!fields.includes(k)) delete info[k];
	return pbMap(info);
}

/** constant.SuperGroup / GroupStatusDismissed in v2. */
const V2_SUPER_GROUP = 1;
const V2_GROUP_DISMISSED = 2;

/** v2 roleLevel: 1 ordinary, 2 owner, 3 admin. */
function roleLevelV2(level: number): number {
	if (level === RoleLevel.Owner) return 2;
	if (level === RoleLevel.Admin) return 3;
	return 1;
}

/* ---------- routes ---------- */

export interface V2Call {
	state: SandboxState;
	body: string;
	token: string;
	sendV3: RouteHandler;
	/** HTTP status of a token error in the look-ups: 400 from v2.2.0, 500 before. */
	tokenErrorStatus: number;
}

export type V2Route = (call: V2Call) => V2Answer | Promise<V2Answer>;

/** One v2 generation: its routes (everything else 404) and how its look-ups report a bad token. */
export interface V2Table {
	routes: Readonly<Record<string, V2Route>>;
	tokenErrorStatus: number;
}

/** A token-checked route: bind → token → handler (the order of every v2 gin handler). */
export function withToken<T extends { operationID: string }>(
	spec: BindSpec,
	handler: (req: T, uid: string, state: SandboxState) => V2Answer,
): V2Route {
	return ({ state, body, token, tokenErrorStatus }) => {
		const req = bind<T>(body, spec);
		if (isAnswer(req)) return req;
		const checked = checkToken(state, token, req.operationID, tokenErrorStatus);
		if ('envelope' in checked) return checked;
		return handler(req, checked.uid, state);
	};
}

export const isAdmin = (state: SandboxState, uid: string) => state.config.adminUserIDs.includes(uid);

/**
 * /user/get_users_info (api user.GetUsersPublicInfo, rpc user GetUserInfo): any token; unknown IDs
 * skipped, duplicates repeated; an empty list is the RPC's ErrArgs.
 */
export const getUsersInfo = withToken<{ operationID: string; userIDList: string[] }>(
	{
		goName: 'base_info.GetUsersInfoReq',
		schema: z.object({ operationID: z.string(), userIDList: ids }),
		fields: [OP_ID, { json: 'userIDList', ns: 'UserIDList', binding: 'required' }],
	},
	(req, _uid, { store }) => {
		if (req.userIDList.length === 0) return rpcError(ErrArgs.code, ErrArgs.msg);
		const found = req.userIDList.flatMap((id) => {
			const u = store.users.get(id);
			return u ? [pbMap({ userID: u.userID, nickname: u.nickname, faceURL: u.faceURL, ex: u.ex })] : [];
		});
		return ok(found);
	},
);

/** /user/account_check (api manage.AccountCheck, rpc user AccountCheck): appManager only. */
export const accountCheck = withToken<{ operationID: string; checkUserIDList: string[] }>(
	{
		goName: 'base_info.AccountCheckReq',
		schema: z.object({ operationID: z.string(), checkUserIDList: ids }),
		fields: [OP_ID, { json: 'checkUserIDList', ns: 'CheckUserIDList', binding: 'required,lte=100' }],
	},
	(req, uid, state) => {
		if (!isAdmin(state, uid)) return rpcError(ErrAccess.code, ErrAccess.msg);
		return ok(
			req.checkUserIDList.map((userID) => ({
				userID: userID || undefined, // omitempty
				accountStatus: state.store.users.has(userID) ? 'registered' : 'unregistered',
			})),
		);
	},
);

/** /user/get_all_users_uid (api manage.GetAllUsersUid, rpc user GetAllUserID): appManager only. */
export const getAllUsersUid = withToken<{ operationID: string }>(
	{ goName: 'base_info.GetAllUsersUidReq', schema: z.object({ operationID: z.string() }), fields: [OP_ID] },
	(_req, uid, state) => {
		if (!isAdmin(state, uid)) return rpcError(ErrAccess.code, ErrAccess.msg);
		// SELECT user_id FROM users: the primary key's order.
		return ok([...state.store.users.keys()].sort());
	},
);

/**
 * /user/get_users_online_status (api user.GetUsersOnlineStatus): any token (the API asks the gateways
 * as appManagerUid[0]); one entry per requested ID, unknown users are simply offline.
 * `asCaller`: v2.0–v2.1's manage.GetUsersOnlineStatus asks as the caller instead; the gateways refuse
 * a non-admin and the API ignores the refusal, so everyone is offline (errCode 0).
 */
export const usersOnlineStatus = (asCaller = false) =>
	withToken<{ operationID: string; userIDList: string[] }>(
		{
			goName: 'base_info.GetUsersOnlineStatusReq',
			schema: z.object({ operationID: z.string(), userIDList: ids }),
			fields: [OP_ID, { json: 'userIDList', ns: 'UserIDList', binding: 'required,lte=200' }],
		},
		(req, uid, state) =>
			ok(
				req.userIDList.map((userID) => {
					const conns = asCaller && !isAdmin(state, uid) ? [] : (state.store.online.get(userID) ?? []);
					if (conns.length === 0) return { userID: userID || undefined, status: 'offline' };
					return {
						userID: userID || undefined,
						status: 'online',
						detailPlatformStatus: conns.map((c) => ({ platform: PLATFORM_NAMES[c.platformID], status: 'online' })),
					};
				}),
			),
	);

/**
 * /group/get_group_all_member_list (rpc group GetGroupAllMember): any token, no membership check;
 * unknown group → 802; a super group has no members here; count 0 → up to 1000 from offset.
 * `paged` false: v2.0–v2.1's request has no offset/count (ignored like any unknown key): all members.
 */
export const groupAllMemberList = (paged = true) =>
	withToken<{ operationID: string; groupID: string; offset?: number; count?: number }>(
		{
			goName: 'base_info.GetGroupAllMemberReq',
			schema: z.object({
				groupID: z.string(),
				operationID: z.string(),
				...(paged ? { offset: z.number(), count: z.number() } : {}),
			}),
			fields: [{ json: 'groupID', ns: 'GroupID', binding: 'required' }, OP_ID],
		},
		(req, _uid, state) => memberList(state, req.groupID, req.offset ?? 0, paged ? (req.count ?? 0) : Infinity),
	);

function memberList(state: SandboxState, groupID: string, offset: number, count: number): V2Answer {
	const group = state.store.groups.get(groupID);
	if (!group) return rpcError(ErrDB.code, ErrDB.msg);
	if (group.groupType === V2_SUPER_GROUP || count < 0 || offset < 0) return ok([]);
	const page = group.members.slice(offset, offset + (count !== 0 ? count : 1000));
	return ok(
		page.map((m) => {
			const user: SandboxUser | undefined = state.store.users.get(m.userID);
			return pbMap({
				groupID: group.groupID,
				userID: m.userID,
				roleLevel: roleLevelV2(m.roleLevel),
				joinTime: seconds(m.joinTime),
				nickname: user?.nickname ?? '',
				faceURL: user?.faceURL ?? '',
				// GroupMemberDBCopyOpenIM marks app managers with 1.
				appMangerLevel: isAdmin(state, m.userID) ? 1 : 0,
			});
		}),
	);
}

/** /group/get_groups_info (rpc group GetGroupsInfo): any token; unknown IDs skipped. `fields`: GroupInfo's keys. */
export const groupsInfo = (fields?: readonly string[]) =>
	withToken<{ operationID: string; groupIDList: string[] }>(
		{
			goName: 'base_info.GetGroupInfoReq',
			schema: z.object({ groupIDList: ids, operationID: z.string() }),
			fields: [{ json: 'groupIDList', ns: 'GroupIDList', binding: 'required' }, OP_ID],
		},
		(req, _uid, { store }) =>
			ok(
				req.groupIDList.flatMap((id) => {
					const g = store.groups.get(id);
					return g ? [groupInfoV2(g, fields)] : [];
				}),
			),
	);

/**
 * /group/get_joined_group_list (rpc group GetJoinedGroupList): the user themself or an appManager
 * (token_verify.CheckAccess) → 801 otherwise; super groups and dismissed groups are left out
 * (dismissing deletes the member rows). `fields`: GroupInfo's keys.
 */
export const joinedGroupList = (fields?: readonly string[]) =>
	withToken<{ operationID: string; fromUserID: string }>(
		{
			goName: 'base_info.GetJoinedGroupListReq',
			schema: z.object({ operationID: z.string(), fromUserID: z.string() }),
			fields: [OP_ID, { json: 'fromUserID', ns: 'FromUserID', binding: 'required' }],
		},
		(req, uid, state) => {
			if (uid !== req.fromUserID && !isAdmin(state, uid)) return rpcError(ErrAccess.code, ErrAccess.msg);
			const joined = [...state.store.groups.values()].filter(
				(g) =>
					g.groupType !== V2_SUPER_GROUP &&
					g.status !== V2_GROUP_DISMISSED &&
					g.members.some((m) => m.userID === req.fromUserID),
			);
			return ok(joined.map((g) => groupInfoV2(g, fields)));
		},
	);

interface UserRegisterReq {
	secret: string;
	platform: number;
	userID: string;
	nickname: string;
	faceURL: string;
	gender: number;
	birth: unknown;
	ex: string;
	operationID: string;
}

/**
 * /auth/user_register (api auth.UserRegister): no token, the secret decides; an existing userID is the
 * MySQL duplicate-key error (HTTP 500). Success registers and logs the user in on `platform`.
 */
export function userRegister({ state, body }: V2Call): V2Answer {
	const req = bind<UserRegisterReq>(body, {
		goName: 'base_info.UserRegisterReq',
		schema: z.object({
			secret: z.string(),
			platform: z.number(),
			userID: z.string(),
			nickname: z.string(),
			faceURL: z.string(),
			gender: z.number(),
			phoneNumber: z.string(),
			birth: z.unknown(),
			email: z.string(),
			createTime: z.number(),
			loginLimit: z.number(),
			ex: z.string(),
			operationID: z.string(),
		}),
		fields: [
			{ json: 'secret', ns: 'Secret', binding: 'required,max=32' },
			{ json: 'platform', ns: 'Platform', binding: 'required,min=1,max=7' },
			{ json: 'userID', ns: 'ApiUserInfo.UserID', binding: 'required,min=1,max=64' },
			{ json: 'nickname', ns: 'ApiUserInfo.Nickname', binding: 'omitempty,min=1,max=64' },
			{ json: 'faceURL', ns: 'ApiUserInfo.FaceURL', binding: 'omitempty,max=1024' },
			{ json: 'gender', ns: 'ApiUserInfo.Gender', binding: 'omitempty,oneof=0 1 2' },
			{ json: 'phoneNumber', ns: 'ApiUserInfo.PhoneNumber', binding: 'omitempty,max=32' },
			{ json: 'email', ns: 'ApiUserInfo.Email', binding: 'omitempty,max=64' },
			{ json: 'ex', ns: 'ApiUserInfo.Ex', binding: 'omitempty,max=1024' },
			OP_ID,
		],
		errPrefix: ' BindJSON failed ',
	});
	if (isAnswer(req)) return req;
	// birth is a uint32 (the zod-driven decoder knows int32/int64 only).
	const { birth } = req;
	if (birth !== null && birth !== undefined) {
		if (typeof birth !== 'number' || !Number.isInteger(birth) || birth < 0 || birth >= 2 ** 32) {
			const what = typeof birth === 'number' ? `number ${birth}` : jsonKind(birth);
			return v2Error(400, 400, ` BindJSON failed json: cannot unmarshal ${what} into Go struct field UserRegisterReq.birth of type uint32`);
		}
	}
	const { config, store, stats } = state;
	if (req.secret !== config.secret) return v2Error(400, 401, ' params.Secret != config.Config.Secret ');
	if (store.users.has(req.userID)) {
		const op = req.operationID;
		return v2Error(
			500,
			500,
			`${op}  UserRegister failed ${op} imdb.UserRegister failed Error 1062: Duplicate entry '${req.userID}' for key 'PRIMARY'${req.userID}` +
				`userInfo:<userID:${JSON.stringify(req.userID)} > operationID:${JSON.stringify(op)} `,
		);
	}
	// imdb.UserRegister: appMangerLevel 0 becomes AppOrdinaryUsers (1).
	store.upsertUser({ userID: req.userID, nickname: req.nickname, faceURL: req.faceURL, ex: req.ex, appMangerLevel: 1 });
	const nowMs = Date.now();
	const token = signV2Token(req.userID, config.tokenLifetimeSeconds, config.secret, nowMs, PLATFORM_NAMES[req.platform]);
	state.tokens.track(token);
	stats.tokenIssued();
	// expiredTime: token_verify.CreateToken returns the absolute expiry (unix seconds).
	return ok({ userID: req.userID, token, expiredTime: seconds(nowMs) + config.tokenLifetimeSeconds });
}

/* ---------- the first three routes (login, parse, admin send) ---------- */

/** Body parse and operationID check shared by the three original routes. */
function legacyBody(rawBody: string): { req: Record<string, unknown>; operationID: string } | V2Answer {
	const req = parseJson(rawBody);
	if (!req) return v2Error(400, 400, 'invalid character in JSON body');
	const operationID = typeof req.operationID === 'string' ? req.operationID : '';
	if (!operationID) return v2Error(400, 400, "Key: 'OperationID' Error:Field validation for 'OperationID' failed on the 'required' tag");
	return { req, operationID };
}

/**
 * /auth/user_token (api auth.UserToken): `platform` 1–maxPlatform (v2 has no admin platform 10); up to
 * v2.2 the RPC looks the user up first, and an unknown user is 802 with HTTP 200 and an empty token.
 * expiredTime is the absolute expiry in unix seconds (token_verify.CreateToken).
 */
export function userTokenRoute({
	maxPlatform,
	namedPlatforms = maxPlatform,
	userMustExist,
}: {
	maxPlatform: number;
	/** Platforms PlatformID2Name knows (the token's `Platform` claim); higher ones get ''. */
	namedPlatforms?: number;
	userMustExist: boolean;
}): V2Route {
	return ({ state, body }) => {
		const req = bind<{ secret: string; platform: number; userID: string; operationID: string }>(body, {
			goName: 'base_info.UserTokenReq',
			schema: z.object({ secret: z.string(), platform: z.number(), userID: z.string(), operationID: z.string() }),
			fields: [
				{ json: 'secret', ns: 'Secret', binding: 'required,max=32' },
				{ json: 'platform', ns: 'Platform', binding: `required,min=1,max=${maxPlatform}` },
				{ json: 'userID', ns: 'UserID', binding: 'required,min=1,max=64' },
				OP_ID,
			],
			errPrefix: ' BindJSON failed ',
		});
		if (isAnswer(req)) return req;
		const { config, store, stats, tokens } = state;
		const op = req.operationID;
		if (req.secret !== config.secret) return v2Error(400, 401, `${op} params.Secret != config.Config.Secret `);
		// App managers are inserted into the users table at start-up (im_mysql_model/user_model.go init()).
		if (userMustExist && !store.users.has(req.userID) && !isAdmin(state, req.userID)) {
			return {
				status: 200,
				envelope: {
					errCode: ErrDB.code,
					errMsg: `${op} imdb.GetUserByUserID failed record not found${req.userID}`,
					data: { userID: req.userID, token: '', expiredTime: 0 },
				},
			};
		}
		const nowMs = Date.now();
		const platform = req.platform <= namedPlatforms ? PLATFORM_NAMES[req.platform] : '';
		const issued = signV2Token(req.userID, config.tokenLifetimeSeconds, config.secret, nowMs, platform);
		tokens.track(issued);
		stats.tokenIssued();
		return ok({ userID: req.userID, token: issued, expiredTime: seconds(nowMs) + config.tokenLifetimeSeconds });
	};
}

function parseToken({ state, body }: V2Call): V2Answer {
	const parsed = legacyBody(body);
	if (isAnswer(parsed)) return parsed;
	const { req, operationID } = parsed;
	const checked = checkToken(state, typeof req.token === 'string' ? req.token : '', operationID);
	if ('envelope' in checked) return checked;
	return ok({ userID: checked.uid, platform: 'Admin' });
}

async function manageSendMsg({ state, body, token, sendV3 }: V2Call): Promise<V2Answer> {
	const parsed = legacyBody(body);
	if (isAnswer(parsed)) return parsed;
	const { req, operationID } = parsed;
	// v2.3.3 ManagementSendMsg: the contentType switch (AtText commented out) runs before the token check.
	if (typeof req.contentType !== 'number' || !SEND_CONTENT_TYPES.v2.includes(req.contentType)) {
		return v2Error(400, 404, 'contentType err');
	}
	const checked = checkToken(state, token, operationID);
	if ('envelope' in checked) return checked;
	if (!isAdmin(state, checked.uid)) return v2Error(400, 403, 'not appManager');
	const sessionType = req.contentType === 1400 ? V2Session.Notification : v3SessionType(state, req.sessionType, req.groupID);
	if (isAnswer(sessionType)) return sessionType;
	const sent = await sendThroughV3({ state, token, sendV3 }, V2Path.ManageSendMsg, checked.uid, operationID, { ...req, sessionType });
	return isAnswer(sent) ? sent : ok(userSendMsgResp(sent));
}

/** sdk_ws.UserSendMsgResp as v2 writes it (encoding/json, omitempty, struct order): no `modify`. */
export function userSendMsgResp(sent: Record<string, unknown>): Record<string, unknown> {
	const data: Record<string, unknown> = {};
	for (const key of ['serverMsgID', 'clientMsgID', 'sendTime']) if (sent[key]) data[key] = sent[key];
	return data;
}

/** v2 session types: 1 single, 2 group, 3 super group, 4 notification (v3 calls a group 3). */
export const V2Session = { Single: 1, Group: 2, SuperGroup: 3, Notification: 4 } as const;

/**
 * v2's sessionType as the v3 pipeline knows it, or the refusal: 3 is v2's super group chat, which on
 * an ordinary group OpenIM v2 answers with errCode 0 and delivers to nobody; the sandbox says so.
 */
export function v3SessionType(state: SandboxState, sessionType: unknown, groupID: unknown): number | V2Answer {
	if (sessionType === V2Session.Group) return 3;
	if (sessionType === V2Session.SuperGroup && state.store.groups.get(String(groupID ?? ''))?.groupType !== V2_SUPER_GROUP) {
		return v2Error(
			400,
			400,
			`sandbox: sessionType 3 is v2's super group chat and ${JSON.stringify(groupID ?? '')} is not a super group ` +
				'(OpenIM v2 answers errCode 0 and delivers it to nobody); send group messages with sessionType 2',
		);
	}
	return typeof sessionType === 'number' ? sessionType : 0;
}

/**
 * The v2 send body (text under `content.text`) translated and run through the v3.8 send_msg
 * pipeline (storage, inboxes, stats, recorded as arriving `via` the v2 route): its data, or its
 * error in v2's shape.
 */
export async function sendThroughV3(
	{ state, token, sendV3 }: Pick<V2Call, 'state' | 'token' | 'sendV3'>,
	via: string,
	uid: string,
	operationID: string,
	req: Record<string, unknown>,
): Promise<Record<string, unknown> | V2Answer> {
	let translated: Record<string, unknown>;
	try {
		const { operationID: _op, ...rest } = req;
		void _op;
		translated = textToContent(rest, () => {
			throw new ApiError(ErrCode.Args, TEXT_REQUIRED, 400);
		});
	} catch (e) {
		return v2Error(400, 400, (e as ApiError).errDlt);
	}
	const ctx: RouteContext = {
		path: via,
		body: JSON.stringify(translated),
		operationID,
		state,
		auth: { userID: uid, platformID: PlatformID.Admin, token, isAdmin: true },
	};
	try {
		return (await sendV3(ctx)).data as Record<string, unknown>;
	} catch (e) {
		if (!(e instanceof ApiError)) throw e;
		return v2ErrorFor(e);
	}
}

/** v3 errors of the shared pipeline in v2's ad-hoc shape (§8 "Errors"). */
export function v2ErrorFor(e: ApiError): V2Answer {
	const text = e.errDlt || e.errMsg;
	switch (e.errCode) {
		case ErrCode.Args:
			return v2Error(400, 400, text);
		case ErrCode.NoPermission:
			return v2Error(400, 403, text);
		case ErrCode.RecordNotFound:
		case ErrCode.UserIDNotFound:
		case ErrCode.GroupIDNotFound:
			return v2Error(400, 404, text);
		default:
			return v2Error(500, 500, text);
	}
}

const V2_ROUTES: Record<string, V2Route> = {
	// v2.3.3: platform 1–9, no user look-up.
	[V2Path.Login]: userTokenRoute({ maxPlatform: 9, userMustExist: false }),
	[V2Path.SessionParse]: parseToken,
	[V2Path.ManageSendMsg]: manageSendMsg,
	[V2Path.UserRegister]: userRegister,
	[V2Path.GetUsersInfo]: getUsersInfo,
	[V2Path.AccountCheck]: accountCheck,
	[V2Path.GetAllUsersUid]: getAllUsersUid,
	[V2Path.GetUsersOnlineStatus]: usersOnlineStatus(),
	[V2Path.GetGroupAllMemberList]: groupAllMemberList(),
	[V2Path.GetGroupsInfo]: groupsInfo(),
	[V2Path.GetJoinedGroupList]: joinedGroupList(),
};

/** v2.2+ (v2.3.3). The v2.0 table (sandbox/v20.ts) is a variation of it. */
export const V2_TABLE: V2Table = { routes: V2_ROUTES, tokenErrorStatus: 400 };

/** One v2 request. `sendV3` is the v3.8 send_msg handler the translated admin send runs through. */
export async function handleV2(
	state: SandboxState,
	path: string,
	rawBody: string,
	token: string,
	sendV3: RouteHandler,
	table: V2Table = V2_TABLE,
): Promise<V2Answer | 'not-found'> {
	const route = Object.prototype.hasOwnProperty.call(table.routes, path) ? table.routes[path] : undefined;
	if (!route) return 'not-found';
	return route({ state, body: rawBody, token, sendV3, tokenErrorStatus: table.tokenErrorStatus });
}
