/* eslint-disable @n8n/community-nodes/require-node-api-error -- dev tooling (OpenIM error answers), not an n8n node and not shipped */
/**
 * Older OpenIM generations (openim-api.md §1.4, §2.2, §5.2, §8), layered over the v3.8 sandbox:
 *
 * - `v3.0` emulates v3.2 (v3.0–v3.2 share the text key): `/auth/user_token` {secret, platformID,
 *   userID} is the whitelisted admin login, `/auth/get_admin_token` is not whitelisted (1001
 *   `header must have token` without a token, 404 with one), and a text message carries `content.text`
 *   (`{content}` alone fails the validator with 500). Stored text is normalised to `{content}`.
 * - `v2` emulates v2.2+ (v2.3.3): only `/auth/user_token` {secret, platform, userID, operationID} →
 *   `{userID, token, expiredTime}`, `/auth/parse_token` and `/msg/manage_send_msg`; everything else is
 *   404. operationID is a required body field (no header check); tokens carry `UID`/`Platform`;
 *   errors are HTTP 400/500 with `{errCode, errMsg}` (ad-hoc codes 400/401/403/404/500, no errDlt);
 *   a bad token is HTTP 400 errCode 500 `… GetUserIDFromToken failed … token:<token>`. Text is
 *   `content.text`; 1400 is accepted. The send runs through the v3.8 pipeline after translation.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

import { ContentType, ErrCode, PlatformID } from '../openim/constants';
import { ApiError, type RouteContext, type RouteHandler, type RouteTable, type SandboxState } from './http';
import { OpenImPath } from './paths';

export type Generation = 'v3.8' | 'v3.0' | 'v2';

export const GENERATIONS: readonly Generation[] = ['v3.8', 'v3.0', 'v2'];

export const V2Path = {
	Login: '/auth/user_token',
	SessionParse: '/auth/parse_token',
	ManageSendMsg: '/msg/manage_send_msg',
} as const;

/* ---------- v3.0 (v3.2) ---------- */

const V30_LOGIN = '/auth/user_token';

/** v3.0–v3.8.0 UserToken: a token for any existing user, given the secret (§1.4). */
function userTokenV30(ctx: RouteContext) {
	const req = parseJson(ctx.body) ?? {};
	const { config, store, tokens, stats } = ctx.state;
	if (req.secret !== config.secret) throw new ApiError(ErrCode.NoPermission, 'secret invalid');
	const userID = typeof req.userID === 'string' ? req.userID : '';
	const platformID = typeof req.platformID === 'number' ? req.platformID : 0;
	if (!userID || !platformID) throw new ApiError(ErrCode.Args, 'userID or platformID is empty');
	if (!store.users.has(userID)) throw new ApiError(ErrCode.RecordNotFound, 'user not found');
	const token = tokens.issue(userID, platformID, config.tokenLifetimeSeconds, config.secret);
	stats.tokenIssued();
	return { data: { token, expireTimeSeconds: config.tokenLifetimeSeconds } };
}

export function routesFor(generation: Generation, base: RouteTable): RouteTable {
	if (generation !== 'v3.0') return base;
	const routes: RouteTable = { ...base, [V30_LOGIN]: userTokenV30 };
	delete routes[OpenImPath.AdminLogin];
	return routes;
}

export function whitelistFor(generation: Generation, base: readonly string[]): readonly string[] {
	if (generation !== 'v3.0') return base;
	return [V30_LOGIN, OpenImPath.SessionParse];
}

function parseJson(body: string): Record<string, unknown> | undefined {
	try {
		const v: unknown = JSON.parse(body);
		return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

const TEXT_REQUIRED = "Key: 'TextElem.Text' Error:Field validation for 'Text' failed on the 'required' tag";

/** A text message in the v3.0–v3.2 / v2 shape (`{text}`) → the v3.8 shape the pipeline validates. */
function textToContent(req: Record<string, unknown>, onMissing: () => never): Record<string, unknown> {
	if (req.contentType !== ContentType.Text || req.content === null || typeof req.content !== 'object') return req;
	const content = req.content as Record<string, unknown>;
	if (typeof content.text !== 'string' || content.text === '') onMissing();
	return { ...req, content: { content: content.text } };
}

/** v3.0 mode: send_msg/batch_send_msg bodies whose text is under `text`. */
export function rewriteV30Body(generation: Generation, path: string, body: string): string {
	if (generation !== 'v3.0' || (path !== OpenImPath.SendMsg && path !== OpenImPath.BatchSendMsg)) return body;
	const req = parseJson(body);
	if (!req) return body;
	return JSON.stringify(
		textToContent(req, () => {
			throw new ApiError(ErrCode.ServerInternal, TEXT_REQUIRED);
		}),
	);
}

/* ---------- v2 ---------- */

export interface V2Answer {
	status: number;
	envelope: { errCode: number; errMsg: string; data?: unknown };
}

const v2Error = (status: number, errCode: number, errMsg: string): V2Answer => ({ status, envelope: { errCode, errMsg } });

function b64url(data: string | Buffer): string {
	return Buffer.from(data).toString('base64url');
}

/** v2 claims: `UID`, `Platform` (the platform name), `exp`, `nbf`, `iat`. */
export function signV2Token(userID: string, lifetimeSeconds: number, secret: string, nowMs = Date.now()): string {
	const now = Math.floor(nowMs / 1000);
	const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
	const payload = b64url(JSON.stringify({ UID: userID, Platform: 'Admin', exp: now + lifetimeSeconds, nbf: now, iat: now }));
	const input = `${header}.${payload}`;
	return `${input}.${b64url(createHmac('sha256', secret).update(input).digest())}`;
}

/** The UID of a valid v2 token, or the reason it is not valid. */
function verifyV2Token(token: string, secret: string): { uid: string } | { reason: string } {
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

/**
 * One v2 request: body parse and operationID binding → route → token → handler. `sendV3` is the
 * v3.8 send_msg handler the translated request runs through.
 */
export async function handleV2(
	state: SandboxState,
	path: string,
	rawBody: string,
	token: string,
	sendV3: RouteHandler,
): Promise<V2Answer | 'not-found'> {
	if (path !== V2Path.Login && path !== V2Path.SessionParse && path !== V2Path.ManageSendMsg) return 'not-found';
	const req = parseJson(rawBody);
	if (!req) return v2Error(400, 400, 'invalid character in JSON body');
	const operationID = typeof req.operationID === 'string' ? req.operationID : '';
	if (!operationID) return v2Error(400, 400, "Key: 'OperationID' Error:Field validation for 'OperationID' failed on the 'required' tag");
	const { config, store, stats, tokens } = state;

	if (path === V2Path.Login) {
		if (typeof req.platform !== 'number' || !req.platform) {
			return v2Error(400, 400, "Key: 'UserTokenReq.Platform' Error:Field validation for 'Platform' failed on the 'required' tag");
		}
		if (req.secret !== config.secret) return v2Error(400, 401, 'params.Secret != config.Config.Secret');
		const userID = typeof req.userID === 'string' ? req.userID : '';
		if (!config.adminUserIDs.includes(userID) && !store.users.has(userID)) return v2Error(500, 500, 'record not found');
		const issued = signV2Token(userID, config.tokenLifetimeSeconds, config.secret);
		tokens.track(issued);
		stats.tokenIssued();
		return { status: 200, envelope: { errCode: 0, errMsg: '', data: { userID, token: issued, expiredTime: config.tokenLifetimeSeconds } } };
	}

	const checkToken = (t: string): { uid: string } | V2Answer => {
		const verified = verifyV2Token(t, config.secret);
		if ('reason' in verified) return v2Error(400, 500, `${operationID} GetUserIDFromToken failed ${verified.reason} token:${t}`);
		// expireTokens(): v2 tokens are not in the registry, so an expireAll() cut-off catches them all.
		if (tokens.isExpiredByServer(t)) return v2Error(400, 500, `${operationID} GetUserIDFromToken failed token is expired token:${t}`);
		return verified;
	};

	if (path === V2Path.SessionParse) {
		const checked = checkToken(typeof req.token === 'string' ? req.token : '');
		if ('envelope' in checked) return checked;
		return { status: 200, envelope: { errCode: 0, errMsg: '', data: { userID: checked.uid, platform: 'Admin' } } };
	}

	// /msg/manage_send_msg
	const checked = checkToken(token);
	if ('envelope' in checked) return checked;
	if (!config.adminUserIDs.includes(checked.uid)) return v2Error(400, 403, 'not appManager');
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
		path: OpenImPath.SendMsg,
		body: JSON.stringify(translated),
		operationID,
		state,
		auth: { userID: checked.uid, platformID: PlatformID.Admin, token, isAdmin: true },
	};
	try {
		const result = await sendV3(ctx);
		return { status: 200, envelope: { errCode: 0, errMsg: '', data: result.data } };
	} catch (e) {
		if (!(e instanceof ApiError)) throw e;
		return v2ErrorFor(e);
	}
}

/** v3 errors of the shared pipeline in v2's ad-hoc shape (§8 "Errors"). */
function v2ErrorFor(e: ApiError): V2Answer {
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
