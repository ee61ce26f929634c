/**
 * v3.8.1's admin token store (sandbox/token.ts; S-3.8.1 controller/auth.go CreateToken, rpc/auth
 * parseToken): beyond the cap a new admin token kicks surplus ones (1506), which the next admin token
 * deletes (1507). v3.8 mode (v3.8.2+) keeps admin tokens stateless.
 */
import type { Sandbox } from '../../sandbox/server';
import { Client, withSandbox } from './helpers';

let sandbox: Sandbox;
let client: Client;

beforeAll(async () => {
	({ sandbox, client } = await withSandbox({ generation: 'v3.8.1' }));
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

/** Tokens issued within one second are the same string: vary the lifetime to get distinct ones. */
let lifetime = 3600;
function distinctTokens(count: number): string[] {
	return Array.from({ length: count }, () => {
		sandbox.configure({ tokenLifetimeSeconds: ++lifetime });
		return sandbox.issueAdminToken();
	});
}

const errCodeWith = async (token: string) =>
	(await client.api('/user/get_users_info', { userIDs: ['alice'] }, { token })).body.errCode as number;

describe('v3.8.1 admin token cap', () => {
	it('starts with a cap of 30 and takes a lower one through configure', () => {
		expect(sandbox.config().adminTokenCap).toBe(30);
		expect(sandbox.configure({ adminTokenCap: 2 }).adminTokenCap).toBe(2);
	});

	it('kicks the surplus beyond the cap (1506); the next admin token deletes it (1507)', async () => {
		sandbox.configure({ adminTokenCap: 2 });
		const [a, b, c] = distinctTokens(3);
		// Two stored when the third was made: not more than the cap, nobody kicked.
		for (const t of [a, b, c]) expect(await errCodeWith(t)).toBe(0);

		const [d] = distinctTokens(1);
		expect(await errCodeWith(d)).toBe(0);
		const codes = await Promise.all([a, b, c].map(errCodeWith));
		expect(codes.filter((code) => code === 1506)).toHaveLength(1);
		expect(sandbox.stats().adminTokensKicked).toBe(1);
		const kicked = [a, b, c][codes.indexOf(1506)];

		distinctTokens(1);
		expect(await errCodeWith(kicked)).toBe(1507);
		expect(sandbox.stats().adminTokensKicked).toBe(2);
	});

	it('answers 1507 for an admin token it never stored and drops expired ones without kicking', async () => {
		const other = await withSandbox({ generation: 'v3.8.1' });
		try {
			const foreign = other.sandbox.issueAdminToken();
			expect(await errCodeWith(foreign)).toBe(1507);
		} finally {
			await other.sandbox.close();
		}
		sandbox.configure({ adminTokenCap: 1 });
		distinctTokens(2);
		sandbox.expireTokens();
		const [fresh] = distinctTokens(1);
		expect(await errCodeWith(fresh)).toBe(0);
		expect(sandbox.stats().adminTokensKicked).toBe(0);
	});

	it('logs every admin token fetch with its operationID', async () => {
		await client.raw('/auth/get_admin_token', { secret: 'openIM123', userID: 'imAdmin' }, { headers: { operationID: 'n8n-token-w1-1' } });
		expect(sandbox.stats().tokenFetches).toEqual([{ at: expect.any(Number), operationID: 'n8n-token-w1-1' }]);
	});

	it('v3.8 mode (v3.8.2+) never kicks admin tokens', async () => {
		const stateless = await withSandbox();
		try {
			stateless.sandbox.configure({ tokenLifetimeSeconds: 100 });
			const first = stateless.sandbox.issueAdminToken();
			for (let i = 0; i < 5; i++) {
				stateless.sandbox.configure({ tokenLifetimeSeconds: 200 + i });
				stateless.sandbox.issueAdminToken();
			}
			const answer = await stateless.client.api('/user/get_users_info', { userIDs: ['alice'] }, { token: first });
			expect(answer.body.errCode).toBe(0);
			expect(stateless.sandbox.config().adminTokenCap).toBeNull();
		} finally {
			await stateless.sandbox.close();
		}
	});
});
