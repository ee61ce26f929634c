/* eslint-disable @typescript-eslint/no-explicit-any -- test answers are arbitrary JSON */
/**
 * The v2 generation's user and group look-ups and registration (sandbox/v2.ts; OpenIM v2.3.3:
 * cmd/open_im_api/main.go, internal/api/{user,manage,group,auth}, pkg/base_info). operationID is a body
 * field; bind errors are HTTP 400 errCode 400, token errors HTTP 400 errCode 500, RPC errors HTTP 200.
 */
import type { Sandbox } from '../../sandbox/server';
import { Client, withSandbox } from './helpers';

let sandbox: Sandbox;
let client: Client;
let adminToken: string;
let aliceToken: string;

const OP = 'op-v2-test';

async function login(userID: string): Promise<string> {
	const res = await client.raw('/auth/user_token', { secret: 'openIM123', platform: 1, userID, operationID: OP });
	expect(res.body.errCode).toBe(0);
	// expiredTime is the absolute expiry in unix seconds (token_verify.CreateToken), not a lifetime.
	expect(res.body.data.expiredTime).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + sandbox.config().tokenLifetimeSeconds - 5);
	return res.body.data.token as string;
}

/**
 * A v2 call: the body as given (operationID added unless the body sets it, undefined leaves it out),
 * the admin token unless another one is given (null: no token header).
 */
function call(path: string, body: Record<string, unknown>, token: string | null = adminToken) {
	const withOp = 'operationID' in body ? body : { operationID: OP, ...body };
	return client.raw(path, withOp, { headers: { token: token ?? undefined } });
}

const required = (struct: string, field: string, ns = field) =>
	`Key: '${struct}.${ns}' Error:Field validation for '${field}' failed on the 'required' tag`;

beforeAll(async () => {
	({ sandbox, client } = await withSandbox({ generation: 'v2' }));
});
afterAll(() => sandbox.close());
beforeEach(async () => {
	sandbox.reset();
	[adminToken, aliceToken] = await Promise.all([login('imAdmin'), login('alice')]);
});

describe('common v2 rules', () => {
	it('a missing operationID is gin BindJSON: HTTP 400, errCode 400, the validator text', async () => {
		const res = await call('/user/get_users_info', { operationID: undefined, userIDList: ['alice'] });
		expect(res.status).toBe(400);
		expect(res.body).toEqual({ errCode: 400, errMsg: required('GetUsersInfoReq', 'OperationID') });
	});

	it('several binding failures are joined with a newline, in struct order', async () => {
		const res = await call('/group/get_group_all_member_list', { operationID: '' });
		expect(res.body.errMsg).toBe(`${required('GetGroupAllMemberReq', 'GroupID')}\n${required('GetGroupAllMemberReq', 'OperationID')}`);
	});

	it('JSON errors carry Go’s decoder text', async () => {
		expect((await client.raw('/user/get_users_info', '', { headers: { token: adminToken } })).body).toEqual({
			errCode: 400,
			errMsg: 'EOF',
		});
		const typed = await call('/user/get_users_info', { userIDList: 'alice' });
		expect(typed.status).toBe(400);
		expect(typed.body.errMsg).toBe(
			'json: cannot unmarshal string into Go struct field GetUsersInfoReq.userIDList of type []string',
		);
	});

	it('a missing or bad token is HTTP 400 with errCode 500, after binding', async () => {
		const none = await call('/user/get_users_info', { userIDList: ['alice'] }, null);
		expect(none.status).toBe(400);
		expect(none.body.errCode).toBe(500);
		expect(none.body.errMsg).toMatch(/^op-v2-test GetUserIDFromToken failed .* token:$/);
		const bad = await call('/group/get_groups_info', { groupIDList: ['all_staff'] }, `${adminToken}x`);
		expect([bad.status, bad.body.errCode]).toEqual([400, 500]);
		sandbox.expireTokens();
		expect((await call('/user/get_all_users_uid', {})).body.errMsg).toContain('token is expired');
	});

	it('routes v2.3.3 does not have (or the sandbox does not serve) stay 404', async () => {
		for (const path of ['/manager/account_check', '/manager/get_all_users_uid', '/auth/get_admin_token', '/msg/revoke_msg']) {
			expect((await call(path, {})).status).toBe(404);
		}
	});
});

describe('/user/get_users_info', () => {
	it('public info with any token; zero fields left out; unknown IDs skipped', async () => {
		sandbox.seedUsers([{ userID: 'erin', nickname: 'Erin', faceURL: 'https://cdn.example/e.png', ex: '{"dept":"hr"}' }]);
		const res = await call('/user/get_users_info', { userIDList: ['alice', 'ghost', 'erin'] }, aliceToken);
		expect(res.status).toBe(200);
		expect(res.body).toEqual({
			errCode: 0,
			errMsg: '',
			data: [
				{ nickname: 'Alice Chen', userID: 'alice' },
				{ ex: '{"dept":"hr"}', faceURL: 'https://cdn.example/e.png', nickname: 'Erin', userID: 'erin' },
			],
		});
		// keys sorted (jsonpb → map → encoding/json)
		expect(Object.keys(res.body.data[1])).toEqual(['ex', 'faceURL', 'nickname', 'userID']);
	});

	it('all unknown → data []; an empty list is the RPC’s 803 with HTTP 200; null is a bind error', async () => {
		expect((await call('/user/get_users_info', { userIDList: ['ghost'] })).body).toEqual({ errCode: 0, errMsg: '', data: [] });
		const empty = await call('/user/get_users_info', { userIDList: [] });
		expect([empty.status, empty.body]).toEqual([200, { errCode: 803, errMsg: 'args failed', data: [] }]);
		const missing = await call('/user/get_users_info', { userIDList: null });
		expect([missing.status, missing.body.errMsg]).toEqual([400, required('GetUsersInfoReq', 'UserIDList')]);
	});
});

describe('/user/account_check', () => {
	it('admin: one entry per ID, in request order, registered/unregistered', async () => {
		const res = await call('/user/account_check', { checkUserIDList: ['bob', 'ghost', 'imAdmin'] });
		expect(res.body).toEqual({
			errCode: 0,
			errMsg: '',
			data: [
				{ userID: 'bob', accountStatus: 'registered' },
				{ userID: 'ghost', accountStatus: 'unregistered' },
				{ userID: 'imAdmin', accountStatus: 'registered' },
			],
		});
	});

	it('non-admin: HTTP 200, 801 no permission, data []', async () => {
		const res = await call('/user/account_check', { checkUserIDList: ['bob'] }, aliceToken);
		expect([res.status, res.body]).toEqual([200, { errCode: 801, errMsg: 'no permission', data: [] }]);
	});

	it('binding: operationID and checkUserIDList required, at most 100 IDs', async () => {
		const noOp = await call('/user/account_check', { operationID: undefined, checkUserIDList: ['bob'] });
		expect([noOp.status, noOp.body.errMsg]).toEqual([400, required('AccountCheckReq', 'OperationID')]);
		const many = await call('/user/account_check', { checkUserIDList: Array.from({ length: 101 }, (_, i) => `u${i}`) });
		expect([many.status, many.body.errMsg]).toEqual([
			400,
			"Key: 'AccountCheckReq.CheckUserIDList' Error:Field validation for 'CheckUserIDList' failed on the 'lte' tag",
		]);
	});
});

describe('/auth/user_register', () => {
	const reg = (extra: Record<string, unknown> = {}) => ({
		secret: 'openIM123',
		platform: 1,
		userID: 'frank',
		nickname: 'Frank',
		faceURL: '',
		...extra,
	});

	it('registers without a token and logs the user in (absolute expiredTime)', async () => {
		const before = Math.floor(Date.now() / 1000);
		const res = await call('/auth/user_register', reg(), null);
		expect(res.status).toBe(200);
		expect(res.body).toEqual({
			errCode: 0,
			errMsg: '',
			data: { userID: 'frank', token: expect.any(String), expiredTime: expect.any(Number) },
		});
		expect(res.body.data.expiredTime).toBeGreaterThanOrEqual(before + sandbox.config().tokenLifetimeSeconds);
		const claims = JSON.parse(Buffer.from(res.body.data.token.split('.')[1], 'base64url').toString());
		expect(claims).toMatchObject({ UID: 'frank', Platform: 'IOS' });
		// the new token works, and the user exists
		const info = await call('/user/get_users_info', { userIDList: ['frank'] }, res.body.data.token);
		expect(info.body.data).toEqual([{ nickname: 'Frank', userID: 'frank' }]);
		expect((await call('/user/account_check', { checkUserIDList: ['frank'] })).body.data[0].accountStatus).toBe('registered');
	});

	it('an existing userID is the duplicate-key error: HTTP 500, errCode 500', async () => {
		const res = await call('/auth/user_register', reg({ userID: 'alice' }));
		expect([res.status, res.body.errCode]).toEqual([500, 500]);
		expect(res.body.errMsg).toContain("Duplicate entry 'alice'");
	});

	it('a wrong secret is 401; binding failures carry " BindJSON failed "', async () => {
		const secret = await call('/auth/user_register', reg({ secret: 'nope' }));
		expect([secret.status, secret.body]).toEqual([400, { errCode: 401, errMsg: ' params.Secret != config.Config.Secret ' }]);
		const noOp = await call('/auth/user_register', { ...reg(), operationID: undefined });
		expect([noOp.status, noOp.body.errMsg]).toEqual([400, ` BindJSON failed ${required('UserRegisterReq', 'OperationID')}`]);
		const platform = await call('/auth/user_register', reg({ platform: 8 }));
		expect(platform.body.errMsg).toBe(
			" BindJSON failed Key: 'UserRegisterReq.Platform' Error:Field validation for 'Platform' failed on the 'max' tag",
		);
		const noUser = await call('/auth/user_register', reg({ userID: '' }));
		expect(noUser.body.errMsg).toBe(` BindJSON failed ${required('UserRegisterReq', 'UserID', 'ApiUserInfo.UserID')}`);
		const gender = await call('/auth/user_register', reg({ gender: 3 }));
		expect(gender.body.errMsg).toBe(
			" BindJSON failed Key: 'UserRegisterReq.ApiUserInfo.Gender' Error:Field validation for 'Gender' failed on the 'oneof' tag",
		);
		const birth = await call('/auth/user_register', reg({ birth: -1 }));
		expect(birth.body.errMsg).toBe(
			' BindJSON failed json: cannot unmarshal number -1 into Go struct field UserRegisterReq.birth of type uint32',
		);
		expect((await call('/user/account_check', { checkUserIDList: ['frank'] })).body.data[0].accountStatus).toBe('unregistered');
	});
});

describe('/user/get_all_users_uid', () => {
	it('admin: every user ID (the app managers included), in primary-key order', async () => {
		const res = await call('/user/get_all_users_uid', {});
		expect(res.body).toEqual({
			errCode: 0,
			errMsg: '',
			data: ['alice', 'bob', 'carol', 'dave', 'hr_bot', 'imAdmin', 'ops_alerts'],
		});
	});

	it('non-admin: 801 with HTTP 200; operationID required', async () => {
		expect((await call('/user/get_all_users_uid', {}, aliceToken)).body).toEqual({
			errCode: 801,
			errMsg: 'no permission',
			data: [],
		});
		const noOp = await call('/user/get_all_users_uid', { operationID: undefined });
		expect([noOp.status, noOp.body.errMsg]).toEqual([400, required('GetAllUsersUidReq', 'OperationID')]);
	});
});

describe('/user/get_users_online_status', () => {
	it('any token; one entry per ID; offline entries have no detailPlatformStatus; unknown = offline', async () => {
		sandbox.seedUsers([{ userID: 'bob', online: [1, 5] }]);
		const res = await call('/user/get_users_online_status', { userIDList: ['bob', 'alice', 'ghost'] }, aliceToken);
		expect(res.body).toEqual({
			errCode: 0,
			errMsg: '',
			data: [
				{
					userID: 'bob',
					status: 'online',
					detailPlatformStatus: [
						{ platform: 'IOS', status: 'online' },
						{ platform: 'Web', status: 'online' },
					],
				},
				{ userID: 'alice', status: 'offline' },
				{ userID: 'ghost', status: 'offline' },
			],
		});
	});

	it('binding: operationID required, userIDList required and at most 200', async () => {
		const noOp = await call('/user/get_users_online_status', { operationID: undefined, userIDList: ['bob'] });
		expect([noOp.status, noOp.body.errMsg]).toEqual([400, required('GetUsersOnlineStatusReq', 'OperationID')]);
		const many = await call('/user/get_users_online_status', { userIDList: Array.from({ length: 201 }, (_, i) => `u${i}`) });
		expect(many.body.errMsg).toContain("failed on the 'lte' tag");
		expect((await call('/user/get_users_online_status', { userIDList: [] })).body.data).toEqual([]);
	});
});

describe('/group/get_group_all_member_list', () => {
	it('any token, member or not; v2 roleLevel (2 owner, 1 ordinary), times in seconds', async () => {
		const res = await call('/group/get_group_all_member_list', { groupID: 'all_staff' }, aliceToken);
		expect(res.status).toBe(200);
		expect(res.body.errCode).toBe(0);
		expect(res.body.data.map((m: any) => [m.userID, m.roleLevel])).toEqual([
			['alice', 2],
			['bob', 1],
			['carol', 1],
			['dave', 1],
		]);
		expect(res.body.data[0]).toEqual({
			groupID: 'all_staff',
			joinTime: expect.any(Number),
			nickname: 'Alice Chen',
			roleLevel: 2,
			userID: 'alice',
		});
		expect(res.body.data[0].joinTime).toBeLessThan(1e10);
		sandbox.seedUsers([{ userID: 'outsider' }]);
		const outsider = await call('/group/get_group_all_member_list', { groupID: 'all_staff' }, await login('outsider'));
		expect(outsider.body.data).toHaveLength(4);
	});

	it('offset/count page the list (count 0 = the rest, up to 1000)', async () => {
		const page = await call('/group/get_group_all_member_list', { groupID: 'all_staff', offset: 1, count: 2 });
		expect(page.body.data.map((m: any) => m.userID)).toEqual(['bob', 'carol']);
		const rest = await call('/group/get_group_all_member_list', { groupID: 'all_staff', offset: 3 });
		expect(rest.body.data.map((m: any) => m.userID)).toEqual(['dave']);
	});

	it('unknown group: HTTP 200, 802 db failed, data []; groupID/operationID required', async () => {
		const res = await call('/group/get_group_all_member_list', { groupID: 'nope' });
		expect([res.status, res.body]).toEqual([200, { errCode: 802, errMsg: 'db failed', data: [] }]);
		const noOp = await call('/group/get_group_all_member_list', { operationID: undefined, groupID: 'all_staff' });
		expect([noOp.status, noOp.body.errMsg]).toEqual([400, required('GetGroupAllMemberReq', 'OperationID')]);
	});
});

describe('/group/get_groups_info', () => {
	it('any token; unknown IDs skipped; zero fields left out', async () => {
		const res = await call('/group/get_groups_info', { groupIDList: ['nope', 'all_staff'] }, aliceToken);
		expect(res.body).toEqual({
			errCode: 0,
			errMsg: '',
			data: [
				{
					createTime: expect.any(Number),
					creatorUserID: 'alice',
					groupID: 'all_staff',
					groupName: 'All Staff',
					groupType: 2,
					memberCount: 4,
					ownerUserID: 'alice',
				},
			],
		});
		expect((await call('/group/get_groups_info', { groupIDList: ['nope'] })).body.data).toEqual([]);
		const noOp = await call('/group/get_groups_info', { operationID: undefined, groupIDList: ['all_staff'] });
		expect([noOp.status, noOp.body.errMsg]).toEqual([400, required('GetGroupInfoReq', 'OperationID')]);
	});
});

describe('/group/get_joined_group_list', () => {
	it('the user themself or an app manager; dismissed and super groups left out', async () => {
		sandbox.seedGroups([
			{ groupID: 'gone', memberUserIDs: ['bob'], status: 2 },
			{ groupID: 'super', memberUserIDs: ['bob'], groupType: 1 },
			{ groupID: 'devs', groupName: 'Devs', memberUserIDs: ['carol', 'bob'] },
		]);
		const admin = await call('/group/get_joined_group_list', { fromUserID: 'bob' });
		expect(admin.body.data.map((g: any) => g.groupID)).toEqual(['all_staff', 'devs']);
		const self = await call('/group/get_joined_group_list', { fromUserID: 'alice' }, aliceToken);
		expect(self.body.data.map((g: any) => g.groupID)).toEqual(['all_staff']);
	});

	it('someone else’s list: HTTP 200, 801; an unknown user has no groups; fromUserID required', async () => {
		const other = await call('/group/get_joined_group_list', { fromUserID: 'bob' }, aliceToken);
		expect([other.status, other.body]).toEqual([200, { errCode: 801, errMsg: 'no permission', data: [] }]);
		expect((await call('/group/get_joined_group_list', { fromUserID: 'ghost' })).body).toEqual({
			errCode: 0,
			errMsg: '',
			data: [],
		});
		const missing = await call('/group/get_joined_group_list', {});
		expect([missing.status, missing.body.errMsg]).toEqual([400, required('GetJoinedGroupListReq', 'FromUserID')]);
	});
});

describe('/auth/user_token and /msg/manage_send_msg', () => {
	it('user_token: platform 1–9 only (v2 has no admin platform 10)', async () => {
		const token = (platform: number) => client.raw('/auth/user_token', { secret: 'openIM123', platform, userID: 'imAdmin', operationID: OP });
		expect((await token(10)).status).toBe(400);
		expect((await token(10)).body.errMsg).toBe(" BindJSON failed Key: 'UserTokenReq.Platform' Error:Field validation for 'Platform' failed on the 'max' tag");
		expect((await token(7)).body.errCode).toBe(0);
	});

	it('a group chat is sessionType 2; 3 is v2\'s super group chat, which an ordinary group never receives', async () => {
		const send = (sessionType: number) =>
			call('/msg/manage_send_msg', {
				sendID: 'imAdmin',
				groupID: 'all_staff',
				senderPlatformID: 7,
				content: { text: 'Deploy at 18:00' },
				contentType: 101,
				sessionType,
			});
		const group = await send(2);
		expect(group.body).toMatchObject({ errCode: 0, data: { serverMsgID: expect.any(String) } });
		expect(sandbox.messages().map((m) => [m.conversationID, m.sessionType, m.via])).toEqual([['sg_all_staff', 3, '/msg/manage_send_msg']]);
		const superGroup = await send(3);
		expect(superGroup.status).toBe(400);
		expect(superGroup.body.errMsg).toMatch(/^sandbox: sessionType 3 is v2's super group chat/);
		expect(sandbox.messages()).toHaveLength(1);
	});
});

describe('/msg/manage_send_msg: contentTypes and the answer (v2.3.3 ManagementSendMsg)', () => {
	const send = (contentType: number, content: Record<string, unknown>, token: string | null = adminToken) =>
		call('/msg/manage_send_msg', { sendID: 'imAdmin', recvID: 'alice', senderPlatformID: 7, content, contentType, sessionType: 1 }, token);

	it('refuses 106 AtText (commented out in v2.3.3): HTTP 400 {errCode:404, "contentType err"}, before the token check', async () => {
		for (const token of [adminToken, null, 'not-a-token']) {
			const res = await send(106, { text: '@all hello', atUserList: ['alice'] }, token);
			expect(res.status).toBe(400);
			expect(res.body).toEqual({ errCode: 404, errMsg: 'contentType err' });
		}
		for (const contentType of [107, 108, 114, 1500]) expect((await send(contentType, { text: 'x' })).body.errCode).toBe(404);
		expect(sandbox.messages()).toHaveLength(0);
	});

	it('takes 119/120 (CustomElem): 120 is online-only, 119 does not update the conversation', async () => {
		const custom = { data: '{"k":1}', description: 'd', extension: '' };
		expect((await send(119, custom)).body.errCode).toBe(0);
		expect((await send(120, custom)).body.errCode).toBe(0);
		const [notTrigger, onlineOnly] = sandbox.messages();
		expect(notTrigger.options).toEqual({ conversationUpdate: false });
		expect(onlineOnly).toMatchObject({ seq: 0, isOnlineOnly: true });
		// CustomElem's data is required, as for 110
		expect((await send(119, { description: 'd' })).body.errCode).not.toBe(0);
		expect(sandbox.messages()).toHaveLength(2);
	});

	it('answers {serverMsgID, clientMsgID, sendTime} only (UserSendMsgResp, no `modify`)', async () => {
		const res = await send(101, { text: 'hello' });
		expect(res.body).toEqual({
			errCode: 0,
			errMsg: '',
			data: { serverMsgID: expect.any(String), clientMsgID: expect.any(String), sendTime: expect.any(Number) },
		});
		expect(Object.keys(res.body.data)).toEqual(['serverMsgID', 'clientMsgID', 'sendTime']);
	});
});
