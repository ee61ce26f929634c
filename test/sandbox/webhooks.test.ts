/* eslint-disable @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- test tooling, not shipped: a node:http receiver, arbitrary JSON bodies */
/**
 * The sandbox's webhook side (sandbox/webhooks.ts): OpenIM's after-callbacks, sent to a real HTTP
 * receiver in this process, with the real server's URL, headers, body shapes and best-effort rules
 * (openim-api.md §6).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Sandbox } from '../../sandbox/server';
import { CALLBACK_ACK } from '../../sandbox/webhooks';
import { Client, oaMsg, textMsg, withSandbox } from './helpers';

interface Received {
	method: string;
	path: string;
	headers: IncomingMessage['headers'];
	text: string;
	body: any;
}

/** A stand-in for n8n: records every call; `answer` decides the reply (default: OpenIM's ACK). */
class Receiver {
	received: Received[] = [];
	answer: (r: Received, res: ServerResponse) => void = (_r, res) => {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify(CALLBACK_ACK));
	};
	private server!: Server;
	url = '';

	async start(): Promise<void> {
		this.server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let body: any;
				try {
					body = JSON.parse(text);
				} catch {
					body = undefined;
				}
				const r = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, text, body };
				this.received.push(r);
				this.answer(r, res);
			});
		});
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	close(): Promise<void> {
		this.server.closeAllConnections();
		return new Promise((resolve) => this.server.close(() => resolve()));
	}
}

let sandbox: Sandbox;
let client: Client;
const receiver = new Receiver();

beforeAll(async () => {
	({ sandbox, client } = await withSandbox());
	await receiver.start();
});
afterAll(async () => {
	await sandbox.close();
	await receiver.close();
});
beforeEach(() => {
	sandbox.reset();
	receiver.received = [];
	receiver.answer = new Receiver().answer;
	sandbox.configure({ webhookUrl: `${receiver.url}/webhook/abc` });
});

const get = (path: string) => client.raw(path, undefined, { method: 'GET' });
const post = (path: string, body: unknown = {}) => client.raw(path, body);

describe('after-callbacks fired by API calls', () => {
	it('send_msg sessionType 1 → afterSendSingleMsg: POST {url}/{command}, headers, Go field order, double-encoded content', async () => {
		const sent = await client.api('/msg/send_msg', textMsg('bob', 'hi <bob> & co', { sendID: 'alice' }), {
			operationID: 'op-single-1',
		});
		expect(sent.body.errCode).toBe(0);
		await sandbox.webhooks.idle();

		expect(receiver.received).toHaveLength(1);
		const [call] = receiver.received;
		expect(call.method).toBe('POST');
		expect(call.path).toBe('/webhook/abc/callbackAfterSendSingleMsgCommand');
		expect(call.headers['content-type']).toBe('application/json; charset=utf-8');
		expect(call.headers.operationid).toBe('op-single-1');
		expect(call.headers.token).toBeUndefined();
		expect(Object.keys(call.body)).toEqual([
			'sendID',
			'callbackCommand',
			'serverMsgID',
			'clientMsgID',
			'operationID',
			'senderPlatformID',
			'senderNickname',
			'sessionType',
			'msgFrom',
			'contentType',
			'status',
			'sendTime',
			'createTime',
			'content',
			'seq',
			'atUserList',
			'faceURL',
			'ex',
			'recvID',
		]);
		const [stored] = sandbox.messages();
		expect(call.body).toMatchObject({
			sendID: 'alice',
			recvID: 'bob',
			callbackCommand: 'callbackAfterSendSingleMsgCommand',
			serverMsgID: sent.body.data.serverMsgID,
			clientMsgID: sent.body.data.clientMsgID,
			operationID: 'op-single-1',
			sessionType: 1,
			msgFrom: 200,
			contentType: 101,
			seq: 0,
			atUserList: null,
			sendTime: stored.sendTime,
		});
		// A string holding JSON, Go-escaped: the receiver parses it a second time.
		expect(typeof call.body.content).toBe('string');
		expect(call.body.content).toBe('{"content":"hi \\u003cbob\\u003e \\u0026 co"}');
		expect(JSON.parse(call.body.content)).toEqual({ content: 'hi <bob> & co' });

		const [delivery] = sandbox.webhooks.deliveries();
		expect(delivery).toMatchObject({
			event: 'afterSendSingleMsg',
			state: 'delivered',
			httpStatus: 200,
			acknowledged: true,
			url: `${receiver.url}/webhook/abc/callbackAfterSendSingleMsgCommand`,
		});
		expect(sandbox.stats().webhooks).toMatchObject({
			fired: 1,
			delivered: 1,
			acknowledged: 1,
			failed: 0,
			dropped: 0,
			byEvent: { afterSendSingleMsg: 1 },
			pending: 0,
		});
	});

	it('admin REST sends fire it too (the reply loop), and batch_send_msg fires once per receiver', async () => {
		await client.api('/msg/send_msg', textMsg('alice', 'from the bot'));
		await client.api('/msg/batch_send_msg', { ...textMsg(), recvIDs: ['bob', 'carol'], recvID: undefined });
		await sandbox.webhooks.idle();
		expect(receiver.received.map((r) => [r.body.sendID, r.body.recvID])).toEqual([
			['imAdmin', 'alice'],
			['imAdmin', 'bob'],
			['imAdmin', 'carol'],
		]);
	});

	it('send_msg sessionType 3 → afterSendGroupMsg with groupID and no recvID', async () => {
		const res = await client.api('/msg/send_msg', {
			sendID: 'alice',
			groupID: 'all_staff',
			contentType: 101,
			sessionType: 3,
			content: { content: 'hello all' },
		});
		expect(res.body.errCode).toBe(0);
		await sandbox.webhooks.idle();
		expect(receiver.received).toHaveLength(1);
		const [call] = receiver.received;
		expect(call.path).toBe('/webhook/abc/callbackAfterSendGroupMsgCommand');
		expect(call.body).toMatchObject({ callbackCommand: 'callbackAfterSendGroupMsgCommand', groupID: 'all_staff', sessionType: 3 });
		expect(call.body).not.toHaveProperty('recvID');
		expect(Object.keys(call.body).at(-1)).toBe('groupID');
	});

	it('OA notifications (sessionType 4), failed sends and receivers that take nothing fire no hook', async () => {
		expect((await client.api('/msg/send_msg', oaMsg('alice'))).body.errCode).toBe(0);
		expect((await client.api('/msg/send_msg', textMsg('nobody'))).body.errCode).toBe(1004);
		sandbox.seedUsers([{ userID: 'quiet', globalRecvMsgOpt: 1 }]);
		expect((await client.api('/msg/send_msg', textMsg('quiet'))).body.errCode).toBe(0);
		await sandbox.webhooks.idle();
		expect(receiver.received).toEqual([]);
		expect(sandbox.stats().webhooks?.fired).toBe(0);
	});

	it('user_register → afterUserRegister with the users as UserInfo', async () => {
		const res = await client.api(
			'/user/user_register',
			{ users: [{ userID: 'erin', nickname: 'Erin', faceURL: 'https://x/e.png' }, { userID: 'frank', nickname: 'Frank' }] },
			{ operationID: 'op-register' },
		);
		expect(res.body.errCode).toBe(0);
		await sandbox.webhooks.idle();
		expect(receiver.received).toHaveLength(1);
		const [call] = receiver.received;
		expect(call.path).toBe('/webhook/abc/callbackAfterUserRegisterCommand');
		expect(call.headers.operationid).toBe('op-register');
		expect(Object.keys(call.body)).toEqual(['callbackCommand', 'users']);
		expect(call.body.users).toEqual([
			{ userID: 'erin', nickname: 'Erin', faceURL: 'https://x/e.png', ex: '', createTime: expect.any(Number), appMangerLevel: 0, globalRecvMsgOpt: 0 },
			{ userID: 'frank', nickname: 'Frank', faceURL: '', ex: '', createTime: expect.any(Number), appMangerLevel: 0, globalRecvMsgOpt: 0 },
		]);
		// A rejected registration (existing ID) fires nothing.
		await client.api('/user/user_register', { users: [{ userID: 'erin', nickname: 'Erin' }] });
		await sandbox.webhooks.idle();
		expect(receiver.received).toHaveLength(1);
	});
});

describe('after-callbacks fired by API calls: revoke', () => {
	it('revoke_msg → afterRevokeMsg with the request\'s conversationID, seq and userID; a failed revoke fires nothing', async () => {
		await client.api('/msg/send_msg', textMsg('bob', 'oops', { sendID: 'alice' }));
		const [stored] = sandbox.messages();
		const revoke = { conversationID: stored.conversationID, seq: stored.seq, userID: 'alice' };
		expect((await client.api('/msg/revoke_msg', revoke, { operationID: 'op-revoke' })).body.errCode).toBe(0);
		expect((await client.api('/msg/revoke_msg', revoke)).body.errCode).toBe(1404);
		await sandbox.webhooks.idle();
		const calls = receiver.received.filter((r) => r.path.endsWith('/callbackBeforeAfterMsgCommand'));
		expect(calls).toHaveLength(1);
		expect(calls[0].headers.operationid).toBe('op-revoke');
		expect(calls[0].body).toEqual({
			callbackCommand: 'callbackBeforeAfterMsgCommand',
			conversationID: 'si_alice_bob',
			seq: stored.seq,
			userID: 'alice',
		});
	});
});

describe('configuration', () => {
	it('nothing is sent without a URL, and only the enabled events are sent', async () => {
		sandbox.configure({ webhookUrl: null });
		await client.api('/msg/send_msg', textMsg('bob'));
		await sandbox.webhooks.idle();
		expect(receiver.received).toEqual([]);

		sandbox.configure({ webhookUrl: `${receiver.url}/only-register`, webhookEvents: ['afterUserRegister'] });
		await client.api('/msg/send_msg', textMsg('bob'));
		await client.api('/user/user_register', { users: [{ userID: 'gus', nickname: 'Gus' }] });
		await sandbox.webhooks.idle();
		expect(receiver.received.map((r) => r.path)).toEqual(['/only-register/callbackAfterUserRegisterCommand']);
	});

	it('POST /_sandbox/config sets and validates webhookUrl/webhookEvents; GET /_sandbox/config and reset show them', async () => {
		const cfg = await post('/_sandbox/config', { webhookUrl: `${receiver.url}/n8n`, webhookEvents: ['afterSendSingleMsg'] });
		expect(cfg.status).toBe(200);
		expect(cfg.body).toMatchObject({ webhookUrl: `${receiver.url}/n8n`, webhookEvents: ['afterSendSingleMsg'], webhookTimeoutMs: 5000 });
		expect((await post('/_sandbox/config', { webhookUrl: 'not a url' })).status).toBe(400);
		expect((await post('/_sandbox/config', { webhookUrl: 'ftp://x/y' })).status).toBe(400);
		expect((await post('/_sandbox/config', { webhookEvents: ['beforeSendSingleMsg'] })).status).toBe(400);
		await client.api('/msg/send_msg', textMsg('carol'));
		await sandbox.webhooks.idle();
		const listed = await get('/_sandbox/webhooks');
		expect(listed.body.config).toMatchObject({ url: `${receiver.url}/n8n`, events: ['afterSendSingleMsg'] });
		expect(listed.body.stats).toMatchObject({ fired: 1, acknowledged: 1 });
		expect(listed.body.deliveries[0]).toMatchObject({ event: 'afterSendSingleMsg', body: { recvID: 'carol' }, acknowledged: true });
		expect((await get('/_sandbox/stats')).body.webhooks).toMatchObject({ fired: 1 });

		await post('/_sandbox/reset');
		expect((await get('/_sandbox/config')).body).toMatchObject({ webhookUrl: null, webhookEvents: null });
		expect((await get('/_sandbox/webhooks')).body).toMatchObject({ deliveries: [], stats: { fired: 0 } });
	});

	it('POST /_sandbox/webhooks/emit fires the events the sandbox has no routes for, with their real shapes', async () => {
		const online = await post('/_sandbox/webhooks/emit', { event: 'afterUserOnline', fields: { userID: 'bob', platformID: 2 }, operationID: 'op-online' });
		expect(online.body).toMatchObject({ ok: true, delivery: { event: 'afterUserOnline', callbackCommand: 'callbackAfterUserOnlineCommand' } });
		await post('/_sandbox/webhooks/emit', { event: 'afterDismissGroup', fields: { groupID: 'all_staff' } });
		await post('/_sandbox/webhooks/emit', { event: 'afterRevokeMsg', fields: { conversationID: 'si_alice_bob', seq: 3, userID: 'alice' } });
		expect((await post('/_sandbox/webhooks/emit', { event: 'afterNothing' })).status).toBe(400);
		await sandbox.webhooks.idle();
		const [on, dismissed, revoked] = receiver.received;
		expect(on.path).toBe('/webhook/abc/callbackAfterUserOnlineCommand');
		expect(on.headers.operationid).toBe('op-online');
		expect(Object.keys(on.body)).toEqual(['callbackCommand', 'operationID', 'platformID', 'platform', 'userID', 'seq', 'isAppBackground', 'connID']);
		expect(on.body).toMatchObject({ userID: 'bob', platformID: 2, platform: 'Android', operationID: 'op-online' });
		expect(dismissed.path).toBe('/webhook/abc/callbackAfterDisMissGroupCommand');
		expect(dismissed.body).toEqual({
			callbackCommand: 'callbackAfterDisMissGroupCommand',
			groupID: 'all_staff',
			ownerID: 'alice',
			groupType: '2',
			membersID: ['alice', 'bob', 'carol', 'dave'],
		});
		expect(revoked.path).toBe('/webhook/abc/callbackBeforeAfterMsgCommand');
		expect(revoked.body).toEqual({ callbackCommand: 'callbackBeforeAfterMsgCommand', conversationID: 'si_alice_bob', seq: 3, userID: 'alice' });
	});
});

describe('best effort, like the real server', () => {
	it('is asynchronous: the API answers before the receiver does', async () => {
		let release!: () => void;
		const held = new Promise<void>((resolve) => (release = resolve));
		receiver.answer = (_r, res) => {
			void held.then(() => res.end(JSON.stringify(CALLBACK_ACK)));
		};
		const res = await client.api('/msg/send_msg', textMsg('bob'));
		expect(res.body.errCode).toBe(0);
		expect(sandbox.webhooks.stats().pending).toBe(1);
		release();
		await sandbox.webhooks.idle();
		expect(sandbox.webhooks.deliveries()[0]).toMatchObject({ state: 'delivered', acknowledged: true });
	});

	it('ignores the HTTP status, records answers that are not the expected JSON, never retries', async () => {
		receiver.answer = (_r, res) => {
			res.writeHead(500);
			res.end('oops');
		};
		await client.api('/msg/send_msg', textMsg('bob'));
		await sandbox.webhooks.idle();
		expect(receiver.received).toHaveLength(1);
		expect(sandbox.webhooks.deliveries()[0]).toMatchObject({ state: 'delivered', httpStatus: 500, response: 'oops', acknowledged: false });
		expect(sandbox.stats().webhooks).toMatchObject({ delivered: 1, acknowledged: 0 });
	});

	it('an unreachable receiver or a timeout fails the callback, never the API call', async () => {
		sandbox.configure({ webhookUrl: 'http://127.0.0.1:9/closed' });
		expect((await client.api('/msg/send_msg', textMsg('bob'))).body.errCode).toBe(0);
		await sandbox.webhooks.idle();
		expect(sandbox.webhooks.deliveries()[0]).toMatchObject({ state: 'failed', error: expect.stringMatching(/ECONNREFUSED/) });

		sandbox.configure({ webhookUrl: `${receiver.url}/slow`, webhookTimeoutMs: 150 });
		receiver.answer = () => undefined; // never answers
		expect((await client.api('/msg/send_msg', textMsg('bob'))).body.errCode).toBe(0);
		await sandbox.webhooks.idle();
		expect(sandbox.webhooks.deliveries()[1]).toMatchObject({ state: 'failed', error: 'timeout after 150 ms' });
		expect(sandbox.stats().webhooks).toMatchObject({ fired: 2, failed: 2, delivered: 0 });
	});

	it('drops events when the 100-slot queue is full', async () => {
		receiver.answer = () => undefined;
		sandbox.configure({ webhookTimeoutMs: 2000 });
		for (let i = 0; i < 105; i++) sandbox.webhooks.emit('afterUserOnline', { userID: `u${i}` });
		// 2 in flight after the workers start, the rest queued; everything beyond 100 queued is dropped.
		const dropped = sandbox.webhooks.deliveries().filter((d) => d.state === 'dropped');
		expect(dropped).toHaveLength(5);
		sandbox.reset();
		expect(sandbox.webhooks.stats()).toMatchObject({ fired: 0, dropped: 0 });
	});
});
