/** Notification Account → Update through the real n8n engine against the in-process OpenIM sandbox. */
import type { INodeParameters } from 'n8n-workflow';

import { NOTIFY, useOpenImSandbox } from '../../../openim-fixtures';

const ctx = useOpenImSandbox();

const update = (userID: string, updateFields: INodeParameters): INodeParameters => ({
	resource: 'notificationAccount',
	operation: 'update',
	userID,
	updateFields,
});

describe('Notification Account → Update', () => {
	it('changes the name and avatar and outputs the account as it is now', async () => {
		const renamed = await ctx.run([{}], update('hr_bot', { nickname: 'People Team' }));
		expect(renamed.error).toBeUndefined();
		expect(renamed.json(NOTIFY)).toEqual([{ userID: 'hr_bot', nickName: 'People Team', faceURL: '', appMangerLevel: 3 }]);

		const face = await ctx.run([{}], update('hr_bot', { faceURL: 'https://cdn.example.com/people.png' }));
		expect(face.json(NOTIFY)[0]).toMatchObject({ nickName: 'People Team', faceURL: 'https://cdn.example.com/people.png' });
		expect(ctx.sandbox.store.users.get('hr_bot')).toMatchObject({ nickname: 'People Team', faceURL: 'https://cdn.example.com/people.png' });
	});

	it('names an unknown account in words (OpenIM answers a bare ArgsError) and refuses empty updates', async () => {
		const unknown = await ctx.run([{}], update('ghost_bot', { nickname: 'Ghost' }));
		expect(unknown.error?.message).toBe('Account ID "ghost_bot" does not exist in OpenIM [item 0]');
		expect(ctx.sandbox.stats().requests.byPath['/user/update_notification_account']).toBeUndefined();

		const empty = await ctx.run([{}], update('hr_bot', {}));
		expect(empty.error?.message).toBe('Update Fields are empty [item 0]');
	});
});
