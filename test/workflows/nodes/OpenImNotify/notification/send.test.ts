/**
 * Notification → Send through the real n8n engine against the in-process OpenIM sandbox.
 * Assertions are on what the sandbox stored (the recipient's inbox), not on mocks.
 */
import { ELEMENT_KEYS, MIX_TYPES, picture, video, voice } from '../../../../fixtures/media';
import { assertNoSecrets, notification, NOTIFY, useOpenImSandbox } from '../../../openim-fixtures';

const ctx = useOpenImSandbox();

describe('Notification → Send', () => {
	it.each(MIX_TYPES)('delivers a %s card (mixType %i) with exactly its media element', async (_label, mixType, media, elements) => {
		const result = await ctx.run(
			[{ userID: 'alice' }],
			notification({ mixType, externalUrl: 'https://oa.example.com/n/1', ...media }),
		);
		expect(result.error).toBeUndefined();
		const inbox = ctx.sandbox.inbox('alice');
		expect(inbox).toHaveLength(1);
		const message = inbox[0];
		expect(message).toMatchObject({ sendID: 'hr_bot', recvID: 'alice', contentType: 1400, sessionType: 4 });
		expect(message.conversationID).toBe('sn_alice_hr_bot');
		const content = message.content as Record<string, unknown>;
		expect(content).toMatchObject({
			notificationName: 'Welcome aboard',
			text: 'Your first day is Monday.',
			notificationType: 1,
			mixType,
			url: 'https://oa.example.com/n/1',
			externalUrl: 'https://oa.example.com/n/1',
		});
		const present = ELEMENT_KEYS.filter((key) => content[key] != null);
		expect(present.sort()).toEqual([...elements].sort());
		if (mixType === 3) expect(content.fileElem).toMatchObject({ fileName: 'Employee Handbook.pdf', fileSize: 20480 });
		// The card shows the notification account's own name unless the workflow sets one.
		expect(message.senderNickname).toBe('HR Department');
		expect(message.offlinePushInfo).toMatchObject({ title: 'Welcome aboard', desc: 'Your first day is Monday.' });

		const [out] = result.json(NOTIFY);
		expect(out).toMatchObject({ serverMsgID: message.serverMsgID, clientMsgID: message.clientMsgID, recvID: 'alice', sendID: 'hr_bot' });
		expect(out.operationID).toBe(message.operationID);
		assertNoSecrets(ctx.sandbox, result);
	});

	it('what the apps rely on: sourcePath/videoPath set, no empty notificationFaceURL, externalUrl even when empty', async () => {
		await ctx.run([{ userID: 'alice' }], notification({ mixType: 1, ...picture }));
		await ctx.run([{ userID: 'alice' }], notification({ mixType: 2, ...video }));
		await ctx.run([{ userID: 'alice' }], notification({ options: { notificationFaceURL: 'https://cdn.example.com/hr.png' } }));
		const [withPicture, withVideo, withIcon] = ctx.sandbox.inbox('alice').map((m) => m.content as Record<string, Record<string, unknown>>);
		// Flutter's viewer does File(sourcePath!) / File(videoPath!): null throws, a URL falls back to the URL.
		expect(withPicture.pictureElem.sourcePath).toBe(picture.pictureUrl);
		expect(withVideo.videoElem.videoPath).toBe(video.videoUrl);
		// Flutter 3.8.3 shows its bell icon only when the key is absent ("" shows a blank user icon).
		expect(withPicture).not.toHaveProperty('notificationFaceURL');
		expect(withPicture).toMatchObject({ externalUrl: '', url: '' });
		expect(withIcon).toMatchObject({ notificationFaceURL: 'https://cdn.example.com/hr.png' });
	});

	it('sends a link with a space or non-ASCII letters percent-encoded; others unchanged', async () => {
		const result = await ctx.run(
			[{ userID: 'alice', link: 'https://oa.example.com/notice 42' }, { userID: 'bob', link: 'https://oa.example.com/通知?id=4%202&x=a+b' }],
			notification({ externalUrl: '={{ $json.link }}' }),
		);
		expect(result.error).toBeUndefined();
		expect(ctx.sandbox.inbox('alice')[0].content).toMatchObject({ externalUrl: 'https://oa.example.com/notice%2042', url: 'https://oa.example.com/notice%2042' });
		expect(ctx.sandbox.inbox('bob')[0].content).toMatchObject({ externalUrl: 'https://oa.example.com/%E9%80%9A%E7%9F%A5?id=4%202&x=a+b' });
	});

	it('sends to three recipients from three items via expressions, output paired in order', async () => {
		const result = await ctx.run(
			[{ userID: 'alice', name: 'Alice' }, { userID: 'bob', name: 'Bob' }, { userID: 'carol', name: 'Carol' }],
			notification({ notificationName: '=Hello {{ $json.name }}' }),
		);
		expect(result.error).toBeUndefined();
		const out = result.output(NOTIFY);
		expect(out.map((item) => item.json.recvID)).toEqual(['alice', 'bob', 'carol']);
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		for (const [userID, name] of [['alice', 'Alice'], ['bob', 'Bob'], ['carol', 'Carol']]) {
			const inbox = ctx.sandbox.inbox(userID);
			expect(inbox).toHaveLength(1);
			expect(inbox[0].content.notificationName).toBe(`Hello ${name}`);
		}
		// One token fetch, one recipient check for all three, one profile lookup, three sends.
		const stats = ctx.sandbox.stats();
		expect(stats.requests.byPath['/user/account_check']).toBe(1);
		expect(stats.sendsAccepted).toBe(3);
	});

	it('names a file after its URL when File Name is empty, also with a stray "%" in it', async () => {
		const fileCard = { mixType: 3, fileSize: 1024, fileName: '' };
		await ctx.run([{ userID: 'alice' }], notification({ ...fileCard, fileUrl: 'https://cdn.example.com/files/Q3%20report.pdf' }));
		await ctx.run([{ userID: 'alice' }], notification({ ...fileCard, fileUrl: 'https://cdn.example.com/files/growth-100%.pdf' }));
		expect(ctx.sandbox.inbox('alice').map((m) => (m.content.fileElem as { fileName: string }).fileName)).toEqual(['Q3 report.pdf', 'growth-100%.pdf']);
	});

	it('takes the first sender ID of the credential when Sender is empty', async () => {
		const result = await ctx.run([{ userID: 'bob' }], notification({ sendID: '' }));
		expect(result.error).toBeUndefined();
		expect(ctx.sandbox.inbox('bob')[0].sendID).toBe('hr_bot');
	});

	it('uses the custom sender name, avatar, push fields and extension', async () => {
		await ctx.run(
			[{ userID: 'dave' }],
			notification({
				options: {
					senderNickname: 'People Team',
					senderFaceURL: 'https://cdn.example.com/people.png',
					notificationFaceURL: 'https://cdn.example.com/card.png',
					ex: '{"ticket":42}',
					pushTitle: 'Heads up',
					pushDesc: 'Open the app',
					iOSBadgeCount: false,
				},
			}),
		);
		const [message] = ctx.sandbox.inbox('dave');
		expect(message).toMatchObject({ senderNickname: 'People Team', senderFaceURL: 'https://cdn.example.com/people.png' });
		expect(message.content).toMatchObject({ notificationFaceURL: 'https://cdn.example.com/card.png', ex: '{"ticket":42}' });
		expect(message.offlinePushInfo).toMatchObject({ title: 'Heads up', desc: 'Open the app', iOSBadgeCount: false });
	});
});

describe('Notification → Send: bad input is stopped before anything is sent', () => {
	// Item 0 is fine, item 1 is bad (the field is an expression over the item): nothing is sent at all.
	it.each([
		['an empty title', 'notificationName', 'Hello', '', {}, 'Title is empty [item 1]'],
		['a picture card without its URL', 'pictureUrl', picture.pictureUrl, '', { mixType: 1, ...picture }, 'Picture URL is empty [item 1]'],
		['a malformed link', 'externalUrl', 'https://oa.example.com/x', 'oa.example.com/x', {}, 'Link is not a valid http(s) URL'],
		['notification type 0', 'notificationType', 1, 0, {}, 'Notification Type must not be 0 [item 1]'],
		['an expression that gives an object', 'text', 'ok', { nested: true }, {}, 'Text must be text, but the expression gave an object [item 1]'],
		['a video without its size', 'videoSize', 1000, 0, { mixType: 2, ...video }, 'Video Size (Bytes) is required and must not be 0 [item 1]'],
		['a voice clip without duration', 'voiceDuration', 3, 0, { mixType: 4, ...voice }, 'Voice Duration (Seconds) is required and must not be 0 [item 1]'],
		['a sender outside the credential', 'sendID', 'hr_bot', 'alice', {}, 'Sender "alice" is not one of the credential\'s sender IDs'],
		['control characters in the title', 'notificationName', 'Hi', 'Hi\u0007', {}, 'Title contains control characters [item 1]'],
	])('%s', async (_label, field, good, bad, extra, message) => {
		const items = [{ userID: 'alice', v: good }, { userID: 'bob', v: bad }];
		const result = await ctx.run(items, notification({ ...extra, [field]: '={{ $json.v }}' }));
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain(message);
		expect(ctx.sandbox.stats().sendsAccepted).toBe(0);
		expect(ctx.sandbox.messages()).toHaveLength(0);
	});

	it.each([0, -1])('refuses Max Concurrent Requests %i (it was silently taken as 8)', async (maxConcurrency) => {
		const result = await ctx.run([{ userID: 'alice' }], notification({ options: { maxConcurrency } }));
		expect(result.error?.message).toBe(`Max Concurrent Requests must be between 1 and 64, not ${maxConcurrency} [item 0]`);
		expect(ctx.sandbox.stats().requests.total).toBe(0);
	});

	it('with Continue On Fail, a bad node option still yields one output item per input item', async () => {
		const result = await ctx.run([{ userID: 'alice' }, { userID: 'bob' }], notification({ options: { maxConcurrency: 0 } }), { onError: 'continueRegularOutput' });
		expect(result.status).toBe('success');
		expect(result.json(NOTIFY)).toEqual([
			{ error: 'Max Concurrent Requests must be between 1 and 64, not 0 [item 0]' },
			{ error: 'Max Concurrent Requests must be between 1 and 64, not 0 [item 0]' },
		]);
		expect(ctx.sandbox.stats().requests.total).toBe(0);
	});

	it('refuses an unknown recipient unless verification is turned off', async () => {
		const refused = await ctx.run([{ userID: 'zoe' }], notification());
		expect(refused.error?.message).toBe('Recipient "zoe" is not a registered OpenIM user [item 0]');
		expect(ctx.sandbox.messages()).toHaveLength(0);

		const sent = await ctx.run([{ userID: 'zoe' }], notification({ options: { verifyRecipient: false } }));
		expect(sent.error).toBeUndefined();
		// The real server stores it for nobody without complaint; that is why verification is on by default.
		expect(ctx.sandbox.messages()).toHaveLength(1);
	});

	it('with Continue On Fail yields one output item per input item', async () => {
		const result = await ctx.run(
			[{ userID: 'alice' }, { userID: 'zoe' }, { userID: 'bob', title: '' }, { userID: 'carol' }],
			notification({ notificationName: '={{ $json.title ?? "Welcome" }}' }),
			{ onError: 'continueRegularOutput' },
		);
		expect(result.status).toBe('success');
		const out = result.json(NOTIFY);
		expect(out).toHaveLength(4);
		expect(out[0].serverMsgID).toBeTruthy();
		expect(out[1]).toMatchObject({ recvID: 'zoe', error: 'Recipient "zoe" is not a registered OpenIM user [item 1]' });
		expect(out[2].error).toBe('Title is empty [item 2]');
		expect(out[3].serverMsgID).toBeTruthy();
		expect(ctx.sandbox.messages().map((m) => m.recvID).sort()).toEqual(['alice', 'carol']);
		// Above the output: how many failed (easy to miss among many items) and which OpenIM answered.
		expect(result.runData[NOTIFY][0].hints).toEqual([
			expect.objectContaining({ type: 'warning', location: 'outputPane', message: expect.stringMatching(/^2 of 4 input items failed\b/) }),
			{ type: 'info', location: 'outputPane', message: 'OpenIM server v3.8.1+, detected automatically.' },
		]);
	});
});

describe('Notification → Send: OpenIM errors and the admin token', () => {
	it('explains errCode 1002 when the sender is not a notification account', async () => {
		ctx.store.seed({ openImCred0001: { type: 'openImApi', name: 'OpenIM sandbox', data: ctx.credentialData({ senderIDs: 'alice' }) } });
		try {
			const result = await ctx.run([{ userID: 'bob' }], notification({ sendID: 'alice' }));
			expect(result.error?.message).toContain('errCode 1002');
			expect(result.error?.description).toMatch(/notification account/);
			expect(ctx.sandbox.messages()).toHaveLength(0);
		} finally {
			ctx.store.seed({ openImCred0001: { type: 'openImApi', name: 'OpenIM sandbox', data: ctx.credentialData() } });
		}
	});

	it('reuses the stored token across executions and refreshes it when it expires mid-run', async () => {
		await ctx.run([{ userID: 'alice' }], notification());
		const issued = ctx.sandbox.stats().tokensIssued;
		expect(issued).toBeGreaterThanOrEqual(1);

		// A second execution reuses the persisted token: no new fetch.
		await ctx.run([{ userID: 'bob' }], notification());
		expect(ctx.sandbox.stats().tokensIssued).toBe(issued);

		// The token expires at the 3rd authenticated request of the next run.
		ctx.sandbox.configure({ expireTokensAtRequest: 3 });
		const items = ['alice', 'bob', 'carol', 'dave', 'alice', 'bob'].map((userID) => ({ userID }));
		const result = await ctx.run(items, notification({ notificationName: '=Notice {{ $itemIndex }}', options: { maxConcurrency: 3 } }));
		expect(result.error).toBeUndefined();
		expect(result.json(NOTIFY).every((item) => typeof item.serverMsgID === 'string' && item.serverMsgID !== '')).toBe(true);
		expect(ctx.sandbox.stats().tokensIssued).toBe(issued + 1);
		expect(ctx.sandbox.stats().duplicates.total).toBe(0);
		expect(ctx.sandbox.messages()).toHaveLength(2 + 6);
		assertNoSecrets(ctx.sandbox, result);
	});
});

describe('Notification → Send to many recipients', () => {
	it('sends to a list of user IDs from one item and returns one summary item', async () => {
		const result = await ctx.run([{ staff: ['alice', 'bob', 'carol'] }], notification({ recipientMode: 'userList', recvIDs: '={{ $json.staff }}' }));
		expect(result.error).toBeUndefined();
		const out = result.json(NOTIFY);
		expect(out).toHaveLength(1);
		expect(out[0]).toMatchObject({ recipients: 3, delivered: 3, failed: 0, failures: [] });
		for (const userID of ['alice', 'bob', 'carol']) expect(ctx.sandbox.inbox(userID)).toHaveLength(1);
	});

	it('sends to every member of a group, one output item per recipient', async () => {
		const result = await ctx.run([{}], notification({ recipientMode: 'groupMembers', memberGroupID: 'all_staff', outputMode: 'perRecipient' }));
		const out = result.json(NOTIFY);
		expect(out.map((item) => item.recvID).sort()).toEqual(['alice', 'bob', 'carol', 'dave']);
		expect(out.every((item) => item.delivered === true && typeof item.serverMsgID === 'string')).toBe(true);
		expect(result.output(NOTIFY).every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('uses OpenIM batch send when chosen: one request, shared clientMsgID', async () => {
		const result = await ctx.run([{}], notification({ recipientMode: 'userList', recvIDs: 'alice, bob', fanOut: 'batchSendMsg', outputMode: 'perRecipient' }));
		const out = result.json(NOTIFY);
		expect(out).toHaveLength(2);
		expect(out[0].clientMsgID).toBe(out[1].clientMsgID);
		expect(ctx.sandbox.stats().requests.byPath['/msg/batch_send_msg']).toBe(1);
		expect(ctx.sandbox.stats().requests.byPath['/msg/send_msg'] ?? 0).toBe(0);
	});

	it('names every unknown user of a list before sending anything', async () => {
		const result = await ctx.run([{}], notification({ recipientMode: 'userList', recvIDs: 'alice, zoe, yan' }));
		expect(result.error?.message).toBe('User IDs "zoe", "yan" are not registered OpenIM users [item 0]');
		expect(ctx.sandbox.messages()).toHaveLength(0);
	});

	it('stops at a group without members: nobody would get it', async () => {
		ctx.sandbox.seedGroups([{ groupID: 'empty_team', groupName: 'Empty team', memberUserIDs: [], ownerUserID: 'imAdmin' }]);
		const result = await ctx.run([{}], notification({ recipientMode: 'groupMembers', memberGroupID: 'empty_team', outputMode: 'perRecipient' }), { onError: 'continueRegularOutput' });
		expect(result.json(NOTIFY)).toEqual([expect.objectContaining({ error: 'The group "empty_team" has no members: nobody received the notification [item 0]' })]);
	});

	it('with Continue On Fail, a recipient check that cannot run fails every item, sending nothing', async () => {
		ctx.sandbox.configure({ faults: { paths: ['/user/account_check'], http500Rate: 1 } });
		const result = await ctx.run([{ userID: 'alice' }, { userID: 'bob' }], notification({ options: { maxRetries: 0 } }), { onError: 'continueRegularOutput' });
		const out = result.output(NOTIFY);
		expect(out.map((item) => [item.json.recvID, item.pairedItem])).toEqual([['alice', { item: 0 }], ['bob', { item: 1 }]]);
		for (const item of out) expect(item.json.error).toBe('OpenIM answered HTTP 500 on /user/account_check');
		expect(ctx.sandbox.messages()).toHaveLength(0);
	});

	it('keeps a failed recipient in the summary with its reason', async () => {
		ctx.sandbox.configure({ faults: { paths: ['/msg/send_msg'], script: ['http500'] } });
		const result = await ctx.run([{}], notification({ recipientMode: 'userList', recvIDs: 'alice, bob, carol', options: { maxRetries: 0, maxConcurrency: 1 } }));
		const [summary] = result.json(NOTIFY);
		expect(summary).toMatchObject({ recipients: 3, delivered: 2, failed: 1 });
		expect(summary.failures).toEqual([{ recvID: 'alice', error: 'OpenIM answered HTTP 500 on /msg/send_msg' }]);
		expect(ctx.sandbox.messages()).toHaveLength(2);
		expect(result.runData[NOTIFY][0].hints?.[0]?.message).toMatch(/^1 recipient was not reached\./);
	});
});

describe('Notification → Send: Verify Recipient Exists runs alongside the sends', () => {
	// The sandbox's request log, in the order it answered.
	const answered: string[] = [];
	const logged = useOpenImSandbox({ log: (line) => answered.push(line.split(' ')[1]) });
	const staff = Array.from({ length: 250 }, (_, i) => `staff_${String(i).padStart(3, '0')}`);
	beforeEach(() => {
		logged.sandbox.seedUsers(staff.map((userID) => ({ userID, appMangerLevel: 1 })));
		answered.length = 0;
	});
	const items = (ids: string[]) => ids.map((userID) => ({ userID }));
	const checks = () => answered.flatMap((path, index) => (path === '/user/account_check' ? [index] : []));

	it('sends the first items after one account_check, not after all of them, within Max Concurrent Requests', async () => {
		const result = await logged.run(items(staff), notification());
		expect(result.error).toBeUndefined();
		expect(result.json(NOTIFY).filter((out) => out.delivered)).toHaveLength(250);
		// 100 IDs per check: three checks, the last one asked while the first items are being sent.
		expect(checks()).toHaveLength(3);
		const firstSend = answered.indexOf('/msg/send_msg');
		expect(firstSend).toBeGreaterThan(checks()[0]);
		expect(firstSend).toBeLessThan(checks()[2]);
		// Every item's own check came before its send: nobody unknown got one.
		expect(logged.sandbox.stats().sendsAccepted).toBe(250);
		expect(logged.sandbox.stats().maxInFlight).toBeLessThanOrEqual(8);
	});

	it('an unknown recipient late in a long run: the error names it and the items already sent; Continue On Fail fails only that item', async () => {
		const ids = [...staff];
		ids[200] = 'zoe';
		const stopped = await logged.run(items(ids), notification());
		expect(stopped.error?.message).toBe('Recipient "zoe" is not a registered OpenIM user [item 200]');
		expect(stopped.error?.description).toContain('Already sent before this error, not sent again: items 0, 1, 2,');
		// Nothing of zoe's window (items 200-249) was sent: they were checked together.
		const sent = logged.sandbox.messages().map((m) => m.recvID);
		expect(sent.length).toBeGreaterThan(0);
		expect(sent.length).toBeLessThanOrEqual(200);
		expect(sent.filter((id) => ids.indexOf(id) >= 200)).toEqual([]);

		logged.sandbox.reset('default');
		logged.sandbox.seedUsers(staff.map((userID) => ({ userID, appMangerLevel: 1 })));
		const continued = await logged.run(items(ids), notification(), { onError: 'continueRegularOutput' });
		const out = continued.json(NOTIFY);
		expect(out).toHaveLength(250);
		expect(out[200]).toMatchObject({ recvID: 'zoe', error: 'Recipient "zoe" is not a registered OpenIM user [item 200]' });
		expect(out.filter((item) => item.delivered)).toHaveLength(249);
		expect(logged.sandbox.messages()).toHaveLength(249);
	});

	it('an unknown recipient among a few items (one check) stops the run before anything is sent', async () => {
		const result = await logged.run(items(['alice', 'bob', 'zoe', 'carol']), notification());
		expect(result.error?.message).toBe('Recipient "zoe" is not a registered OpenIM user [item 2]');
		expect(logged.sandbox.messages()).toHaveLength(0);
		expect(checks()).toHaveLength(1);
	});
});
