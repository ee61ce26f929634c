/**
 * Older OpenIM generations (openim-api.md §1.4, §2.2, §5.2, §8), layered over the v3.8 sandbox:
 *
 * - `v3.2` emulates v3.2 (v3.0–v3.2 share the text key; routes as in v3.2.2 internal/api/route.go):
 *   `/auth/user_token` {secret, platformID, userID} is the admin login (no token); there is no global
 *   token middleware, so a path v3.2 lacks (`/auth/get_admin_token`, `/auth/get_user_token` from v3.6,
 *   `/user/{add,update,search}_notification_account` from v3.5) is a plain 404 with or without a token;
 *   send_msg takes 101–105, 110, 111, 1400, 119, 120 (no 106 AtText: 1001 `not support err
 *   contentType`) and answers without `modify`; a text message carries `content.text` (`{content}`
 *   alone fails the validator with 500). Stored text is normalised to `{content}`. `/msg/search_msg`
 *   answers a flat `chatLogs` list (the `{chatLog, isRevoked}` wrapper is v3.8.1+).
 * - `v3.0` emulates v3.0–v3.1: v3.2 without `/msg/get_server_time` and `/group/get_group_member_user_id`
 *   (both first in v3.2.0; members come from `/group/get_group_member_list`).
 * - `v2` emulates v2.2+ (v2.3.3): see sandbox/v2.ts (its own request pipeline and routes).
 * - `v2.0` emulates v2.0–v2.1 (v2.1.0): sandbox/v20.ts, v2's pipeline with the `/manager/*` routes.
 */
import { ContentType, ErrCode } from '../openim/constants';
import { ApiError, type RouteContext, type RouteTable } from './http';
import { OpenImPath } from './paths';

export type Generation = 'v3.8' | 'v3.2' | 'v3.0' | 'v2' | 'v2.0';

export const GENERATIONS: readonly Generation[] = ['v3.8', 'v3.2', 'v3.0', 'v2', 'v2.0'];

/** What `--generation` / `startSandbox({generation})` take: the generations plus `v3.8.1`. */
export const GENERATION_OPTIONS = ['v3.8', 'v3.8.1', 'v3.2', 'v3.0', 'v2', 'v2.0'] as const;

/** v3.8.1 kept at most 30 admin tokens per admin (S-3.8.1 controller/auth.go `adminTokenMaxNum`). */
export const V381_ADMIN_TOKEN_CAP = 30;

/**
 * `v3.8.1` is the v3.8 mode with v3.8.1's admin token store (sandbox/token.ts): its routes and answers
 * are those of v3.8 (get_admin_token, the `{chatLog, isRevoked}` search wrapper); only admin tokens differ.
 */
export function resolveGeneration(
	option: (typeof GENERATION_OPTIONS)[number] | undefined,
	adminTokenCap: number | null | undefined,
): { generation: Generation; adminTokenCap: number | null } {
	if (option === 'v3.8.1') return { generation: 'v3.8', adminTokenCap: adminTokenCap ?? V381_ADMIN_TOKEN_CAP };
	return { generation: option ?? 'v3.8', adminTokenCap: adminTokenCap ?? null };
}

/** The v3.0 and v3.2 modes: both layered over the v3.8 routes here. */
export const isV3Legacy = (generation: Generation): boolean => generation === 'v3.2' || generation === 'v3.0';

/* ---------- v3.0–v3.2 ---------- */

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
	// Stored like any user token (CreateToken), so non-admin tokens from this route are valid too.
	if (!config.adminUserIDs.includes(userID)) tokens.registerUserToken(token, userID, platformID);
	stats.tokenIssued(config.adminUserIDs.includes(userID) ? ctx.operationID : undefined);
	return { data: { token, expireTimeSeconds: config.tokenLifetimeSeconds } };
}

/** v3.8 routes v3.2.2's router does not have (get_admin_token: v3.8.1, get_user_token: v3.6.0, the rest v3.5.0). */
const NOT_IN_V32 = [
	OpenImPath.AdminLogin,
	OpenImPath.UserLogin,
	OpenImPath.AddNotificationAccount,
	OpenImPath.UpdateNotificationAccount,
	OpenImPath.SearchNotificationAccount,
] as const;

/** …nor v3.0–v3.1's (both added in v3.2.0). */
const NOT_IN_V30 = [...NOT_IN_V32, OpenImPath.GetServerTime, OpenImPath.GetGroupMemberUserID] as const;

const tables: Record<'v3.2' | 'v3.0', WeakMap<RouteTable, RouteTable>> = { 'v3.2': new WeakMap(), 'v3.0': new WeakMap() };

export function routesFor(generation: Generation, base: RouteTable): RouteTable {
	if (generation !== 'v3.2' && generation !== 'v3.0') return base;
	let routes = tables[generation].get(base);
	if (!routes) {
		routes = { ...base, [V30_LOGIN]: userTokenV30 };
		for (const path of generation === 'v3.0' ? NOT_IN_V30 : NOT_IN_V32) delete routes[path];
		tables[generation].set(base, routes);
	}
	return routes;
}

export function whitelistFor(generation: Generation, base: readonly string[]): readonly string[] {
	if (!isV3Legacy(generation)) return base;
	return [V30_LOGIN, OpenImPath.SessionParse];
}

export function parseJson(body: string): Record<string, unknown> | undefined {
	try {
		const v: unknown = JSON.parse(body);
		return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

export const TEXT_REQUIRED = "Key: 'TextElem.Text' Error:Field validation for 'Text' failed on the 'required' tag";

/** A text message in the v3.0–v3.2 / v2 shape (`{text}`) → the v3.8 shape the pipeline validates. */
export function textToContent(req: Record<string, unknown>, onMissing: () => never): Record<string, unknown> {
	if (req.contentType !== ContentType.Text || req.content === null || typeof req.content !== 'object') return req;
	const content = req.content as Record<string, unknown>;
	if (typeof content.text !== 'string' || content.text === '') onMissing();
	return { ...req, content: { content: content.text } };
}

/** v3.0/v3.2 modes: send_msg/batch_send_msg bodies whose text is under `text`. */
export function rewriteV30Body(generation: Generation, path: string, body: string): string {
	if (!isV3Legacy(generation) || (path !== OpenImPath.SendMsg && path !== OpenImPath.BatchSendMsg)) return body;
	const req = parseJson(body);
	if (!req) return body;
	return JSON.stringify(
		textToContent(req, () => {
			throw new ApiError(ErrCode.ServerInternal, TEXT_REQUIRED);
		}),
	);
}
