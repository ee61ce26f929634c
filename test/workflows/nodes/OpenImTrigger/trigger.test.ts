/* eslint-disable @typescript-eslint/no-explicit-any -- run data and webhook bodies are arbitrary JSON */
/**
 * OpenIM Trigger in process, end to end over real HTTP: the OpenIM sandbox (in process) calls the
 * node's webhooks the way OpenIM does, n8n's webhook path (./webhook-server.ts: n8n-core's
 * WebhookContext, HookContext and WorkflowExecute) runs the node and the workflow behind it.
 * Assertions are on what OpenIM got back, what the workflow received and what the sandbox stored.
 */
import type { IConnections, INodeParameters } from 'n8n-workflow';

import { Client } from '../../../sandbox/helpers';
import { startSandbox, type Sandbox } from '../../../../sandbox/server';
import { OPENIM_ACK, OPENIM_EVENTS } from '../../../../nodes/OpenImTrigger/events';
import { loadWorkflowFile, NO_OP_NODE_TYPE } from '../../harness';
import type { HarnessNode, WorkflowInput } from '../../harness';
import { startTriggerServer, TRIGGER_TYPE, type TriggerServer } from './webhook-server';

const WEBHOOK_ID = '3f2b8c1e-7d4a-4b9e-a6c5-1e0f9d8b7a61';
const CREDENTIAL = { id: 'openImCred0001', name: 'OpenIM sandbox' };
const TRIGGER = 'OpenIM Trigger';
const RECEIVED = 'Received';

let sandbox: Sandbox;
let client: Client;
let server: TriggerServer | undefined;

beforeAll(async () => {
	sandbox = await startSandbox({ seed: 'default' });
	client = new Client(sandbox);
});
afterAll(async () => {
	await sandbox.close();
});
beforeEach(() => sandbox.reset('default'));
afterEach(async () => {
	await server?.close();
	server = undefined;
});

function triggerWorkflow(parameters: INodeParameters, node: Partial<HarnessNode> = {}, withCredential = true): WorkflowInput {
	const trigger: HarnessNode = {
		name: TRIGGER,
		type: TRIGGER_TYPE,
		webhookId: WEBHOOK_ID,
		parameters,
		...(withCredential ? { credentials: { openImApi: CREDENTIAL } } : {}),
		...node,
	};
	const connections: IConnections = { [TRIGGER]: { main: [[{ node: RECEIVED, type: 'main', index: 0 }]] } };
	return { nodes: [trigger, { name: RECEIVED, type: NO_OP_NODE_TYPE, parameters: {} }], connections };
}

/** Starts the workflow's webhooks, activates it, and points the sandbox's webhooks.yml `url` at it. */
async function serve(workflow: WorkflowInput, credentialID = CREDENTIAL.id, urlSuffix = ''): Promise<TriggerServer> {
	server = await startTriggerServer(workflow, {
		credentials: {
			[credentialID]: {
				type: 'openImApi',
				name: 'OpenIM sandbox',
				data: { baseUrl: sandbox.url, adminUserID: 'imAdmin', secret: 'openIM123', senderIDs: 'hr_bot, ops_alerts' },
			},
		},
	});
	await server.activate();
	const shown = server.productionUrl();
	sandbox.configure({ webhookUrl: shown.slice(0, shown.lastIndexOf('/')) + urlSuffix });
	return server;
}

/** Waits until OpenIM's callbacks were answered and the runs they started finished. */
async function settle(): Promise<void> {
	await sandbox.webhooks.idle();
	await server!.idle();
}

const text = (sendID: string, recvID: string, content: string, operationID?: string) =>
	client.api(
		'/msg/send_msg',
		{ sendID, recvID, contentType: 101, sessionType: 1, content: { content } },
		operationID ? { operationID } : {},
	);

describe('OpenIM Trigger: webhooks and setup', () => {
	it('registers one static path per event under the webhook ID; OpenIM\'s url is the shown URL minus its last segment', async () => {
		const s = await serve(triggerWorkflow({ events: ['singleMessageSent'] }));
		expect([...s.routes.keys()].sort()).toEqual(
			OPENIM_EVENTS.map((event) => `${WEBHOOK_ID}/${event.callbackCommand}`).sort(),
		);
		expect(s.productionUrl()).toBe(`${s.baseUrl}/${WEBHOOK_ID}/callbackAfterSendSingleMsgCommand`);
		expect(sandbox.config().webhookUrl).toBe(`${s.baseUrl}/${WEBHOOK_ID}`);
	});

	it('activation validates the setup: webhook ID, secret path segment, allowed IPs', async () => {
		const activate = async (parameters: INodeParameters, node: Partial<HarnessNode> = {}) => {
			const s = await startTriggerServer(triggerWorkflow(parameters, node));
			try {
				await s.activate();
				return await s.deactivate();
			} finally {
				await s.close();
			}
		};
		await expect(activate({ events: ['singleMessageSent'] })).resolves.toBe(true);
		await expect(activate({ events: ['singleMessageSent'] }, { webhookId: undefined })).rejects.toThrow(/no webhook ID/);
		await expect(activate({ events: ['singleMessageSent'], pathSecret: 'a/b' })).rejects.toThrow(/letters, digits/);
		await expect(
			activate({ events: ['singleMessageSent'], options: { allowedIPs: '10.0.0.0/8, 300.1.1.1, ::1/200' } }),
		).rejects.toThrow(/cannot read "300.1.1.1", "::1\/200"/);
	});
});

describe('OpenIM Trigger: single messages', () => {
	it('alice → bob: OpenIM gets its JSON answer at once and the workflow gets the mapped event', async () => {
		await serve(triggerWorkflow({ events: ['singleMessageSent'] }));
		const sent = await text('alice', 'bob', 'Lunch at 12? <3', 'op-lunch');
		expect(sent.body.errCode).toBe(0);
		await settle();

		const [delivery] = sandbox.webhooks.deliveries();
		expect(delivery).toMatchObject({ state: 'delivered', httpStatus: 200, acknowledged: true });
		expect(delivery.response).toEqual(OPENIM_ACK);

		expect(server!.runs).toHaveLength(1);
		const [run] = server!.runs;
		expect(run.executedNodes).toEqual([TRIGGER, RECEIVED]);
		const items = run.json(RECEIVED);
		expect(items).toHaveLength(1);
		const [item] = items;
		expect(item).toMatchObject({
			event: 'singleMessageSent',
			callbackCommand: 'callbackAfterSendSingleMsgCommand',
			operationID: 'op-lunch',
			conversationID: 'si_alice_bob',
			sendID: 'alice',
			recvID: 'bob',
			serverMsgID: sent.body.data.serverMsgID,
			clientMsgID: sent.body.data.clientMsgID,
			sessionType: 1,
			msgFrom: 200,
			contentType: 101,
			contentTypeName: 'text',
			text: 'Lunch at 12? <3',
			content: { content: 'Lunch at 12? <3' },
			senderFaceURL: '',
			atUserIDs: [],
			seq: 0,
		});
		// The irregular keys are gone, renamed.
		expect(item).not.toHaveProperty('faceURL');
		expect(item).not.toHaveProperty('atUserList');
		expect(item).not.toHaveProperty('raw');
	});

	it('ignores messages from our own sender IDs (credential sender IDs and admin user ID): no run, still answered', async () => {
		await serve(triggerWorkflow({ events: ['singleMessageSent'] }));
		await text('hr_bot', 'alice', 'bot says hi');
		await text('imAdmin', 'alice', 'admin says hi');
		await text('alice', 'hr_bot', 'human says hi');
		await settle();
		expect(sandbox.webhooks.deliveries().map((d) => [d.body.sendID, d.acknowledged])).toEqual([
			['hr_bot', true],
			['imAdmin', true],
			['alice', true],
		]);
		expect(server!.runs.map((r) => r.json(RECEIVED)[0].sendID)).toEqual(['alice']);
	});

	it('without a credential, REST API messages count as our own; Additional Own Sender IDs name them instead', async () => {
		await serve(triggerWorkflow({ events: ['singleMessageSent'] }, {}, false));
		await text('alice', 'bob', 'via REST');
		sandbox.webhooks.emit('afterSendSingleMsg', { sendID: 'alice', recvID: 'bob', content: { content: 'typed in a client' } });
		await settle();
		expect(server!.runs.map((r) => r.json(RECEIVED)[0].text)).toEqual(['typed in a client']);
		await server!.close();

		await serve(triggerWorkflow({ events: ['singleMessageSent'], options: { ownSenderIDs: 'hr_bot' } }, {}, false));
		await text('alice', 'bob', 'via REST again');
		await text('hr_bot', 'bob', 'from the bot');
		await settle();
		expect(server!.runs.map((r) => r.json(RECEIVED)[0].text)).toEqual(['via REST again']);
	});

	it('Ignore Own Messages off lets them through; Ignore All REST API Messages drops every REST send', async () => {
		await serve(triggerWorkflow({ events: ['singleMessageSent'], ignoreOwnMessages: false }));
		await text('hr_bot', 'alice', 'own');
		await settle();
		expect(server!.runs).toHaveLength(1);
		await server!.close();

		await serve(triggerWorkflow({ events: ['singleMessageSent'], options: { ignoreApiMessages: true } }));
		await text('alice', 'bob', 'REST');
		sandbox.webhooks.emit('afterSendSingleMsg', { sendID: 'alice', recvID: 'bob', content: { content: 'client' } });
		await settle();
		expect(server!.runs.map((r) => r.json(RECEIVED)[0].text)).toEqual(['client']);
	});

	it('Only Messages To keeps messages to the listed users (single) or groups (group)', async () => {
		await serve(triggerWorkflow({ events: ['singleMessageSent', 'groupMessageSent'], options: { recipientIDs: 'hr_bot, all_staff' } }));
		await text('alice', 'bob', 'not for the bot');
		await text('alice', 'hr_bot', 'for the bot');
		await client.api('/msg/send_msg', {
			sendID: 'alice',
			groupID: 'all_staff',
			contentType: 101,
			sessionType: 3,
			content: { content: 'hello all' },
		});
		sandbox.seedGroups([{ groupID: 'other', memberUserIDs: ['alice', 'bob'] }]);
		await client.api('/msg/send_msg', { sendID: 'alice', groupID: 'other', contentType: 101, sessionType: 3, content: { content: 'psst' } });
		await settle();
		expect(server!.runs.map((r) => r.json(RECEIVED)[0])).toEqual([
			expect.objectContaining({ event: 'singleMessageSent', recvID: 'hr_bot', text: 'for the bot' }),
			expect.objectContaining({ event: 'groupMessageSent', groupID: 'all_staff', conversationID: 'sg_all_staff', text: 'hello all' }),
		]);
	});

	it('Include Raw Body adds the body as OpenIM sent it', async () => {
		await serve(triggerWorkflow({ events: ['singleMessageSent'], options: { includeRawBody: true } }));
		await text('alice', 'bob', 'raw please');
		await settle();
		const [item] = server!.runs[0].json(RECEIVED);
		expect(item.raw).toMatchObject({ faceURL: '', atUserList: null, content: '{"content":"raw please"}' });
	});
});

describe('OpenIM Trigger: events', () => {
	it('answers and ignores events that are not selected', async () => {
		await serve(triggerWorkflow({ events: ['groupMessageSent'] }));
		await text('alice', 'bob', 'single');
		await client.api('/user/user_register', { users: [{ userID: 'erin', nickname: 'Erin' }] });
		await settle();
		expect(sandbox.webhooks.deliveries().map((d) => [d.event, d.acknowledged])).toEqual([
			['afterSendSingleMsg', true],
			['afterUserRegister', true],
		]);
		expect(server!.runs).toEqual([]);
	});

	it('maps every event OpenIM sends, renaming the irregular keys', async () => {
		await serve(triggerWorkflow({ events: OPENIM_EVENTS.map((event) => event.value) }));
		await client.api('/user/user_register', {
			users: [
				{ userID: 'erin', nickname: 'Erin', appMangerLevel: 1 },
				{ userID: 'frank', nickname: 'Frank' },
			],
		});
		sandbox.seedGroups([{ groupID: 'eng', groupName: 'Engineering', memberUserIDs: ['carol', 'dave'] }]);
		const emit = (event: Parameters<Sandbox['webhooks']['emit']>[0], fields: Record<string, unknown>) =>
			sandbox.webhooks.emit(event, fields, `op-${event}`, sandbox.store);
		emit('afterCreateGroup', { groupID: 'eng' });
		emit('afterJoinGroup', { groupID: 'eng', reqMessage: 'let me in', inviterUserID: 'carol', joinSource: 1 });
		emit('afterQuitGroup', { groupID: 'eng', userID: 'dave' });
		emit('afterKickGroupMember', { groupID: 'eng', kickedUserIDs: ['bob'], reason: 'spam' });
		emit('afterDismissGroup', { groupID: 'eng' });
		emit('afterRevokeMsg', { conversationID: 'si_alice_bob', seq: 7, userID: 'alice' });
		emit('afterUserOnline', { userID: 'bob', platformID: 1 });
		emit('afterUserOffline', { userID: 'bob', platformID: 1, seq: 1700000000000 });
		emit('afterSendGroupMsg', {
			sendID: 'carol',
			groupID: 'eng',
			contentType: 106,
			content: { text: '@dave look', atUserList: ['dave'], isAtSelf: false },
			atUserList: ['dave'],
		});
		await settle();
		expect(sandbox.webhooks.deliveries().every((d) => d.acknowledged)).toBe(true);

		const byEvent: Record<string, any[]> = {};
		for (const run of server!.runs) {
			const items = run.json(RECEIVED);
			byEvent[items[0].event as string] = items;
		}
		expect(Object.keys(byEvent).sort()).toEqual(
			[
				'userRegistered',
				'groupCreated',
				'groupJoined',
				'groupQuit',
				'groupMemberKicked',
				'groupDismissed',
				'messageRevoked',
				'userOnline',
				'userOffline',
				'groupMessageSent',
			].sort(),
		);
		expect(byEvent.userRegistered).toEqual([
			expect.objectContaining({ event: 'userRegistered', userID: 'erin', nickname: 'Erin', appManagerLevel: 1 }),
			expect.objectContaining({ event: 'userRegistered', userID: 'frank', nickname: 'Frank', appManagerLevel: 0 }),
		]);
		expect(byEvent.userRegistered[0]).not.toHaveProperty('appMangerLevel');
		expect(byEvent.groupCreated[0]).toMatchObject({
			groupID: 'eng',
			groupName: 'Engineering',
			ownerUserID: 'carol',
			memberCount: 2,
			initialMembers: [
				{ userID: 'carol', roleLevel: 100 },
				{ userID: 'dave', roleLevel: 20 },
			],
			memberUserIDs: ['carol', 'dave'],
		});
		expect(byEvent.groupJoined[0]).toMatchObject({
			operationID: 'op-afterJoinGroup',
			groupID: 'eng',
			requestMessage: 'let me in',
			joinSource: 1,
			inviterUserID: 'carol',
		});
		expect(byEvent.groupQuit[0]).toMatchObject({ groupID: 'eng', userID: 'dave' });
		expect(byEvent.groupMemberKicked[0]).toMatchObject({ groupID: 'eng', kickedUserIDs: ['bob'], reason: 'spam' });
		expect(byEvent.groupDismissed[0]).toMatchObject({
			groupID: 'eng',
			ownerUserID: 'carol',
			groupType: 2,
			memberUserIDs: ['carol', 'dave'],
		});
		expect(byEvent.messageRevoked[0]).toMatchObject({
			callbackCommand: 'callbackBeforeAfterMsgCommand',
			conversationID: 'si_alice_bob',
			seq: 7,
			revokerUserID: 'alice',
		});
		expect(byEvent.userOnline[0]).toMatchObject({ userID: 'bob', platformID: 1, platform: 'iOS', isAppBackground: false, timestamp: expect.any(Number) });
		expect(byEvent.userOffline[0]).toMatchObject({ userID: 'bob', timestamp: 1700000000000 });
		expect(byEvent.userOffline[0]).not.toHaveProperty('seq');
		expect(byEvent.groupMessageSent[0]).toMatchObject({
			sendID: 'carol',
			groupID: 'eng',
			conversationID: 'sg_eng',
			contentTypeName: 'atText',
			text: '@dave look',
			atUserIDs: ['dave'],
			msgFrom: 100,
			content: { text: '@dave look', atUserList: ['dave'], isAtSelf: false },
		});
	});
});

describe('OpenIM Trigger: Message Read', () => {
	it('the recipient\'s app opens a one-to-one chat (POST /_sandbox/read) → one run with the reader and the seqs', async () => {
		await serve(triggerWorkflow({ events: ['messageRead'] }));
		await text('hr_bot', 'alice', 'Your payslip is ready');
		await text('hr_bot', 'alice', 'Questions? Ask me');
		const res = await fetch(`${sandbox.url}/_sandbox/read`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ userID: 'alice', conversationID: 'si_alice_hr_bot' }),
		});
		expect(res.status).toBe(200);
		// A work notification conversation moves hasReadSeq only: no callback.
		await client.api('/msg/send_msg', { sendID: 'hr_bot', recvID: 'bob', contentType: 1400, sessionType: 4, content: { notificationName: 'N', notificationType: 1, text: 't', mixType: 0 } });
		sandbox.store.markConversationRead('bob', 'sn_bob_hr_bot');
		await settle();
		expect(server!.runs).toHaveLength(1);
		expect(server!.runs[0].json(RECEIVED)).toEqual([
			{
				event: 'messageRead',
				callbackCommand: 'callbackAfterSingleMsgReadCommand',
				operationID: expect.any(String),
				conversationID: 'si_alice_hr_bot',
				userID: 'alice',
				seqs: [1, 2],
				conversationType: 1,
				readAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
			},
		]);
	});
});

describe('OpenIM Trigger: protection', () => {
	it('a secret path segment: OpenIM must call {url}/{secret}/{command}; without it n8n answers 404 and nothing runs', async () => {
		await serve(triggerWorkflow({ events: ['singleMessageSent'], pathSecret: 'Zq7-k2_Wm' }));
		expect(server!.productionUrl()).toBe(`${server!.baseUrl}/${WEBHOOK_ID}/Zq7-k2_Wm/callbackAfterSendSingleMsgCommand`);
		await text('alice', 'bob', 'with the secret');
		await settle();
		sandbox.configure({ webhookUrl: `${server!.baseUrl}/${WEBHOOK_ID}` });
		await text('alice', 'bob', 'without it');
		sandbox.configure({ webhookUrl: `${server!.baseUrl}/${WEBHOOK_ID}/wrong` });
		await text('alice', 'bob', 'wrong secret');
		await settle();
		expect(sandbox.webhooks.deliveries().map((d) => [d.httpStatus, d.acknowledged])).toEqual([
			[200, true],
			[404, false],
			[404, false],
		]);
		expect(server!.runs.map((r) => r.json(RECEIVED)[0].text)).toEqual(['with the secret']);
	});

	it('an IP allow-list: callers outside it get 403 and start nothing', async () => {
		await serve(triggerWorkflow({ events: ['singleMessageSent'], options: { allowedIPs: '10.0.0.0/8, 127.0.0.0/8' } }));
		await text('alice', 'bob', 'from loopback');
		await settle();
		expect(server!.runs).toHaveLength(1);
		await server!.close();

		await serve(triggerWorkflow({ events: ['singleMessageSent'], options: { allowedIPs: '10.0.0.0/8, fd00::/8' } }));
		await text('alice', 'bob', 'from loopback again');
		await settle();
		const [, refused] = sandbox.webhooks.deliveries();
		expect(refused).toMatchObject({ httpStatus: 403, acknowledged: false, response: { errCode: 403, errMsg: 'Forbidden' } });
		expect(server!.runs).toEqual([]);
	});
});

describe('examples/bot-reply.workflow.json', () => {
	it('a user messages the bot → the bot answers with a notification card; its own sends do not loop', async () => {
		const workflow = loadWorkflowFile('examples/bot-reply.workflow.json');
		await serve(workflow as WorkflowInput, 'openImSandbox01');
		expect(server!.productionUrl()).toBe(`${server!.baseUrl}/6b1f3c2e-9a4d-4e57-8b21-0c5d7e9f4a10/callbackAfterSendSingleMsgCommand`);

		await text('alice', 'hr_bot', 'When is payday?');
		await text('alice', 'bob', 'not for the bot');
		// A text reply from the bot itself (sessionType 1) fires afterSendSingleMsg too: ignored as our own.
		await text('hr_bot', 'alice', 'a text reply from the bot');
		await settle();

		expect(server!.runs).toHaveLength(1);
		const [run] = server!.runs;
		expect(run.executedNodes).toEqual(['Message to the HR bot', 'Reply with a card']);
		const inbox = sandbox.inbox('alice').filter((m) => m.contentType === 1400);
		expect(inbox).toHaveLength(1);
		expect(inbox[0]).toMatchObject({ sendID: 'hr_bot', recvID: 'alice', sessionType: 4 });
		expect(inbox[0].content).toMatchObject({
			notificationName: 'HR Department',
			text: 'Thanks, we got your message: "When is payday?". Someone from HR will get back to you today.',
		});
		expect(run.json('Reply with a card')[0]).toMatchObject({ recvID: 'alice', sendID: 'hr_bot' });
		// The card (sessionType 4) fires no webhook: three callbacks, for the three text messages.
		expect(sandbox.webhooks.deliveries().map((d) => d.body.sendID)).toEqual(['alice', 'alice', 'hr_bot']);
	});
});
