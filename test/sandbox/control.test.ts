/**
 * The `/_sandbox/*` control plane (docs/architecture.md), statistics and fault injection.
 */
import type { Sandbox } from '../../sandbox/server';
import { Client, oaMsg, textMsg, withSandbox } from './helpers';

let sandbox: Sandbox;
let client: Client;

beforeAll(async () => {
	({ sandbox, client } = await withSandbox());
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const get = (path: string) => client.raw(path, undefined, { method: 'GET' });
const post = (path: string, body: unknown = {}) => client.raw(path, body);

describe('control plane over HTTP (no operationID, no token)', () => {
	it('health, inbox, messages', async () => {
		const health = await get('/_sandbox/health');
		expect(health.status).toBe(200);
		expect(health.body).toMatchObject({ ok: true, url: sandbox.url, users: 7, groups: 1, messages: 0 });
		await client.api('/msg/send_msg', oaMsg('carol'));
		const inbox = await get('/_sandbox/inbox/carol');
		expect(inbox.body.userID).toBe('carol');
		expect(inbox.body.messages).toHaveLength(1);
		expect(inbox.body.messages[0]).toMatchObject({ contentType: 1400, recvID: 'carol', content: { mixType: 0 } });
		expect((await get('/_sandbox/messages')).body.messages).toHaveLength(1);
		expect((await get('/_sandbox/inbox/nobody')).body.messages).toEqual([]);
	});

	it('POST /_sandbox/users and /_sandbox/groups seed data', async () => {
		const users = await post('/_sandbox/users', { users: [{ userID: 'gina', nickname: 'Gina', appMangerLevel: 3 }] });
		expect(users.body.users[0]).toMatchObject({ userID: 'gina', nickname: 'Gina', appMangerLevel: 3 });
		expect((await post('/_sandbox/users', [{ userID: 'hank' }])).body.ok).toBe(true);
		expect(sandbox.store.users.has('hank')).toBe(true);
		const groups = await post('/_sandbox/groups', { groups: [{ groupID: 'eng', memberUserIDs: ['gina', 'hank'] }] });
		expect(groups.body.groups[0]).toMatchObject({ groupID: 'eng', ownerUserID: 'gina' });
		expect((await client.api('/msg/send_msg', oaMsg('hank', 0, { sendID: 'gina' }))).body.errCode).toBe(0);
		expect((await post('/_sandbox/users', { users: [{ nickname: 'no id' }] })).status).toBe(400);
	});

	it('POST /_sandbox/reset returns to the seed state', async () => {
		await client.api('/msg/send_msg', textMsg());
		await post('/_sandbox/users', [{ userID: 'temp' }]);
		expect((await post('/_sandbox/reset')).body).toEqual({ ok: true });
		expect(sandbox.messages()).toHaveLength(0);
		expect(sandbox.store.users.has('temp')).toBe(false);
		expect(sandbox.stats().requests.total).toBe(0);
		await post('/_sandbox/reset', { seed: 'none' });
		expect([...sandbox.store.users.keys()]).toEqual(['imAdmin']);
	});

	it('POST /_sandbox/config validates and reports; POST /_sandbox/expire-tokens', async () => {
		const cfg = await post('/_sandbox/config', { tokenLifetimeSeconds: 60, expireTokensAtRequest: 5 });
		expect(cfg.body).toMatchObject({ tokenLifetimeSeconds: 60, expireTokensAtRequest: 5, adminUserIDs: ['imAdmin'] });
		expect(cfg.text).not.toContain('openIM123');
		expect((await post('/_sandbox/config', { tokenLifetimeSeconds: -1 })).status).toBe(400);
		expect((await post('/_sandbox/config', { faults: { http500Rate: 2 } })).status).toBe(400);
		expect((await post('/_sandbox/config', { unknownKey: 1 })).status).toBe(400);
		expect((await get('/_sandbox/config')).body.tokenLifetimeSeconds).toBe(60);

		const token = await client.adminToken(true);
		expect((await post('/_sandbox/expire-tokens')).body).toEqual({ ok: true });
		expect((await client.api('/msg/get_server_time', {}, { token })).body.errCode).toBe(1501);
	});

	it('unknown control paths are JSON 404s, wrong methods 405', async () => {
		expect((await get('/_sandbox/nope')).status).toBe(404);
		expect((await get('/_sandbox/reset')).status).toBe(405);
		expect((await post('/_sandbox/stats')).status).toBe(405);
	});
});

describe('statistics', () => {
	it('counts requests per path, tokens, sends, rejections and HTTP statuses', async () => {
		await client.adminToken(true);
		await client.api('/msg/send_msg', textMsg());
		await client.api('/msg/send_msg', textMsg('ghost'));
		await client.api('/msg/send_msg', {});
		await get('/_sandbox/stats');
		const s = (await get('/_sandbox/stats')).body;
		expect(s.requests.byPath).toEqual({ '/auth/get_admin_token': 1, '/msg/send_msg': 3 });
		expect(s.tokensIssued).toBe(1);
		expect(s.sendsAccepted).toBe(1);
		expect(s.messagesStored).toBe(1);
		expect(s.rejections).toEqual({ total: 2, byErrCode: { '1001': 1, '1004': 1 } });
		expect(s.httpStatus).toEqual({ '200': 3, '400': 1 });
		expect(s.controlRequests).toBeGreaterThanOrEqual(2);
	});

	it('reports duplicates by operationID and by identical payload', async () => {
		await client.api('/msg/send_msg', oaMsg(), { operationID: 'same-op' });
		await client.api('/msg/send_msg', oaMsg(), { operationID: 'same-op' });
		await client.api('/msg/send_msg', oaMsg(), { operationID: 'other-op' });
		await client.api('/msg/send_msg', oaMsg('bob'), { operationID: 'bob-op' });
		const { duplicates } = sandbox.stats();
		expect(duplicates.byOperationID).toEqual([{ key: 'same-op', path: '/msg/send_msg', count: 2 }]);
		expect(duplicates.byPayload).toEqual([{ key: expect.any(String), path: '/msg/send_msg', count: 3 }]);
		expect(duplicates.total).toBe(2);
	});

	it('tracks the maximum number of concurrent requests', async () => {
		sandbox.configure({ faults: { paths: ['/msg/get_server_time'], stallRate: 1, stallMs: 150 } });
		await Promise.all(Array.from({ length: 6 }, () => client.api('/msg/get_server_time', {})));
		const s = sandbox.stats();
		expect(s.maxInFlight).toBeGreaterThanOrEqual(6);
		expect(s.inFlight).toBe(0);
		expect(s.faults.stall).toBe(6);
	});
});

describe('fault injection', () => {
	it('a script applies exact faults in order: 500, 429, reset before, reset after, stall', async () => {
		const token = await client.adminToken(true);
		sandbox.configure({
			faults: {
				paths: ['/msg/send_msg'],
				script: ['http500', 'http429', 'resetBefore', 'resetAfter', 'none', 'stall'],
				retryAfterSeconds: 2,
				stallMs: 200,
			},
		});
		const op = (n: number) => ({ operationID: `fault-${n}`, token });

		const r500 = await client.api('/msg/send_msg', textMsg(), op(1));
		expect(r500.status).toBe(500);
		expect(r500.text).toBe('');

		const r429 = await client.api('/msg/send_msg', textMsg(), op(2));
		expect(r429.status).toBe(429);
		expect(r429.headers['retry-after']).toBe('2');
		expect(r429.body.errCode).toBe(429);
		expect(sandbox.messages()).toHaveLength(0);

		await expect(client.api('/msg/send_msg', textMsg(), op(3))).rejects.toThrow();
		expect(sandbox.messages()).toHaveLength(0);

		// reset after processing: stored, but the client never hears about it…
		await expect(client.api('/msg/send_msg', textMsg('bob'), op(4))).rejects.toThrow();
		expect(sandbox.inbox('bob')).toHaveLength(1);
		// …and can find out with the same operationID instead of sending twice
		const status = await client.api('/msg/check_msg_is_send_success', {}, op(4));
		expect(status.body.data.status).toBe(2);

		expect((await client.api('/msg/send_msg', textMsg(), op(5))).body.errCode).toBe(0);

		const t0 = Date.now();
		expect((await client.api('/msg/send_msg', textMsg(), op(6))).body.errCode).toBe(0);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(190);

		expect(sandbox.stats().faults).toEqual({ http500: 1, http429: 1, resetBefore: 1, resetAfter: 1, stall: 1 });
		// script used up, no rates: back to normal
		expect((await client.api('/msg/send_msg', textMsg(), op(7))).body.errCode).toBe(0);
	});

	it('rates are deterministic for a given seed and request order', async () => {
		const run = async () => {
			sandbox.configure({ faults: { seed: 42, paths: ['/msg/get_server_time'], http500Rate: 0.3, http429Rate: 0.2 } });
			const statuses: number[] = [];
			for (let i = 0; i < 30; i++) statuses.push((await client.api('/msg/get_server_time', {})).status);
			return statuses;
		};
		const first = await run();
		expect(await run()).toEqual(first);
		expect(first.filter((s) => s === 500).length).toBeGreaterThan(0);
		expect(first.filter((s) => s === 429).length).toBeGreaterThan(0);
		expect(first.filter((s) => s === 200).length).toBeGreaterThan(0);
		// faults only hit the configured paths
		expect((await client.api('/msg/send_msg', textMsg())).status).toBe(200);
		sandbox.configure({ faults: {} });
		expect((await client.api('/msg/get_server_time', {})).status).toBe(200);
	});
});
