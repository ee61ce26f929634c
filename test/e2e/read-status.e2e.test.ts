/**
 * Get Read Status in a real n8n (each pinned version) against the sandbox CLI, with the seq assigned
 * 300 ms after each send (seqDelayMs) as OpenIM's msg-transfer does:
 * - run 1: Notification → Send to alice → Get Read Status, Message → Send to bob → Get Read Status:
 *   both unread (found although the seq came after the send);
 * - the sandbox "opens" both conversations as the recipients' apps would (POST /_sandbox/read);
 * - run 2: Get Read Status from the run-1 Send outputs (given as JSON): both read.
 */
import { createN8nInstance, selectedVersions, type CredentialJson, type N8nInstance, type WorkflowNodeJson } from './n8n';
import { startSandbox, type SandboxProcess } from './sandbox';
import { NOTIFY_NODE_TYPE, credentialRef, manualWorkflow, openImCredential } from './fixtures';

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
		await n8n.importCredentials([cred]);
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
});
