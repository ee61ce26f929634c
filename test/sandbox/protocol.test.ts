/**
 * Transport rules (openim-api.md §1.2, §1.3, §5.2, "Findings"): headers, middleware order, envelope,
 * HTTP status, Go JSON error texts, token errors.
 */
import { createHmac } from 'node:crypto';

import { signToken } from '../../sandbox/token';
import { Client, textMsg, withSandbox } from './helpers';
import type { Sandbox } from '../../sandbox/server';

let sandbox: Sandbox;
let client: Client;

beforeAll(async () => {
	({ sandbox, client } = await withSandbox());
});
afterAll(() => sandbox.close());

describe('headers and middleware order', () => {
	it('requires operationID on every POST, including get_admin_token', async () => {
		const res = await client.raw('/auth/get_admin_token', { secret: 'openIM123', userID: 'imAdmin' });
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ errCode: 1001, errMsg: 'ArgsError', errDlt: 'header must have operationID' });
		expect('data' in res.body).toBe(false);
	});

	it('lets the whitelist through without a token, nothing else', async () => {
		const ok = await client.raw('/auth/get_admin_token', { secret: 'openIM123', userID: 'imAdmin' }, {
			headers: { operationID: 'op-1' },
		});
		expect(ok.body.errCode).toBe(0);
		const noToken = await client.raw('/msg/get_server_time', {}, { headers: { operationID: 'op-2' } });
		expect(noToken.body).toEqual({ errCode: 1001, errMsg: 'ArgsError', errDlt: 'header must have token' });
	});

	it('header names are case-insensitive, like Go Header.Get', async () => {
		const token = await client.adminToken();
		const res = await client.raw('/msg/get_server_time', {}, { headers: { OPERATIONID: 'x', Token: token } });
		expect(res.body.errCode).toBe(0);
	});

	it('answers /auth/user_token with 1001 header must have token, not 404 (3.8.1+ detection)', async () => {
		const res = await client.raw('/auth/user_token', { secret: 'openIM123', platformID: 10, userID: 'imAdmin' }, {
			headers: { operationID: 'detect' },
		});
		expect(res.status).toBe(200);
		expect(res.body.errCode).toBe(1001);
		expect(res.body.errDlt).toBe('header must have token');
	});

	it('runs the middlewares before the 404 of an unknown POST path', async () => {
		const noOp = await client.raw('/msg/manage_send_msg', {});
		expect(noOp.body.errDlt).toBe('header must have operationID');
		const withToken = await client.api('/msg/manage_send_msg', {});
		expect(withToken.status).toBe(404);
		expect(withToken.text).toBe('404 page not found');
		expect(withToken.headers['content-type']).toMatch(/^text\/plain/);
		const v2 = await client.api('/manager/send_msg', {});
		expect(v2.status).toBe(404);
	});

	it('has no GET API routes: GETs outside the control plane are 404', async () => {
		for (const path of ['/msg/send_msg', '/auth/get_admin_token', '/', '/nope']) {
			const res = await client.raw(path, undefined, { method: 'GET' });
			expect(res.status).toBe(404);
			expect(res.text).toBe('404 page not found');
		}
	});

	it('answers OPTIONS through the CORS middleware', async () => {
		const res = await client.raw('/msg/send_msg', undefined, { method: 'OPTIONS' });
		expect(res.status).toBe(200);
		expect(res.text).toBe('"Options Request!"');
		expect(res.headers['access-control-allow-origin']).toBe('*');
	});
});

describe('envelope', () => {
	it('includes data on success and omits it for data-less endpoints', async () => {
		const time = await client.api('/msg/get_server_time', {});
		expect(Object.keys(time.body)).toEqual(['errCode', 'errMsg', 'errDlt', 'data']);
		expect(Math.abs(time.body.data.serverTime - Date.now())).toBeLessThan(5000);
		const reg = await client.api('/user/user_register', { users: [{ userID: 'envelope_u', nickname: 'E' }] });
		expect(reg.text).toBe('{"errCode":0,"errMsg":"","errDlt":""}');
		expect(reg.headers['content-type']).toBe('application/json; charset=utf-8');
	});

	it('escapes <, > and & like Go json.Marshal', async () => {
		const res = await client.api('/user/get_users_info', { userIDs: ['<x>&'] });
		expect(res.body.errCode).toBe(0);
		await client.api('/user/user_register', { users: [{ userID: 'html_u', nickname: '<b>&</b>' }] });
		const info = await client.api('/user/get_users_info', { userIDs: ['html_u'] });
		expect(info.text).toContain('\\u003cb\\u003e\\u0026\\u003c/b\\u003e');
		expect(info.body.data.usersInfo[0].nickname).toBe('<b>&</b>');
	});
});

describe('request bodies', () => {
	it('a2r handlers: json.Unmarshal errors are 1001 with HTTP 200', async () => {
		const empty = await client.api('/msg/get_server_time', '');
		expect(empty.status).toBe(200);
		expect(empty.body.errDlt).toBe('unexpected end of JSON input');
		const trailing = await client.api('/msg/get_server_time', '{} x');
		expect(trailing.body.errDlt).toBe("invalid character 'x' after top-level value");
		const bad = await client.api('/user/account_check', '{"checkUserIDs": [1,]}');
		expect(bad.body.errCode).toBe(1001);
		expect(bad.body.errDlt).toBe("invalid character ']' looking for beginning of value");
		const wrongType = await client.api('/user/account_check', { checkUserIDs: 'alice' });
		expect(wrongType.body.errDlt).toBe(
			'json: cannot unmarshal string into Go struct field AccountCheckReq.checkUserIDs of type []string',
		);
	});

	it('matches JSON keys case-insensitively and ignores unknown keys', async () => {
		const res = await client.api('/user/account_check', { CheckUserIDs: ['alice'], extra: true });
		expect(res.body.data.results).toEqual([{ userID: 'alice', accountStatus: 1 }]);
	});

	it('BindJSON handlers answer HTTP 400 + 1001 for unreadable bodies', async () => {
		// gin has written the header before the envelope: only the CORS middleware's content-type is set
		expect((await client.api('/msg/send_msg', '')).headers['content-type']).toBe('application/json');
		const cases: Array<[unknown, string | RegExp]> = [
			['', 'EOF'],
			['{"sendID":', 'unexpected EOF'],
			['nope', "invalid character 'o' in literal null (expecting 'u')"],
			['[1]', 'json: cannot unmarshal array into Go value of type apistruct.SendMsgReq'],
			[
				{ ...textMsg(), content: 'hello' },
				'json: cannot unmarshal string into Go struct field SendMsgReq.content of type map[string]interface {}',
			],
			[{ ...textMsg(), contentType: '101' }, /cannot unmarshal string into Go struct field SendMsgReq.contentType of type int32/],
			[{ ...textMsg(), sessionType: 1.5 }, /cannot unmarshal number 1.5 into Go struct field SendMsgReq.sessionType/],
		];
		for (const [body, dlt] of cases) {
			const single = await client.api('/msg/send_msg', body);
			expect([single.status, single.body.errCode]).toEqual([400, 1001]);
			expect(single.body.errDlt).toMatch(dlt);
			const batch = await client.api('/msg/batch_send_msg', body);
			expect([batch.status, batch.body.errCode]).toEqual([400, 1001]);
		}
	});
});

describe('token errors (§5.1; the token is echoed in errDlt like the real tools library)', () => {
	const now = () => Math.floor(Date.now() / 1000);

	it('garbage is malformed (1503)', async () => {
		const res = await client.api('/msg/get_server_time', {}, { token: 'not-a-jwt' });
		expect(res.body.errCode).toBe(1503);
		expect(res.body.errMsg).toBe('TokenMalformedError');
		expect(res.body.errDlt).toContain('token=not-a-jwt');
		const badJson = await client.api('/msg/get_server_time', {}, { token: 'e30.bm9wZQ.abc' });
		expect(badJson.body.errCode).toBe(1503);
	});

	it('a bad signature or another secret is 1505', async () => {
		const good = await client.adminToken();
		const tampered = `${good.slice(0, -2)}${good.endsWith('AA') ? 'BB' : 'AA'}`;
		const res = await client.api('/msg/get_server_time', {}, { token: tampered });
		expect(res.body.errCode).toBe(1505);
		expect(res.body.errDlt).toContain(`token=${tampered}`);
		const other = signToken({ UserID: 'imAdmin', PlatformID: 10, iat: now() - 5, exp: now() + 60 }, 'other');
		expect((await client.api('/msg/get_server_time', {}, { token: other })).body.errCode).toBe(1505);
	});

	it('alg none and iat in the future are 1505', async () => {
		const b = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
		const none = `${b({ alg: 'none', typ: 'JWT' })}.${b({ UserID: 'imAdmin', PlatformID: 10, exp: now() + 60 })}.`;
		expect((await client.api('/msg/get_server_time', {}, { token: none })).body.errCode).toBe(1505);
		const future = signToken({ UserID: 'imAdmin', PlatformID: 10, iat: now() + 600, exp: now() + 900 }, 'openIM123');
		expect((await client.api('/msg/get_server_time', {}, { token: future })).body.errCode).toBe(1505);
	});

	it('HS512 signed with the secret is accepted, as golang-jwt does', async () => {
		const b = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
		const input = `${b({ alg: 'HS512', typ: 'JWT' })}.${b({ UserID: 'imAdmin', PlatformID: 10, exp: now() + 60, iat: now() - 5 })}`;
		const sig = createHmac('sha512', 'openIM123').update(input).digest('base64url');
		expect((await client.api('/msg/get_server_time', {}, { token: `${input}.${sig}` })).body.errCode).toBe(0);
	});

	it('an expired token is 1501 even with a bad signature (claims are checked first)', async () => {
		const expired = signToken({ UserID: 'imAdmin', PlatformID: 10, iat: now() - 100, exp: now() - 1 }, 'openIM123');
		const res = await client.api('/msg/send_msg', textMsg(), { token: expired });
		expect(res.body).toEqual({
			errCode: 1501,
			errMsg: 'TokenExpiredError',
			errDlt: `token is expired, jwt parse error, token=${expired}`,
		});
		const expiredBadSig = signToken({ UserID: 'imAdmin', PlatformID: 10, iat: now() - 100, exp: now() - 1 }, 'x');
		expect((await client.api('/msg/get_server_time', {}, { token: expiredBadSig })).body.errCode).toBe(1501);
	});

	it('a validly signed token of a non-admin user the server never issued is 1507', async () => {
		const forged = signToken({ UserID: 'alice', PlatformID: 1, iat: now() - 5, exp: now() + 60 }, 'openIM123');
		const res = await client.api('/msg/get_server_time', {}, { token: forged });
		expect(res.body.errCode).toBe(1507);
		expect(res.body.errDlt).not.toContain(forged);
	});
});
