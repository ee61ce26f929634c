/**
 * /msg/send_msg, /msg/batch_send_msg, /msg/check_msg_is_send_success, /msg/get_server_time
 * (openim-api.md §2, §3): the validation pipeline, every rejection, storage and delivery.
 */
import type { Sandbox } from '../../sandbox/server';
import { Client, MEDIA_BY_MIXTYPE, oaMsg, omit, SEED_2022_PAYLOAD, textMsg, withSandbox } from './helpers';

let sandbox: Sandbox;
let client: Client;

beforeAll(async () => {
	({ sandbox, client } = await withSandbox());
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const send = (body: unknown, headers: Record<string, string> = {}) => client.api('/msg/send_msg', body, headers);
const batch = (body: unknown) => client.api('/msg/batch_send_msg', body);

describe('send_msg success', () => {
	it('stores a text message and answers serverMsgID/clientMsgID/sendTime', async () => {
		const before = Date.now();
		const res = await send(textMsg('alice', 'Build #42 failed'));
		expect(res.status).toBe(200);
		expect(res.body.errCode).toBe(0);
		const data = res.body.data;
		expect(Object.keys(data)).toEqual(['serverMsgID', 'clientMsgID', 'sendTime', 'modify']);
		expect(data.serverMsgID).toMatch(/^[0-9a-f]{32}$/);
		expect(data.clientMsgID).toMatch(/^[0-9a-f]{32}$/);
		expect(data.modify).toBeNull();
		expect(data.sendTime).toBeGreaterThanOrEqual(before);
		const [msg] = sandbox.inbox('alice');
		expect(msg).toMatchObject({
			seq: 1,
			conversationID: 'si_alice_imAdmin',
			serverMsgID: data.serverMsgID,
			clientMsgID: data.clientMsgID,
			sendID: 'imAdmin',
			recvID: 'alice',
			sessionType: 1,
			contentType: 101,
			msgFrom: 200,
			content: { content: 'Build #42 failed' },
			storedContent: '{"content":"Build #42 failed"}',
			via: '/msg/send_msg',
		});
		await send(textMsg('alice', 'again'));
		expect(sandbox.inbox('alice').map((m) => m.seq)).toEqual([1, 2]);
		expect(sandbox.inbox('bob')).toHaveLength(0);
	});

	it('keeps a client-supplied sendTime and the extra fields', async () => {
		const res = await send(
			textMsg('bob', 'x', { sendTime: 1700000000000, senderNickname: 'Bot', ex: 'e', notOfflinePush: true }),
		);
		expect(res.body.data.sendTime).toBe(1700000000000);
		expect(sandbox.inbox('bob')[0]).toMatchObject({ senderNickname: 'Bot', ex: 'e', options: { offlinePush: false } });
	});

	it('isOnlineOnly messages are accepted but reach no inbox (nobody is online)', async () => {
		expect((await send(textMsg('alice', 'ping', { isOnlineOnly: true }))).body.errCode).toBe(0);
		expect(sandbox.inbox('alice')).toHaveLength(0);
		expect(sandbox.messages()[0]).toMatchObject({ isOnlineOnly: true, seq: 0, options: { history: false } });
	});

	it('a receiver who set "do not receive" gets nothing, yet the API answers errCode 0 with empty IDs', async () => {
		sandbox.seedUsers([{ userID: 'quiet', globalRecvMsgOpt: 1 }]);
		const res = await send(textMsg('quiet'));
		expect(res.body).toMatchObject({ errCode: 0, data: { serverMsgID: '', clientMsgID: '', sendTime: 0 } });
		expect(sandbox.messages()).toHaveLength(0);
	});

	it('records the send status under the operationID header', async () => {
		await send(textMsg(), { operationID: 'op-status' });
		const same = await client.api('/msg/check_msg_is_send_success', {}, { operationID: 'op-status' });
		expect(same.body.data).toEqual({ status: 2 });
		const other = await client.api('/msg/check_msg_is_send_success', {}, { operationID: 'op-other' });
		expect(other.body.data).toEqual({ status: 0 });
		const empty = await client.api('/msg/check_msg_is_send_success', '', { operationID: 'op-status' });
		expect(empty.body).toMatchObject({ errCode: 1001, errDlt: 'unexpected end of JSON input' });
	});

	it('get_server_time needs a {} body', async () => {
		expect((await client.api('/msg/get_server_time', {})).body.data.serverTime).toBeGreaterThan(0);
		expect((await client.api('/msg/get_server_time', '')).body).toMatchObject({
			errCode: 1001,
			errDlt: 'unexpected end of JSON input',
		});
	});
});

describe('send_msg binding errors: HTTP 400 + 1001', () => {
	const ns = 'SendMsgReq';
	const cases: Array<[string, Record<string, unknown>, string]> = [
		['sendID missing', { ...textMsg(), sendID: undefined }, `Key: '${ns}.SendMsg.SendID' Error:Field validation for 'SendID' failed on the 'required' tag`],
		['sendID empty', { ...textMsg(), sendID: '' }, `'${ns}.SendMsg.SendID'`],
		['content missing', { ...textMsg(), content: undefined }, `'${ns}.SendMsg.Content'`],
		['content null', { ...textMsg(), content: null }, `'${ns}.SendMsg.Content'`],
		['contentType 0', { ...textMsg(), contentType: 0 }, `'${ns}.SendMsg.ContentType'`],
		['sessionType missing', { ...textMsg(), sessionType: undefined }, `'${ns}.SendMsg.SessionType'`],
		['recvID missing (single)', { ...textMsg(), recvID: undefined }, `Key: '${ns}.RecvID' Error:Field validation for 'RecvID' failed on the 'required_if' tag`],
		['recvID empty (notification)', { ...oaMsg(), recvID: '' }, `'${ns}.RecvID'`],
		['groupID missing (group)', { ...textMsg(), recvID: undefined, sessionType: 3 }, `'${ns}.SendMsg.GroupID'`],
		['groupID missing (type 2)', { ...textMsg(), sessionType: 2 }, `'${ns}.SendMsg.GroupID'`],
	];
	it.each(cases)('%s', async (_name, body, dlt) => {
		const res = await send(body);
		expect(res.status).toBe(400);
		expect(res.body.errCode).toBe(1001);
		expect(res.body.errMsg).toBe('ArgsError');
		expect(res.body.errDlt).toContain(dlt);
		expect('data' in res.body).toBe(false);
	});

	it('reports every failed binding rule, one per line', async () => {
		const res = await send({});
		expect(res.body.errDlt.split('\n')).toHaveLength(4);
	});

	it('{} as content passes binding and fails content validation (500)', async () => {
		const res = await send({ ...textMsg(), content: {} });
		expect(res.status).toBe(200);
		expect(res.body).toEqual({
			errCode: 500,
			errMsg: 'ServerInternalError',
			errDlt: "Key: 'TextElem.Content' Error:Field validation for 'Content' failed on the 'required' tag",
		});
	});
});

describe('send_msg rejections after binding (HTTP 200)', () => {
	it('allows only contentTypes 101–106, 110 and 1400', async () => {
		for (const contentType of [107, 108, 109, 111, 114, 117, 118, 1500, 2001]) {
			const res = await send({ ...textMsg(), contentType });
			expect(res.status).toBe(200);
			expect(res.body).toEqual({ errCode: 1001, errMsg: 'ArgsError', errDlt: '' });
		}
		expect(sandbox.messages()).toHaveLength(0);
	});

	it('sessionType 4 ⇔ contentType 1400', async () => {
		const res = await send({ ...textMsg(), sessionType: 4 });
		expect(res.body).toMatchObject({
			errCode: 1001,
			errDlt: 'notification msg must have correct session type and content type',
		});
		// 1400 forces sessionType 4 whatever was sent
		const forced = await send({ ...oaMsg(), sessionType: 1 });
		expect(forced.body.errCode).toBe(0);
		expect(sandbox.inbox('alice')[0]).toMatchObject({ sessionType: 4, conversationID: 'sn_alice_imAdmin' });
	});

	it('sessionType 2 and unknown session types are 1001', async () => {
		expect((await send({ ...textMsg(), sessionType: 2, groupID: 'all_staff' })).body).toMatchObject({
			errCode: 1001,
			errDlt: 'unknown sessionType',
		});
		expect((await send({ ...textMsg(), sessionType: 9 })).body.errCode).toBe(1001);
	});

	it('single chat to an unknown recvID is 1004', async () => {
		expect((await send(textMsg('ghost'))).body).toMatchObject({ errCode: 1004, errMsg: 'RecordNotFoundError' });
	});

	it('OA notifications check the sender: unknown → 1101, appMangerLevel neither 2 nor ≥ 3 → 1002', async () => {
		expect((await send(oaMsg('alice', 0, { sendID: 'nobody' }))).body).toMatchObject({
			errCode: 1101,
			errMsg: 'UserIDNotFoundError',
		});
		expect((await send(oaMsg('bob', 0, { sendID: 'alice' }))).body).toEqual({
			errCode: 1002,
			errMsg: 'NoPermissionError',
			errDlt: 'notification messages cannot be sent for this ID',
		});
		sandbox.seedUsers([{ userID: 'app_admin', appMangerLevel: 2 }]);
		for (const sendID of ['hr_bot', 'ops_alerts', 'app_admin', 'imAdmin']) {
			expect((await send(oaMsg('bob', 0, { sendID }))).body.errCode).toBe(0);
		}
		expect(sandbox.inbox('bob').map((m) => m.conversationID)).toEqual([
			'sn_bob_hr_bot',
			'sn_bob_ops_alerts',
			'sn_app_admin_bob',
			'sn_bob_imAdmin',
		]);
	});

	it('OA content failures are errCode 500 with validator text', async () => {
		const bad = (content: Record<string, unknown>) => send(oaMsg('alice', 0, { content: { ...oaMsg().content, ...content } }));
		expect((await bad({ notificationType: 0 })).body).toEqual({
			errCode: 500,
			errMsg: 'ServerInternalError',
			errDlt:
				"Key: 'OANotificationElem.NotificationType' Error:Field validation for 'NotificationType' failed on the 'required' tag",
		});
		expect((await bad({ notificationName: '' })).body.errDlt).toContain("'NotificationName' failed on the 'required' tag");
		expect((await bad({ text: undefined })).body.errDlt).toContain("'OANotificationElem.Text'");
		expect((await bad({ mixType: 6 })).body.errDlt).toContain("'MixType' failed on the 'lte' tag");
		expect((await bad({ mixType: -1 })).body.errDlt).toContain("'MixType' failed on the 'gte' tag");
		expect((await bad({ fileElem: { sourceUrl: 'u', fileName: 'f', fileSize: 0 } })).body.errDlt).toBe(
			"Key: 'OANotificationElem.FileElem.FileSize' Error:Field validation for 'FileSize' failed on the 'required' tag",
		);
		expect((await bad({ soundElem: { sourceUrl: 'u', duration: -2 } })).body.errDlt).toContain(
			"'OANotificationElem.SoundElem.Duration' Error:Field validation for 'Duration' failed on the 'min' tag",
		);
		const decode = await bad({ text: { nested: true } });
		expect(decode.body.errCode).toBe(500);
		expect(decode.body.errDlt).toBe(
			"1 error(s) decoding:\n\n* 'text' expected type 'string', got unconvertible type 'map[string]interface {}', value: 'map[nested:true]'",
		);
		expect((await bad({ notificationType: 'abc' })).body.errDlt).toContain("cannot parse 'notificationType' as int");
		expect(sandbox.messages()).toHaveLength(0);
	});

	it('WeakDecode coerces "12" → 12 (the raw content is stored as sent)', async () => {
		const res = await send(oaMsg('alice', 0, { content: { ...oaMsg().content, notificationType: '12', mixType: '0' } }));
		expect(res.body.errCode).toBe(0);
		expect(sandbox.inbox('alice')[0].content.notificationType).toBe('12');
	});

	it('other content types are validated too', async () => {
		expect((await send({ ...textMsg(), contentType: 110, content: { data: { a: 1 } } })).body.errCode).toBe(500);
		expect((await send({ ...textMsg(), contentType: 110, content: { data: '{"a":1}' } })).body.errCode).toBe(0);
		expect((await send({ ...textMsg(), contentType: 105, content: { sourceUrl: 'u', fileName: 'f' } })).body.errDlt).toBe(
			"Key: 'FileElem.FileSize' Error:Field validation for 'FileSize' failed on the 'required' tag",
		);
		expect((await send({ ...textMsg(), contentType: 106, content: { text: '@all' } })).body.errDlt).toContain(
			"'AtElem.AtUserList' Error:Field validation for 'AtUserList' failed on the 'required' tag",
		);
		expect((await send({ ...textMsg(), contentType: 102, content: MEDIA_BY_MIXTYPE[1].pictureElem })).body.errCode).toBe(0);
	});
});

describe('the 2022 seed payload', () => {
	it('is a 404 on its v2 path', async () => {
		expect((await client.api('/manager/send_msg', SEED_2022_PAYLOAD)).status).toBe(404);
	});

	it('as sent to /msg/send_msg: its v2 admin sender does not exist (1101)', async () => {
		expect((await send(SEED_2022_PAYLOAD)).body.errCode).toBe(1101);
	});

	it('with a valid sender: rejected with 500 because every empty media element is validated', async () => {
		const res = await send({ ...SEED_2022_PAYLOAD, sendID: 'imAdmin', recvID: 'alice' });
		expect(res.status).toBe(200);
		expect(res.body.errCode).toBe(500);
		const lines = res.body.errDlt.split('\n');
		expect(lines).toContain(
			"Key: 'OANotificationElem.PictureElem.SourcePicture.Type' Error:Field validation for 'Type' failed on the 'required' tag",
		);
		expect(lines).toContain(
			"Key: 'OANotificationElem.SoundElem.SourceURL' Error:Field validation for 'SourceURL' failed on the 'required' tag",
		);
		expect(lines).toContain(
			"Key: 'OANotificationElem.VideoElem.VideoURL' Error:Field validation for 'VideoURL' failed on the 'required' tag",
		);
		expect(lines).toContain(
			"Key: 'OANotificationElem.FileElem.FileName' Error:Field validation for 'FileName' failed on the 'required' tag",
		);
		expect(sandbox.messages()).toHaveLength(0);
	});

	it('is accepted once the empty elements are dropped (what the node must produce)', async () => {
		const content = omit(SEED_2022_PAYLOAD.content, 'pictureElem', 'soundElem', 'videoElem', 'fileElem');
		const res = await send({ ...SEED_2022_PAYLOAD, sendID: 'imAdmin', recvID: 'alice', content });
		expect(res.body.errCode).toBe(0);
	});
});

describe('OA notifications per mixType', () => {
	it.each([0, 1, 2, 3, 4, 5])('mixType %i lands in the inbox, stored as {"detail": …}', async (mixType) => {
		const body = oaMsg('alice', mixType);
		const res = await send(body);
		expect(res.body.errCode).toBe(0);
		const inbox = sandbox.inbox('alice');
		expect(inbox).toHaveLength(1);
		const msg = inbox[0];
		expect(msg).toMatchObject({ contentType: 1400, sessionType: 4, conversationID: 'sn_alice_imAdmin', seq: 1 });
		expect(msg.content).toEqual(body.content); // raw, externalUrl included
		const detail = JSON.parse(JSON.parse(msg.storedContent).detail);
		expect(detail).toEqual(body.content);
		expect(Object.keys(detail)).toEqual(Object.keys(detail).sort()); // Go marshals maps with sorted keys
		expect(msg.offlinePushInfo).toMatchObject({ title: 'HR', desc: 'Welcome aboard' });
	});

	it('has no recipient check on sessionType 4: the real server stores to nobody', async () => {
		expect((await send(oaMsg('no_such_user'))).body.errCode).toBe(0);
		expect(sandbox.inbox('no_such_user')).toHaveLength(1);
	});
});

describe('groups (sessionType 3)', () => {
	it('reaches every member of all_staff', async () => {
		const res = await send({ ...textMsg(), recvID: undefined, sessionType: 3, groupID: 'all_staff' });
		expect(res.body.errCode).toBe(0);
		for (const u of ['alice', 'bob', 'carol', 'dave']) {
			expect(sandbox.inbox(u)).toEqual([expect.objectContaining({ conversationID: 'sg_all_staff', groupID: 'all_staff' })]);
		}
	});

	it('unknown → 1004, dismissed → 1204, non-member non-admin sender → 1203', async () => {
		const g = (groupID: string, sendID = 'imAdmin') => send({ ...textMsg(), sendID, sessionType: 3, groupID });
		expect((await g('nope')).body.errCode).toBe(1004);
		sandbox.seedGroups([{ groupID: 'old_team', memberUserIDs: ['alice'], status: 2 }]);
		expect((await g('old_team')).body).toMatchObject({ errCode: 1204, errMsg: 'DismissedAlreadyError' });
		expect((await g('all_staff', 'hr_bot')).body.errCode).toBe(1203);
		expect((await g('all_staff', 'bob')).body.errCode).toBe(0);
	});
});

describe('batch_send_msg', () => {
	it('sends one message per receiver with the same clientMsgID and lists failures', async () => {
		const base = omit(textMsg(), 'recvID');
		const res = await batch({ ...base, recvIDs: ['alice', 'ghost', 'bob'] });
		expect(res.body.errCode).toBe(0);
		const { results, failedUserIDs } = res.body.data;
		expect(results.map((r: { recvID: string }) => r.recvID)).toEqual(['alice', 'bob']);
		expect(new Set(results.map((r: { clientMsgID: string }) => r.clientMsgID)).size).toBe(1);
		expect(new Set(results.map((r: { serverMsgID: string }) => r.serverMsgID)).size).toBe(2);
		expect(Object.keys(results[0])).toEqual(['serverMsgID', 'clientMsgID', 'sendTime', 'recvID']);
		expect(failedUserIDs).toEqual(['ghost']);
		expect(sandbox.inbox('alice')).toHaveLength(1);
		expect(sandbox.inbox('bob')).toHaveLength(1);
		// batch does not record a send status
		const status = await client.api('/msg/check_msg_is_send_success', {}, { operationID: sandbox.messages()[0].operationID });
		expect(status.body.data.status).toBe(0);
	});

	it('requires recvIDs (non-null); [] sends nothing and answers null lists', async () => {
		const base = omit(oaMsg(), 'recvID');
		for (const recvIDs of [undefined, null]) {
			const res = await batch({ ...base, recvIDs });
			expect(res.status).toBe(400);
			expect(res.body.errDlt).toBe(
				"Key: 'BatchSendMsgReq.RecvIDs' Error:Field validation for 'RecvIDs' failed on the 'required' tag",
			);
		}
		const empty = await batch({ ...base, recvIDs: [] });
		expect(empty.body.data).toEqual({ results: null, failedUserIDs: null });
	});

	it('isSendAll reaches every user in the DB, admins and notification accounts included', async () => {
		const base = omit(oaMsg(), 'recvID');
		const res = await batch({ ...base, isSendAll: true, recvIDs: [] });
		expect(res.body.data.results).toHaveLength(sandbox.store.users.size);
		expect(res.body.data.failedUserIDs).toBeNull();
		expect(sandbox.inbox('imAdmin')).toHaveLength(1);
	});

	it('validates the content once (500) and enforces admin/contentType rules', async () => {
		const base = omit(oaMsg(), 'recvID');
		expect((await batch({ ...base, recvIDs: ['alice'], content: { ...base.content, text: '' } })).body.errCode).toBe(500);
		expect((await batch({ ...base, recvIDs: ['alice'], contentType: 108 })).body.errCode).toBe(1001);
		// text + sessionType 4 fails in the RPC: every receiver fails, the call itself succeeds
		const text = omit(textMsg(), 'recvID');
		const res = await batch({ ...text, sessionType: 4, recvIDs: ['alice', 'bob'] });
		expect(res.body).toMatchObject({ errCode: 0, data: { results: null, failedUserIDs: ['alice', 'bob'] } });
	});
});
