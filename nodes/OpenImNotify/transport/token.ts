/**
 * OpenIM admin tokens are HS256 JWTs with `exp` and `iat` claims (openim-api.md §1.4), so freshness
 * can be judged locally: no request is spent to learn that a cached token is about to expire.
 */
export function readTokenTimes(token: string): { issuedAt?: number; expiresAt?: number } {
	const parts = token.split('.');
	if (parts.length !== 3) return {};
	try {
		const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as {
			exp?: unknown;
			iat?: unknown;
		};
		return {
			expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : undefined,
			issuedAt: typeof claims.iat === 'number' ? claims.iat * 1000 : undefined,
		};
	} catch {
		return {};
	}
}

/** Refresh shortly before `exp`: five minutes, or a tenth of a shorter lifetime. */
const MAX_MARGIN_MS = 5 * 60 * 1000;

/** Every request asks about the same token: decode it once. */
let lastDecoded: { token: string; times: ReturnType<typeof readTokenTimes> } | undefined;

export function isTokenFresh(token: unknown, now = Date.now()): boolean {
	if (typeof token !== 'string' || token === '') return false;
	if (lastDecoded?.token !== token) lastDecoded = { token, times: readTokenTimes(token) };
	const { issuedAt, expiresAt } = lastDecoded.times;
	// Not a JWT we can read: use it until OpenIM says otherwise (1501–1507 triggers a refresh).
	if (expiresAt === undefined) return true;
	const lifetime = issuedAt !== undefined ? expiresAt - issuedAt : MAX_MARGIN_MS * 10;
	const margin = Math.min(MAX_MARGIN_MS, Math.max(0, lifetime / 10));
	return expiresAt - now > margin;
}
