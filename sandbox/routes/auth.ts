/**
 * /auth/* (openim-api.md §1.4, v3.8.1+). `/auth/user_token` deliberately does not exist: on 3.8.1+ it
 * is not a route, and because it is not whitelisted the token middleware answers 1001
 * `header must have token` before gin's 404 ("Findings": version detection relies on it).
 */
import { ErrCode, PlatformID } from '../../openim/constants';
import * as wire from '../../openim/wire';
import {
	type SandboxState,
	a2rBody,
	ApiError,
	argsError,
	noPermission,
	notFound,
	requireAdmin,
	type RouteContext,
	type RouteTable,
} from '../http';
import { OpenImPath } from '../paths';
import { verifyToken } from '../token';

/**
 * The auth RPC's parseToken: JWT checks, then, for non-admin users, the token must be one the
 * server issued and not kicked (admin tokens are stateless from v3.8.2, §1.4; with `adminTokenCap`
 * (v3.8.1) admin tokens are checked like user tokens: kicked 1506, no longer stored 1507).
 */
export function parseToken(ctx: RouteContext, token: string): { userID: string; platformID: number; exp: number } {
	const { config, tokens } = ctx.state;
	const claims = verifyToken(token, config.secret);
	if (tokens.isExpiredByServer(token)) {
		// Simulated expiry (expireTokens / expireTokensAtRequest): same answer as a JWT past `exp`.
		throw new ApiError(ErrCode.TokenExpired, `token is expired, jwt parse error, token=${token}`);
	}
	const admin = config.adminUserIDs.includes(claims.UserID);
	if (admin && config.adminTokenCap !== null) {
		const state = tokens.adminTokenState(token, claims.UserID);
		if (state === undefined) throw new ApiError(ErrCode.TokenNotExist, 'token not exist');
		if (state === 'kicked') throw new ApiError(ErrCode.TokenKicked, 'token kicked');
	}
	if (!admin) {
		const state = tokens.userTokenState(token);
		if (state === undefined) throw new ApiError(ErrCode.TokenNotExist, 'token not exist');
		if (state === 'kicked') throw new ApiError(ErrCode.TokenKicked, 'token kicked');
	}
	return { userID: claims.UserID, platformID: claims.PlatformID, exp: claims.exp };
}

/**
 * Signs an admin token; with `adminTokenCap` (v3.8.1) also stores it the way CreateToken does, kicking
 * the surplus. Counted in stats: tokensIssued, adminTokensKicked, and tokenFetches when it came over HTTP (`operationID`).
 */
export function issueAdminToken(state: SandboxState, userID: string, operationID?: string): string {
	const { config, tokens, stats } = state;
	const token = tokens.issue(userID, PlatformID.Admin, config.tokenLifetimeSeconds, config.secret);
	if (config.adminTokenCap !== null) {
		const stillValid = (t: string) => {
			try {
				verifyToken(t, config.secret);
				return !tokens.isExpiredByServer(t);
			} catch {
				return false;
			}
		};
		stats.adminTokensKicked(tokens.storeAdminToken(token, userID, config.adminTokenCap, stillValid));
	}
	stats.tokenIssued(operationID);
	return token;
}

function getAdminToken(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'auth.GetAdminTokenReq', schema: wire.GetAdminTokenReq });
	const { config, store } = ctx.state;
	// Order as in the auth RPC: secret, then admin list, then the user row.
	if (req.secret !== config.secret) throw noPermission('secret invalid');
	if (!config.adminUserIDs.includes(req.userID)) throw argsError('userID is error.');
	if (!store.users.has(req.userID)) throw notFound('user not found');
	const token = issueAdminToken(ctx.state, req.userID, ctx.operationID);
	return { data: { token, expireTimeSeconds: config.tokenLifetimeSeconds } };
}

function parseTokenRoute(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'auth.ParseTokenReq', schema: wire.ParseTokenReq });
	const claims = parseToken(ctx, req.token);
	return { data: { userID: claims.userID, platformID: claims.platformID, expireTimeSeconds: claims.exp } };
}

function getUserToken(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'auth.GetUserTokenReq', schema: wire.UserPlatformReq });
	const { config, store, tokens, stats } = ctx.state;
	if (req.platformID === PlatformID.Admin) {
		throw noPermission('platformID invalid. platformID must not be adminPlatformID');
	}
	requireAdmin(ctx);
	if (config.adminUserIDs.includes(req.userID)) throw noPermission("don't get Admin token");
	const user = store.users.get(req.userID);
	if (!user) throw notFound('user not found');
	if (user.appMangerLevel >= 3) throw argsError('app account can`t get token');
	const token = tokens.issue(req.userID, req.platformID, config.tokenLifetimeSeconds, config.secret);
	tokens.registerUserToken(token, req.userID, req.platformID);
	stats.tokenIssued();
	return { data: { token, expireTimeSeconds: config.tokenLifetimeSeconds } };
}

function forceLogout(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'auth.ForceLogoutReq', schema: wire.UserPlatformReq });
	requireAdmin(ctx);
	ctx.state.tokens.kick(req.userID, req.platformID);
	return {};
}

export const authRoutes: RouteTable = {
	[OpenImPath.AdminLogin]: getAdminToken,
	[OpenImPath.SessionParse]: parseTokenRoute,
	[OpenImPath.UserLogin]: getUserToken,
	[OpenImPath.ForceLogout]: forceLogout,
};
