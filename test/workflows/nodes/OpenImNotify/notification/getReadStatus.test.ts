/**
 * Notification / Message → Get Read Status through the real n8n engine against the in-process
 * sandbox: sends, then asks with the Send output (the default `{{ $json }}`), before and after the
 * recipient's app opens the conversation (store.markConversationRead, as `POST /_sandbox/read`).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { assertNoSecrets, notification, NOTIFY, openImTestContext, textMessage, useOpenImSandbox } from '../../../openim-fixtures';

const ctx = useOpenImSandbox();

const readStatus = (overrides: INodeParameters = {}): INodeParameters => ({
	resource: 'notification',
	operation: 'getReadStatus',
	sentMessage: '={{ $json }}',
	...overrides,
});

async function sent(items: IDataObject[], parameters: INodeParameters): Promise<IDataObject[]> {
	const result = await ctx.run(items, parameters);
	expect(result.error).toBeUndefined();
	return result.json(NOTIFY);
}

const readRequests = () => {
	const byPath = ctx.sandbox.stats().requests.byPath;
	return (byPath['/msg/pull_msg_by_seq'] ?? 0) + (byPath['/msg/get_conversations_has_read_and_max_seq'] ?? 0);
};

describe('Get Read Status', () => {
	it('a work notification: unread, then read once the recipient opened the conversation (hasReadSeq)', async () => {
		const [first, second] = await sent([{ userID: 'alice' }, { userID: 'bob' }], notification());
		const before = await ctx.run([first, second], readStatus());
		expect(before.error).toBeUndefined();
		expect(before.json(NOTIFY)).toEqual([
			{
				recvID: 'alice',
				status: 'unread',
				read: false,
				readAt: null,
				conversationID: 'sn_alice_hr_bot',
				seq: 1,
				hasReadSeq: 0,
				maxSeq: 1,
				serverMsgID: first.serverMsgID,
				clientMsgID: first.clientMsgID,
				sendID: 'hr_bot',
				sendTime: first.sendTime,
			},
			expect.objectContaining({ recvID: 'bob', status: 'unread', conversationID: 'sn_bob_hr_bot' }),
		]);

		ctx.sandbox.store.markConversationRead('alice', 'sn_alice_hr_bot');
		const after = await ctx.run([first, second], readStatus());
		expect(after.json(NOTIFY).map((r) => [r.recvID, r.status, r.hasReadSeq])).toEqual([
			['alice', 'read', 1],
			['bob', 'unread', 0],
		]);
		assertNoSecrets(ctx.sandbox, after);
	});

	it('a one-to-one message (Message resource): the message\'s isRead', async () => {
		const [message] = await sent([{ userID: 'carol' }], textMessage());
		const params = readStatus({ resource: 'message' });
		expect((await ctx.run([message], params)).json(NOTIFY)[0]).toMatchObject({
			recvID: 'carol',
			status: 'unread',
			isRead: false,
			conversationID: 'si_carol_imAdmin',
			seq: 1,
		});
		ctx.sandbox.store.markConversationRead('carol', 'si_carol_imAdmin');
		expect((await ctx.run([message], params)).json(NOTIFY)[0]).toMatchObject({ status: 'read', read: true, isRead: true, readAt: null });
	});

	it('a fan-out summary: one item per recipient, or a summary with who read, who did not', async () => {
		const [summary] = await sent([{}], notification({ recipientMode: 'userList', recvIDs: 'alice, bob, carol' }));
		ctx.sandbox.store.markConversationRead('bob', 'sn_bob_hr_bot');
		const perRecipient = await ctx.run([summary], readStatus());
		expect(perRecipient.json(NOTIFY).map((r) => [r.recvID, r.status])).toEqual([
			['alice', 'unread'],
			['bob', 'read'],
			['carol', 'unread'],
		]);
		const [one] = (await ctx.run([summary], readStatus({ readStatusOutput: 'summary' }))).json(NOTIFY);
		expect(one).toMatchObject({ sendID: 'hr_bot', recipients: 3, read: ['bob'], unread: ['alice', 'carol'], unknown: [] });
		expect(one.results).toHaveLength(3);
	});

	it('finds a message whose seq is assigned only after the send (looks again after a moment)', async () => {
		ctx.sandbox.configure({ seqDelayMs: 400 });
		const [message] = await sent([{ userID: 'alice' }], notification());
		expect(ctx.sandbox.messages()[0].seq).toBe(0);
		const result = await ctx.run([message], readStatus());
		expect(result.json(NOTIFY)[0]).toMatchObject({ status: 'unread', seq: 1 });
	});

	it('unknown, with the reason, when the message is not in the recipient\'s conversation', async () => {
		const [message] = await sent([{ userID: 'alice' }], notification());
		// Long ago: no second look.
		const other = { ...message, serverMsgID: 'f'.repeat(32), clientMsgID: 'e'.repeat(32), sendTime: 1_600_000_000_000 };
		expect((await ctx.run([other], readStatus())).json(NOTIFY)[0]).toMatchObject({
			status: 'unknown',
			read: null,
			seq: null,
			maxSeq: 1,
			reason: expect.stringContaining('not in the recipient'),
		});
		const stranger = { ...message, recvID: 'dave', sendTime: 1_600_000_000_000 };
		expect((await ctx.run([stranger], readStatus())).json(NOTIFY)[0]).toMatchObject({
			status: 'unknown',
			maxSeq: null,
			reason: expect.stringContaining('has not put the message'),
		});
	});

	it('bad input: an item without the IDs Send outputs stops before any request; with Continue On Fail one item per input item', async () => {
		const items: IDataObject[] = [{ sendID: 'hr_bot', recvID: 'alice', serverMsgID: '', clientMsgID: null }, { sendID: 'hr_bot', recvID: 'alice', serverMsgID: 'x' }];
		const stopped = await ctx.run(items, readStatus());
		expect(stopped.status).toBe('error');
		expect(stopped.error?.message).toBe('Send Output has no serverMsgID or clientMsgID for "alice" [item 0]');
		expect(readRequests()).toBe(0);

		const continued = await ctx.run([items[0], { recvID: 'bob', serverMsgID: 'x' }, { error: 'boom' }], readStatus(), { onError: 'continueRegularOutput' });
		expect(continued.json(NOTIFY).map((r) => r.error)).toEqual([
			'Send Output has no serverMsgID or clientMsgID for "alice" [item 0]',
			'Send Output has no sendID [item 1]',
			'Send Output is an error item, not a send: boom [item 2]',
		]);
		expect(readRequests()).toBe(0);

		const group = await ctx.run([{ sendID: 'imAdmin', groupID: 'all_staff', serverMsgID: 'x' }], readStatus({ resource: 'message' }));
		expect(group.error?.message).toBe('Send Output is a group message (groupID "all_staff") [item 0]');
	});
});

describe('Get Read Status on OpenIM v2', () => {
	it('says it needs OpenIM v3', async () => {
		const v2 = await openImTestContext({ generation: 'v2' });
		try {
			const result = await v2.run([{ sendID: 'imAdmin', recvID: 'alice', serverMsgID: 'x', sendTime: 1_600_000_000_000 }], readStatus());
			expect(result.status).toBe('error');
			expect(`${result.error?.message} ${result.error?.description}`).toContain('needs OpenIM v3');
		} finally {
			await v2.sandbox.close();
		}
	});
});
