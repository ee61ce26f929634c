/** User → Get Many through the real n8n engine against the in-process OpenIM sandbox. */
import type { INodeParameters } from 'n8n-workflow';

import { NOTIFY, useOpenImSandbox } from '../../../openim-fixtures';

const ctx = useOpenImSandbox();

const getMany = (overrides: INodeParameters = {}): INodeParameters => ({
	resource: 'user',
	operation: 'getMany',
	returnAll: true,
	filters: {},
	...overrides,
});

describe('User → Get Many', () => {
	it('lists ordinary users only (no admins, no notification accounts)', async () => {
		const result = await ctx.run([{}], getMany());
		expect(result.error).toBeUndefined();
		expect(result.json(NOTIFY).map((user) => user.userID)).toEqual(['alice', 'bob', 'carol', 'dave']);
		expect(result.runData[NOTIFY][0].hints).toEqual([
			{ type: 'info', location: 'outputPane', message: 'OpenIM server v3.8.1+, detected automatically.' },
		]);
	});

	it('pages through everything with Return All, and stops at Limit otherwise', async () => {
		ctx.sandbox.seedUsers(Array.from({ length: 246 }, (_, i) => ({ userID: `staff_${String(i).padStart(3, '0')}`, appMangerLevel: 1 })));
		const all = await ctx.run([{}], getMany());
		expect(all.json(NOTIFY)).toHaveLength(250);
		expect(new Set(all.json(NOTIFY).map((user) => user.userID)).size).toBe(250);
		expect(ctx.sandbox.stats().requests.byPath['/user/get_users']).toBe(3);

		const limited = await ctx.run([{}], getMany({ returnAll: false, limit: 120 }));
		expect(limited.json(NOTIFY)).toHaveLength(120);
		const few = await ctx.run([{}], getMany({ returnAll: false, limit: 3 }));
		expect(few.json(NOTIFY).map((user) => user.userID)).toEqual(['alice', 'bob', 'carol']);
	});

	it('filters by nickname, one list per input item', async () => {
		const result = await ctx.run([{ q: 'Chen' }, { q: 'Li' }], getMany({ filters: { nickname: '={{ $json.q }}' } }));
		const out = result.output(NOTIFY);
		expect(out.map((item) => [item.json.userID, item.pairedItem])).toEqual([
			['alice', { item: 0 }],
			['bob', { item: 1 }],
		]);
	});

	it('rejects a limit below 1 from an expression before asking OpenIM', async () => {
		const result = await ctx.run([{ n: 0 }], getMany({ returnAll: false, limit: '={{ $json.n }}' }));
		expect(result.error?.message).toMatch(/^Limit must be between 1 and \d+, not 0 \[item 0\]$/);
		expect(ctx.sandbox.stats().requests.byPath['/user/get_users']).toBeUndefined();
	});
});
