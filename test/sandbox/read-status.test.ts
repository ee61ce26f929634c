/* eslint-disable @typescript-eslint/no-explicit-any, @n8n/community-nodes/no-restricted-globals -- test answers are arbitrary JSON; setTimeout waits for the seq assigned after the send */
/**
 * Read state (openim-clients.md §3): /msg/get_conversations_has_read_and_max_seq, /msg/pull_msg_by_seq,
 * the seq assigned after the send (seqDelayMs), and `POST /_sandbox/read` as an app opening a
 * conversation (afterSingleMsgRead for one-to-one chats).
 */
import { request } from 'undici';

import type { Sandbox } from '../../sandbox/server';
import { Client, oaMsg, textMsg, withSandbox } from './helpers';

let sandbox: Sandbox;
let client: Client;

beforeAll(async () => {
	({ sandbox, client } = await withSandbox());
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const SN = 'sn_alice_imAdmin';
const SI = 'si_alice_imAdmin';

async function control(path: string, body: unknown) {
	const res = await request(`${sandbox.url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
	return { status: res.statusCode, body: (await res.body.json()) as Record<string, any> };
}

const seqsOf = (userID: string, conversationIDs: string[] | null) =>
	client.api('/msg/get_conversations_has_read_and_max_seq', { userID, conversationIDs });
const pull = (userID: string, conversationID: string, begin = 1, end = 100, num = 100, order = 0) =>
	client.api('/msg/pull_msg_by_seq', { userID, seqRanges: [{ conversationID, begin, end, num }], order });

describe('/msg/get_conversations_has_read_and_max_seq', () => {
	it('answers maxSeq, the user\'s hasReadSeq and maxSeqTime per conversation; the sender has read its own', async () => {
		await client.api('/msg/send_msg', oaMsg('alice'));
		await client.api('/msg/send_msg', oaMsg('alice'));
		await client.api('/msg/send_msg', textMsg('alice', 'hi'));
		const alice = await seqsOf('alice', [SN, SI, 'sn_bob_imAdmin']);
		expect(alice.body.errCode).toBe(0);
		expect(alice.body.data.seqs).toEqual({
			[SN]: { maxSeq: 2, hasReadSeq: 0, maxSeqTime: expect.any(Number) },
			[SI]: { maxSeq: 1, hasReadSeq: 0, maxSeqTime: expect.any(Number) },
		});
		expect((await seqsOf('imAdmin', [SN])).body.data.seqs[SN].hasReadSeq).toBe(2);
		// No IDs: all of the user's conversations.
		expect(Object.keys((await seqsOf('alice', null)).body.data.seqs).sort()).toEqual([SI, SN]);
	});

	it('rejects an empty userID (1001) and another user\'s token asking for someone else (1002)', async () => {
		expect((await seqsOf('', [SN])).body).toMatchObject({ errCode: 1001, errDlt: expect.stringContaining('userID is empty') });
		const bobToken = (await client.api('/auth/get_user_token', { platformID: 5, userID: 'bob' })).body.data.token as string;
		const res = await client.api('/msg/get_conversations_has_read_and_max_seq', { userID: 'alice', conversationIDs: [SN] }, { token: bobToken });
		expect(res.body.errCode).toBe(1002);
		const own = await client.api('/msg/get_conversations_has_read_and_max_seq', { userID: 'bob', conversationIDs: [] }, { token: bobToken });
		expect(own.body).toMatchObject({ errCode: 0, data: { seqs: {} } });
	});
});

describe('/msg/pull_msg_by_seq', () => {
	it('pulls the newest `num` of a range as the recipient, content base64, isRead per message', async () => {
		const first = (await client.api('/msg/send_msg', oaMsg('alice'))).body.data;
		await client.api('/msg/send_msg', oaMsg('alice'));
		await client.api('/msg/send_msg', oaMsg('alice'));
		const res = await pull('alice', SN, 1, 3, 2, 1);
		expect(res.body.errCode).toBe(0);
		const { Msgs, isEnd } = res.body.data.msgs[SN];
		expect(Msgs.map((m: { seq: number }) => m.seq)).toEqual([2, 3]);
		expect(isEnd).toBe(true);
		expect(res.body.data.notificationMsgs).toEqual({});

		const all = (await pull('alice', SN)).body.data.msgs[SN].Msgs;
		expect(all[0]).toMatchObject({ serverMsgID: first.serverMsgID, clientMsgID: first.clientMsgID, seq: 1, sessionType: 4, contentType: 1400, isRead: false, status: 2 });
		const content = JSON.parse(Buffer.from(all[0].content as string, 'base64').toString('utf8'));
		expect(JSON.parse(content.detail)).toMatchObject({ notificationName: 'HR' });
	});

	it('leaves out conversations the user does not have and empty ranges; checks userID and seqRanges', async () => {
		await client.api('/msg/send_msg', oaMsg('alice'));
		expect((await pull('bob', SN)).body.data.msgs).toEqual({});
		expect((await pull('alice', SN, 5, 9)).body.data.msgs).toEqual({});
		expect((await pull('alice', SN, 1, 9, 0)).body.data.msgs).toEqual({});
		expect((await client.api('/msg/pull_msg_by_seq', { userID: 'alice', seqRanges: null })).body.errCode).toBe(1001);
		expect((await client.api('/msg/pull_msg_by_seq', { userID: '', seqRanges: [] })).body.errCode).toBe(1001);
	});

	it('a message is in no conversation until its seq is assigned (seqDelayMs)', async () => {
		sandbox.configure({ seqDelayMs: 150 });
		const sent = (await client.api('/msg/send_msg', oaMsg('alice'))).body.data;
		expect(sent.serverMsgID).toBeTruthy();
		expect((await seqsOf('alice', [SN])).body.data.seqs).toEqual({});
		expect((await pull('alice', SN)).body.data.msgs).toEqual({});
		await new Promise((resolve) => setTimeout(resolve, 250));
		expect((await seqsOf('alice', [SN])).body.data.seqs[SN]).toMatchObject({ maxSeq: 1, hasReadSeq: 0 });
		expect((await pull('alice', SN)).body.data.msgs[SN].Msgs[0].serverMsgID).toBe(sent.serverMsgID);
		expect(sandbox.config().seqDelayMs).toBe(150);
		sandbox.reset();
		expect(sandbox.config().seqDelayMs).toBe(0);
	});

	it('is not on OpenIM v2 (404)', async () => {
		const v2 = await withSandbox({ generation: 'v2' });
		try {
			const res = await v2.client.raw('/msg/pull_msg_by_seq', { userID: 'alice', seqRanges: [] }, { headers: { operationID: 'x', token: 'y' } });
			expect(res.status).toBe(404);
		} finally {
			await v2.sandbox.close();
		}
	});
});

describe('POST /_sandbox/read (an app opens the conversation)', () => {
	it('moves hasReadSeq on a work notification conversation; no per-message flag, no webhook', async () => {
		sandbox.configure({ webhookUrl: 'http://127.0.0.1:9/hooks' });
		await client.api('/msg/send_msg', oaMsg('alice'));
		await client.api('/msg/send_msg', oaMsg('alice'));
		const read = await control('/_sandbox/read', { userID: 'alice', conversationID: SN });
		expect(read).toEqual({ status: 200, body: { ok: true, conversationID: SN, userID: 'alice', hasReadSeq: 2, seqs: [] } });
		expect((await seqsOf('alice', [SN])).body.data.seqs[SN]).toMatchObject({ maxSeq: 2, hasReadSeq: 2 });
		expect((await pull('alice', SN)).body.data.msgs[SN].Msgs.map((m: { isRead: boolean }) => m.isRead)).toEqual([false, false]);
		await sandbox.webhooks.idle();
		expect(sandbox.webhooks.deliveries().filter((d) => d.event === 'afterSingleMsgRead')).toEqual([]);
	});

	it('marks the peer\'s messages of a one-to-one chat read and fires afterSingleMsgRead with their seqs', async () => {
		sandbox.configure({ webhookUrl: 'http://127.0.0.1:9/hooks', webhookEvents: ['afterSingleMsgRead'] });
		await client.api('/msg/send_msg', textMsg('alice', 'one'));
		await client.api('/msg/send_msg', textMsg('alice', 'two'));
		const read = await control('/_sandbox/read', { userID: 'alice', conversationID: SI });
		expect(read.body).toMatchObject({ hasReadSeq: 2, seqs: [1, 2] });
		const msgs = (await pull('alice', SI)).body.data.msgs[SI].Msgs;
		expect(msgs.map((m: { isRead: boolean }) => m.isRead)).toEqual([true, true]);
		// The sender sees the flag too: it is on the message.
		expect((await pull('imAdmin', SI)).body.data.msgs[SI].Msgs[0].isRead).toBe(true);
		await sandbox.webhooks.idle();
		const [delivery] = sandbox.webhooks.deliveries();
		expect(delivery.url).toBe('http://127.0.0.1:9/hooks/callbackAfterSingleMsgReadCommand');
		expect(delivery.body).toEqual({
			callbackCommand: 'callbackAfterSingleMsgReadCommand',
			conversationID: SI,
			userID: 'alice',
			Seqs: [1, 2],
			contentType: 1,
		});
		// Opening it again marks nothing new: no second webhook.
		expect((await control('/_sandbox/read', { userID: 'alice', conversationID: SI })).body.seqs).toEqual([]);
		await sandbox.webhooks.idle();
		expect(sandbox.webhooks.deliveries()).toHaveLength(1);
	});

	it('rejects unknown users and conversation IDs that are not si_/sn_/sg_', async () => {
		expect((await control('/_sandbox/read', { userID: 'nobody', conversationID: SN })).status).toBe(404);
		expect((await control('/_sandbox/read', { userID: 'alice', conversationID: 'alice' })).status).toBe(400);
	});

	it('emits afterSingleMsgRead on request like the other events', async () => {
		sandbox.configure({ webhookUrl: 'http://127.0.0.1:9/hooks' });
		const res = await control('/_sandbox/webhooks/emit', { event: 'afterSingleMsgRead', fields: { userID: 'bob' } });
		expect(res.body.delivery.body).toEqual({
			callbackCommand: 'callbackAfterSingleMsgReadCommand',
			conversationID: 'si_bob_imAdmin',
			userID: 'bob',
			Seqs: [1],
			contentType: 1,
		});
	});
});
