/**
 * /msg/search_msg, /msg/revoke_msg (openim-api.md §2.5) and /user/get_users_online_status (§4), and
 * the control plane's `online` field for users.
 */
import type { Sandbox } from '../../sandbox/server';
import { Client, oaMsg, textMsg, withSandbox } from './helpers';

let sandbox: Sandbox;
let client: Client;

beforeAll(async () => {
	({ sandbox, client } = await withSandbox());
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const today = () => new Date().toISOString().slice(0, 10);
const page = { pageNumber: 1, showNumber: 10 };
const search = (body: Record<string, unknown>) => client.api('/msg/search_msg', { sendTime: today(), pagination: page, ...body });

describe('/msg/search_msg', () => {
	it('finds single and group messages by sender, receiver (or group) and UTC day, with the seq', async () => {
		const a = (await client.api('/msg/send_msg', textMsg('alice', 'one'))).body.data;
		await client.api('/msg/send_msg', textMsg('alice', 'two'));
		await client.api('/msg/send_msg', textMsg('bob', 'other'));
		await client.api('/msg/send_msg', { sendID: 'imAdmin', groupID: 'all_staff', contentType: 101, sessionType: 3, content: { content: 'all' } });

		const res = await search({ sendID: 'imAdmin', recvID: 'alice', sessionType: 1 });
		expect(res.body.errCode).toBe(0);
		expect(res.body.data.chatLogsNum).toBe(2);
		expect(res.body.data.chatLogs[0]).toEqual({
			chatLog: expect.objectContaining({
				clientMsgID: a.clientMsgID,
				serverMsgID: a.serverMsgID,
				sendID: 'imAdmin',
				recvID: 'alice',
				recvNickname: 'Alice Chen',
				senderNickname: 'imAdmin',
				seq: 1,
				sessionType: 1,
				contentType: 101,
				content: '{"content":"one"}',
				sendTime: a.sendTime,
				status: 2,
			}),
			isRevoked: false,
		});

		const group = await search({ recvID: 'all_staff', sessionType: 3 });
		expect(group.body.data.chatLogs.map((l: { chatLog: Record<string, unknown> }) => [l.chatLog.recvID, l.chatLog.groupName, l.chatLog.seq])).toEqual([
			['all_staff', 'All Staff', 1],
		]);
		// Another day, an unknown pair, showNumber 0: nothing (null list), still counted where it matches.
		expect((await search({ sendID: 'imAdmin', recvID: 'alice', sendTime: '2020-01-01' })).body.data).toEqual({ chatLogs: null, chatLogsNum: 0 });
		expect((await search({ sendID: 'imAdmin', recvID: 'alice', pagination: { pageNumber: 1, showNumber: 0 } })).body.data).toEqual({
			chatLogs: null,
			chatLogsNum: 2,
		});
		expect((await search({ recvID: 'alice', pagination: { pageNumber: 2, showNumber: 1 } })).body.data.chatLogs[0].chatLog.seq).toBe(2);
	});

	it('never finds OA notifications (sn_ conversations) and rejects a sendTime that is not YYYY-MM-DD', async () => {
		await client.api('/msg/send_msg', oaMsg('alice'));
		expect(sandbox.inbox('alice')[0].conversationID).toBe('sn_alice_imAdmin');
		const res = await search({ sendID: 'imAdmin', recvID: 'alice' });
		expect(res.body.data).toEqual({ chatLogs: null, chatLogsNum: 0 });

		const bad = await search({ sendTime: '2025-02-30' });
		expect(bad.body).toMatchObject({ errCode: 1001, errDlt: expect.stringContaining('invalid sendTime') });
	});
});

describe('/msg/revoke_msg', () => {
	it('marks the message recalled (no data); twice is 1404; search shows isRevoked', async () => {
		const sent = (await client.api('/msg/send_msg', textMsg('bob'))).body.data;
		const body = { conversationID: 'si_bob_imAdmin', seq: 1, userID: 'imAdmin' };
		expect((await client.api('/msg/revoke_msg', body)).body).toEqual({ errCode: 0, errMsg: '', errDlt: '' });
		expect(sandbox.inbox('bob')[0].revoked).toMatchObject({ userID: 'imAdmin', nickname: 'imAdmin', time: expect.any(Number) });
		expect((await client.api('/msg/revoke_msg', body)).body).toEqual({ errCode: 1404, errMsg: 'MsgAlreadyRevoke', errDlt: 'msg already revoke' });
		const found = await search({ sendID: 'imAdmin', recvID: 'bob' });
		expect(found.body.data.chatLogs[0]).toMatchObject({ chatLog: { clientMsgID: sent.clientMsgID }, isRevoked: true });
	});

	it('answers 1004 for an unknown message or user, 1001 for a missing field; admins may recall OA notifications', async () => {
		await client.api('/msg/send_msg', oaMsg('alice'));
		expect((await client.api('/msg/revoke_msg', { conversationID: 'si_alice_imAdmin', seq: 9, userID: 'imAdmin' })).body).toMatchObject({
			errCode: 1004,
			errDlt: 'msg not found',
		});
		expect((await client.api('/msg/revoke_msg', { conversationID: 'sn_alice_imAdmin', seq: 1, userID: 'ghost' })).body.errCode).toBe(1004);
		expect((await client.api('/msg/revoke_msg', { conversationID: 'sn_alice_imAdmin', seq: 0, userID: 'imAdmin' })).body).toMatchObject({
			errCode: 1001,
			errDlt: 'seq is invalid',
		});
		expect((await client.api('/msg/revoke_msg', { conversationID: 'sn_alice_imAdmin', seq: 1, userID: 'imAdmin' })).body.errCode).toBe(0);
	});

	it('lets a user token recall only its own single-chat message', async () => {
		await client.api('/msg/send_msg', { ...textMsg('bob'), sendID: 'alice' });
		const token = (await client.api('/auth/get_user_token', { platformID: 5, userID: 'bob' })).body.data.token;
		const other = await client.api('/msg/revoke_msg', { conversationID: 'si_alice_bob', seq: 1, userID: 'alice' }, { token });
		expect(other.body.errCode).toBe(1002);
		const notSender = await client.api('/msg/revoke_msg', { conversationID: 'si_alice_bob', seq: 1, userID: 'bob' }, { token });
		expect(notSender.body.errCode).toBe(1002);
		const aliceToken = (await client.api('/auth/get_user_token', { platformID: 5, userID: 'alice' })).body.data.token;
		const own = await client.api('/msg/revoke_msg', { conversationID: 'si_alice_bob', seq: 1, userID: 'alice' }, { token: aliceToken });
		expect(own.body.errCode).toBe(0);
	});
});

describe('/user/get_users_online_status', () => {
	it('answers a bare array in request order, online users with their connections (and live tokens)', async () => {
		const seeded = await client.raw('/_sandbox/users', { users: [{ userID: 'alice', online: [1, 5] }] });
		expect(seeded.status).toBe(200);
		const res = await client.api('/user/get_users_online_status', { userIDs: ['bob', 'alice', 'ghost'] });
		expect(res.body.errCode).toBe(0);
		expect(res.body.data).toEqual([
			{ userID: 'bob', status: 0, detailPlatformStatus: null },
			{
				userID: 'alice',
				status: 1,
				detailPlatformStatus: [
					{ platformID: 1, connID: expect.any(String), isBackground: false, token: expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/) },
					{ platformID: 5, connID: expect.any(String), isBackground: false, token: expect.stringMatching(/^eyJ/) },
				],
			},
			{ userID: 'ghost', status: 0, detailPlatformStatus: null },
		]);
		// [] takes a user offline; an empty request gives data null.
		sandbox.seedUsers([{ userID: 'alice', online: [] }]);
		expect((await client.api('/user/get_users_online_status', { userIDs: ['alice'] })).body.data[0].status).toBe(0);
		expect((await client.api('/user/get_users_online_status', {})).body).toEqual({ errCode: 0, errMsg: '', errDlt: '', data: null });
	});

	it('is admin only (1002) and answers bind errors with HTTP 400 and errCode 500', async () => {
		const token = (await client.api('/auth/get_user_token', { platformID: 5, userID: 'alice' })).body.data.token;
		expect((await client.api('/user/get_users_online_status', { userIDs: ['bob'] }, { token })).body.errCode).toBe(1002);
		const bad = await client.api('/user/get_users_online_status', { userIDs: 'bob' });
		expect(bad.status).toBe(400);
		expect(bad.body.errCode).toBe(500);
		expect((await client.raw('/_sandbox/users', { users: [{ userID: 'alice', online: [0] }] })).status).toBe(400);
	});
});
