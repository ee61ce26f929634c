/**
 * Notification → Send's Delivery Format through the real n8n engine against the in-process sandbox:
 * the card (1400), the chat message every official app shows (101 + 102), or both; recall of each.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { file, picture, video, voice } from '../../../../fixtures/media';
import { assertNoSecrets, notification, NOTIFY, openImTestContext, useOpenImSandbox } from '../../../openim-fixtures';

const ctx = useOpenImSandbox();

const LINK = 'https://oa.example.com/n/1';

async function sent(items: IDataObject[], parameters: INodeParameters): Promise<IDataObject[]> {
	const result = await ctx.run(items, parameters);
	expect(result.error).toBeUndefined();
	assertNoSecrets(ctx.sandbox, result);
	return result.json(NOTIFY);
}

describe('Notification → Send: Delivery Format', () => {
	it('sends the work notification card by default and says so', async () => {
		const [out] = await sent([{ userID: 'alice' }], notification({ externalUrl: LINK }));
		const inbox = ctx.sandbox.inbox('alice');
		expect(inbox.map((m) => [m.contentType, m.sessionType])).toEqual([[1400, 4]]);
		expect(out).toMatchObject({ delivered: true, deliveryFormat: 'card', clientMsgID: inbox[0].clientMsgID });
		expect(out.chat).toBeUndefined();
	});

	it('Chat Message: a 101 text from the notification account with title, text and link, then the picture as a 102', async () => {
		const [out] = await sent(
			[{ userID: 'alice' }],
			notification({ deliveryFormat: 'chat', externalUrl: LINK, mixType: 1, ...picture, options: { pushTitle: 'HR' } }),
		);
		const inbox = ctx.sandbox.inbox('alice');
		expect(inbox.map((m) => [m.contentType, m.sessionType, m.conversationID])).toEqual([
			[101, 1, 'si_alice_hr_bot'],
			[102, 1, 'si_alice_hr_bot'],
		]);
		const [text, pic] = inbox;
		expect(text.content).toEqual({ content: `Welcome aboard\n\nYour first day is Monday.\n\nOpen: ${LINK}` });
		expect(text.senderNickname).toBe('HR Department');
		expect(text.offlinePushInfo).toMatchObject({ title: 'HR', desc: 'Your first day is Monday.' });
		expect(pic.content).toMatchObject({ sourcePicture: { url: picture.pictureUrl }, bigPicture: { url: picture.pictureUrl } });
		expect(pic.notOfflinePush).toBe(true);
		expect(out).toMatchObject({
			delivered: true,
			deliveryFormat: 'chat',
			serverMsgID: text.serverMsgID,
			clientMsgID: text.clientMsgID,
			recvID: 'alice',
			sendID: 'hr_bot',
			chat: {
				clientMsgID: text.clientMsgID,
				conversationID: 'si_alice_hr_bot',
				sessionType: 1,
				picture: { clientMsgID: pic.clientMsgID, serverMsgID: pic.serverMsgID },
				clientMsgIDs: [text.clientMsgID, pic.clientMsgID],
			},
		});
		expect(out.operationID).toBe(text.operationID);
	});

	it.each([
		['video', 2, video, `Video: ${video.videoUrl}`],
		['file', 3, file, `File: Employee Handbook.pdf ${file.fileUrl}`],
		['voice', 4, voice, `Voice: ${voice.voiceUrl}`],
	])('Chat Message: a %s goes into the text as its link (no 103–105)', async (_label, mixType, media, line) => {
		await sent([{ userID: 'bob' }], notification({ deliveryFormat: 'chat', mixType, ...media }));
		const inbox = ctx.sandbox.inbox('bob');
		expect(inbox.map((m) => m.contentType)).toEqual([101]);
		expect(inbox[0].content.content).toBe(`Welcome aboard\n\nYour first day is Monday.\n\n${line}`);
	});

	it('Both: the card, then the chat message, with both sets of IDs', async () => {
		const [out] = await sent([{ userID: 'carol' }], notification({ deliveryFormat: 'both', externalUrl: LINK }));
		const inbox = ctx.sandbox.inbox('carol');
		expect(inbox.map((m) => [m.contentType, m.conversationID])).toEqual([
			[1400, 'sn_carol_hr_bot'],
			[101, 'si_carol_hr_bot'],
		]);
		expect(out).toMatchObject({
			deliveryFormat: 'both',
			clientMsgID: inbox[0].clientMsgID,
			chat: { clientMsgID: inbox[1].clientMsgID, clientMsgIDs: [inbox[1].clientMsgID] },
		});
	});

	it('fans out every format: each member gets text and picture in order, the summary carries the chat IDs', async () => {
		const [summary] = await sent(
			[{}],
			notification({ deliveryFormat: 'both', recipientMode: 'userList', recvIDs: 'alice, bob', mixType: 1, ...picture }),
		);
		for (const userID of ['alice', 'bob']) {
			expect(ctx.sandbox.inbox(userID).map((m) => m.contentType)).toEqual([1400, 101, 102]);
		}
		expect(summary).toMatchObject({ deliveryFormat: 'both', recipients: 2, delivered: 2, failed: 0 });
		const results = summary.results as IDataObject[];
		expect(results.map((r) => (r.chat as IDataObject).clientMsgIDs)).toEqual(
			['alice', 'bob'].map((userID) => ctx.sandbox.inbox(userID).slice(1).map((m) => m.clientMsgID)),
		);

		ctx.sandbox.reset('default');
		const perRecipient = await sent(
			[{}],
			notification({ deliveryFormat: 'chat', recipientMode: 'groupMembers', memberGroupID: 'all_staff', outputMode: 'perRecipient', fanOut: 'batchSendMsg' }),
		);
		expect(perRecipient.length).toBeGreaterThan(1);
		for (const item of perRecipient) {
			expect(item).toMatchObject({ delivered: true, deliveryFormat: 'chat' });
			expect(ctx.sandbox.inbox(String(item.recvID)).map((m) => m.contentType)).toEqual([101]);
		}
	});

	it('recalls a Chat Message and its picture with the IDs Send output', async () => {
		const [out] = await sent([{ userID: 'alice' }], notification({ deliveryFormat: 'chat', mixType: 1, ...picture }));
		const result = await ctx.run([out], {
			resource: 'message',
			operation: 'recall',
			sendID: '={{ $json.sendID }}',
			sessionType: 1,
			recvID: { __rl: true, mode: 'id', value: '={{ $json.recvID }}' },
			clientMsgID: '={{ $json.chat.clientMsgIDs }}',
			sendDate: '={{ $json.sendTime }}',
			options: {},
		});
		expect(result.error).toBeUndefined();
		expect(ctx.sandbox.inbox('alice').map((m) => Boolean(m.revoked))).toEqual([true, true]);
		const [recalled] = result.json(NOTIFY);
		expect(recalled).toMatchObject({ recalled: true, conversationID: 'si_alice_hr_bot', seq: 1 });
		expect((recalled.messages as IDataObject[]).map((m) => m.seq)).toEqual([1, 2]);
	});

	it('Recall refuses several client message IDs together with a Message Seq, naming the field', async () => {
		const result = await ctx.run([{}], {
			resource: 'message',
			operation: 'recall',
			sendID: 'hr_bot',
			sessionType: 1,
			recvID: { __rl: true, mode: 'id', value: 'alice' },
			clientMsgID: 'abc, def',
			options: { seq: 3 },
		});
		expect(result.error?.message).toBe('Client Message ID holds several IDs, but Options → Message Seq names one message [item 0]');
		expect(ctx.sandbox.stats().requests.byPath['/msg/revoke_msg'] ?? 0).toBe(0);
	});

	it('refuses an unknown Delivery Format naming the field, before anything is sent', async () => {
		const result = await ctx.run([{ userID: 'alice' }, { userID: 'bob', format: 'sms' }], notification({ deliveryFormat: '={{ $json.format ?? "chat" }}' }));
		expect(result.error?.message).toBe('Delivery Format must be card, chat or both, not "sms" [item 1]');
		expect(ctx.sandbox.stats().sendsAccepted).toBe(0);
	});
});

describe('Delivery Format "Chat Message" on older server generations', () => {
	it.each(['v3.0', 'v2'] as const)('OpenIM %s: the text and its picture arrive in the one-to-one chat', async (generation) => {
		const old = await openImTestContext({ generation });
		try {
			const result = await old.run([{ userID: 'alice' }], notification({ deliveryFormat: 'chat', externalUrl: LINK, mixType: 1, ...picture }));
			expect(result.error).toBeUndefined();
			const inbox = old.sandbox.inbox('alice');
			expect(inbox.map((m) => [m.contentType, m.sendID])).toEqual([
				[101, 'hr_bot'],
				[102, 'hr_bot'],
			]);
			expect(JSON.stringify(inbox[0].content)).toContain(`Open: ${LINK}`);
			expect(result.json(NOTIFY)[0]).toMatchObject({ deliveryFormat: 'chat', clientMsgID: inbox[0].clientMsgID });
		} finally {
			await old.sandbox.close();
		}
	});
});
