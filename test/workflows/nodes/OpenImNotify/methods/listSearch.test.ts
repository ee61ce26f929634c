/**
 * The "From List" pickers (resource locators) as the editor fills them: n8n-core's LoadOptionsContext
 * on OpenIM Notify with the credential, against the in-process sandbox.
 */
import { OpenImApi } from '../../../../../credentials/OpenImApi.credentials';
import { OpenImNotify } from '../../../../../nodes/OpenImNotify/OpenImNotify.node';
import { listSearch } from '../../../harness';
import { CREDENTIAL_ID, NOTIFY, useOpenImSandbox } from '../../../openim-fixtures';

const ctx = useOpenImSandbox();

const search = async (method: string, filter?: string, paginationToken?: string) =>
	await listSearch(
		method,
		{
			nodeType: new OpenImNotify(),
			credentialStore: ctx.store,
			credentialTypes: [new OpenImApi()],
			credentials: { openImApi: { id: CREDENTIAL_ID, name: 'OpenIM sandbox' } },
		},
		filter,
		paginationToken,
	);

const rl = (value: string, mode = 'list') => ({ __rl: true, mode, value });

describe('pickers (listSearch)', () => {
	it('Sender: the credential\'s sender IDs, named as OpenIM knows them, filtered by name or ID', async () => {
		expect((await search('searchSenders')).results).toEqual([
			{ name: 'HR Department (hr_bot)', value: 'hr_bot' },
			{ name: 'Ops Alerts (ops_alerts)', value: 'ops_alerts' },
			{ name: 'imAdmin', value: 'imAdmin' },
		]);
		expect((await search('searchSenders', 'hr')).results.map((r) => r.value)).toEqual(['hr_bot']);
		expect((await search('searchSenders', 'ALERTS')).results.map((r) => r.value)).toEqual(['ops_alerts']);
	});

	it('Group: the server\'s groups by name, an exact group ID first, paged', async () => {
		ctx.sandbox.seedGroups([{ groupID: 'ops', groupName: 'Ops Team', memberUserIDs: ['bob'] }]);
		expect((await search('searchGroups')).results).toEqual([
			{ name: 'All Staff (all_staff)', value: 'all_staff' },
			{ name: 'Ops Team (ops)', value: 'ops' },
		]);
		expect((await search('searchGroups', 'Staff')).results.map((r) => r.value)).toEqual(['all_staff']);
		expect((await search('searchGroups', 'ops')).results.map((r) => r.value)).toEqual(['ops']);
		ctx.sandbox.seedGroups(Array.from({ length: 60 }, (_, i) => ({ groupID: `g${i}`, groupName: `Team ${i}`, memberUserIDs: ['alice'] })));
		const first = await search('searchGroups');
		expect(first.results).toHaveLength(50);
		expect(first.paginationToken).toBe('2');
		const second = await search('searchGroups', undefined, first.paginationToken as string);
		expect(second.results).toHaveLength(12);
		expect(second.paginationToken).toBeUndefined();
	});

	it('Account ID: notification accounts (never the admins), filtered by a part of name or ID; robots by exact ID', async () => {
		expect((await search('searchNotificationAccounts')).results).toEqual([{ name: 'HR Department (hr_bot)', value: 'hr_bot' }]);
		expect((await search('searchNotificationAccounts', 'depart')).results.map((r) => r.value)).toEqual(['hr_bot']);
		// OpenIM 3.8 lists robots (level 4) only for an exact keyword.
		expect((await search('searchNotificationAccounts', 'ops_alerts')).results).toEqual([{ name: 'Ops Alerts (ops_alerts)', value: 'ops_alerts' }]);
	});

	it('the values the pickers give are what the operations send', async () => {
		const group = await ctx.run([{}], {
			resource: 'message',
			operation: 'send',
			sendID: rl('imAdmin', 'id'),
			sessionType: 3,
			groupID: rl('all_staff'),
			contentType: 101,
			messageText: 'Deploy at 18:00',
			options: {},
		});
		expect(group.error).toBeUndefined();
		expect(ctx.sandbox.messages().map((m) => [m.sendID, m.conversationID])).toEqual([['imAdmin', 'sg_all_staff']]);

		const members = await ctx.run([{}], {
			resource: 'notification',
			operation: 'send',
			sendID: rl('', 'list'),
			recipientMode: 'groupMembers',
			memberGroupID: rl('all_staff', 'id'),
			notificationName: 'Holiday',
			text: 'Office closed Friday',
			notificationType: 1,
			mixType: 0,
			options: {},
		});
		expect(members.error).toBeUndefined();
		expect(members.json(NOTIFY)[0]).toMatchObject({ sendID: 'hr_bot', groupID: 'all_staff', delivered: 4 });

		const renamed = await ctx.run([{}], { resource: 'notificationAccount', operation: 'update', userID: rl('hr_bot'), updateFields: { nickname: 'People Team' } });
		expect(renamed.json(NOTIFY)[0]).toMatchObject({ userID: 'hr_bot', nickName: 'People Team' });
	});
});
