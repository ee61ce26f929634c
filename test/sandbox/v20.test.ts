/* eslint-disable @typescript-eslint/no-explicit-any -- test answers are arbitrary JSON */
/**
 * The v2.0 generation (sandbox/v20.ts; OpenIM v2.0–v2.1 as tagged v2.1.0: cmd/open_im_api/main.go,
 * internal/api/manage/management_{chat,user}.go, pkg/base_info/manage_api_struct.go): the admin send at
 * /manager/send_msg, account check / all IDs / online status under /manager, token errors HTTP 500 in
 * the look-ups; and the /manager/send_msg probe the credential's auto-detect relies on (v2 mode: 404).
 */
import type { Sandbox } from '../../sandbox/server';
import { Client, oaMsg, omit, withSandbox } from './helpers';

let sandbox: Sandbox;
let client: Client;
let adminToken: string;
let aliceToken: string;

const OP = 'op-v20-test';

const required = (struct: string, field: string, ns = field) =>
	`Key: '${struct}.${ns}' Error:Field validation for '${field}' failed on the 'required' tag`;

function call(path: string, body: Record<string, unknown>, token: string | null = adminToken) {
	const withOp = 'operationID' in body ? body : { operationID: OP, ...body };
	return client.raw(path, withOp, { headers: { token: token ?? undefined } });
}

async function login(userID: string, platform = 1): Promise<string> {
	const res = await call('/auth/user_token', { secret: 'openIM123', platform, userID }, null);
	expect(res.body.errCode).toBe(0);
	return res.body.data.token as string;
}

const text = (extra: Record<string, unknown> = {}) => ({
	sendID: 'imAdmin',
	recvID: 'alice',
	contentType: 101,
	sessionType: 1,
	content: { text: 'hello' },
	...extra,
});

/** The 2022-style OA notification v2.1.0 accepts: faceURL still required. */
const oa = (extra: Record<string, unknown> = {}) => ({ ...oaMsg('alice'), sendID: 'hr_bot', senderPlatformID: 0, ...extra });

beforeAll(async () => {
	({ sandbox, client } = await withSandbox({ generation: 'v2.0' }));
});
afterAll(() => sandbox.close());
beforeEach(async () => {
	sandbox.reset();
	[adminToken, aliceToken] = await Promise.all([login('imAdmin'), login('alice')]);
});

describe('/auth/user_token (v2.1.0)', () => {
	it('a token for an existing user; expiredTime absolute; claims UID/Platform', async () => {
		const before = Math.floor(Date.now() / 1000);
		const res = await call('/auth/user_token', { secret: 'openIM123', platform: 5, userID: 'bob' }, null);
		expect([res.status, res.body.errCode, res.body.errMsg]).toEqual([200, 0, '']);
		expect(res.body.data.expiredTime).toBeGreaterThanOrEqual(before + sandbox.config().tokenLifetimeSeconds);
		const claims = JSON.parse(Buffer.from(res.body.data.token.split('.')[1], 'base64url').toString());
		expect(claims).toMatchObject({ UID: 'bob', Platform: 'Web' });
	});

	it('an unknown user: HTTP 200, 802, an empty token (the RPC looks the user up)', async () => {
		const res = await call('/auth/user_token', { secret: 'openIM123', platform: 1, userID: 'ghost' }, null);
		expect([res.status, res.body]).toEqual([
			200,
			{
				errCode: 802,
				errMsg: `${OP} imdb.GetUserByUserID failed record not foundghost`,
				data: { userID: 'ghost', token: '', expiredTime: 0 },
			},
		]);
	});

	it('binding: platform 1–8 (10, the v3 admin platform, is refused), operationID required; wrong secret 401', async () => {
		const admin = await call('/auth/user_token', { secret: 'openIM123', platform: 10, userID: 'imAdmin' }, null);
		expect([admin.status, admin.body]).toEqual([
			400,
			{
				errCode: 400,
				errMsg: " BindJSON failed Key: 'UserTokenReq.Platform' Error:Field validation for 'Platform' failed on the 'max' tag",
			},
		]);
		const noOp = await call('/auth/user_token', { operationID: undefined, secret: 'openIM123', platform: 1, userID: 'bob' }, null);
		expect([noOp.status, noOp.body.errMsg]).toEqual([400, ` BindJSON failed ${required('UserTokenReq', 'OperationID')}`]);
		const secret = await call('/auth/user_token', { secret: 'nope', platform: 1, userID: 'bob' }, null);
		expect([secret.status, secret.body]).toEqual([400, { errCode: 401, errMsg: `${OP} params.Secret != config.Config.Secret ` }]);
	});
});

describe('token lifetime (config.yaml tokenpolicy.accessExpire)', () => {
	const DAYS_3650 = 3650 * 24 * 60 * 60;
	const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

	it('defaults to 3650 days (v2.0–v2.3.0-rc; 90 days only from v2.3.2)', async () => {
		expect(sandbox.config().tokenLifetimeSeconds).toBe(DAYS_3650);
		const before = Math.floor(Date.now() / 1000);
		const res = await call('/auth/user_token', { secret: 'openIM123', platform: 5, userID: 'bob' }, null);
		expect(res.body.data.expiredTime).toBeGreaterThanOrEqual(before + DAYS_3650);
		expect(res.body.data.expiredTime).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + DAYS_3650);
		const { exp, iat } = claims(res.body.data.token);
		expect(exp - iat).toBe(DAYS_3650);
		sandbox.reset();
		expect(sandbox.config().tokenLifetimeSeconds).toBe(DAYS_3650);
	});

	it('an explicit lifetime wins; v2 (v2.3.3) keeps 90 days', async () => {
		const set = await withSandbox({ generation: 'v2.0', tokenLifetimeSeconds: 3600 });
		const v2 = await withSandbox({ generation: 'v2' });
		try {
			expect(set.sandbox.config().tokenLifetimeSeconds).toBe(3600);
			const res = await set.client.raw('/auth/user_token', { secret: 'openIM123', platform: 5, userID: 'bob', operationID: OP });
			const { exp, iat } = claims(res.body.data.token);
			expect(exp - iat).toBe(3600);
			expect(v2.sandbox.config().tokenLifetimeSeconds).toBe(90 * 24 * 60 * 60);
		} finally {
			await Promise.all([set.sandbox.close(), v2.sandbox.close()]);
		}
	});
});

describe('/auth/parse_token (v2.1.0)', () => {
	it('reads the token header and answers its absolute expiry; no header → HTTP 500', async () => {
		const res = await call('/auth/parse_token', {});
		const exp = JSON.parse(Buffer.from(adminToken.split('.')[1], 'base64url').toString()).exp;
		expect(res.body).toEqual({ errCode: 0, errMsg: '', data: { ExpireTimeSeconds: exp } });
		const none = await call('/auth/parse_token', { token: adminToken }, null);
		expect([none.status, none.body.errCode]).toEqual([500, 500]);
		expect(none.body.errMsg).toMatch(/^op-v20-test GetUserIDFromTokenExpireTime failed .* token:$/);
	});
});

describe('/manager/send_msg', () => {
	it('text under content.text: data {serverMsgID, clientMsgID, sendTime}, stored for the receiver', async () => {
		const res = await call('/manager/send_msg', text());
		expect(res.status).toBe(200);
		expect(res.body).toEqual({
			errCode: 0,
			errMsg: '',
			data: { serverMsgID: expect.any(String), clientMsgID: expect.any(String), sendTime: expect.any(Number) },
		});
		const [stored] = sandbox.inbox('alice');
		expect(stored).toMatchObject({ sendID: 'imAdmin', contentType: 101, sessionType: 1, content: { content: 'hello' } });
		expect(stored.serverMsgID).toBe(res.body.data.serverMsgID);
	});

	it('v2’s group chat is sessionType 2 and reaches every member', async () => {
		const res = await call('/manager/send_msg', text({ recvID: '', groupID: 'all_staff', sessionType: 2 }));
		expect(res.body.errCode).toBe(0);
		for (const id of ['alice', 'bob', 'carol', 'dave']) expect(sandbox.inbox(id)).toHaveLength(1);
	});

	it('sessionType 3 is v2’s super group chat: an ordinary group is refused (v2.1.0 would lose it silently)', async () => {
		const res = await call('/manager/send_msg', text({ recvID: '', groupID: 'all_staff', sessionType: 3 }));
		expect([res.status, res.body.errCode]).toEqual([400, 400]);
		expect(res.body.errMsg).toMatch(/^sandbox: sessionType 3 is v2's super group chat/);
		expect(sandbox.messages()).toHaveLength(0);
		sandbox.seedGroups([{ groupID: 'big', groupType: 1, memberUserIDs: ['bob', 'carol'] }]);
		const superGroup = await call('/manager/send_msg', text({ recvID: '', groupID: 'big', sessionType: 3 }));
		expect(superGroup.body.errCode).toBe(0);
		expect(sandbox.inbox('carol')).toHaveLength(1);
	});

	it('1400 is sent as sessionType 4 whatever the body says', async () => {
		const res = await call('/manager/send_msg', oa({ sessionType: 1 }));
		expect(res.body.errCode).toBe(0);
		expect(sandbox.inbox('alice')[0]).toMatchObject({ sendID: 'hr_bot', contentType: 1400, sessionType: 4 });
	});

	it('v2.1.0’s OA element still requires notificationFaceURL (403, nothing stored)', async () => {
		const content = omit(oa().content, 'notificationFaceURL');
		const res = await call('/manager/send_msg', oa({ content }));
		expect([res.status, res.body]).toEqual([
			400,
			{ errCode: 403, errMsg: required('OANotificationElem', 'NotificationFaceURL') },
		]);
		const several = await call('/manager/send_msg', oa({ content: { mixType: 0 } }));
		expect(several.body.errMsg.split('\n')).toEqual([
			required('OANotificationElem', 'NotificationName'),
			required('OANotificationElem', 'NotificationFaceURL'),
			required('OANotificationElem', 'NotificationType'),
			required('OANotificationElem', 'Text'),
		]);
		expect(sandbox.messages()).toHaveLength(0);
	});

	it('content checks: missing text 403, undecodable 401, unknown contentType 404 — all before the token', async () => {
		const noText = await call('/manager/send_msg', text({ content: { content: 'v3 key' } }), null);
		expect([noText.status, noText.body]).toEqual([400, { errCode: 403, errMsg: required('TextElem', 'Text') }]);
		const weak = await call('/manager/send_msg', oa({ content: { ...oa().content, notificationType: 'abc' } }), null);
		expect([weak.status, weak.body.errCode]).toEqual([400, 401]);
		expect(weak.body.errMsg).toBe(
			"1 error(s) decoding:\n\n* cannot parse 'notificationType' as int: strconv.ParseInt: parsing \"abc\": invalid syntax",
		);
		for (const contentType of [106, 118, 115]) {
			const res = await call('/manager/send_msg', text({ contentType }), null);
			expect([res.status, res.body]).toEqual([400, { errCode: 404, errMsg: 'contentType err' }]);
		}
	});

	it('106 AtText is refused whatever the content and token; nothing stored', async () => {
		for (const token of [adminToken, null]) {
			const res = await call('/manager/send_msg', text({ contentType: 106, content: { text: '@all hi', atUserList: ['alice'] } }), token);
			expect([res.status, res.body]).toEqual([400, { errCode: 404, errMsg: 'contentType err' }]);
		}
		expect(sandbox.messages()).toHaveLength(0);
	});

	it('binding: operationID, sendID, content, contentType and sessionType required (HTTP 400, errCode 400)', async () => {
		const noOp = await call('/manager/send_msg', { ...text(), operationID: undefined });
		expect([noOp.status, noOp.body]).toEqual([400, { errCode: 400, errMsg: required('ManagementSendMsgReq', 'OperationID') }]);
		const noSession = await call('/manager/send_msg', text({ sessionType: 0 }));
		expect(noSession.body.errMsg).toBe(required('ManagementSendMsgReq', 'SessionType'));
		const nullContent = await call('/manager/send_msg', text({ content: null }));
		expect(nullContent.body.errMsg).toBe(required('ManagementSendMsgReq', 'Content'));
		const typed = await call('/manager/send_msg', text({ content: 'hello' }));
		expect(typed.body.errMsg).toBe(
			'json: cannot unmarshal string into Go struct field ManagementSendMsgReq.content of type map[string]interface {}',
		);
	});

	it('token and appManager refusals: HTTP 400 errCode 400 with MsgID/sendTime, keys sorted', async () => {
		for (const token of [null, `${adminToken}x`]) {
			const res = await call('/manager/send_msg', text(), token);
			expect(res.status).toBe(400);
			expect(res.text).toBe('{"MsgID":"","errCode":400,"errMsg":"parse token failed","sendTime":0}');
		}
		const alice = await call('/manager/send_msg', text(), aliceToken);
		expect([alice.status, alice.body]).toEqual([400, { MsgID: '', errCode: 400, errMsg: 'not authorized', sendTime: 0 }]);
		expect(sandbox.messages()).toHaveLength(0);
	});

	it('sessionType 1 without recvID / 2 without groupID: 405', async () => {
		const single = await call('/manager/send_msg', text({ recvID: '' }));
		expect([single.status, single.body]).toEqual([400, { MsgID: '', errCode: 405, errMsg: 'recvID is a null string', sendTime: 0 }]);
		const group = await call('/manager/send_msg', text({ recvID: '', sessionType: 2 }));
		expect(group.body).toEqual({ MsgID: '', errCode: 405, errMsg: 'groupID is a null string', sendTime: 0 });
	});
});

describe('the /manager/send_msg probe', () => {
	const probe = { operationID: 'probe' };
	const bindText = ['SendID', 'Content', 'ContentType', 'SessionType'].map((f) => required('ManagementSendMsgReq', f)).join('\n');

	it('v2.0: refused at binding, HTTP 400 errCode 400, with or without a token, nothing stored', async () => {
		for (const token of [null, adminToken]) {
			const res = await client.raw('/manager/send_msg', probe, { headers: { token: token ?? undefined } });
			expect([res.status, res.body]).toEqual([400, { errCode: 400, errMsg: bindText }]);
		}
		expect(sandbox.messages()).toHaveLength(0);
		expect(sandbox.stats().sendsAccepted).toBe(0);
	});

	it('v2 (v2.2+): 404 page not found', async () => {
		const { sandbox: v2, client: v2Client } = await withSandbox({ generation: 'v2' });
		try {
			const res = await v2Client.raw('/manager/send_msg', probe);
			expect([res.status, res.text]).toEqual([404, '404 page not found']);
		} finally {
			await v2.close();
		}
	});
});

describe('routes v2.1.0 did not have', () => {
	it('the v2.2+ send and /user look-ups answer 404', async () => {
		for (const path of ['/msg/manage_send_msg', '/user/account_check', '/user/get_all_users_uid', '/auth/get_admin_token']) {
			const res = await call(path, { checkUserIDList: ['bob'] });
			expect([path, res.status, res.text]).toEqual([path, 404, '404 page not found']);
		}
	});
});

describe('/manager/account_check', () => {
	it('admin: one entry per ID, in request order', async () => {
		const res = await call('/manager/account_check', { checkUserIDList: ['bob', 'ghost', 'imAdmin'] });
		expect([res.status, res.body]).toEqual([
			200,
			{
				errCode: 0,
				errMsg: '',
				data: [
					{ userID: 'bob', accountStatus: 'registered' },
					{ userID: 'ghost', accountStatus: 'unregistered' },
					{ userID: 'imAdmin', accountStatus: 'registered' },
				],
			},
		]);
	});

	it('non-admin 801 (HTTP 200); missing operationID 400; a bad token is HTTP 500 in v2.0–v2.1', async () => {
		const alice = await call('/manager/account_check', { checkUserIDList: ['bob'] }, aliceToken);
		expect([alice.status, alice.body]).toEqual([200, { errCode: 801, errMsg: 'no permission', data: [] }]);
		const noOp = await call('/manager/account_check', { operationID: undefined, checkUserIDList: ['bob'] });
		expect([noOp.status, noOp.body]).toEqual([400, { errCode: 400, errMsg: required('AccountCheckReq', 'OperationID') }]);
		const bad = await call('/manager/account_check', { checkUserIDList: ['bob'] }, `${adminToken}x`);
		expect([bad.status, bad.body.errCode]).toEqual([500, 500]);
		expect(bad.body.errMsg).toMatch(/^op-v20-test GetUserIDFromToken failed .* token:/);
	});
});

describe('/manager/get_all_users_uid', () => {
	it('admin: every user ID; non-admin 801; operationID required', async () => {
		expect((await call('/manager/get_all_users_uid', {})).body).toEqual({
			errCode: 0,
			errMsg: '',
			data: ['alice', 'bob', 'carol', 'dave', 'hr_bot', 'imAdmin', 'ops_alerts'],
		});
		expect((await call('/manager/get_all_users_uid', {}, aliceToken)).body).toEqual({ errCode: 801, errMsg: 'no permission', data: [] });
		const noOp = await call('/manager/get_all_users_uid', { operationID: undefined });
		expect([noOp.status, noOp.body.errMsg]).toEqual([400, required('GetAllUsersUidReq', 'OperationID')]);
	});
});

describe('online status', () => {
	beforeEach(() => sandbox.seedUsers([{ userID: 'bob', online: [1] }]));
	const bobOnline = { userID: 'bob', status: 'online', detailPlatformStatus: [{ platform: 'IOS', status: 'online' }] };

	it('/manager/get_users_online_status: admin sees who is online', async () => {
		const res = await call('/manager/get_users_online_status', { userIDList: ['bob', 'ghost'] });
		expect(res.body).toEqual({ errCode: 0, errMsg: '', data: [bobOnline, { userID: 'ghost', status: 'offline' }] });
	});

	it('/manager/get_users_online_status: a non-admin gets everyone offline, errCode 0', async () => {
		const res = await call('/manager/get_users_online_status', { userIDList: ['bob'] }, aliceToken);
		expect([res.status, res.body]).toEqual([200, { errCode: 0, errMsg: '', data: [{ userID: 'bob', status: 'offline' }] }]);
		const noOp = await call('/manager/get_users_online_status', { operationID: undefined, userIDList: ['bob'] });
		expect([noOp.status, noOp.body.errMsg]).toEqual([400, required('GetUsersOnlineStatusReq', 'OperationID')]);
	});

	it('/user/get_users_online_status (v2.0.8+) answers any token', async () => {
		const res = await call('/user/get_users_online_status', { userIDList: ['bob'] }, aliceToken);
		expect(res.body.data).toEqual([bobOnline]);
	});
});

describe('/user/get_users_info', () => {
	it('public info, unknown IDs skipped; a missing token is HTTP 500', async () => {
		const res = await call('/user/get_users_info', { userIDList: ['alice', 'ghost'] }, aliceToken);
		expect(res.body).toEqual({ errCode: 0, errMsg: '', data: [{ nickname: 'Alice Chen', userID: 'alice' }] });
		const none = await call('/user/get_users_info', { userIDList: ['alice'] }, null);
		expect([none.status, none.body.errCode]).toEqual([500, 500]);
		const noOp = await call('/user/get_users_info', { operationID: undefined, userIDList: ['alice'] });
		expect([noOp.status, noOp.body.errMsg]).toEqual([400, required('GetUsersInfoReq', 'OperationID')]);
	});
});

describe('groups', () => {
	it('/group/get_group_all_member_list: no offset/count in v2.1.0 (ignored: all members); unknown 802', async () => {
		const res = await call('/group/get_group_all_member_list', { groupID: 'all_staff', offset: 1, count: 1 }, aliceToken);
		expect(res.body.data.map((m: any) => [m.userID, m.roleLevel])).toEqual([
			['alice', 2],
			['bob', 1],
			['carol', 1],
			['dave', 1],
		]);
		const unknown = await call('/group/get_group_all_member_list', { groupID: 'nope' });
		expect([unknown.status, unknown.body]).toEqual([200, { errCode: 802, errMsg: 'db failed', data: [] }]);
		const noOp = await call('/group/get_group_all_member_list', { operationID: undefined, groupID: 'all_staff' });
		expect([noOp.status, noOp.body.errMsg]).toEqual([400, required('GetGroupAllMemberReq', 'OperationID')]);
	});

	it('GroupInfo has v2.1.0’s fields only', async () => {
		sandbox.seedGroups([{ groupID: 'devs', groupName: 'Devs', memberUserIDs: ['bob'], needVerification: 1, lookMemberInfo: 1 }]);
		const res = await call('/group/get_groups_info', { groupIDList: ['devs'] });
		expect(Object.keys(res.body.data[0])).toEqual(['createTime', 'creatorUserID', 'groupID', 'groupName', 'groupType', 'memberCount', 'ownerUserID']);
		const joined = await call('/group/get_joined_group_list', { fromUserID: 'bob' });
		expect(joined.body.data.map((g: any) => [g.groupID, 'needVerification' in g])).toEqual([
			['all_staff', false],
			['devs', false],
		]);
	});
});
