/* eslint-disable @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- e2e test tooling, not shipped: reads example files, loads n8n's own flatted, arbitrary run-data JSON */
/**
 * OpenIM Trigger in real n8n (both pinned versions): workflows activated, `n8n start`, and the
 * OpenIM sandbox (out of process) calling n8n's production webhook URL the way OpenIM does
 * (`{url}/{callbackCommand}`, sandbox/webhooks.ts). What ran is read back through n8n's REST API.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createN8nInstance, selectedVersions, type N8nInstance, type WorkflowJson, type WorkflowNodeJson } from './n8n';
import { startSandbox, type SandboxProcess } from './sandbox';
import { SANDBOX_ADMIN, SANDBOX_SECRET, credentialRef, openImCredential, PACKAGE_NAME } from './fixtures';
import { sleep, until } from './proc';
import { REPO_ROOT, flattedParse } from './runtime';

const TRIGGER_TYPE = `${PACKAGE_NAME}.openImTrigger`;
const ACK = { actionCode: 0, errCode: 0, errMsg: '', errDlt: '', nextCode: 0 };

const MAIN_HOOK = 'a1c4e2f0-5b6d-4c7e-8f90-1a2b3c4d5e01';
const GUARDED_HOOK = 'a1c4e2f0-5b6d-4c7e-8f90-1a2b3c4d5e02';
const READ_HOOK = 'a1c4e2f0-5b6d-4c7e-8f90-1a2b3c4d5e03';
const PATH_SEGMENT = 'e2e_private_segment';

const example = (name: string): WorkflowJson =>
	JSON.parse(readFileSync(join(REPO_ROOT, 'examples', `${name}.workflow.json`), 'utf8')) as WorkflowJson;

/** OpenIM Trigger → No Operation ("Received"). */
function triggerWorkflow(
	id: string,
	webhookId: string,
	parameters: Record<string, unknown>,
	cred: Parameters<typeof credentialRef>[0],
): WorkflowJson {
	const trigger: WorkflowNodeJson = {
		name: 'OpenIM Trigger',
		type: TRIGGER_TYPE,
		typeVersion: 1,
		webhookId,
		parameters,
		credentials: credentialRef(cred),
	};
	const received: WorkflowNodeJson = { name: 'Received', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} };
	return {
		id,
		name: id,
		nodes: [trigger, received],
		connections: { 'OpenIM Trigger': { main: [[{ node: 'Received', type: 'main', index: 0 }]] } },
	};
}

describe.each(selectedVersions())('n8n %s: OpenIM Trigger ← OpenIM webhooks', (version) => {
	let sandbox: SandboxProcess;
	let n8n: N8nInstance;
	let token: string;

	const main = (cred: Parameters<typeof credentialRef>[0]) =>
		triggerWorkflow('openImTrigMain01', MAIN_HOOK, { events: ['singleMessageSent'] }, cred);
	const secret = (cred: Parameters<typeof credentialRef>[0]) =>
		triggerWorkflow('openImTrigGuard01', GUARDED_HOOK, { events: ['singleMessageSent'], pathSecret: PATH_SEGMENT }, cred);

	/** Ids of the workflow's executions, newest first. */
	async function executions(workflowId: string): Promise<Array<{ id: string; status: string }>> {
		const res = await n8n.rest('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=50`);
		if (res.status !== 200) throw new Error(`GET /rest/executions: HTTP ${res.status} ${res.text.slice(0, 300)}`);
		const list = res.body?.data?.results ?? res.body?.data ?? [];
		return (list as any[]).map((e) => ({ id: String(e.id), status: String(e.status) }));
	}

	/** Waits for the workflow's `n`th execution to finish; returns the items of "Received". */
	async function received(workflowId: string, n: number): Promise<any[]> {
		const done = await until(`execution #${n} of ${workflowId}`, async () => {
			const list = await executions(workflowId);
			const finished = list.filter((e) => !['new', 'running', 'waiting'].includes(e.status));
			return finished.length >= n ? finished : undefined;
		});
		expect(done).toHaveLength(n);
		const newest = done.map((e) => Number(e.id)).sort((a, b) => b - a)[0];
		const res = await n8n.rest('GET', `/rest/executions/${newest}`);
		expect(res.status).toBe(200);
		const execution = res.body.data;
		expect(execution.status).toBe('success');
		expect(execution.mode).toBe('webhook');
		const runData = flattedParse(version, execution.data).resultData.runData;
		return runData.Received[0].data.main[0].map((item: any) => item.json);
	}

	/** /msg/send_msg with the admin token (like any REST client of OpenIM). */
	async function send(sendID: string, recvID: string, text: string, operationID: string) {
		const res = await sandbox.call(
			'POST',
			'/msg/send_msg',
			{ sendID, recvID, contentType: 101, sessionType: 1, content: { content: text } },
			{ operationID, token },
		);
		expect(res.errCode).toBe(0);
		return res.data as { serverMsgID: string; clientMsgID: string };
	}

	/** Waits until the sandbox got n8n's answer to the callback of `operationID`. */
	async function answered(operationID: string): Promise<any> {
		return await until(`the callback of ${operationID}`, async () => {
			const { deliveries } = await sandbox.call('GET', '/_sandbox/webhooks');
			const d = (deliveries as any[]).find((x) => x.operationID === operationID && x.state !== 'queued' && x.state !== 'sending');
			return d;
		});
	}

	beforeAll(async () => {
		sandbox = await startSandbox();
		n8n = await createN8nInstance(version);
		const cred = openImCredential(sandbox.url);
		const exampleCred = openImCredential(sandbox.url, { id: 'openImSandbox01', name: 'OpenIM sandbox' });
		await n8n.importCredentials([cred, exampleCred]);
		const read = triggerWorkflow('openImTrigRead01', READ_HOOK, { events: ['messageRead'] }, cred);
		await n8n.importWorkflow([main(cred), secret(cred), example('bot-reply'), read]);
		for (const id of ['openImTrigMain01', 'openImTrigGuard01', 'openImBotReply01', 'openImTrigRead01']) await n8n.activateWorkflow(id);
		await n8n.start();
		await n8n.setupOwner();
		const login = await sandbox.call('POST', '/auth/get_admin_token', { secret: SANDBOX_SECRET, userID: SANDBOX_ADMIN }, { operationID: 'e2e-login' });
		token = login.data.token;
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.stop();
	});

	it('is registered at {webhookId}/{callbackCommand} and answers OpenIM\'s JSON (events not selected start nothing)', async () => {
		// n8n 2.x activates published workflows a little after start: webhook() retries "not registered".
		const probe = await n8n.webhook(`${MAIN_HOOK}/callbackAfterUserOnlineCommand`, {
			callbackCommand: 'callbackAfterUserOnlineCommand',
			operationID: 'e2e-probe',
			platformID: 5,
			platform: 'Web',
			userID: 'alice',
			seq: Date.now(),
			isAppBackground: false,
			connID: 'c1',
		});
		expect(probe.status).toBe(200);
		expect(probe.body).toEqual(ACK);
		const unknown = await n8n.webhook(`${MAIN_HOOK}/callbackAfterUpdateUserInfoCommand`, {}, 'POST', { registrationWaitMs: 0 });
		expect(unknown.status).toBe(404);
		expect(await executions('openImTrigMain01')).toEqual([]);
	});

	it('a single-chat message alice → bob (send_msg with the admin token) runs the workflow with the mapped event', async () => {
		await sandbox.configure({ webhookUrl: `${n8n.baseUrl}/webhook/${MAIN_HOOK}` });
		const sent = await send('alice', 'bob', 'Lunch at 12?', 'e2e-op-alice-bob');
		const delivery = await answered('e2e-op-alice-bob');
		expect(delivery).toMatchObject({
			state: 'delivered',
			httpStatus: 200,
			acknowledged: true,
			url: `${n8n.baseUrl}/webhook/${MAIN_HOOK}/callbackAfterSendSingleMsgCommand`,
		});
		expect(delivery.response).toEqual(ACK);

		const items = await received('openImTrigMain01', 1);
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({
			event: 'singleMessageSent',
			callbackCommand: 'callbackAfterSendSingleMsgCommand',
			operationID: 'e2e-op-alice-bob',
			conversationID: 'si_alice_bob',
			sendID: 'alice',
			recvID: 'bob',
			serverMsgID: sent.serverMsgID,
			clientMsgID: sent.clientMsgID,
			msgFrom: 200,
			contentTypeName: 'text',
			text: 'Lunch at 12?',
			content: { content: 'Lunch at 12?' },
			atUserIDs: [],
			senderFaceURL: '',
		});
		expect(items[0]).not.toHaveProperty('faceURL');
	});

	it('messages from our own sender IDs (credential sender IDs, admin user ID) are answered but start nothing', async () => {
		await sandbox.configure({ webhookUrl: `${n8n.baseUrl}/webhook/${MAIN_HOOK}` });
		await send('hr_bot', 'alice', 'from the bot', 'e2e-op-own-1');
		await send(SANDBOX_ADMIN, 'bob', 'from the admin', 'e2e-op-own-2');
		for (const op of ['e2e-op-own-1', 'e2e-op-own-2']) {
			const d = await answered(op);
			expect(d).toMatchObject({ httpStatus: 200, acknowledged: true });
		}
		// A marker sent afterwards: once its run exists, the two own messages were processed without one.
		await send('carol', 'dave', 'marker', 'e2e-op-marker');
		const items = await received('openImTrigMain01', 2);
		expect(items[0]).toMatchObject({ sendID: 'carol', text: 'marker' });
		expect((await executions('openImTrigMain01')).length).toBe(2);
	});

	it('a second OpenIM Trigger workflow with a secret path segment runs next to the first; without the segment: 404', async () => {
		await sandbox.configure({ webhookUrl: `${n8n.baseUrl}/webhook/${GUARDED_HOOK}` });
		await send('alice', 'dave', 'no secret', 'e2e-op-nosecret');
		expect(await answered('e2e-op-nosecret')).toMatchObject({ httpStatus: 404, acknowledged: false });

		await sandbox.configure({ webhookUrl: `${n8n.baseUrl}/webhook/${GUARDED_HOOK}/${PATH_SEGMENT}` });
		await send('alice', 'dave', 'with the secret', 'e2e-op-secret');
		expect(await answered('e2e-op-secret')).toMatchObject({ httpStatus: 200, acknowledged: true });
		const items = await received('openImTrigGuard01', 1);
		expect(items[0]).toMatchObject({ sendID: 'alice', recvID: 'dave', text: 'with the secret' });
	});

	it('runs examples/bot-reply.workflow.json: alice messages hr_bot, hr_bot answers with a card, no loop', async () => {
		const hook = example('bot-reply').nodes[0].webhookId as string;
		await sandbox.configure({ webhookUrl: `${n8n.baseUrl}/webhook/${hook}` });
		await send('alice', 'bob', 'not for the bot', 'e2e-op-bot-0');
		await send('alice', 'hr_bot', 'When is payday?', 'e2e-op-bot-1');
		const card = await until('the reply card in alice\'s inbox', async () => {
			const inbox = await sandbox.inbox('alice');
			return inbox.find((m) => m.contentType === 1400 && m.sendID === 'hr_bot');
		});
		expect(card).toMatchObject({ recvID: 'alice', sessionType: 4 });
		expect(card.content).toMatchObject({
			notificationName: 'HR Department',
			text: 'Thanks, we got your message: "When is payday?". Someone from HR will get back to you today.',
		});
		const runs = await until('one finished run of the example', async () => {
			const list = await executions('openImBotReply01');
			return list.length === 1 && list[0].status === 'success' ? list : undefined;
		});
		expect(runs).toHaveLength(1);
		// The card (sessionType 4) fires no callback; nothing else arrived for the bot workflow.
		await sleep(1000);
		expect(await executions('openImBotReply01')).toHaveLength(1);
		expect((await sandbox.inbox('alice')).filter((m) => m.contentType === 1400)).toHaveLength(1);
		expect(n8n.logs()).not.toContain(token);
	});

	it('Message Read: bob opens his chat with hr_bot in an app (POST /_sandbox/read) → afterSingleMsgRead runs the workflow', async () => {
		await sandbox.configure({ webhookUrl: `${n8n.baseUrl}/webhook/${READ_HOOK}` });
		await send('hr_bot', 'bob', 'Your payslip is ready', 'e2e-op-read-1');
		await send('hr_bot', 'bob', 'Questions? Ask me', 'e2e-op-read-2');
		const read = await sandbox.call('POST', '/_sandbox/read', { userID: 'bob', conversationID: 'si_bob_hr_bot' });
		expect(read).toMatchObject({ ok: true, seqs: [1, 2] });
		const items = await received('openImTrigRead01', 1);
		expect(items).toEqual([
			{
				event: 'messageRead',
				callbackCommand: 'callbackAfterSingleMsgReadCommand',
				operationID: expect.any(String),
				conversationID: 'si_bob_hr_bot',
				userID: 'bob',
				seqs: [1, 2],
				conversationType: 1,
				readAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
			},
		]);
	});
});
