/** Message → Send through the real n8n engine against the in-process OpenIM sandbox. */
import { NOTIFY, textMessage as message, useOpenImSandbox } from '../../../openim-fixtures';

const ctx = useOpenImSandbox();

describe('Message → Send', () => {
	it('sends a text message to a user (contentType 101, content.content)', async () => {
		const result = await ctx.run([{ userID: 'alice' }], message());
		expect(result.error).toBeUndefined();
		const [stored] = ctx.sandbox.inbox('alice');
		expect(stored).toMatchObject({ sendID: 'imAdmin', recvID: 'alice', contentType: 101, sessionType: 1, conversationID: 'si_alice_imAdmin' });
		expect(stored.content).toEqual({ content: 'Build #42 failed' });
		expect(result.json(NOTIFY)[0]).toMatchObject({ delivered: true, recvID: 'alice', serverMsgID: stored.serverMsgID });
	});

	it('reports a message OpenIM stored for nobody (receiver receives no messages) as not delivered', async () => {
		ctx.sandbox.seedUsers([{ userID: 'bob', nickname: 'Bob Li', globalRecvMsgOpt: 1 }]);
		const single = await ctx.run([{ userID: 'bob' }], message(), { onError: 'continueRegularOutput' });
		expect(single.json(NOTIFY)[0]).toMatchObject({ recvID: 'bob', error: 'The message to "bob" reached nobody [item 0]' });
		expect(single.json(NOTIFY)[0].description).toMatch(/empty serverMsgID/);

		const many = await ctx.run([{}], message({ recipientMode: 'userList', recvIDs: 'alice, bob' }));
		expect(many.json(NOTIFY)[0]).toMatchObject({ recipients: 2, delivered: 1, failed: 1, failures: [{ recvID: 'bob' }] });
		expect(ctx.sandbox.inbox('alice')).toHaveLength(1);
	});

	it('sends to a group, and an @mention text to group members', async () => {
		await ctx.run([{}], message({ sessionType: 3, groupID: 'all_staff' }));
		const result = await ctx.run([{}], message({ sessionType: 3, groupID: 'all_staff', contentType: 106, messageText: 'Please review', atUserIDs: 'alice, bob' }));
		expect(result.json(NOTIFY)[0]).toMatchObject({ groupID: 'all_staff', delivered: true });
		const stored = ctx.sandbox.messages();
		expect(stored.map((m) => [m.conversationID, m.contentType])).toEqual([['sg_all_staff', 101], ['sg_all_staff', 106]]);
		// Changed with issue 11: apps draw a mention only where the text says "@<userID>" (named from
		// atUsersInfo), so the node writes the missing ones in front of the text.
		expect(stored[1].content).toEqual({
			text: '@alice @bob Please review',
			atUserList: ['alice', 'bob'],
			isAtSelf: false,
			atUsersInfo: [
				{ atUserID: 'alice', groupNickname: 'Alice Chen' },
				{ atUserID: 'bob', groupNickname: 'Bob Li' },
			],
		});
	});

	it('@mention: keeps mentions the text already has, and names an unknown user by its ID', async () => {
		const result = await ctx.run(
			[{}],
			message({ sessionType: 3, groupID: 'all_staff', contentType: 106, messageText: 'Hi @bob, and @alice_x', atUserIDs: 'bob, alice, ghost' }),
		);
		expect(result.error).toBeUndefined();
		const [stored] = ctx.sandbox.messages();
		// "@alice_x" is not a mention of alice.
		expect(stored.content).toMatchObject({
			text: '@alice @ghost Hi @bob, and @alice_x',
			atUsersInfo: [
				{ atUserID: 'bob', groupNickname: 'Bob Li' },
				{ atUserID: 'alice', groupNickname: 'Alice Chen' },
				{ atUserID: 'ghost', groupNickname: 'ghost' },
			],
		});
	});

	it('sends a picture and a custom JSON message whose data is a JSON string', async () => {
		await ctx.run(
			[{ userID: 'bob' }],
			message({ contentType: 102, pictureUrl: 'https://cdn.example.com/chart.png', pictureType: 'image/png', pictureWidth: 800, pictureHeight: 600 }),
		);
		await ctx.run([{ userID: 'bob' }], message({ contentType: 110, customData: '{"type":"approval","id":42}', options: { customDescription: 'Approval' } }));
		const [picture, custom] = ctx.sandbox.inbox('bob');
		expect(picture.contentType).toBe(102);
		expect(picture.content).toMatchObject({ sourcePicture: { url: 'https://cdn.example.com/chart.png', width: 800 } });
		// Flutter's viewer opens File(sourcePath!): never null; the URL works as the path.
		expect(picture.content).toMatchObject({ sourcePath: 'https://cdn.example.com/chart.png' });
		expect(custom.content).toEqual({ data: '{"type":"approval","id":42}', description: 'Approval', extension: '' });
	});

	it('sends a video whose videoPath is its URL (Flutter\'s player opens File(videoPath!))', async () => {
		const result = await ctx.run(
			[{ userID: 'bob' }],
			message({
				contentType: 104,
				videoUrl: 'https://cdn.example.com/welcome.mp4',
				videoSize: 1000,
				videoDuration: 5,
				videoSnapshotUrl: 'https://cdn.example.com/welcome.jpg',
			}),
		);
		expect(result.error).toBeUndefined();
		expect(ctx.sandbox.inbox('bob')[0].content).toMatchObject({ videoPath: 'https://cdn.example.com/welcome.mp4', videoUrl: 'https://cdn.example.com/welcome.mp4' });
	});

	it('honours notOfflinePush, ex and sendTime', async () => {
		await ctx.run([{ userID: 'carol' }], message({ options: { notOfflinePush: true, ex: 'ticket-7', sendTime: '2025-01-02T03:04:05.000Z' } }));
		const [stored] = ctx.sandbox.inbox('carol');
		expect(stored).toMatchObject({ notOfflinePush: true, ex: 'ticket-7', sendTime: Date.parse('2025-01-02T03:04:05.000Z') });
	});

	it('rejects bad input before sending: invalid custom JSON, @mention outside a group', async () => {
		const badJson = await ctx.run([{ userID: 'bob' }], message({ contentType: 110, customData: '{"type":' }));
		expect(badJson.error?.message).toBe('Custom Data (JSON) is not valid JSON [item 0]');
		const atToUser = await ctx.run([{ userID: 'bob' }], message({ contentType: 106, atUserIDs: 'alice' }));
		expect(atToUser.error?.message).toBe('Message Type @Mention Text works in groups only [item 0]');
		expect(ctx.sandbox.messages()).toHaveLength(0);
	});

	it('explains OpenIM\'s answer for an unknown group', async () => {
		const result = await ctx.run([{}], message({ sessionType: 3, groupID: 'no_such_group' }));
		expect(result.error?.message).toContain('errCode 1004');
	});

	it('sends one text to a list of users with a summary', async () => {
		const result = await ctx.run([{}], message({ recipientMode: 'userList', recvIDs: 'alice, bob' }));
		expect(result.json(NOTIFY)[0]).toMatchObject({ recipients: 2, delivered: 2, failed: 0 });
	});
});
