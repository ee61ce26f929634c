/** Notification Account → Search through the real n8n engine against the in-process OpenIM sandbox. */
import type { INodeParameters } from 'n8n-workflow';

import { NOTIFY, useOpenImSandbox } from '../../../openim-fixtures';

const ctx = useOpenImSandbox();

const search = (overrides: INodeParameters = {}): INodeParameters => ({
	resource: 'notificationAccount',
	operation: 'search',
	keyword: '',
	returnAll: true,
	filters: {},
	...overrides,
});

describe('Notification Account → Search', () => {
	it('lists every notification account (never the imAdmin users; robots, as in OpenIM 3.8, only by keyword)', async () => {
		const result = await ctx.run([{}], search());
		expect(result.error).toBeUndefined();
		expect(result.json(NOTIFY)).toEqual([{ userID: 'hr_bot', faceURL: '', nickName: 'HR Department', appMangerLevel: 3 }]);
	});

	it('finds by exact ID or exact name, filters by type, and pages up to Limit', async () => {
		const byName = await ctx.run([{ q: 'HR Department' }, { q: 'ops_alerts' }], search({ keyword: '={{ $json.q }}' }));
		expect(byName.output(NOTIFY).map((item) => [item.json.userID, item.pairedItem])).toEqual([
			['hr_bot', { item: 0 }],
			['ops_alerts', { item: 1 }],
		]);

		const robots = await ctx.run([{ q: 'Ops Alerts' }, { q: 'HR Department' }], search({ keyword: '={{ $json.q }}', filters: { accountType: 4 } }));
		expect(robots.json(NOTIFY).map((account) => account.userID)).toEqual(['ops_alerts']);

		ctx.sandbox.seedUsers(Array.from({ length: 150 }, (_, i) => ({ userID: `bot_${i}`, appMangerLevel: 3 })));
		const all = await ctx.run([{}], search());
		expect(all.json(NOTIFY)).toHaveLength(151);
		const limited = await ctx.run([{}], search({ returnAll: false, limit: 5 }));
		expect(limited.json(NOTIFY)).toHaveLength(5);
		const nothing = await ctx.run([{}], search({ keyword: 'Nobody' }));
		expect(nothing.json(NOTIFY)).toEqual([]);
	});

	it('rejects a keyword that is not text', async () => {
		const result = await ctx.run([{ q: { id: 1 } }], search({ keyword: '={{ $json.q }}' }));
		expect(result.error?.message).toBe('Keyword must be text, but the expression gave an object [item 0]');
		expect(ctx.sandbox.stats().requests.byPath['/user/search_notification_account']).toBeUndefined();
	});
});
