/**
 * /user/* and /group/* look-ups (openim-api.md §3.2, §4).
 */
import type { Sandbox } from '../../sandbox/server';
import { Client, oaMsg, withSandbox } from './helpers';

let sandbox: Sandbox;
let client: Client;
let userToken: string;

beforeAll(async () => {
	({ sandbox, client } = await withSandbox());
});
afterAll(() => sandbox.close());
beforeEach(async () => {
	sandbox.reset();
	userToken = (await client.api('/auth/get_user_token', { platformID: 5, userID: 'alice' })).body.data.token;
});

const page = (pageNumber: number, showNumber: number) => ({ pageNumber, showNumber });

describe('/user/account_check', () => {
	it('reports each ID in request order: 1 registered, 0 unregistered', async () => {
		const res = await client.api('/user/account_check', { checkUserIDs: ['bob', 'ghost', 'imAdmin'] });
		expect(res.body.data.results).toEqual([
			{ userID: 'bob', accountStatus: 1 },
			{ userID: 'ghost', accountStatus: 0 },
			{ userID: 'imAdmin', accountStatus: 1 },
		]);
	});

	it('rejects duplicates (1001), null (1001) and non-admin tokens (1002)', async () => {
		expect((await client.api('/user/account_check', { checkUserIDs: ['bob', 'bob'] })).body).toEqual({
			errCode: 1001,
			errMsg: 'ArgsError',
			errDlt: 'userID repeated',
		});
		expect((await client.api('/user/account_check', {})).body.errDlt).toBe('CheckUserIDs is empty');
		const res = await client.api('/user/account_check', { checkUserIDs: ['bob'] }, { token: userToken });
		expect(res.body.errCode).toBe(1002);
	});
});

describe('/user/get_users_info', () => {
	it('leaves unknown IDs out, with any valid token', async () => {
		const res = await client.api('/user/get_users_info', { userIDs: ['alice', 'ghost'] }, { token: userToken });
		expect(res.body.data.usersInfo).toEqual([
			{
				userID: 'alice',
				nickname: 'Alice Chen',
				faceURL: '',
				ex: '',
				createTime: expect.any(Number),
				appMangerLevel: 1,
				globalRecvMsgOpt: 0,
			},
		]);
		expect((await client.api('/user/get_users_info', {})).body.errDlt).toBe('UserIDs is empty');
	});
});

describe('/user/user_register', () => {
	it('creates users (no data in the answer)', async () => {
		const res = await client.api('/user/user_register', {
			users: [
				{ userID: 'erin_01', nickname: 'Erin', faceURL: 'https://x/e.png' },
				{ userID: 'Frank', nickname: 'Frank' },
			],
		});
		expect(res.body).toEqual({ errCode: 0, errMsg: '', errDlt: '' });
		expect(sandbox.store.users.get('erin_01')).toMatchObject({ nickname: 'Erin', faceURL: 'https://x/e.png' });
	});

	it.each([
		['an illegal userID', [{ userID: 'a-b', nickname: 'x' }], 1001, 'userID is legal'],
		['a colon', [{ userID: 'a:b', nickname: 'x' }], 1001, 'userID is legal'],
		['a space', [{ userID: 'a b', nickname: 'x' }], 1001, 'userID is legal'],
		['an emoji', [{ userID: 'bot_🤖', nickname: 'x' }], 1001, 'userID is legal'],
		// IsLegalUserID("") is true: the RPC's own loop refuses it, after the admin and duplicate checks.
		['an empty userID', [{ userID: '', nickname: 'x' }], 1001, 'userID is empty'],
		['an empty nickname', [{ userID: 'ok_id', nickname: '' }], 1001, 'user name is empty'],
		['no users', [], 1001, 'users is empty'],
		['a duplicate', [{ userID: 'x1', nickname: 'a' }, { userID: 'x1', nickname: 'b' }], 1001, 'userID repeated'],
		['one existing ID', [{ userID: 'new_one', nickname: 'n' }, { userID: 'bob', nickname: 'b' }], 1102, 'userID registered already'],
	])('rejects %s and creates nothing', async (_name, users, errCode, errDlt) => {
		const before = sandbox.store.users.size;
		expect((await client.api('/user/user_register', { users })).body).toMatchObject({ errCode, errDlt });
		expect(sandbox.store.users.size).toBe(before);
	});

	it('takes any Unicode letter or decimal digit and _ (datautil.IsLegalUserID: unicode.IsLetter/IsDigit)', async () => {
		const users = ['张三', 'Jürgen_2', 'محمد٣', 'Ωmega', 'user_١٢٣'].map((userID) => ({ userID, nickname: userID }));
		expect((await client.api('/user/user_register', { users })).body).toEqual({ errCode: 0, errMsg: '', errDlt: '' });
		for (const { userID } of users) expect(sandbox.store.users.has(userID)).toBe(true);
	});

	it('is admin only', async () => {
		const res = await client.api('/user/user_register', { users: [{ userID: 'z', nickname: 'z' }] }, { token: userToken });
		expect(res.body.errCode).toBe(1002);
	});
});

describe('/user/get_users and /user/get_all_users_uid', () => {
	it('get_users pages through ordinary users only (appMangerLevel 0/1)', async () => {
		sandbox.seedUsers([{ userID: 'zed', nickname: 'Zed', appMangerLevel: 0 }]);
		const first = await client.api('/user/get_users', { pagination: page(1, 2) });
		expect(first.body.data.total).toBe(5);
		expect(first.body.data.users.map((u: { userID: string }) => u.userID)).toEqual(['alice', 'bob']);
		const last = await client.api('/user/get_users', { pagination: page(3, 2) });
		expect(last.body.data.users.map((u: { userID: string }) => u.userID)).toEqual(['zed']);
		const byName = await client.api('/user/get_users', { pagination: page(1, 10), nickName: 'Wang' });
		expect(byName.body.data.users.map((u: { userID: string }) => u.userID)).toEqual(['carol']);
		expect((await client.api('/user/get_users', { pagination: page(0, 10) })).body.errDlt).toBe('pageNumber is invalid');
	});

	it('get_all_users_uid lists everyone, admins included; showNumber ≤ 0 gives an empty page', async () => {
		const all = await client.api('/user/get_all_users_uid', { pagination: page(1, 100) });
		expect(all.body.data).toEqual({
			total: 7,
			userIDs: ['imAdmin', 'hr_bot', 'ops_alerts', 'alice', 'bob', 'carol', 'dave'],
		});
		const none = await client.api('/user/get_all_users_uid', { pagination: page(1, 0) });
		expect(none.body.data).toEqual({ total: 7, userIDs: [] });
		expect((await client.api('/user/get_all_users_uid', {})).body.errCode).toBe(1001);
	});
});

describe('notification accounts', () => {
	it('add: explicit ID, generated 10-digit ID, and the checks', async () => {
		const add = (body: unknown) => client.api('/user/add_notification_account', body);
		const res = await add({ userID: 'it_desk', nickName: 'IT Desk', faceURL: 'https://x/it.png', appMangerLevel: 3 });
		expect(res.body.data).toEqual({
			userID: 'it_desk',
			nickName: 'IT Desk',
			faceURL: 'https://x/it.png',
			appMangerLevel: 3,
		});
		const gen = await add({ nickName: 'Robot', appMangerLevel: 4 });
		expect(gen.body.data.userID).toMatch(/^[1-9][0-9]{9}$/);
		expect((await add({ userID: 'it_desk', nickName: 'Again', appMangerLevel: 3 })).body).toMatchObject({
			errCode: 1001,
			errDlt: 'userID is used',
		});
		expect((await add({ nickName: 'Low', appMangerLevel: 2 })).body).toMatchObject({
			errCode: 1001,
			errDlt: 'app level not supported',
		});
		expect((await add({ nickName: '', appMangerLevel: 3 })).body.errDlt).toBe('nickName is empty');
		expect((await client.api('/user/add_notification_account', { nickName: 'N', appMangerLevel: 3 }, { token: userToken })).body.errCode).toBe(1002);
		// the new account can send OA notifications
		expect((await client.api('/msg/send_msg', oaMsg('alice', 0, { sendID: 'it_desk' }))).body.errCode).toBe(0);
	});

	it('update changes nickname/face; unknown IDs are a bare 1001', async () => {
		const res = await client.api('/user/update_notification_account', { userID: 'hr_bot', nickName: 'People Team' });
		expect(res.body).toEqual({ errCode: 0, errMsg: '', errDlt: '' });
		expect(sandbox.store.users.get('hr_bot')?.nickname).toBe('People Team');
		expect((await client.api('/user/update_notification_account', { userID: 'ghost', nickName: 'x' })).body).toEqual({
			errCode: 1001,
			errMsg: 'ArgsError',
			errDlt: '',
		});
		expect((await client.api('/user/update_notification_account', { userID: 'hr_bot' })).body.errDlt).toBe(
			'faceURL and nickName is empty at the same',
		);
	});

	it('search without keyword: only level-3 accounts (FindNotification(AppNotificationAdmin)), imAdmin left out', async () => {
		const search = async (body: Record<string, unknown>) =>
			(await client.api('/user/search_notification_account', { pagination: page(1, 10), ...body })).body.data;
		sandbox.seedUsers([{ userID: 'it_desk', nickname: 'IT Desk', appMangerLevel: 3 }]);
		const all = await search({});
		// ops_alerts (level 4, a robot account) is not listed; imAdmin (level 3) is filtered out.
		expect(all).toEqual({
			total: 2,
			notificationAccounts: [
				{ userID: 'hr_bot', faceURL: '', nickName: 'HR Department', appMangerLevel: 3 },
				{ userID: 'it_desk', faceURL: '', nickName: 'IT Desk', appMangerLevel: 3 },
			],
		});
		expect((await search({ pagination: page(2, 1) })).notificationAccounts.map((a: { userID: string }) => a.userID)).toEqual(['it_desk']);
		expect(await search({ pagination: page(2, 0) })).toEqual({ total: 2, notificationAccounts: [] });
	});

	it('search ignores the request\'s appManagerLevel', async () => {
		const search = async (body: Record<string, unknown>) =>
			(await client.api('/user/search_notification_account', { pagination: page(1, 10), ...body })).body.data;
		const plain = await search({});
		for (const appManagerLevel of [0, 3, 4]) expect(await search({ appManagerLevel })).toEqual(plain);
		expect(await search({ keyword: 'ops_alerts', appManagerLevel: 3 })).toEqual(await search({ keyword: 'ops_alerts' }));
	});

	it('search with a keyword: exact userID first, else exact nickname; accounts of level ≥ 3 only', async () => {
		const ids = async (keyword: string) =>
			(
				(await client.api('/user/search_notification_account', { pagination: page(1, 10), keyword })).body.data
					.notificationAccounts as Array<{ userID: string }>
			).map((a) => a.userID);
		// level 4 is found by keyword, unlike in the keyword-less listing
		expect(await ids('ops_alerts')).toEqual(['ops_alerts']);
		expect(await ids('HR Department')).toEqual(['hr_bot']);
		expect(await ids('HR')).toEqual([]); // exact match, no substring
		expect(await ids('alice')).toEqual([]); // an ordinary user is no account
		expect(await ids('imAdmin')).toEqual([]);
		// a userID hit that is no account does not stop the nickname search
		sandbox.seedUsers([{ userID: 'twin', nickname: 'x' }, { userID: 'bot_twin', nickname: 'twin', appMangerLevel: 4 }]);
		expect(await ids('twin')).toEqual(['bot_twin']);
		// the userID hit wins over nickname hits
		sandbox.seedUsers([{ userID: 'desk', nickname: 'Desk', appMangerLevel: 3 }, { userID: 'desk2', nickname: 'desk', appMangerLevel: 3 }]);
		expect(await ids('desk')).toEqual(['desk']);
	});
});

describe('groups', () => {
	it('get_groups_info: seeded all_staff, unknown IDs absent, empty list rejected', async () => {
		const res = await client.api('/group/get_groups_info', { groupIDs: ['all_staff', 'nope'] });
		expect(res.body.data.groupInfos).toHaveLength(1);
		expect(res.body.data.groupInfos[0]).toMatchObject({ groupID: 'all_staff', memberCount: 4, status: 0 });
		expect((await client.api('/group/get_groups_info', { groupIDs: [] })).body.errCode).toBe(1001);
	});

	it('get_groups: admin only; exact groupID, or name contains groupName; paged; pagination required', async () => {
		sandbox.seedGroups([{ groupID: 'ops', groupName: 'Ops Team', ownerUserID: 'bob', memberUserIDs: ['bob'] }]);
		const list = async (body: Record<string, unknown>) => (await client.api('/group/get_groups', { pagination: page(1, 10), ...body })).body;
		const all = (await list({})).data;
		expect(all.total).toBe(2);
		expect(all.groups.map((g: { groupInfo: { groupID: string } }) => g.groupInfo.groupID)).toEqual(['all_staff', 'ops']);
		expect(all.groups[1]).toMatchObject({ groupOwnerUserID: 'bob', groupOwnerUserName: 'Bob Li', groupInfo: { groupName: 'Ops Team', memberCount: 1 } });
		expect((await list({ groupName: 'Staff' })).data.groups.map((g: { groupInfo: { groupID: string } }) => g.groupInfo.groupID)).toEqual(['all_staff']);
		expect((await list({ groupID: 'ops', groupName: 'Staff' })).data.total).toBe(1);
		expect((await list({ groupID: 'nope' })).data).toEqual({ total: 0, groups: [] });
		expect((await list({ pagination: page(2, 1) })).data.groups[0].groupInfo.groupID).toBe('ops');
		expect((await client.api('/group/get_groups', {})).body.errCode).toBe(1001);
		expect((await client.api('/group/get_groups', { pagination: page(1, 10) }, { token: userToken })).body.errCode).toBe(1002);
	});

	it('get_group_member_user_id: admin or member', async () => {
		const res = await client.api('/group/get_group_member_user_id', { groupID: 'all_staff' });
		expect(res.body.data.userIDs).toEqual(['alice', 'bob', 'carol', 'dave']);
		const member = await client.api('/group/get_group_member_user_id', { groupID: 'all_staff' }, { token: userToken });
		expect(member.body.errCode).toBe(0);
		sandbox.seedGroups([{ groupID: 'ops', memberUserIDs: ['bob'] }]);
		const outsider = await client.api('/group/get_group_member_user_id', { groupID: 'ops' }, { token: userToken });
		expect(outsider.body).toEqual({ errCode: 1002, errMsg: 'NoPermissionError', errDlt: 'opUser no permission' });
	});

	it('get_group_member_list: one page of members with their profiles; admin or member; Check()', async () => {
		const res = await client.api('/group/get_group_member_list', { groupID: 'all_staff', pagination: page(1, 3) });
		expect(res.body.data.total).toBe(4);
		expect(res.body.data.members.map((m: { userID: string }) => m.userID)).toEqual(['alice', 'bob', 'carol']);
		expect(res.body.data.members[0]).toMatchObject({ groupID: 'all_staff', userID: 'alice', nickname: 'Alice Chen', roleLevel: 100 });
		expect((await client.api('/group/get_group_member_list', { groupID: 'all_staff', pagination: page(2, 3) })).body.data.members).toHaveLength(1);
		expect((await client.api('/group/get_group_member_list', { groupID: 'nope', pagination: page(1, 3) })).body.data).toEqual({ total: 0, members: [] });
		sandbox.seedGroups([{ groupID: 'ops', memberUserIDs: ['bob'] }]);
		expect((await client.api('/group/get_group_member_list', { groupID: 'ops', pagination: page(1, 3) }, { token: userToken })).body.errCode).toBe(1002);
		expect((await client.api('/group/get_group_member_list', { groupID: 'all_staff' })).body).toMatchObject({ errCode: 1001, errDlt: 'pagination is empty' });
		expect((await client.api('/group/get_group_member_list', { groupID: '', pagination: page(1, 3) })).body).toMatchObject({ errCode: 1001, errDlt: 'groupID is empty' });
	});

	it('get_group_member_user_id: no existence check (an unknown group has no members); empty groupID fails Check()', async () => {
		// FindGroupMemberUserID reads the member collection only: errCode 0, the empty list as null.
		expect((await client.api('/group/get_group_member_user_id', { groupID: 'nope' })).body).toEqual({
			errCode: 0,
			errMsg: '',
			errDlt: '',
			data: { userIDs: null },
		});
		const outsider = await client.api('/group/get_group_member_user_id', { groupID: 'nope' }, { token: userToken });
		expect(outsider.body.errCode).toBe(1002);
		for (const body of [{ groupID: '' }, {}]) {
			expect((await client.api('/group/get_group_member_user_id', body)).body).toEqual({
				errCode: 1001,
				errMsg: 'ArgsError',
				errDlt: 'GroupID is empty',
			});
		}
	});
});
