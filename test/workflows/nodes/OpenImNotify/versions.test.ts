/**
 * Credential "Server Version" (issue #3): a notification and a text message end to end against the
 * sandbox in each generation (v3.8.1+; v3.0–v3.8.0 as v3.2 and as v3.0–v3.1, which lack get_server_time and
 * get_group_member_user_id; v2.2+, v2.0–v2.1), auto-detected and set explicitly.
 */
import { CREDENTIAL_ID, NOTIFY, notification, openImTestContext, textMessage } from '../../openim-fixtures';
import type { OpenImTestContext } from '../../openim-fixtures';

const GENERATIONS = [
	{ generation: 'v3.8', explicit: 'v3.8' },
	{ generation: 'v3.2', explicit: 'v3.0' },
	{ generation: 'v3.0', explicit: 'v3.0' },
	{ generation: 'v2', explicit: 'v2' },
	{ generation: 'v2.0', explicit: 'v2.0' },
] as const;

const HR_BOT = { userID: 'hr_bot', nickname: 'HR Department', appMangerLevel: 3 };

/** What v2 outputs say about the server (v3 outputs say nothing). */
const V2_LABEL: Record<string, string> = { v2: 'v2.x', 'v2.0': 'v2.0–v2.1' };
/** What the output pane says about the server after a run. */
const HINT_LABEL: Record<string, string> = { 'v3.8': 'v3.8.1+', 'v3.2': 'v3.0–v3.8.0', 'v3.0': 'v3.0–v3.8.0', ...V2_LABEL };
/** The credential setting each sandbox generation is detected as. */
const DETECTED: Record<string, string> = { 'v3.2': 'v3.0' };

describe.each(GENERATIONS)('OpenIM $generation sandbox', ({ generation, explicit }) => {
	let ctx: OpenImTestContext;
	beforeAll(async () => {
		ctx = await openImTestContext({ generation });
	});
	afterAll(async () => {
		await ctx.sandbox.close();
	});

	describe.each(['auto', explicit])('serverVersion %s', (serverVersion) => {
		beforeEach(() => {
			ctx.sandbox.reset('default');
			// v2.0–v2.1 want a card icon: the sender's avatar stands in for it.
			if (generation === 'v2.0') ctx.sandbox.seedUsers([{ ...HR_BOT, faceURL: 'https://cdn.example.com/hr.png' }]);
			ctx.store.seed({ [CREDENTIAL_ID]: { type: 'openImApi', name: 'OpenIM sandbox', data: ctx.credentialData({ serverVersion }) } });
		});

		it('sends an OA notification', async () => {
			if (generation === 'v2.0') {
				// v2.0–v2.1 require a card icon: without one and without a sender avatar, refused before
				// sending (with the avatar, the beforeEach case, that stands in for it).
				ctx.sandbox.seedUsers([{ ...HR_BOT, faceURL: '' }]);
				const refused = await ctx.run([{ userID: 'alice' }], notification());
				expect(refused.error?.message).toBe('Card Icon URL is required by OpenIM v2.0–v2.1 servers [item 0]');
				expect(ctx.sandbox.messages()).toHaveLength(0);
				// Only Auto-Detect's probe (an empty body, refused at binding) reached the send route.
				expect(ctx.sandbox.stats().requests.byPath['/manager/send_msg'] ?? 0).toBe(serverVersion === 'auto' ? 1 : 0);
				ctx.sandbox.seedUsers([{ ...HR_BOT, faceURL: 'https://cdn.example.com/hr.png' }]);
			}
			const result = await ctx.run([{ userID: 'alice' }], notification());
			if (generation === 'v2.0') expect(ctx.sandbox.inbox('alice')[0]?.content).toMatchObject({ notificationFaceURL: 'https://cdn.example.com/hr.png' });
			expect(result.error).toBeUndefined();
			const [stored] = ctx.sandbox.inbox('alice');
			expect(stored).toMatchObject({ sendID: 'hr_bot', recvID: 'alice', contentType: 1400, sessionType: 4 });
			const out = result.json(NOTIFY)[0];
			expect(out).toMatchObject({ delivered: true, recvID: 'alice', serverMsgID: stored.serverMsgID });
			if (generation in V2_LABEL) expect(out).toMatchObject({ serverVersion: V2_LABEL[generation] });
			else expect(out.serverVersion).toBeUndefined();
			// The output pane names the generation that answered, detected or chosen.
			const how = serverVersion === 'auto' ? 'detected automatically' : 'as set in the credential';
			expect(result.runData[NOTIFY][0].hints).toEqual([
				{ type: 'info', location: 'outputPane', message: `OpenIM server ${HINT_LABEL[generation]}, ${how}.` },
			]);
		});

		it('sends a text message with the text key this generation reads', async () => {
			const result = await ctx.run([{ userID: 'bob' }], textMessage());
			expect(result.error).toBeUndefined();
			const [stored] = ctx.sandbox.inbox('bob');
			expect(stored).toMatchObject({ sendID: 'imAdmin', recvID: 'bob', contentType: 101 });
			// v3.0 and v2 modes store the text normalised to {content}; v3.8 stores the map as sent.
			expect(stored.content).toMatchObject({ content: 'Build #42 failed' });
			if (generation === 'v3.8') expect(stored.content).toEqual({ content: 'Build #42 failed' });
			// Auto-detect keeps the generation whose token route answered with the token.
			expect(ctx.store.getData(CREDENTIAL_ID).detectedVersion).toBe(DETECTED[generation] ?? generation);
		});

		it('recalls a text message found by its client message ID (search_msg: flat chatLogs before v3.8.1)', async () => {
			if (generation === 'v2' || generation === 'v2.0') return; // v2 has no recall (below)
			const sent = await ctx.run([{ userID: 'bob' }], textMessage());
			const { clientMsgID, sendTime } = sent.json(NOTIFY)[0];
			const recalled = await ctx.run([{}], {
				resource: 'message',
				operation: 'recall',
				sendID: 'imAdmin',
				sessionType: 1,
				recvID: { __rl: true, mode: 'id', value: 'bob' },
				clientMsgID: String(clientMsgID),
				sendDate: String(sendTime),
			});
			expect(recalled.error).toBeUndefined();
			expect(recalled.json(NOTIFY)[0]).toMatchObject({ recalled: true, clientMsgID, seq: 1, conversationID: 'si_bob_imAdmin' });
			expect(ctx.sandbox.inbox('bob')[0].revoked).toBeDefined();
		});

		it('sends a text message to a group (v2 numbers a group chat 2, v3 3)', async () => {
			const result = await ctx.run([{}], textMessage({ sessionType: 3, groupID: 'all_staff' }));
			expect(result.error).toBeUndefined();
			expect(ctx.sandbox.messages().map((m) => [m.conversationID, m.sessionType])).toEqual([['sg_all_staff', 3]]);
		});

		it('notifies every member of a group, checked first', async () => {
			const result = await ctx.run([{}], notification({ recipientMode: 'groupMembers', memberGroupID: { __rl: true, mode: 'id', value: 'all_staff' } }));
			expect(result.error).toBeUndefined();
			expect(result.json(NOTIFY)[0]).toMatchObject({ groupID: 'all_staff', recipients: 4, delivered: 4, failed: 0 });
			if (generation in V2_LABEL) expect(result.json(NOTIFY)[0]).toMatchObject({ serverVersion: V2_LABEL[generation] });
			for (const id of ['alice', 'bob', 'carol', 'dave']) expect(ctx.sandbox.inbox(id)).toHaveLength(1);
			// v3.0–v3.8.0 (one setting): get_group_member_list, which every v3 has (member_user_id is v3.2+).
			const byPath = ctx.sandbox.stats().requests.byPath;
			if (generation === 'v3.0' || generation === 'v3.2') {
				expect([byPath['/group/get_group_member_list'], byPath['/group/get_group_member_user_id']]).toEqual([1, undefined]);
			}
			const unknown = await ctx.run([{}], notification({ recipientMode: 'groupMembers', memberGroupID: 'no_such_group' }));
			// v3 answers an unknown group with no members (v2: "db failed", explained).
			expect(unknown.error?.description).toMatch(/no such group|may not exist/i);
			expect(ctx.sandbox.messages()).toHaveLength(4);
		});

		it('reads user profiles, online status and every user ID', async () => {
			ctx.sandbox.seedUsers([{ userID: 'alice', online: [5] }]);
			const profiles = await ctx.run([{}], { resource: 'user', operation: 'get', user: { __rl: true, mode: 'id', value: 'alice' } });
			expect(profiles.json(NOTIFY)).toEqual([expect.objectContaining({ userID: 'alice', nickname: 'Alice Chen' })]);
			// v2's public profile has no level: it is left out rather than reported as 0.
			if (generation in V2_LABEL) expect(profiles.json(NOTIFY)[0]).not.toHaveProperty('appMangerLevel');
			else expect(profiles.json(NOTIFY)[0]).toMatchObject({ appMangerLevel: 1 });
			const online = await ctx.run([{}], { resource: 'user', operation: 'getOnlineStatus', userIDs: 'alice, bob' });
			expect(online.json(NOTIFY).map((u) => [u.userID, u.status, (u.platforms as Array<{ platform: string }>).map((p) => p.platform)])).toEqual([
				['alice', 'online', ['Web']],
				['bob', 'offline', []],
			]);
			const everyone = await ctx.run([{}], notification({ recipientMode: 'allUsers' }));
			expect(everyone.error).toBeUndefined();
			expect(everyone.json(NOTIFY)[0]).toMatchObject({ failed: 0 });
			expect(ctx.sandbox.inbox('dave')).toHaveLength(1);
		});
	});
});

describe('wrong settings and v2 limits', () => {
	let v2: OpenImTestContext;
	let v30: OpenImTestContext;
	beforeAll(async () => {
		[v2, v30] = await Promise.all([openImTestContext({ generation: 'v2' }), openImTestContext({ generation: 'v3.0' })]);
	});
	afterAll(async () => {
		await Promise.all([v2.sandbox.close(), v30.sandbox.close()]);
	});

	it('v3.8.1+ chosen for a v3.0 server: the token fetch fails and names the version', async () => {
		v30.store.seed({ [CREDENTIAL_ID]: { type: 'openImApi', name: 'OpenIM sandbox', data: v30.credentialData({ serverVersion: 'v3.8' }) } });
		const result = await v30.run([{ userID: 'bob' }], textMessage());
		expect(result.error?.message).toContain('Server version: OpenIM v3.8.1+ (as set)');
	});

	it('v3.8.1+ text shape on a v3.2 server is refused by its validator', async () => {
		const token = await (async () => {
			const res = await fetch(`${v30.sandbox.url}/auth/user_token`, {
				method: 'POST',
				headers: { operationID: 'op1' },
				body: JSON.stringify({ secret: 'openIM123', platformID: 10, userID: 'imAdmin' }),
			});
			return ((await res.json()) as { data: { token: string } }).data.token;
		})();
		const res = await fetch(`${v30.sandbox.url}/msg/send_msg`, {
			method: 'POST',
			headers: { operationID: 'op2', token },
			body: JSON.stringify({ sendID: 'imAdmin', recvID: 'bob', senderPlatformID: 10, content: { content: 'x' }, contentType: 101, sessionType: 1 }),
		});
		expect(await res.json()).toMatchObject({ errCode: 500, errDlt: expect.stringContaining("'Text'") });
	});

	it('v2: a wrong secret is explained with the detected version', async () => {
		v2.store.seed({ [CREDENTIAL_ID]: { type: 'openImApi', name: 'OpenIM sandbox', data: v2.credentialData({ secret: 'nope' }) } });
		const result = await v2.run([{ userID: 'bob' }], textMessage());
		expect(result.error?.message).toContain('wrong secret');
		expect(result.error?.message).toContain('OpenIM v2.x (detected)');
	});

	it('v2: an unknown recipient is caught by v2\'s /user/account_check; unchecked, v2\'s HTTP 400 error surfaces', async () => {
		v2.store.seed({ [CREDENTIAL_ID]: { type: 'openImApi', name: 'OpenIM sandbox', data: v2.credentialData() } });
		v2.sandbox.reset('default');
		const unknown = await v2.run([{ userID: 'nobody_here' }], textMessage());
		expect(unknown.error?.message).toBe('Recipient "nobody_here" is not a registered OpenIM user [item 0]');
		expect(v2.sandbox.stats().requests.byPath['/user/account_check']).toBe(1);
		expect(v2.sandbox.stats().requests.byPath['/msg/manage_send_msg']).toBeUndefined();
		const unchecked = await v2.run([{ userID: 'nobody_here' }], textMessage({ options: { verifyRecipient: false } }));
		// the v3.8 pipeline behind v2 mode answers 1004 for an unknown single-chat recvID → v2 errCode 404
		expect(unchecked.error?.message).toContain('errCode 404');
	});

	it('v3.0–v3.4: notification accounts (v3.5+) are missing, and the error says so', async () => {
		v30.store.seed({ [CREDENTIAL_ID]: { type: 'openImApi', name: 'OpenIM sandbox', data: v30.credentialData() } });
		const accounts = await v30.run([{}], { resource: 'notificationAccount', operation: 'create', nickname: 'IT Desk', accountType: 3, userID: 'it_desk', faceURL: '' });
		expect(accounts.error?.message).toContain('HTTP 404');
		expect(accounts.error?.description).toContain('notification accounts exist from OpenIM v3.5');
	});

	it('v2: operations v2 lacks (notification accounts, recall) say so', async () => {
		v2.store.seed({ [CREDENTIAL_ID]: { type: 'openImApi', name: 'OpenIM sandbox', data: v2.credentialData() } });
		const accounts = await v2.run([{}], { resource: 'notificationAccount', operation: 'search', keyword: '', returnAll: true, filters: {} });
		expect(accounts.error?.message).toContain('HTTP 404');
		expect(accounts.error?.description).toContain('This operation needs OpenIM v3');
	});

	it('v2: fan-out by batch falls back to one send per recipient', async () => {
		v2.store.seed({ [CREDENTIAL_ID]: { type: 'openImApi', name: 'OpenIM sandbox', data: v2.credentialData() } });
		v2.sandbox.reset('default');
		const result = await v2.run(
			[{}],
			textMessage({ recipientMode: 'userList', recvIDs: 'alice, bob', fanOut: 'batchSendMsg' }),
		);
		expect(result.error).toBeUndefined();
		expect(v2.sandbox.inbox('alice')).toHaveLength(1);
		expect(v2.sandbox.inbox('bob')).toHaveLength(1);
		expect(v2.sandbox.stats().requests.byPath['/msg/batch_send_msg']).toBeUndefined();
	});
});
