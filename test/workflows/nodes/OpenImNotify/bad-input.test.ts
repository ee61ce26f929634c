/**
 * The bad-input corpus: each case is one input item whose values come from expressions, as in a
 * real workflow. Every case must stop with an error naming the field and the item, and nothing
 * may reach OpenIM for it. With "continue on fail" the same item yields exactly one error item.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { file, picture, video, voice } from '../../../fixtures/media';
import { notification, NOTIFY, useOpenImSandbox } from '../../openim-fixtures';

const ctx = useOpenImSandbox();

const message = (overrides: INodeParameters = {}): INodeParameters => ({
	resource: 'message',
	operation: 'send',
	sendID: 'imAdmin',
	sessionType: 1,
	recipientMode: 'user',
	recvID: { __rl: true, mode: 'id', value: 'alice' },
	contentType: 101,
	messageText: 'Hello',
	options: {},
	...overrides,
});

/** Get Read Status reading the Send output from the item's `v`. */
const readStatus = (): INodeParameters => ({ resource: 'notification', operation: 'getReadStatus', sentMessage: '={{ $json.v }}' });

const MB = 'x'.repeat(1_000_001);
const v = '={{ $json.v }}';

/** [case, node parameters, the item's `v`, expected error message (start)] */
const CORPUS: Array<[string, INodeParameters, unknown, string]> = [
	['empty title', notification({ notificationName: v }), '', 'Title is empty'],
	['blank title', notification({ notificationName: v }), '   ', 'Title is empty'],
	['title is an object', notification({ notificationName: v }), { a: 1 }, 'Title must be text, but the expression gave an object'],
	['title is a list', notification({ notificationName: v }), ['a'], 'Title must be text, but the expression gave a list'],
	['title is null', notification({ notificationName: v }), null, 'Title is empty'],
	['title with a control character', notification({ notificationName: v }), 'Hi\u0001', 'Title contains control characters'],
	['title over two lines', notification({ notificationName: v }), 'Hi\nthere', 'Title must be a single line'],
	['title too long', notification({ notificationName: v }), 'T'.repeat(1001), 'Title is too long'],
	['empty text', notification({ text: v }), '', 'Text is empty'],
	['text is an object', notification({ text: v }), { t: 'x' }, 'Text must be text, but the expression gave an object'],
	['text with NUL', notification({ text: v }), 'a\u0000b', 'Text contains control characters'],
	['text over 1 MB', notification({ text: v }), MB, 'Text makes the notification too large'],
	['notification type 0', notification({ notificationType: v }), 0, 'Notification Type must not be 0'],
	['notification type as words', notification({ notificationType: v }), 'onboarding', 'Notification Type must be a whole number'],
	['notification type fractional', notification({ notificationType: v }), 1.5, 'Notification Type must be a whole number'],
	['notification type beyond int32', notification({ notificationType: v }), 2 ** 31, 'Notification Type must be between'],
	['notification type is an object', notification({ notificationType: v }), { n: 1 }, 'Notification Type must be a whole number'],
	['link without scheme', notification({ externalUrl: v }), 'oa.example.com/x', 'Link is not a valid http(s) URL'],
	['link with ftp', notification({ externalUrl: v }), 'ftp://oa.example.com/x', 'Link is not a valid http(s) URL'],
	['link with javascript', notification({ externalUrl: v }), 'javascript:alert(1)', 'Link is not a valid http(s) URL'],
	['link with spaces', notification({ externalUrl: v }), 'https://oa example.com', 'Link is not a valid http(s) URL'],
	['link is a number', notification({ externalUrl: v }), 42, 'Link is not a valid http(s) URL'],
	['mixType out of range', notification({ mixType: v, ...picture, ...video, ...file, ...voice }), 9, 'Media must be between 0 and 5'],
	['mixType as words', notification({ mixType: v, ...picture, ...video, ...file, ...voice }), 'picture', 'Media must be a whole number'],
	['picture without URL', notification({ mixType: 1, ...picture, pictureUrl: v }), '', 'Picture URL is empty'],
	['picture URL not a URL', notification({ mixType: 1, ...picture, pictureUrl: v }), 'picture.png', 'Picture URL is not a valid http(s) URL'],
	['picture without MIME type', notification({ mixType: 1, ...picture, pictureType: v }), '', 'Picture MIME Type is empty'],
	['picture width 0', notification({ mixType: 1, ...picture, pictureWidth: v }), 0, 'Picture Width is required and must not be 0'],
	['picture height negative', notification({ mixType: 1, ...picture, pictureHeight: v }), -5, 'Picture Height must be between 1'],
	['video without URL', notification({ mixType: 2, ...video, videoUrl: v }), '', 'Video URL is empty'],
	['video without size', notification({ mixType: 2, ...video, videoSize: v }), 0, 'Video Size (Bytes) is required'],
	['video without duration', notification({ mixType: 2, ...video, videoDuration: v }), 0, 'Video Duration (Seconds) is required'],
	['video without cover', notification({ mixType: 2, ...video, videoSnapshotUrl: v }), '', 'Video Cover URL is empty'],
	['file without URL', notification({ mixType: 3, ...file, fileUrl: v }), '', 'File URL is empty'],
	['file without size', notification({ mixType: 3, ...file, fileSize: v }), 0, 'File Size (Bytes) is required'],
	['file without a name anywhere', notification({ mixType: 3, ...file, fileName: '', fileUrl: v }), 'https://oa.example.com/', 'File Name is empty and the file URL has no file name'],
	['voice without URL', notification({ mixType: 4, ...voice, voiceUrl: v }), '', 'Voice URL is empty'],
	['voice of 0 seconds', notification({ mixType: 4, ...voice, voiceDuration: v }), 0, 'Voice Duration (Seconds) is required'],
	['voice+picture missing the picture', notification({ mixType: 5, ...voice, ...picture, pictureUrl: v }), '', 'Picture URL is empty'],
	['recipient empty', notification({ recvID: { __rl: true, mode: 'id', value: v } }), '', 'Recipient is empty'],
	['recipient is an object', notification({ recvID: { __rl: true, mode: 'id', value: v } }), { id: 'alice' }, 'Recipient must be text, but the expression gave an object'],
	['recipient unknown', notification({ recvID: { __rl: true, mode: 'id', value: v } }), 'nobody_here', 'Recipient "nobody_here" is not a registered OpenIM user'],
	['user list empty', notification({ recipientMode: 'userList', recvIDs: v }), '', 'User IDs is empty'],
	['user list with an object', notification({ recipientMode: 'userList', recvIDs: v }), [{ id: 1 }], 'User IDs must be text, but the expression gave an object'],
	['sender outside the credential', notification({ sendID: v }), 'alice', 'Sender "alice" is not one of the credential\'s sender IDs'],
	['sender avatar not a URL', notification({ options: { senderFaceURL: v } }), 'avatar.png', 'Sender Avatar URL is not a valid http(s) URL'],
	['card icon not a URL', notification({ options: { notificationFaceURL: v } }), 'icon', 'Card Icon URL is not a valid http(s) URL'],
	['online-only not a boolean', notification({ options: { isOnlineOnly: v } }), 'yes', 'Online Only must be true or false'],
	['custom data not JSON', message({ contentType: 110, customData: v }), '{"a":', 'Custom Data (JSON) is not valid JSON'],
	['@mention outside a group', message({ contentType: 106, atUserIDs: v }), 'bob', 'Message Type @Mention Text works in groups only'],
	['@mention without users', message({ sessionType: 3, groupID: 'all_staff', contentType: 106, atUserIDs: v }), '', 'Mention User IDs is empty'],
	['message text empty', message({ messageText: v }), '', 'Text is empty'],
	['message text over 1 MB', message({ messageText: v }), MB, 'Text makes the message too large'],
	['group ID empty', message({ sessionType: 3, groupID: v }), '', 'Group ID is empty'],
	['send time not a date', message({ options: { sendTime: v } }), 'next tuesday-ish', 'Send Time is not a date'],
	['read status without message IDs', readStatus(), { sendID: 'hr_bot', recvID: 'bob' }, 'Send Output has no serverMsgID or clientMsgID for "bob"'],
	['read status without a recipient', readStatus(), { sendID: 'hr_bot', serverMsgID: 'x' }, 'Send Output has no recvID'],
	['read status of a summary without IDs', readStatus(), { sendID: 'hr_bot', results: [{ recvID: 'bob' }] }, 'Send Output has no serverMsgID or clientMsgID for "bob"'],
	['read status of a text', readStatus(), 'sent!', 'Send Output is not JSON'],
];

describe(`bad-input corpus (${CORPUS.length} cases)`, () => {
	it('has at least 40 cases', () => expect(CORPUS.length).toBeGreaterThanOrEqual(40));

	it.each(CORPUS)('%s', async (_case, parameters, value, expected) => {
		const items: IDataObject[] = [{ userID: 'bob', v: value as IDataObject }];
		const stopped = await ctx.run(items, parameters);
		expect(stopped.status).toBe('error');
		expect(stopped.error?.message).toContain(expected);
		expect(stopped.error?.message).toContain('[item 0]');

		const continued = await ctx.run(items, parameters, { onError: 'continueRegularOutput' });
		const out = continued.json(NOTIFY);
		expect(out).toHaveLength(1);
		expect(String(out[0].error)).toContain(expected);

		expect(ctx.sandbox.stats().sendsAccepted).toBe(0);
		expect(ctx.sandbox.messages()).toHaveLength(0);
	});
});
