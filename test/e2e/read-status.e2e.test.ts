/* eslint-disable @n8n/community-nodes/no-restricted-imports -- e2e test tooling, not shipped: reads the example file */
/**
 * Get Read Status in a real n8n (each pinned version) against the sandbox CLI, with the seq assigned
 * 300 ms after each send (seqDelayMs) as OpenIM's msg-transfer does:
 * - run 1: Notification → Send to alice → Get Read Status, Message → Send to bob → Get Read Status:
 *   both unread (found although the seq came after the send);
 * - the sandbox "opens" both conversations as the recipients' apps would (POST /_sandbox/read);
 * - run 2: Get Read Status from the run-1 Send outputs (given as JSON): both read;
 * - examples/policy-update-reminder.workflow.json with its day of waiting cut to seconds: alice and
 *   bob open the card meanwhile, so only carol and dave get the reminder.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createN8nInstance, selectedVersions, type CredentialJson, type N8nInstance, type WorkflowJson, type WorkflowNodeJson } from './n8n';
import { startSandbox, type SandboxProcess } from './sandbox';
import { NOTIFY_NODE_TYPE, credentialRef, manualWorkflow, openImCredential } from './fixtures';
import { until } from './proc';
import { REPO_ROOT } from './runtime';

const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

function node(cred: CredentialJson, name: string, parameters: Record<string, unknown>): WorkflowNodeJson {
	return { name, type: NOTIFY_NODE_TYPE, typeVersion: 1, parameters, credentials: credentialRef(cred) };
}

const readStatus = (resource: string, sentMessage: string) => ({ resource, operation: 'getReadStatus', sentMessage });

describe.each(selectedVersions())('n8n %s: Get Read Status', (version) => {
	let sandbox: SandboxProcess;
	let n8n: N8nInstance;
	let cred: CredentialJson;

	beforeAll(async () => {
		[sandbox, n8n] = await Promise.all([startSandbox({ seed: 'default' }), createN8nInstance(version)]);
		cred = openImCredential(sandbox.url, { data: { senderIDs: 'hr_bot, imAdmin' } });
		// The examples' credential: id openImSandbox01, "OpenIM sandbox".
		await n8n.importCredentials([cred, openImCredential(sandbox.url, { id: 'openImSandbox01', data: { senderIDs: 'hr_bot, imAdmin' } })]);
		await sandbox.configure({ seqDelayMs: 300 });
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.stop();
	});

	it('a work notification and a one-to-one message: unread, then read after the recipients open them', async () => {
		const suffix = version.replace(/\D/g, '');
		const first = manualWorkflow(`openImRead1${suffix}`, 'Read status: send and check', [
			node(cred, 'Send notice', {
				resource: 'notification',
				operation: 'send',
				sendID: 'hr_bot',
				recvID: { __rl: true, mode: 'id', value: 'alice' },
				notificationName: 'Policy update',
				text: 'Please read the new travel policy.',
				notificationType: 1,
				mixType: 0,
				options: {},
			}),
			node(cred, 'Notice read?', readStatus('notification', '={{ $json }}')),
			node(cred, 'Send message', {
				resource: 'message',
				operation: 'send',
				sendID: 'imAdmin',
				sessionType: 1,
				recipientMode: 'user',
				recvID: { __rl: true, mode: 'id', value: 'bob' },
				contentType: 101,
				messageText: 'Meeting moved to 3 pm',
				options: {},
			}),
			node(cred, 'Message read?', readStatus('message', '={{ $json }}')),
		]);
		await n8n.importWorkflow(first);
		const before = await n8n.execute(first.id);
		const [notice] = before.output('Send notice');
		const [message] = before.output('Send message');
		expect(before.output('Notice read?')).toEqual([
			expect.objectContaining({ recvID: 'alice', status: 'unread', read: false, conversationID: 'sn_alice_hr_bot', seq: 1, serverMsgID: notice.serverMsgID }),
		]);
		expect(before.output('Message read?')).toEqual([
			expect.objectContaining({ recvID: 'bob', status: 'unread', isRead: false, conversationID: 'si_bob_imAdmin', seq: 1, serverMsgID: message.serverMsgID }),
		]);

		expect(await sandbox.call('POST', '/_sandbox/read', { userID: 'alice', conversationID: 'sn_alice_hr_bot' })).toMatchObject({ hasReadSeq: 1 });
		expect(await sandbox.call('POST', '/_sandbox/read', { userID: 'bob', conversationID: 'si_bob_imAdmin' })).toMatchObject({ seqs: [1] });

		const second = manualWorkflow(`openImRead2${suffix}`, 'Read status: check again', [
			node(cred, 'Notice read?', readStatus('notification', JSON.stringify(notice))),
			node(cred, 'Message read?', readStatus('message', JSON.stringify(message))),
		]);
		await n8n.importWorkflow(second);
		const after = await n8n.execute(second.id);
		expect(after.output('Notice read?')).toEqual([expect.objectContaining({ recvID: 'alice', status: 'read', read: true, hasReadSeq: 1, readAt: null })]);
		expect(after.output('Message read?')).toEqual([expect.objectContaining({ recvID: 'bob', status: 'read', isRead: true })]);
		expect(n8n.logs()).not.toMatch(JWT);
	});

	it('runs examples/policy-update-reminder.workflow.json (the day cut to seconds): only who has not opened the card is reminded', async () => {
		const workflow = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'policy-update-reminder.workflow.json'), 'utf8')) as WorkflowJson;
		const wait = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.wait')!;
		expect(wait.parameters).toEqual({ amount: 1, unit: 'days' });
		wait.parameters = { amount: 8, unit: 'seconds' };
		await n8n.importWorkflow(workflow);
		const running = n8n.execute(workflow.id);
		const opened: string[] = [];
		for (const userID of ['alice', 'bob']) {
			// The seq comes 300 ms after the send: open the conversation once the card has it.
			const card = await until(`the policy card in ${userID}'s conversation`, async () =>
				(await sandbox.inbox(userID)).find((m) => m.content.notificationName === 'Updated travel policy' && m.seq > 0),
			);
			const read = await sandbox.call('POST', '/_sandbox/read', { userID, conversationID: `sn_${userID}_hr_bot` });
			expect(read.hasReadSeq).toBe(card.seq);
			opened.push(userID);
		}
		const result = await running;
		expect(opened).toEqual(['alice', 'bob']);
		expect(result.output('Who has read it?').map((r) => [r.recvID, r.status])).toEqual([
			['alice', 'read'],
			['bob', 'read'],
			['carol', 'unread'],
			['dave', 'unread'],
		]);
		expect(result.output('Not read yet').map((r) => r.recvID)).toEqual(['carol', 'dave']);
		expect(result.output('Send a reminder').map((r) => r.recvID)).toEqual(['carol', 'dave']);
		for (const [userID, cards] of [['alice', 1], ['bob', 1], ['carol', 2], ['dave', 2]] as const) {
			const policy = (await sandbox.inbox(userID)).filter((m) => String(m.content.notificationName).includes('travel policy'));
			expect(policy).toHaveLength(cards);
		}
	});
});
