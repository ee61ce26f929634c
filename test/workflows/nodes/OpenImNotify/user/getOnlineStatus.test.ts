/** User → Get Online Status through the real n8n engine against the in-process OpenIM sandbox. */
import type { INodeParameters } from 'n8n-workflow';

import { assertNoSecrets, NOTIFY, useOpenImSandbox } from '../../../openim-fixtures';

const ctx = useOpenImSandbox();

const status = (userIDs: unknown): INodeParameters => ({
	resource: 'user',
	operation: 'getOnlineStatus',
	userIDs: userIDs as string,
});

describe('User → Get Online Status', () => {
	it('gives one item per user, with platforms, and never the session tokens OpenIM returns', async () => {
		ctx.sandbox.seedUsers([{ userID: 'alice', online: [1, 5] }, { userID: 'carol', online: [3] }]);
		const tokens = [...ctx.sandbox.store.online.values()].flat().map((conn) => conn.token);
		expect(tokens).toHaveLength(3);

		const result = await ctx.run([{}], status('alice, bob ghost,carol'));
		expect(result.error).toBeUndefined();
		expect(result.json(NOTIFY)).toEqual([
			{
				userID: 'alice',
				online: true,
				status: 'online',
				platforms: [
					{ platformID: 1, platform: 'iOS', isBackground: false },
					{ platformID: 5, platform: 'Web', isBackground: false },
				],
			},
			{ userID: 'bob', online: false, status: 'offline', platforms: [] },
			{ userID: 'ghost', online: false, status: 'offline', platforms: [] },
			{ userID: 'carol', online: true, status: 'online', platforms: [{ platformID: 3, platform: 'Windows', isBackground: false }] },
		]);
		const everything = JSON.stringify(result.runData);
		for (const token of tokens) expect(everything).not.toContain(token);
		expect(everything).not.toContain('"token"');
		assertNoSecrets(ctx.sandbox, result);
	});

	it('takes a list from an expression, one group of items per input item', async () => {
		ctx.sandbox.seedUsers([{ userID: 'dave', online: [2] }]);
		const result = await ctx.run([{ ids: ['dave'] }, { ids: ['alice', 'dave'] }], status('={{ $json.ids }}'));
		const out = result.output(NOTIFY);
		expect(out.map((item) => [item.json.userID, item.json.online, item.pairedItem])).toEqual([
			['dave', true, { item: 0 }],
			['alice', false, { item: 1 }],
			['dave', true, { item: 1 }],
		]);
	});

	it('rejects an empty list before asking OpenIM; Continue On Fail gives an error item', async () => {
		const failed = await ctx.run([{ ids: ' , ' }], status('={{ $json.ids }}'));
		expect(failed.error?.message).toBe('User IDs is empty [item 0]');
		expect(ctx.sandbox.stats().requests.byPath['/user/get_users_online_status']).toBeUndefined();

		const continued = await ctx.run([{ ids: '' }, { ids: 'alice' }], status('={{ $json.ids }}'), { onError: 'continueRegularOutput' });
		expect(continued.json(NOTIFY)).toEqual([
			{ error: 'User IDs is empty [item 0]' },
			{ userID: 'alice', online: false, status: 'offline', platforms: [] },
		]);
	});
});
