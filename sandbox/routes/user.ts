/**
 * /user/* (openim-api.md §3.2, §4). Check() texts come from the protocol's user.go; the rest from
 * the user RPC of the 3.8.x line.
 */
import { randomInt } from 'node:crypto';

import { AppManagerLevel, ErrCode, OnlineStatus } from '../../openim/constants';
import * as wire from '../../openim/wire';
import {
	a2rBody,
	ApiError,
	argsError,
	bindJSON,
	paginate,
	paginationProblem,
	requireAdmin,
	requireAuth,
	type RouteContext,
	type RouteTable,
} from '../http';
import { OpenImPath } from '../paths';
import type { SandboxUser } from '../types';

/** accountStatus values (constant.Registered / UnRegistered). */
const Registered = 1;
const UnRegistered = 0;

/**
 * protocol util/datautil.IsLegalUserID: every rune unicode.IsLetter (L) or unicode.IsDigit (Nd) or `_`, so
 * `张三`, `Jürgen` and `٣` pass and `a-b`, `a:b`, `a b` do not. The empty string passes too (the RPC refuses it).
 */
const LEGAL_USER_ID = /^[\p{L}\p{Nd}_]*$/u;

function userInfo(u: SandboxUser): wire.UserInfo {
	return {
		userID: u.userID,
		nickname: u.nickname,
		faceURL: u.faceURL,
		ex: u.ex,
		createTime: u.createTime,
		appMangerLevel: u.appMangerLevel,
		globalRecvMsgOpt: u.globalRecvMsgOpt,
	};
}

function hasDuplicates(ids: string[]): boolean {
	return new Set(ids).size !== ids.length;
}

function accountCheck(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'user.AccountCheckReq', schema: wire.AccountCheckReq }, (r) =>
		r.checkUserIDs === null ? 'CheckUserIDs is empty' : undefined,
	);
	// The RPC checks duplicates before the admin check.
	if (hasDuplicates(req.checkUserIDs)) throw argsError('userID repeated');
	requireAdmin(ctx);
	const { users } = ctx.state.store;
	const results = req.checkUserIDs.map((userID) => ({
		userID,
		accountStatus: users.has(userID) ? Registered : UnRegistered,
	}));
	return { data: { results: results.length ? results : null } };
}

function getUsersInfo(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'user.GetDesignateUsersReq', schema: wire.GetUsersInfoReq }, (r) =>
		r.userIDs === null ? 'UserIDs is empty' : undefined,
	);
	requireAuth(ctx);
	const { users } = ctx.state.store;
	// Unknown IDs are simply absent (§4).
	const found = [...new Set(req.userIDs)].flatMap((id) => {
		const u = users.get(id);
		return u ? [userInfo(u)] : [];
	});
	return { data: { usersInfo: found } };
}

function userRegister(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'user.UserRegisterReq', schema: wire.UserRegisterReq }, (r) => {
		// UserRegisterReq.Check(): "userID is legal" really means illegal (§4).
		if (r.users === null) return 'users are empty';
		for (const u of r.users) {
			if (u === null) return 'user is empty';
			if (!LEGAL_USER_ID.test(u.userID)) return 'userID is legal';
		}
		if (r.users.some((u) => u.nickname === '')) return 'user name is empty';
		return undefined;
	});
	if (req.users.length === 0) throw argsError('users is empty');
	requireAdmin(ctx);
	if (hasDuplicates(req.users.map((u) => u.userID))) throw argsError('userID repeated');
	// The RPC's own loop (the `:` check after it cannot fail once IsLegalUserID passed).
	if (req.users.some((u) => u.userID === '')) throw argsError('userID is empty');
	const { store } = ctx.state;
	// Any existing ID fails the whole request and nothing is created.
	if (req.users.some((u) => store.users.has(u.userID))) {
		throw new ApiError(ErrCode.RegisteredAlready, 'userID registered already');
	}
	const now = Date.now();
	for (const u of req.users) {
		store.upsertUser(
			{
				userID: u.userID,
				nickname: u.nickname,
				faceURL: u.faceURL ?? '',
				ex: u.ex ?? '',
				appMangerLevel: u.appMangerLevel ?? 0,
				globalRecvMsgOpt: u.globalRecvMsgOpt ?? 0,
			},
			now,
		);
	}
	return {};
}

function getUsers(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'user.GetPaginationUsersReq', schema: wire.GetUsersReq }, (r) =>
		paginationProblem(r.pagination),
	);
	requireAuth(ctx);
	// Only ordinary users: appMangerLevel 0 (IMOrdinaryUser) or 1 (AppOrdinaryUsers).
	let list = [...ctx.state.store.users.values()].filter((u) => u.appMangerLevel === 0 || u.appMangerLevel === 1);
	if (req.userID || req.nickName) {
		// PageFindUserWithKeyword: a regex match on userID or nickname.
		list = list.filter(
			(u) => (req.userID && u.userID.includes(req.userID)) || (req.nickName && u.nickname.includes(req.nickName)),
		);
	}
	return { data: { total: list.length, users: paginate(list, req.pagination).map(userInfo) } };
}

function getAllUsersUid(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'user.GetAllUserIDReq', schema: wire.GetAllUsersUidReq }, (r) =>
		paginationProblem(r.pagination),
	);
	requireAuth(ctx);
	const ids = [...ctx.state.store.users.keys()];
	return { data: { total: ids.length, userIDs: paginate(ids, req.pagination) } };
}

/** genUserID: 10 digits, the first one non-zero. */
function genUserID(taken: (id: string) => boolean): string {
	for (let i = 0; i < 20; i++) {
		let id = String(randomInt(1, 10));
		while (id.length < 10) id += String(randomInt(0, 10));
		if (!taken(id)) return id;
	}
	throw new ApiError(ErrCode.ServerInternal, 'gen user id failed');
}

function addNotificationAccount(ctx: RouteContext) {
	const req = a2rBody(
		ctx,
		{ goName: 'user.AddNotificationAccountReq', schema: wire.AddNotificationAccountReq },
		(r) => (r.nickName === '' ? 'nickName is empty' : undefined),
	);
	requireAdmin(ctx);
	if (req.appMangerLevel < AppManagerLevel.AppNotificationAdmin) throw argsError('app level not supported');
	const { store } = ctx.state;
	let userID = req.userID ?? '';
	if (userID === '') userID = genUserID((id) => store.users.has(id));
	else if (store.users.has(userID)) throw argsError('userID is used');
	const user = store.upsertUser({
		userID,
		nickname: req.nickName,
		faceURL: req.faceURL ?? '',
		appMangerLevel: req.appMangerLevel,
	});
	return {
		data: { userID: user.userID, nickName: user.nickname, faceURL: user.faceURL, appMangerLevel: user.appMangerLevel },
	};
}

function updateNotificationAccount(ctx: RouteContext) {
	const req = a2rBody(
		ctx,
		{ goName: 'user.UpdateNotificationAccountInfoReq', schema: wire.UpdateNotificationAccountReq },
		(r) => {
			if (r.userID === '') return 'userID is empty';
			if (!r.faceURL && !r.nickName) return 'faceURL and nickName is empty at the same';
			return undefined;
		},
	);
	requireAdmin(ctx);
	const { store } = ctx.state;
	// FindWithError failure becomes a bare ErrArgs (no detail).
	if (!store.users.has(req.userID)) throw argsError('');
	store.upsertUser({
		userID: req.userID,
		...(req.nickName ? { nickname: req.nickName } : {}),
		...(req.faceURL ? { faceURL: req.faceURL } : {}),
	});
	return {};
}

/**
 * SearchNotificationAccount (3.8.3 internal/rpc/user/user.go; the same in 3.8.3-patch.16): admin only. The
 * request's `appManagerLevel` is read by nobody. A keyword finds the account whose userID is exactly the
 * keyword, else those whose nickname is exactly it (levels ≥ 3); no keyword lists the level-3 accounts.
 */
function searchNotificationAccount(ctx: RouteContext) {
	const req = a2rBody(
		ctx,
		{ goName: 'user.SearchNotificationAccountReq', schema: wire.SearchNotificationAccountReq },
		(r) => paginationProblem(r.pagination),
	);
	requireAdmin(ctx);
	const { store, config } = ctx.state;
	const all = [...store.users.values()];
	// userModelToResp: notification/robot accounts (≥ 3), never the imAdmin users.
	const toResp = (users: SandboxUser[]) => {
		const accounts = users
			.filter((u) => u.appMangerLevel >= AppManagerLevel.AppNotificationAdmin)
			.filter((u) => !config.adminUserIDs.includes(u.userID))
			.map((u) => ({ userID: u.userID, faceURL: u.faceURL, nickName: u.nickname, appMangerLevel: u.appMangerLevel }));
		return { total: accounts.length, notificationAccounts: paginate(accounts, req.pagination) };
	};
	if (req.keyword) {
		// Exact userID first (db.Find); if that yields no account, exact nickname (TakeByNickname).
		const byID = toResp(all.filter((u) => u.userID === req.keyword));
		if (byID.total) return { data: byID };
		return { data: toResp(all.filter((u) => u.nickname === req.keyword)) };
	}
	// FindNotification(AppNotificationAdmin): app_manger_level == 3 only, so robot accounts (4) are not listed.
	return { data: toResp(all.filter((u) => u.appMangerLevel === AppManagerLevel.AppNotificationAdmin)) };
}

/**
 * The API asks every message gateway (internal/api/user.go GetUsersOnlineStatus): one entry per
 * requested ID in request order, offline ones with `detailPlatformStatus: null`. No existence check.
 * The gateway answers 1002 `only app manager` to non-admin tokens. The body is read with gin's
 * BindJSON and its raw error passed on: HTTP 400 with errCode 500 in the body (§5.2).
 */
function getUsersOnlineStatus(ctx: RouteContext) {
	let req: wire.GetUsersOnlineStatusReq;
	try {
		req = bindJSON(ctx, { goName: 'msggateway.GetUsersOnlineStatusReq', schema: wire.GetUsersOnlineStatusReq }, () => []);
	} catch (e) {
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- an OpenIM answer (dev tooling, not shipped)
		if (e instanceof ApiError && e.httpStatus === 400) throw new ApiError(ErrCode.ServerInternal, e.errDlt, 400);
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- as above
		throw e;
	}
	requireAdmin(ctx, 'only app manager');
	const { online } = ctx.state.store;
	const result = (req.userIDs ?? []).map((userID) => {
		const conns = online.get(userID) ?? [];
		return conns.length > 0
			? { userID, status: OnlineStatus.Online, detailPlatformStatus: conns.map((c) => ({ ...c })) }
			: { userID, status: OnlineStatus.Offline, detailPlatformStatus: null };
	});
	// A nil slice in `data`: Go writes null (the interface is not nil, so omitempty keeps it).
	return { data: result.length > 0 ? result : null };
}

export const userRoutes: RouteTable = {
	[OpenImPath.AccountCheck]: accountCheck,
	[OpenImPath.GetUsersInfo]: getUsersInfo,
	[OpenImPath.UserRegister]: userRegister,
	[OpenImPath.GetUsers]: getUsers,
	[OpenImPath.GetAllUsersUid]: getAllUsersUid,
	[OpenImPath.AddNotificationAccount]: addNotificationAccount,
	[OpenImPath.UpdateNotificationAccount]: updateNotificationAccount,
	[OpenImPath.SearchNotificationAccount]: searchNotificationAccount,
	[OpenImPath.GetUsersOnlineStatus]: getUsersOnlineStatus,
};
