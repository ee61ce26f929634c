import { createHmac } from 'crypto';

import { isTokenFresh, readTokenTimes } from '../../../../../nodes/OpenImNotify/transport/token';

/** An HS256 JWT shaped like OpenIM's (claims UserID, PlatformID, exp, iat). */
function jwt(claims: Record<string, unknown>): string {
	const enc = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
	const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}`;
	return `${head}.${createHmac('sha256', 'openIM123').update(head).digest('base64url')}`;
}

describe('admin token freshness', () => {
	const now = Date.UTC(2026, 10, 25, 12, 0, 0);
	const sec = (ms: number) => Math.floor(ms / 1000);

	it('reads exp and iat from an OpenIM JWT', () => {
		const token = jwt({ UserID: 'imAdmin', PlatformID: 10, exp: sec(now) + 60, iat: sec(now) - 5 });
		expect(readTokenTimes(token)).toEqual({ expiresAt: (sec(now) + 60) * 1000, issuedAt: (sec(now) - 5) * 1000 });
	});

	it('treats an empty or missing token as stale', () => {
		expect(isTokenFresh('', now)).toBe(false);
		expect(isTokenFresh(undefined, now)).toBe(false);
	});

	it('keeps a 90-day token until five minutes before it expires', () => {
		const iat = sec(now) - 90 * 86400 + 600;
		expect(isTokenFresh(jwt({ exp: sec(now) + 600, iat }), now)).toBe(true);
		expect(isTokenFresh(jwt({ exp: sec(now) + 200, iat }), now)).toBe(false);
	});

	it('uses a tenth of a short lifetime as the margin', () => {
		// 30-second lifetime → 3-second margin.
		expect(isTokenFresh(jwt({ exp: sec(now) + 20, iat: sec(now) - 10 }), now)).toBe(true);
		expect(isTokenFresh(jwt({ exp: sec(now) + 2, iat: sec(now) - 28 }), now)).toBe(false);
	});

	it('trusts a token it cannot read until OpenIM rejects it', () => {
		expect(isTokenFresh('opaque-token', now)).toBe(true);
	});
});
