/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test tooling (setTimeout to let a token expire), not shipped */
/**
 * /auth/* and token lifetime (openim-api.md §1.4, §1.5, "Findings"), plus the sandbox's expiry
 * controls (expireTokens, expireTokensAtRequest).
 */
import { createHmac } from 'node:crypto';

import type { Sandbox } from '../../sandbox/server';
import { Client, jwtPart, textMsg, withSandbox } from './helpers';

let sandbox: Sandbox;
let client: Client;

beforeAll(async () => {
	({ sandbox, client } = await withSandbox());
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const login = (body: unknown) => client.raw('/auth/get_admin_token', body, { headers: { operationID: 'login' } });

describe('/auth/get_admin_token', () => {
	it('issues an HS256 JWT signed with the secret: UserID, PlatformID 10, exp, iat = now − 5', async () => {
		const res = await login({ secret: 'openIM123', userID: 'imAdmin', platformID: 5 });
		expect(res.body.errCode).toBe(0);
		const { token, expireTimeSeconds } = res.body.data;
		expect(expireTimeSeconds).toBe(7776000);
		expect(jwtPart(token, 0)).toEqual({ alg: 'HS256', typ: 'JWT' });
		const claims = jwtPart(token, 1);
		expect(Object.keys(claims)).toEqual(['UserID', 'PlatformID', 'exp', 'iat']);
		expect(claims.UserID).toBe('imAdmin');
		expect(claims.PlatformID).toBe(10); // platformID in the body is ignored
		const now = Math.floor(Date.now() / 1000);
		expect(Math.abs(claims.iat - (now - 5))).toBeLessThanOrEqual(2);
		expect(claims.exp - claims.iat).toBe(7776000 + 5);
		const [h, p, sig] = token.split('.');
		expect(createHmac('sha256', 'openIM123').update(`${h}.${p}`).digest('base64url')).toBe(sig);
		expect(sandbox.stats().tokensIssued).toBe(1);
	});

	it('rejects a wrong secret (1002), a non-admin userID (1001) and a body that is not JSON', async () => {
		expect((await login({ secret: 'nope', userID: 'imAdmin' })).body).toEqual({
			errCode: 1002,
			errMsg: 'NoPermissionError',
			errDlt: 'secret invalid',
		});
		expect((await login({ secret: 'openIM123', userID: 'alice' })).body).toEqual({
			errCode: 1001,
			errMsg: 'ArgsError',
			errDlt: 'userID is error.',
		});
		// the secret is checked first
		expect((await login({ secret: 'nope', userID: 'alice' })).body.errCode).toBe(1002);
		expect((await login('')).body.errDlt).toBe('unexpected end of JSON input');
	});

	it('answers 1004 when the admin user is missing from the DB', async () => {
		const { sandbox: bare, client: c } = await withSandbox({ createAdmins: false, seed: 'none' });
		try {
			const res = await c.raw('/auth/get_admin_token', { secret: 'openIM123', userID: 'imAdmin' }, {
				headers: { operationID: 'x' },
			});
			expect(res.body).toMatchObject({ errCode: 1004, errMsg: 'RecordNotFoundError' });
		} finally {
			await bare.close();
		}
	});

	it('honours the secret, admin IDs and lifetime options', async () => {
		const { sandbox: custom, client: c } = await withSandbox({
			secret: 's3cret',
			adminUserIDs: ['root'],
			tokenLifetimeSeconds: 3600,
			seed: 'none',
		});
		try {
			const res = await c.raw('/auth/get_admin_token', { secret: 's3cret', userID: 'root' }, {
				headers: { operationID: 'x' },
			});
			expect(res.body.data.expireTimeSeconds).toBe(3600);
			expect(jwtPart(res.body.data.token, 1).UserID).toBe('root');
			expect(custom.store.users.get('root')?.appMangerLevel).toBe(3);
			expect(custom.store.users.has('alice')).toBe(false);
		} finally {
			await custom.close();
		}
	});
});

describe('/auth/parse_token', () => {
	it('is whitelisted and returns the absolute expiry', async () => {
		const token = await client.adminToken(true);
		const res = await client.raw('/auth/parse_token', { token }, { headers: { operationID: 'p' } });
		expect(res.body.data).toEqual({
			userID: 'imAdmin',
			platformID: 10,
			expireTimeSeconds: jwtPart(token, 1).exp,
		});
		const bad = await client.raw('/auth/parse_token', { token: 'x.y' }, { headers: { operationID: 'p' } });
		expect(bad.body.errCode).toBe(1503);
	});
});

describe('token expiry', () => {
	it('a token past its lifetime answers 1501 and echoes the token', async () => {
		sandbox.configure({ tokenLifetimeSeconds: 1 });
		// exp is whole seconds: issue early in a second so the token is usable at first
		if (Date.now() % 1000 > 600) await new Promise((r) => setTimeout(r, 1010 - (Date.now() % 1000)));
		const res = await login({ secret: 'openIM123', userID: 'imAdmin' });
		expect(res.body.data.expireTimeSeconds).toBe(1);
		const token = res.body.data.token as string;
		expect((await client.api('/msg/get_server_time', {}, { token })).body.errCode).toBe(0);
		await new Promise((r) => setTimeout(r, 1100 - (Date.now() % 1000) + 50));
		const late = await client.api('/msg/send_msg', textMsg(), { token });
		expect(late.status).toBe(200); // not 401: n8n's refresh-on-401 never fires by itself
		expect(late.body.errCode).toBe(1501);
		expect(late.body.errDlt).toContain(`token=${token}`);
	});

	it('expireTokens(): every earlier token answers 1501, a new one works', async () => {
		const old = await client.adminToken(true);
		sandbox.expireTokens();
		const res = await client.api('/msg/send_msg', textMsg(), { token: old });
		expect(res.body.errCode).toBe(1501);
		expect(res.body.errDlt).toContain(old);
		expect(sandbox.messages()).toHaveLength(0);
		const fresh = await client.adminToken(true);
		expect((await client.api('/msg/send_msg', textMsg(), { token: fresh })).body.errCode).toBe(0);
	});

	it('expireTokensAtRequest: the Nth authenticated request from now gets 1501', async () => {
		const token = await client.adminToken(true);
		expect(sandbox.configure({ expireTokensAtRequest: 3 }).expireTokensAtRequest).toBe(3);
		const codes: number[] = [];
		for (let i = 0; i < 4; i++) codes.push((await client.api('/msg/send_msg', textMsg(), { token })).body.errCode);
		expect(codes).toEqual([0, 0, 1501, 1501]);
		expect(sandbox.inbox('alice')).toHaveLength(2);
		// whitelisted calls do not count, and a token issued afterwards works
		const fresh = await client.adminToken(true);
		expect((await client.api('/msg/send_msg', textMsg(), { token: fresh })).body.errCode).toBe(0);
	});

	it('changing the secret invalidates every token (1505)', async () => {
		const token = await client.adminToken(true);
		sandbox.configure({ secret: 'rotated' });
		expect((await client.api('/msg/get_server_time', {}, { token })).body.errCode).toBe(1505);
		expect((await login({ secret: 'openIM123', userID: 'imAdmin' })).body.errCode).toBe(1002);
		expect((await login({ secret: 'rotated', userID: 'imAdmin' })).body.errCode).toBe(0);
	});
});

describe('user tokens', () => {
	it('/auth/get_user_token gives a non-admin token that cannot send (1002)', async () => {
		expect((await client.api('/auth/get_user_token', { platformID: 10, userID: 'alice' })).body.errCode).toBe(1002);
		expect((await client.api('/auth/get_user_token', { platformID: 1, userID: 'imAdmin' })).body.errDlt).toBe(
			"don't get Admin token",
		);
		expect((await client.api('/auth/get_user_token', { platformID: 1, userID: 'hr_bot' })).body.errCode).toBe(1001);
		const res = await client.api('/auth/get_user_token', { platformID: 5, userID: 'alice' });
		expect(res.body.errCode).toBe(0);
		const token = res.body.data.token as string;
		const send = await client.api('/msg/send_msg', textMsg('bob'), { token });
		expect(send.body).toEqual({ errCode: 1002, errMsg: 'NoPermissionError', errDlt: 'only app manager can send message' });
		expect((await client.api('/user/account_check', { checkUserIDs: ['bob'] }, { token })).body.errCode).toBe(1002);
		expect((await client.api('/msg/get_server_time', {}, { token })).body.errCode).toBe(0);
		expect((await client.api('/auth/force_logout', { platformID: 5, userID: 'alice' })).body.errCode).toBe(0);
		expect((await client.api('/msg/get_server_time', {}, { token })).body.errCode).toBe(1506);
	});
});
