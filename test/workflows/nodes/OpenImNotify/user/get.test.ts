/** User → Get through the real n8n engine against the in-process OpenIM sandbox. */
import type { INodeParameters } from 'n8n-workflow';

import { NOTIFY, useOpenImSandbox } from '../../../openim-fixtures';

const ctx = useOpenImSandbox();

const get = (value: string, mode = 'id'): INodeParameters => ({
	resource: 'user',
	operation: 'get',
	user: { __rl: true, mode, value },
});

describe('User → Get', () => {
	it('reads profiles by ID (list or expression), all items in one get_users_info request', async () => {
		const result = await ctx.run([{ id: 'alice' }, { id: 'hr_bot' }, { id: 'alice' }], get('={{ $json.id }}'));
		expect(result.error).toBeUndefined();
		const out = result.json(NOTIFY);
		expect(out.map((user) => [user.userID, user.nickname, user.appMangerLevel])).toEqual([
			['alice', 'Alice Chen', 1],
			['hr_bot', 'HR Department', 3],
			['alice', 'Alice Chen', 1],
		]);
		expect(out[0]).toEqual({ userID: 'alice', nickname: 'Alice Chen', faceURL: '', ex: '', createTime: expect.any(Number), appMangerLevel: 1, globalRecvMsgOpt: 0 });
		expect(result.output(NOTIFY).map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(ctx.sandbox.stats().requests.byPath['/user/get_users_info']).toBe(1);

		const picked = await ctx.run([{}], get('bob', 'list'));
		expect(picked.json(NOTIFY)[0]).toMatchObject({ userID: 'bob', nickname: 'Bob Li' });
	});

	it('says so when the user does not exist (OpenIM itself just leaves it out)', async () => {
		const failed = await ctx.run([{ id: 'alice' }, { id: 'zoe' }], get('={{ $json.id }}'));
		expect(failed.error?.message).toBe('User "zoe" does not exist in OpenIM [item 1]');

		const continued = await ctx.run([{ id: 'alice' }, { id: 'zoe' }], get('={{ $json.id }}'), { onError: 'continueRegularOutput' });
		const out = continued.json(NOTIFY);
		expect(out[0].userID).toBe('alice');
		expect(out[1]).toMatchObject({ userID: 'zoe', error: 'User "zoe" does not exist in OpenIM [item 1]' });
	});
});
