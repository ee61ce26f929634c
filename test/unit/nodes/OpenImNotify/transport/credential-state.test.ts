/**
 * The per-process state every execution of a credential shares (transport/credential-state.ts):
 * identity keys, which tokens may be used, and request pacing booked in order.
 */
import { createHmac } from 'crypto';

import {
	adopt,
	credentialKey,
	isUsable,
	markRejected,
	pace,
	sharedCredential,
} from '../../../../../nodes/OpenImNotify/transport/credential-state';

function jwt(expInSeconds: number): string {
	const enc = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
	const now = Math.floor(Date.now() / 1000);
	const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ UserID: 'imAdmin', PlatformID: 10, exp: now + expInSeconds, iat: now - 5 })}`;
	return `${head}.${createHmac('sha256', 'openIM123').update(head).digest('base64url')}`;
}

const data = { baseUrl: 'http://im:10002', adminUserID: 'imAdmin', secret: 'openIM123', serverVersion: 'auto' };

describe('credential identity', () => {
	it('is a hash: the secret is not in it, and a changed secret or URL is another credential', () => {
		const key = credentialKey('cred1', data);
		expect(key).toMatch(/^[0-9a-f]{64}$/);
		expect(key).not.toContain('openIM123');
		expect(credentialKey('cred1', { ...data, secret: 'other' })).not.toBe(key);
		expect(credentialKey('cred1', { ...data, baseUrl: 'http://im2:10002' })).not.toBe(key);
		expect(credentialKey('cred2', data)).not.toBe(key);
		expect(credentialKey('cred1', { ...data, senderIDs: 'hr_bot' })).toBe(key);
		expect(sharedCredential(key)).toBe(sharedCredential(credentialKey('cred1', { ...data })));
	});
});

describe('usable tokens', () => {
	it('a fresh token is usable until OpenIM refuses it; re-adopting the same string makes it usable again', () => {
		const state = sharedCredential('usable-test');
		const token = jwt(3600);
		expect(isUsable(state, token)).toBe(true);
		expect(isUsable(state, jwt(-10))).toBe(false); // past its exp
		expect(isUsable(state, '')).toBe(false);
		markRejected(state, token);
		expect(isUsable(state, token)).toBe(false);
		adopt(state, token, 'v3.8', 1000);
		expect(isUsable(state, token)).toBe(true);
		expect(state).toMatchObject({ token, detectedVersion: 'v3.8', tokenSince: 1000 });
	});

	it('remembers only the last few refused tokens', () => {
		const state = sharedCredential('rejected-test');
		for (let i = 0; i < 20; i++) markRejected(state, `t${i}`);
		expect(state.rejected).toHaveLength(8);
		expect(state.rejected[7]).toBe('t19');
	});
});

describe('pacing', () => {
	it('books start times 1/perSecond apart in call order, and does nothing without a limit', async () => {
		const pacer = { nextStartAt: 0 };
		await pace(pacer, 0);
		expect(pacer.nextStartAt).toBe(0);
		const before = Date.now();
		await Promise.all([0, 1, 2].map(async () => await pace(pacer, 20)));
		// Three starts booked at t, t+50, t+100: the next free slot is t+150.
		expect(pacer.nextStartAt - before).toBeGreaterThanOrEqual(150);
		expect(pacer.nextStartAt - before).toBeLessThan(150 + 50);
	});
});
