/**
 * Message → Recall through the real n8n engine against the in-process OpenIM sandbox: messages are
 * sent with Message/Notification → Send, then recalled by the clientMsgID and sendTime Send output.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { assertNoSecrets, notification, NOTIFY, textMessage, useOpenImSandbox } from '../../../openim-fixtures';

const ctx = useOpenImSandbox();

/** Message → Send whose text can come from the item. */
const send = (overrides: INodeParameters = {}): INodeParameters =>
	textMessage({ messageText: '={{ $json.text ?? "Build #42 failed" }}', ...overrides });

/** Recall parameters wired to the fields of a Send output item. */
const recall = (overrides: INodeParameters = {}): INodeParameters => ({
	resource: 'message',
	operation: 'recall',
	sendID: '={{ $json.sendID }}',
	sessionType: 1,
	recvID: { __rl: true, mode: 'id', value: '={{ $json.recvID }}' },
	clientMsgID: '={{ $json.clientMsgID }}',
	sendDate: '={{ $json.sendTime }}',
	options: {},
	...overrides,
});

async function sent(items: IDataObject[], parameters: INodeParameters = send()): Promise<IDataObject[]> {
	const result = await ctx.run(items, parameters);
	expect(result.error).toBeUndefined();
	return result.json(NOTIFY);
}

describe('Message → Recall', () => {
	it('finds the seq by clientMsgID and recalls the message in the recipient\'s chat', async () => {
		const [first, second] = await sent([{ userID: 'alice', text: 'first' }, { userID: 'alice', text: 'second' }]);
		const result = await ctx.run([second], recall());
		expect(result.error).toBeUndefined();
		const inbox = ctx.sandbox.inbox('alice');
		expect(inbox.map((m) => [m.clientMsgID, m.seq, Boolean(m.revoked)])).toEqual([
			[first.clientMsgID, 1, false],
			[second.clientMsgID, 2, true],
		]);
		expect(inbox[1].revoked).toMatchObject({ userID: 'imAdmin', revokerUserID: 'imAdmin' });
		expect(result.json(NOTIFY)).toEqual([
			{
				recalled: true,
				clientMsgID: second.clientMsgID,
				serverMsgID: second.serverMsgID,
				seq: 2,
				conversationID: 'si_alice_imAdmin',
				sessionType: 1,
				sendID: 'imAdmin',
				recvID: 'alice',
				sendTime: second.sendTime,
				operationID: expect.stringMatching(/^n8n-/),
			},
		]);
		assertNoSecrets(ctx.sandbox, result);
	});

	it('recalls in a group, with today as the default date or a plain date', async () => {
		const [message] = await sent([{}], send({ sessionType: 3, groupID: 'all_staff' }));
		const result = await ctx.run([message], recall({ sessionType: 3, groupID: '={{ $json.groupID }}', sendDate: '' }));
		expect(result.error).toBeUndefined();
		expect(result.json(NOTIFY)[0]).toMatchObject({ recalled: true, conversationID: 'sg_all_staff', groupID: 'all_staff', seq: 1 });
		expect(ctx.sandbox.inbox('bob')[0].revoked).toBeTruthy();

		const [other] = await sent([{ userID: 'bob' }]);
		const today = new Date(other.sendTime as number).toISOString().slice(0, 10);
		const byDate = await ctx.run([other], recall({ sendDate: today }));
		expect(byDate.json(NOTIFY)[0]).toMatchObject({ recalled: true, conversationID: 'si_bob_imAdmin' });

		const [third] = await sent([{ userID: 'bob' }]);
		const iso = new Date(third.sendTime as number).toISOString();
		const byIso = await ctx.run([third], recall({ sendDate: iso }));
		expect(byIso.json(NOTIFY)[0]).toMatchObject({ recalled: true, seq: 2 });
	});

	it('takes the pickers\' values: sender and group as resource locators', async () => {
		const [message] = await sent([{}], send({ sendID: { __rl: true, mode: 'list', value: 'imAdmin' }, sessionType: 3, groupID: { __rl: true, mode: 'list', value: 'all_staff' } }));
		const result = await ctx.run(
			[message],
			recall({
				sendID: { __rl: true, mode: 'list', value: 'imAdmin' },
				sessionType: 3,
				groupID: { __rl: true, mode: 'id', value: '={{ $json.groupID }}' },
			}),
		);
		expect(result.error).toBeUndefined();
		expect(result.json(NOTIFY)[0]).toMatchObject({ recalled: true, conversationID: 'sg_all_staff', sendID: 'imAdmin' });
	});

	it('pages through a busy day to find the message', async () => {
		const out = await sent(Array.from({ length: 130 }, (_, i) => ({ userID: 'carol', text: `line ${i}` })));
		const result = await ctx.run([out[120]], recall());
		expect(result.json(NOTIFY)[0]).toMatchObject({ recalled: true, seq: 121 });
		expect(ctx.sandbox.inbox('carol').filter((m) => m.revoked).map((m) => m.seq)).toEqual([121]);
		expect(ctx.sandbox.stats().requests.byPath['/msg/search_msg']).toBe(2);
	});

	it('says "already recalled" on the second recall (errCode 1404)', async () => {
		const [message] = await sent([{ userID: 'dave' }]);
		expect((await ctx.run([message], recall())).error).toBeUndefined();
		const again = await ctx.run([message], recall());
		expect(again.error?.message).toBe(`The message "${message.clientMsgID as string}" was already recalled [item 0]`);

		const continued = await ctx.run([message], recall(), { onError: 'continueRegularOutput' });
		expect(continued.json(NOTIFY)[0]).toMatchObject({ errCode: 1404, clientMsgID: message.clientMsgID, recvID: 'dave' });
	});

	it('counts a recall whose answer was lost as done when the repeat finds it recalled', async () => {
		const [message] = await sent([{ userID: 'dave' }]);
		// OpenIM recalls the message, then the connection drops before the answer.
		ctx.sandbox.configure({ faults: { paths: ['/msg/revoke_msg'], script: ['resetAfter'] } });
		const result = await ctx.run([message], recall());
		expect(result.error).toBeUndefined();
		expect(result.json(NOTIFY)[0]).toMatchObject({ recalled: true, clientMsgID: message.clientMsgID });
		expect(ctx.sandbox.stats().requests.byPath['/msg/revoke_msg']).toBe(2);
	});

	it('explains a message that cannot be found (wrong ID or day)', async () => {
		const [message] = await sent([{ userID: 'alice' }]);
		const wrongDay = await ctx.run([message], recall({ sendDate: '2020-01-15' }));
		expect(wrongDay.error?.message).toBe(
			`Client Message ID "${message.clientMsgID as string}" was not found among the messages from "imAdmin" to "alice" sent on 2020-01-15 or 2020-01-14 or 2020-01-16 (UTC) [item 0]`,
		);
		expect(wrongDay.error?.description).toMatch(/whole UTC days/);
		const badDate = await ctx.run([message], recall({ sendDate: 'next Tuesday' }));
		expect(badDate.error?.message).toBe('Sent On is not a date: "next Tuesday" [item 0]');
		expect(ctx.sandbox.inbox('alice')[0].revoked).toBeUndefined();
	});
});

describe('Message → Recall: work notifications', () => {
	it('cannot find a notification by clientMsgID on OpenIM 3.8, and says so before asking OpenIM', async () => {
		const [card] = await sent([{ userID: 'alice' }], notification());
		const result = await ctx.run([card], recall({ sessionType: 4 }));
		expect(result.error?.message).toMatch(/^Sent To "User, as a Work Notification" cannot be recalled by client message ID\. .*\(sn_\)\. \[item 0\]$/);
		expect(result.error?.description).toMatch(/Message Seq/);
		expect(ctx.sandbox.stats().requests.byPath['/msg/search_msg']).toBeUndefined();
	});

	it('recalls a notification when its seq is given', async () => {
		const [card] = await sent([{ userID: 'alice' }], notification());
		const { seq } = ctx.sandbox.inbox('alice')[0];
		const result = await ctx.run([card], recall({ sessionType: 4, options: { seq } }));
		expect(result.error).toBeUndefined();
		expect(result.json(NOTIFY)[0]).toMatchObject({ recalled: true, seq: 1, conversationID: 'sn_alice_hr_bot', sendID: 'hr_bot' });
		expect(ctx.sandbox.inbox('alice')[0].revoked).toMatchObject({ userID: 'hr_bot' });
	});
});
