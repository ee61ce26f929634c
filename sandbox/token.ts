/**
 * OpenIM tokens (openim-api.md §1.4, "Findings"): HS256 JWTs signed with the plain secret, claims
 * `UserID`, `PlatformID`, `exp`, `iat` (= now − 5 s). Verification follows golang-jwt v4 as wrapped by
 * the tools library: malformed → 1503, expired → 1501, not valid yet → 1504, anything else (bad
 * signature, unknown alg, iat in the future) → 1505, and the token itself is echoed in errDlt
 * (`…, jwt parse error, token=<token>`) exactly like the real server — the node must redact it.
 *
 * Admin tokens are stateless from v3.8.2; user tokens (from /auth/get_user_token) must also be known
 * to the token store (1507 otherwise, 1506 after a force_logout).
 *
 * v3.8.1 (`adminTokenCap`, sandbox/generations.ts) stored admin tokens like user tokens, in the Redis hash
 * `UID_PID_TOKEN_STATUS:<userID>:Admin`, and capped them (S-3.8.1 pkg/common/storage/controller/auth.go
 * `CreateToken`, internal/rpc/auth/auth.go `parseToken`): each new admin token first deletes the entries
 * that no longer verify or are not normal, then, when more than 30 normal ones remain (multiLoginPolicy 1
 * counts every same-platform token), marks the surplus kicked, picked in Go's map order (random, not the
 * oldest), then stores the new one. A kicked token answers 1506 TokenKickedError until the next admin token
 * deletes it; then, gone from the hash, it answers 1507 TokenNotExistError.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

import { ErrCode } from '../openim/constants';
import { seededRandom } from './faults';
import { ApiError } from './http';

export interface TokenClaims {
	UserID: string;
	PlatformID: number;
	exp: number;
	iat: number;
}

const HMAC_ALGS: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

function b64url(data: Buffer | string): string {
	return Buffer.from(data).toString('base64url');
}

function sign(alg: string, input: string, secret: string): Buffer {
	return createHmac(HMAC_ALGS[alg], secret).update(input).digest();
}

/** Signs claims in the order Go marshals the Claims struct. */
export function signToken(claims: TokenClaims, secret: string): string {
	const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
	const payload = b64url(
		JSON.stringify({ UserID: claims.UserID, PlatformID: claims.PlatformID, exp: claims.exp, iat: claims.iat }),
	);
	const input = `${header}.${payload}`;
	return `${input}.${b64url(sign('HS256', input, secret))}`;
}

/** RawURLEncoding: no padding, URL alphabet only (jwt v4 DecodeSegment). */
function decodeSegment(seg: string): Buffer | undefined {
	if (!/^[A-Za-z0-9_-]*$/.test(seg) || seg.length % 4 === 1) return undefined;
	return Buffer.from(seg, 'base64url');
}

function parseJsonObject(buf: Buffer | undefined): Record<string, unknown> | undefined {
	if (!buf) return undefined;
	try {
		const v: unknown = JSON.parse(buf.toString('utf8'));
		return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/** The error the tools library returns for a JWT that does not verify. */
export function tokenError(code: number, reason: string, token: string): ApiError {
	return new ApiError(code, `${reason}, jwt parse error, token=${token}`);
}

/**
 * golang-jwt v4 ParseWithClaims + tokenverify.GetClaimFromToken. Claims validation runs before the
 * signature check and the error mapping prefers malformed > expired > not-valid-yet, so an expired
 * token with a bad signature still answers 1501.
 */
export function verifyToken(token: string, secret: string, nowMs: number = Date.now()): TokenClaims {
	const parts = token.split('.');
	if (parts.length !== 3) {
		throw tokenError(ErrCode.TokenMalformed, 'token contains an invalid number of segments', token);
	}
	const header = parseJsonObject(decodeSegment(parts[0]));
	const payload = parseJsonObject(decodeSegment(parts[1]));
	if (!header || !payload) throw tokenError(ErrCode.TokenMalformed, 'token is malformed', token);
	const typesOk =
		(payload.UserID === undefined || typeof payload.UserID === 'string') &&
		(payload.PlatformID === undefined || Number.isInteger(payload.PlatformID)) &&
		['exp', 'iat', 'nbf'].every((k) => payload[k] === undefined || typeof payload[k] === 'number');
	if (!typesOk) throw tokenError(ErrCode.TokenMalformed, 'token is malformed', token);
	const alg = typeof header.alg === 'string' ? header.alg : '';
	if (!HMAC_ALGS[alg]) {
		throw tokenError(ErrCode.TokenUnknown, 'signing method (alg) is unavailable.', token);
	}
	const nowSec = nowMs / 1000;
	const exp = payload.exp as number | undefined;
	const iat = payload.iat as number | undefined;
	const nbf = payload.nbf as number | undefined;
	if (exp !== undefined && !(nowSec < exp)) throw tokenError(ErrCode.TokenExpired, 'token is expired', token);
	if (nbf !== undefined && nowSec < nbf) throw tokenError(ErrCode.TokenNotValidYet, 'token is not valid yet', token);
	if (iat !== undefined && nowSec < iat) throw tokenError(ErrCode.TokenUnknown, 'Token used before issued', token);
	const expected = sign(alg, `${parts[0]}.${parts[1]}`, secret);
	const given = decodeSegment(parts[2]);
	if (!given || given.length !== expected.length || !timingSafeEqual(given, expected)) {
		throw tokenError(ErrCode.TokenUnknown, 'signature is invalid', token);
	}
	return {
		UserID: (payload.UserID as string | undefined) ?? '',
		PlatformID: (payload.PlatformID as number | undefined) ?? 0,
		exp: exp ?? 0,
		iat: iat ?? 0,
	};
}

type UserTokenState = 'normal' | 'kicked';

/**
 * What the sandbox remembers about tokens it issued: an issue serial per token string (for
 * expireTokens / expireTokensAtRequest) and the Redis-like state of user tokens.
 */
export class TokenRegistry {
	private serials = new Map<string, number>();
	private nextSerial = 1;
	/** Tokens with a serial ≤ cutoff answer 1501 (the sandbox's "server-side expiry"); null: none. */
	private cutoff: number | null = null;
	private userTokens = new Map<string, { userID: string; platformID: number; state: UserTokenState }>();
	/** v3.8.1's admin token hashes, by userID: token → state. */
	private adminTokens = new Map<string, Map<string, UserTokenState>>();
	/** Stands in for Go's randomised map order when v3.8.1 picks the tokens to kick. */
	private random = seededRandom(1);

	issue(userID: string, platformID: number, lifetimeSeconds: number, secret: string, nowMs = Date.now()): string {
		const now = Math.floor(nowMs / 1000);
		const token = signToken({ UserID: userID, PlatformID: platformID, iat: now - 5, exp: now + lifetimeSeconds }, secret);
		// Two tokens issued in the same second are the same string: re-issuing makes it fresh again.
		this.serials.set(token, this.nextSerial++);
		return token;
	}

	/** Tracks a token signed elsewhere (v2 mode) for expireTokens / expireTokensAtRequest. */
	track(token: string): void {
		this.serials.set(token, this.nextSerial++);
	}

	registerUserToken(token: string, userID: string, platformID: number): void {
		this.userTokens.set(token, { userID, platformID, state: 'normal' });
	}

	/** force_logout: that user's tokens on that platform become kicked (1506). */
	kick(userID: string, platformID: number): void {
		for (const t of this.userTokens.values()) {
			if (t.userID === userID && t.platformID === platformID) t.state = 'kicked';
		}
	}

	/**
	 * v3.8.1 CreateToken for an admin token already signed: drops entries that fail `stillValid` or are
	 * not normal, kicks the normal ones beyond `cap` (random picks), then stores `token` as normal.
	 * Returns how many tokens it kicked.
	 */
	storeAdminToken(token: string, userID: string, cap: number, stillValid: (token: string) => boolean): number {
		let hash = this.adminTokens.get(userID);
		if (!hash) this.adminTokens.set(userID, (hash = new Map()));
		for (const [t, state] of [...hash]) if (state !== 'normal' || !stillValid(t)) hash.delete(t);
		const normal = [...hash.keys()];
		let kicked = 0;
		for (let surplus = normal.length - cap; surplus > 0; surplus--) {
			const [victim] = normal.splice(Math.floor(this.random() * normal.length), 1);
			hash.set(victim, 'kicked');
			kicked++;
		}
		hash.set(token, 'normal');
		return kicked;
	}

	/** v3.8.1 parseToken for an admin token: its state in the user's hash, undefined when not there. */
	adminTokenState(token: string, userID: string): UserTokenState | undefined {
		return this.adminTokens.get(userID)?.get(token);
	}

	userTokenState(token: string): UserTokenState | undefined {
		return this.userTokens.get(token)?.state;
	}

	/** Every token issued so far now answers 1501; tokens issued afterwards are fine. */
	expireAll(): void {
		this.cutoff = this.nextSerial - 1;
	}

	/** True when the token was issued before the last expireAll() (unknown tokens count as old). */
	isExpiredByServer(token: string): boolean {
		if (this.cutoff === null) return false;
		// Tokens from before a reset are unknown here, so they count as old too.
		return (this.serials.get(token) ?? 0) <= this.cutoff;
	}

	reset(): void {
		this.serials.clear();
		this.userTokens.clear();
		this.adminTokens.clear();
		this.random = seededRandom(1);
		this.nextSerial = 1;
		this.cutoff = null;
	}
}
