/** Notification Account → Create through the real n8n engine against the in-process OpenIM sandbox. */
import type { INodeParameters } from 'n8n-workflow';

import { NOTIFY, useOpenImSandbox } from '../../../openim-fixtures';

const ctx = useOpenImSandbox();

const create = (overrides: INodeParameters = {}): INodeParameters => ({
	resource: 'notificationAccount',
	operation: 'create',
	nickname: 'Finance',
	accountType: 3,
	userID: 'finance_bot',
	faceURL: 'https://cdn.example.com/finance.png',
	...overrides,
});

describe('Notification Account → Create', () => {
	it('creates a notification account that can then send work notifications', async () => {
		const result = await ctx.run([{}], create());
		expect(result.error).toBeUndefined();
		expect(result.json(NOTIFY)).toEqual([
			{ userID: 'finance_bot', nickName: 'Finance', faceURL: 'https://cdn.example.com/finance.png', appMangerLevel: 3 },
		]);
		expect(ctx.sandbox.store.users.get('finance_bot')).toMatchObject({ nickname: 'Finance', appMangerLevel: 3 });

		// The new account is an OA sender: Notification → Send as it is accepted.
		ctx.store.seed({ openImCred0001: { type: 'openImApi', name: 'OpenIM sandbox', data: ctx.credentialData({ senderIDs: 'finance_bot' }) } });
		try {
			const sent = await ctx.run(
				[{ userID: 'alice' }],
				{ resource: 'notification', operation: 'send', sendID: 'finance_bot', recvID: { __rl: true, mode: 'id', value: 'alice' }, notificationName: 'Payslip', text: 'Your payslip is ready', notificationType: 1, mixType: 0, options: {} },
			);
			expect(sent.error).toBeUndefined();
			expect(ctx.sandbox.inbox('alice')[0]).toMatchObject({ sendID: 'finance_bot', senderNickname: 'Finance', contentType: 1400 });
		} finally {
			ctx.store.seed({ openImCred0001: { type: 'openImApi', name: 'OpenIM sandbox', data: ctx.credentialData() } });
		}
	});

	it('lets OpenIM generate the ID when it is empty, and creates robots (level 4)', async () => {
		const result = await ctx.run([{}], create({ userID: '', nickname: 'Deploy Bot', accountType: 4, faceURL: '' }));
		const [account] = result.json(NOTIFY);
		expect(account.userID).toMatch(/^[1-9]\d{9}$/);
		expect(account).toMatchObject({ nickName: 'Deploy Bot', appMangerLevel: 4 });
	});

	it('does not create a second account when an answer is lost: it says to check instead', async () => {
		ctx.sandbox.configure({ faults: { paths: ['/user/add_notification_account'], script: ['resetAfter'] } });
		const result = await ctx.run([{}], create({ userID: '', nickname: 'Payroll' }));
		expect(result.error?.description).toMatch(/It was not repeated, so that nothing happens twice/);
		expect(ctx.sandbox.stats().requests.byPath['/user/add_notification_account']).toBe(1);
		expect([...ctx.sandbox.store.users.values()].filter((user) => user.nickname === 'Payroll')).toHaveLength(1);
	});

	it('says an existing ID is already used, and checks IDs before sending', async () => {
		const taken = await ctx.run([{}], create({ userID: 'hr_bot' }), { onError: 'continueRegularOutput' });
		expect(taken.json(NOTIFY)[0]).toMatchObject({ userID: 'hr_bot', errCode: 1001, error: 'Account ID "hr_bot" is already used [item 0]' });
		expect(ctx.sandbox.store.users.get('hr_bot')?.nickname).toBe('HR Department');

		const illegal = await ctx.run([{}], create({ userID: 'finance-bot' }));
		expect(illegal.error?.message).toBe('Account ID "finance-bot" may contain only letters, digits and underscores [item 0]');
		const empty = await ctx.run([{}], create({ nickname: ' ' }));
		expect(empty.error?.message).toBe('Name is empty [item 0]');
		expect(ctx.sandbox.stats().requests.byPath['/user/add_notification_account']).toBe(1);
	});
});
