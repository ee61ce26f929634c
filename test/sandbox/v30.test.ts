/**
 * The v3.2 and v3.0 generations (sandbox/generations.ts). v3.2 is OpenIM v3.2 as tagged v3.2.2
 * (internal/api/route.go, internal/api/msg.go, protocol v0.0.18): its router, send_msg's contentType switch
 * and answer, search_msg's flat chatLogs. v3.0 (v3.0–v3.1) is the same without /msg/get_server_time and
 * /group/get_group_member_user_id (both v3.2.0).
 */
import { randomUUID } from 'node:crypto';

import type { Sandbox } from '../../sandbox/server';
import { Client, withSandbox } from './helpers';

describe.each(['v3.2', 'v3.0'] as const)('%s mode', (generation) => {
	let sandbox: Sandbox;
	let client: Client;
	let adminToken: string;

	beforeAll(async () => {
		({ sandbox, client } = await withSandbox({ generation }));
	});
	afterAll(() => sandbox.close());
	beforeEach(async () => {
		sandbox.reset();
		const res = await client.raw(
			'/auth/user_token',
			{ secret: 'openIM123', platformID: 10, userID: 'imAdmin' },
			{ headers: { operationID: randomUUID() } },
		);
		expect(res.body.errCode).toBe(0);
		adminToken = res.body.data.token;
	});

	/** null: no token header. */
	const api = (path: string, body: unknown = {}, token: string | null = adminToken) =>
		client.raw(path, body, { headers: { operationID: randomUUID(), token: token ?? undefined } });

	const send = (contentType: number, content: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
		api('/msg/send_msg', { sendID: 'imAdmin', recvID: 'alice', senderPlatformID: 10, contentType, sessionType: 1, content, ...extra });

	describe('router (v3.2.2 route.go: operationID middleware global, token checks per route group)', () => {
		it('/auth/get_admin_token (v3.8.1+) is a plain 404 with or without a token', async () => {
			for (const token of [null, adminToken]) {
				const res = await api('/auth/get_admin_token', { secret: 'openIM123', userID: 'imAdmin' }, token);
				expect([res.status, res.text]).toEqual([404, '404 page not found']);
			}
		});

		it('any unknown path is 404 before the token check; the operationID check still comes first', async () => {
			for (const path of ['/msg/manage_send_msg', '/nope', '/user/nope']) {
				const res = await api(path, {}, null);
				expect([path, res.status, res.text]).toEqual([path, 404, '404 page not found']);
			}
			const noOp = await client.raw('/auth/get_admin_token', {});
			expect([noOp.status, noOp.body]).toEqual([200, { errCode: 1001, errMsg: 'ArgsError', errDlt: 'header must have operationID' }]);
			// a route v3.2 has still wants its token
			expect((await api('/user/get_users_info', { userIDs: ['bob'] }, null)).body).toMatchObject({
				errCode: 1001,
				errDlt: 'header must have token',
			});
		});

		it('routes from v3.5+ are 404: notification accounts (v3.5.0) and /auth/get_user_token (v3.6.0)', async () => {
			const calls: Array<[string, unknown]> = [
				['/user/add_notification_account', { userID: 'it_desk', nickName: 'IT Desk', appMangerLevel: 3 }],
				['/user/update_notification_account', { userID: 'hr_bot', nickName: 'People' }],
				['/user/search_notification_account', { pagination: { pageNumber: 1, showNumber: 10 } }],
				['/auth/get_user_token', { platformID: 5, userID: 'alice' }],
			];
			for (const [path, body] of calls) {
				for (const token of [adminToken, null]) {
					const res = await api(path, body, token);
					expect([path, res.status, res.text]).toEqual([path, 404, '404 page not found']);
				}
			}
			expect(sandbox.store.users.has('it_desk')).toBe(false);
			expect(sandbox.store.users.get('hr_bot')?.nickname).toBe('HR Department');
		});
	});

	describe('/msg/send_msg contentTypes (v3.2.2 getSendMsgReq: 101–105, 110, 111, 1400, 119, 120)', () => {
		it('refuses 106 AtText: 1001 with `not support err contentType` in errDlt (ErrArgs.WithDetail), nothing stored', async () => {
			const res = await send(106, { text: '@alice hi', atUserList: ['alice'], isAtSelf: false });
			expect([res.status, res.body]).toEqual([200, { errCode: 1001, errMsg: 'ArgsError', errDlt: 'not support err contentType' }]);
			for (const contentType of [107, 108, 109, 114, 117, 118, 1500]) {
				expect((await send(contentType, { text: 'x' })).body).toMatchObject({ errCode: 1001, errDlt: 'not support err contentType' });
			}
			expect(sandbox.messages()).toHaveLength(0);
		});

		it('takes 111 Revoke (RevokeElem: revokeMsgClientID required)', async () => {
			expect((await send(111, { revokeMsgClientID: 'c0ffee' })).body.errCode).toBe(0);
			expect(sandbox.messages()[0]).toMatchObject({ contentType: 111, storedContent: '{"revokeMsgClientID":"c0ffee"}' });
			expect((await send(111, {})).body).toEqual({
				errCode: 500,
				errMsg: 'ServerInternalError',
				errDlt: "Key: 'RevokeElem.RevokeMsgClientID' Error:Field validation for 'RevokeMsgClientID' failed on the 'required' tag",
			});
		});

		it('takes 119/120 (CustomElem): 119 does not update the conversation, 120 is online-only', async () => {
			const custom = { data: '{"k":1}', description: '', extension: '' };
			expect((await send(119, custom)).body.errCode).toBe(0);
			expect((await send(120, custom)).body.errCode).toBe(0);
			const [notTrigger, onlineOnly] = sandbox.messages();
			expect(notTrigger).toMatchObject({ contentType: 119, options: { conversationUpdate: false } });
			expect(notTrigger.seq).toBeGreaterThan(0);
			expect(onlineOnly).toMatchObject({
				contentType: 120,
				seq: 0,
				isOnlineOnly: true,
				options: { history: false, persistent: false, senderSync: false, conversationUpdate: false },
			});
			expect((await send(120, { description: 'no data' })).body.errCode).toBe(500);
		});

		it('answers msg.SendMsgResp of protocol v0.0.18: serverMsgID, clientMsgID, sendTime — no `modify`', async () => {
			const res = await send(101, { text: 'hello' });
			expect(res.body).toEqual({
				errCode: 0,
				errMsg: '',
				errDlt: '',
				data: { serverMsgID: expect.any(String), clientMsgID: expect.any(String), sendTime: expect.any(Number) },
			});
			expect(Object.keys(res.body.data)).toEqual(['serverMsgID', 'clientMsgID', 'sendTime']);
		});
	});

	describe('/msg/search_msg (v3.0–v3.8.0: chatLogs are the ChatLogs themselves, no {chatLog, isRevoked})', () => {
		it('answers a flat list with the seq on each entry', async () => {
			const sent = (await send(101, { text: 'hello' })).body.data;
			const res = await api('/msg/search_msg', {
				sendID: 'imAdmin',
				recvID: 'alice',
				contentType: 0,
				sessionType: 1,
				sendTime: new Date().toISOString().slice(0, 10),
				pagination: { pageNumber: 1, showNumber: 10 },
			});
			expect(res.body.data.chatLogsNum).toBe(1);
			expect(res.body.data.chatLogs).toEqual([expect.objectContaining({ clientMsgID: sent.clientMsgID, seq: 1, sendID: 'imAdmin' })]);
			expect(res.body.data.chatLogs[0]).not.toHaveProperty('chatLog');
		});
	});

	describe('routes v3.2.0 added', () => {
		it(generation === 'v3.0' ? 'are 404 on v3.0–v3.1; get_group_member_list is there' : 'are there on v3.2', async () => {
			const time = await api('/msg/get_server_time', {});
			const ids = await api('/group/get_group_member_user_id', { groupID: 'all_staff' });
			if (generation === 'v3.0') {
				expect([time.status, time.text, ids.status, ids.text]).toEqual([404, '404 page not found', 404, '404 page not found']);
			} else {
				expect([time.body.errCode, ids.body.data.userIDs]).toEqual([0, ['alice', 'bob', 'carol', 'dave']]);
			}
			const list = await api('/group/get_group_member_list', { groupID: 'all_staff', pagination: { pageNumber: 1, showNumber: 100 } });
			expect(list.body.data.members.map((m: { userID: string }) => m.userID)).toEqual(['alice', 'bob', 'carol', 'dave']);
		});
	});
});
