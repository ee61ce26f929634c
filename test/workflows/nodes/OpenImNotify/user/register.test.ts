/** User → Register through the real n8n engine against the in-process OpenIM sandbox. */
import type { INodeParameters } from 'n8n-workflow';

import { assertNoSecrets, NOTIFY, useOpenImSandbox } from '../../../openim-fixtures';

const ctx = useOpenImSandbox();

const register = (overrides: INodeParameters = {}): INodeParameters => ({
	resource: 'user',
	operation: 'register',
	userID: '={{ $json.id }}',
	nickname: '={{ $json.name }}',
	additionalFields: {},
	...overrides,
});

describe('User → Register', () => {
	it('registers one user per item and outputs what OpenIM stored', async () => {
		const result = await ctx.run(
			[{ id: 'erin_01', name: 'Erin Wu' }, { id: 'Frank', name: 'Frank Xu' }],
			register({ additionalFields: { faceURL: '=https://cdn.example.com/{{ $json.id }}.png', ex: '{"dept":"ops"}' } }),
		);
		expect(result.error).toBeUndefined();
		expect(ctx.sandbox.store.users.get('erin_01')).toMatchObject({ nickname: 'Erin Wu', ex: '{"dept":"ops"}', appMangerLevel: 0 });
		const out = result.json(NOTIFY);
		expect(out).toHaveLength(2);
		expect(out[0]).toMatchObject({ userID: 'erin_01', nickname: 'Erin Wu', faceURL: 'https://cdn.example.com/erin_01.png', createTime: expect.any(Number) });
		expect(out[1]).toMatchObject({ userID: 'Frank', nickname: 'Frank Xu', faceURL: 'https://cdn.example.com/Frank.png' });
		assertNoSecrets(ctx.sandbox, result);
	});

	it('takes IDs in any script, as OpenIM does (Unicode letters and digits)', async () => {
		const result = await ctx.run([{ id: '张伟_01', name: '张伟' }], register());
		expect(result.error).toBeUndefined();
		expect(ctx.sandbox.store.users.get('张伟_01')).toMatchObject({ nickname: '张伟' });
	});

	it('checks the user ID before sending anything: letters, digits and underscores only', async () => {
		const result = await ctx.run([{ id: 'gina_01', name: 'Gina' }, { id: 'gina-02', name: 'Gina' }], register());
		expect(result.error?.message).toBe('User ID "gina-02" may contain only letters, digits and underscores [item 1]');
		expect(ctx.sandbox.stats().requests.byPath['/user/user_register']).toBeUndefined();
		expect(ctx.sandbox.store.users.has('gina_01')).toBe(false);
	});

	it('explains errCode 1102 for an existing ID; with Continue On Fail the others still register', async () => {
		const result = await ctx.run(
			[{ id: 'alice', name: 'Alice again' }, { id: 'hank', name: 'Hank' }],
			register(),
			{ onError: 'continueRegularOutput' },
		);
		const [taken, hank] = result.json(NOTIFY);
		expect(taken).toMatchObject({ userID: 'alice', errCode: 1102, error: 'User ID "alice" is already registered [item 0]' });
		expect(taken.description).toMatch(/created nothing/);
		expect(hank).toMatchObject({ userID: 'hank', nickname: 'Hank' });
		expect(ctx.sandbox.store.users.get('alice')?.nickname).toBe('Alice Chen');
	});
});
