/**
 * Unit tests of the trigger's pure parts: event table, content parsing, key mapping (events.ts)
 * and the access rules (access.ts).
 */
import {
	ipAllowed,
	parseAllowList,
	parseIdList,
	parseIp,
	secretSegmentProblem,
} from '../../../../nodes/OpenImTrigger/access';
import {
	contentTypeName,
	conversationIDOf,
	EVENTS_BY_COMMAND,
	EVENTS_BY_VALUE,
	mapEvent,
	messageText,
	OPENIM_EVENTS,
	parseContent,
} from '../../../../nodes/OpenImTrigger/events';
import { OpenImTrigger } from '../../../../nodes/OpenImTrigger/OpenImTrigger.node';
import { AFTER_EVENTS } from '../../../../sandbox/webhooks';

/** afterSendSingleMsg as OpenIM 3.8 sends it (Go field order). */
const singleBody = {
	sendID: 'alice',
	callbackCommand: 'callbackAfterSendSingleMsgCommand',
	serverMsgID: 's1',
	clientMsgID: 'c1',
	operationID: 'op-1',
	senderPlatformID: 5,
	senderNickname: 'Alice Chen',
	sessionType: 1,
	msgFrom: 100,
	contentType: 101,
	status: 0,
	sendTime: 1700000000001,
	createTime: 1700000000000,
	content: '{"content":"hi \\u003cthere\\u003e"}',
	seq: 0,
	atUserList: null,
	faceURL: 'https://cdn.example/alice.png',
	ex: '',
	recvID: 'hr_bot',
};

describe('event table', () => {
	it('covers the events of the issue, with the commands and webhooks.yml keys the server uses', () => {
		const table = Object.fromEntries(OPENIM_EVENTS.map((e) => [e.configKey, e.callbackCommand]));
		// The sandbox's table was written independently from the same source.
		expect(table).toEqual(AFTER_EVENTS);
		expect(EVENTS_BY_COMMAND.callbackBeforeAfterMsgCommand.value).toBe('messageRevoked');
		expect(EVENTS_BY_COMMAND.callbackAfterDisMissGroupCommand.value).toBe('groupDismissed');
		const names = OPENIM_EVENTS.map((e) => e.name);
		expect(names).toEqual([...names].sort());
	});

	it('the node registers one POST webhook per event, the single-message one shown first', () => {
		const { webhooks, properties } = new OpenImTrigger().description;
		expect(webhooks).toHaveLength(OPENIM_EVENTS.length);
		expect(webhooks!.map((w) => w.path.includes(EVENTS_BY_VALUE.singleMessageSent.callbackCommand))[0]).toBe(true);
		expect(webhooks!.filter((w) => !w.ndvHideUrl)).toHaveLength(1);
		for (const w of webhooks!) {
			expect(w).toMatchObject({ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '' });
			expect(w.isFullPath).toBeUndefined();
		}
		const events = properties.find((p) => p.name === 'events')!;
		expect(events.options!.map((o) => (o as { value: string }).value)).toEqual(OPENIM_EVENTS.map((e) => e.value));
	});
});

describe('content', () => {
	it('parses the double-encoded content and leaves anything else as it came', () => {
		expect(parseContent('{"content":"hi"}')).toEqual({ content: 'hi' });
		expect(parseContent(' [1,2] ')).toEqual([1, 2]);
		expect(parseContent('plain words')).toBe('plain words');
		expect(parseContent('{broken')).toBe('{broken');
		expect(parseContent({ already: 'object' })).toEqual({ already: 'object' });
		expect(parseContent(undefined)).toBeNull();
	});

	it('finds the text of text, at-text, quote and markdown messages', () => {
		expect(messageText({ content: 'text (v3.3+)' })).toBe('text (v3.3+)');
		expect(messageText({ text: 'at-text', atUserList: ['bob'] })).toBe('at-text');
		expect(messageText({ sourceUrl: 'https://x/f.pdf', fileName: 'f.pdf' })).toBeNull();
		expect(messageText('not json')).toBe('not json');
		expect(messageText(null)).toBeNull();
	});

	it('names content types', () => {
		expect([101, 102, 106, 110, 114, 1400, 1501, 99999].map(contentTypeName)).toEqual([
			'text',
			'picture',
			'atText',
			'custom',
			'quote',
			'oaNotification',
			'notification',
			'other',
		]);
	});

	it('builds conversation IDs like the server (sorted pair for single chats)', () => {
		expect(conversationIDOf({ sessionType: 1, sendID: 'zed', recvID: 'amy' })).toBe('si_amy_zed');
		expect(conversationIDOf({ sessionType: 3, groupID: 'g1' })).toBe('sg_g1');
		expect(conversationIDOf({ sessionType: 4, sendID: 'a', recvID: 'b' })).toBeNull();
	});
});

describe('mapping', () => {
	it('a single message: head fields first, irregular keys renamed, content parsed, unknown keys kept', () => {
		const [item] = mapEvent(EVENTS_BY_VALUE.singleMessageSent, { ...singleBody, newFieldFromV39: 'kept' }, 'header-op');
		expect(Object.keys(item).slice(0, 4)).toEqual(['event', 'callbackCommand', 'operationID', 'conversationID']);
		expect(item).toEqual({
			event: 'singleMessageSent',
			callbackCommand: 'callbackAfterSendSingleMsgCommand',
			operationID: 'op-1',
			conversationID: 'si_alice_hr_bot',
			sendID: 'alice',
			serverMsgID: 's1',
			clientMsgID: 'c1',
			senderPlatformID: 5,
			senderPlatform: 'Web',
			senderNickname: 'Alice Chen',
			sessionType: 1,
			msgFrom: 100,
			contentType: 101,
			contentTypeName: 'text',
			status: 0,
			sendTime: 1700000000001,
			createTime: 1700000000000,
			text: 'hi <there>',
			content: { content: 'hi <there>' },
			seq: 0,
			atUserIDs: [],
			senderFaceURL: 'https://cdn.example/alice.png',
			ex: '',
			recvID: 'hr_bot',
			newFieldFromV39: 'kept',
		});
	});

	it('takes the operationID from the header when the body has none', () => {
		const [item] = mapEvent(EVENTS_BY_VALUE.groupQuit, { callbackCommand: 'callbackAfterQuitGroupCommand', groupID: 'g', userID: 'u' }, 'op-h');
		expect(item).toEqual({ event: 'groupQuit', callbackCommand: 'callbackAfterQuitGroupCommand', operationID: 'op-h', groupID: 'g', userID: 'u' });
	});

	it('user registration: one item per user, appMangerLevel (sic) → appManagerLevel; none → no items', () => {
		const body = {
			callbackCommand: 'callbackAfterUserRegisterCommand',
			users: [
				{ userID: 'u1', nickname: 'One', faceURL: '', ex: '', createTime: 1, appMangerLevel: 0, globalRecvMsgOpt: 0 },
				{ userID: 'u2', nickname: 'Two', faceURL: '', ex: '', createTime: 2, appMangerLevel: 3, globalRecvMsgOpt: 1 },
			],
		};
		const items = mapEvent(EVENTS_BY_VALUE.userRegistered, body, 'op');
		expect(items.map((i) => [i.userID, i.appManagerLevel, i.event, i.operationID])).toEqual([
			['u1', 0, 'userRegistered', 'op'],
			['u2', 3, 'userRegistered', 'op'],
		]);
		expect(items[0]).not.toHaveProperty('users');
		expect(mapEvent(EVENTS_BY_VALUE.userRegistered, { users: null }, 'op')).toEqual([]);
	});

	it('group dismissed: ownerID/membersID renamed, the string groupType becomes a number, null lists become []', () => {
		const [item] = mapEvent(EVENTS_BY_VALUE.groupDismissed, { groupID: 'g', ownerID: 'o', groupType: '2', membersID: null });
		expect(item).toMatchObject({ groupID: 'g', ownerUserID: 'o', groupType: 2, memberUserIDs: [] });
		expect(item).not.toHaveProperty('ownerID');
		expect(item).not.toHaveProperty('membersID');
		const [kicked] = mapEvent(EVENTS_BY_VALUE.groupMemberKicked, { groupID: 'g', kickedUserIDs: null, reason: '' });
		expect(kicked.kickedUserIDs).toEqual([]);
	});

	it('joined, revoked, read, online, offline, created', () => {
		expect(mapEvent(EVENTS_BY_VALUE.groupJoined, { groupID: 'g', reqMessage: 'hi', joinSource: 2, inviterUserID: '' })[0]).toMatchObject({
			requestMessage: 'hi',
		});
		expect(mapEvent(EVENTS_BY_VALUE.messageRevoked, { conversationID: 'sg_g', seq: 9, userID: 'u' })[0]).toMatchObject({
			conversationID: 'sg_g',
			seq: 9,
			revokerUserID: 'u',
		});
		expect(mapEvent(EVENTS_BY_VALUE.messageRead, { conversationID: 'si_a_b', userID: 'b', Seqs: [3, 4], contentType: 1 })[0]).toEqual({
			event: 'messageRead',
			callbackCommand: 'callbackAfterSingleMsgReadCommand',
			operationID: '',
			conversationID: 'si_a_b',
			userID: 'b',
			seqs: [3, 4],
			conversationType: 1,
			readAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
		});
		expect(mapEvent(EVENTS_BY_VALUE.messageRead, { userID: 'b', Seqs: null })[0].seqs).toEqual([]);
		expect(mapEvent(EVENTS_BY_VALUE.userOnline, { userID: 'u', seq: 5, isAppBackground: true })[0]).toMatchObject({ timestamp: 5, isAppBackground: true });
		expect(mapEvent(EVENTS_BY_VALUE.userOffline, { userID: 'u', seq: 6 })[0]).toMatchObject({ timestamp: 6 });
		expect(mapEvent(EVENTS_BY_VALUE.groupCreated, { groupID: 'g', initMemberList: null })[0]).toMatchObject({
			initialMembers: [],
			memberUserIDs: [],
		});
	});
});

describe('access', () => {
	it('secret path segments are one URL-safe segment', () => {
		expect(secretSegmentProblem('')).toBeUndefined();
		expect(secretSegmentProblem('Ab_9-z')).toBeUndefined();
		for (const bad of ['a/b', '..', 'a b', 'ä', 'x?y', ':cmd']) expect(secretSegmentProblem(bad)).toMatch(/letters, digits/);
	});

	it('ID lists split on commas, semicolons and whitespace', () => {
		expect(parseIdList(' hr_bot, ops_alerts;imAdmin\nbot2 ,, ')).toEqual(['hr_bot', 'ops_alerts', 'imAdmin', 'bot2']);
		expect(parseIdList(undefined)).toEqual([]);
	});

	it('parses IPv4, IPv6 (compressed, embedded IPv4, zone) and reports IPv4-mapped IPv6 as IPv4', () => {
		expect(parseIp('192.168.1.20')).toEqual([192, 168, 1, 20]);
		expect(parseIp('::ffff:10.1.2.3')).toEqual([10, 1, 2, 3]);
		expect(parseIp('::1')).toEqual([...new Array(15).fill(0), 1]);
		expect(parseIp('fe80::1%eth0')?.slice(0, 2)).toEqual([0xfe, 0x80]);
		expect(parseIp('2001:db8::8a2e:370:7334')).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0x8a, 0x2e, 0x03, 0x70, 0x73, 0x34]);
		for (const bad of ['256.1.1.1', '1.2.3', '1::2::3', 'gggg::1', '1:2:3:4:5:6:7:8:9', 'localhost', '']) expect(parseIp(bad)).toBeNull();
	});

	it('matches addresses against CIDR ranges and exact addresses', () => {
		const { ranges, invalid } = parseAllowList('10.0.0.0/8, 192.168.1.20, fd00::/8, ::1, 1.2.3.4/33, nonsense, 0.0.0.0/0x');
		expect(invalid).toEqual(['1.2.3.4/33', 'nonsense', '0.0.0.0/0x']);
		expect(ranges.map((r) => r.text)).toEqual(['10.0.0.0/8', '192.168.1.20', 'fd00::/8', '::1']);
		const allowed = (ip: string) => ipAllowed(ranges, ip);
		expect(allowed('10.200.3.4')).toBe(true);
		expect(allowed('::ffff:10.0.0.1')).toBe(true);
		expect(allowed('11.0.0.1')).toBe(false);
		expect(allowed('192.168.1.20')).toBe(true);
		expect(allowed('192.168.1.21')).toBe(false);
		expect(allowed('fd12:3456::1')).toBe(true);
		expect(allowed('fe80::1')).toBe(false);
		expect(allowed('::1')).toBe(true);
		expect(ipAllowed(ranges, undefined)).toBe(false);
		expect(ipAllowed(parseAllowList('0.0.0.0/0').ranges, '8.8.8.8')).toBe(true);
		expect(ipAllowed(parseAllowList('172.16.0.0/12').ranges, '172.31.255.255')).toBe(true);
		expect(ipAllowed(parseAllowList('172.16.0.0/12').ranges, '172.32.0.0')).toBe(false);
	});
});
