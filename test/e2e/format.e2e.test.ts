/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- e2e test tooling, not shipped: reads example files */
/**
 * Notification → Send's Delivery Format in real n8n: the example in all three formats, fan-out,
 * recall of each format, and the sandbox's view of what the recipient's apps show.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { request } from 'undici';

import { createN8nInstance, selectedVersions, type N8nInstance, type WorkflowJson, type WorkflowNodeJson } from './n8n';
import { startSandbox, type SandboxProcess } from './sandbox';
import { picture } from '../fixtures/media';
import { credentialRef, manualWorkflow, notifyNode, openImCredential } from './fixtures';

const REPO = join(__dirname, '..', '..');
const example = (name: string): WorkflowJson =>
	JSON.parse(readFileSync(join(REPO, 'examples', `${name}.workflow.json`), 'utf8')) as WorkflowJson;
const EXAMPLE_CREDENTIAL = { id: 'openImSandbox01', name: 'OpenIM sandbox' };

describe.each(selectedVersions())('n8n %s: Delivery Format', (version) => {
	let sandbox: SandboxProcess;
	let n8n: N8nInstance;
	const cred = openImCredential('', { ...EXAMPLE_CREDENTIAL, data: { senderIDs: 'hr_bot, imAdmin' } });
	const tag = version.replace(/\D/g, '');

	/** Message → Recall wired to the fields of the item before it. */
	const recallNode = (name: string, parameters: Record<string, unknown>): WorkflowNodeJson => ({
		name,
		type: 'n8n-nodes-openim.openImNotify',
		typeVersion: 1,
		parameters: {
			resource: 'message',
			operation: 'recall',
			sendID: { __rl: true, mode: 'id', value: '={{ $json.sendID }}' },
			recvID: { __rl: true, mode: 'id', value: '={{ $json.recvID }}' },
			options: {},
			...parameters,
		},
		credentials: credentialRef(cred),
	});

	const view = async (userID: string): Promise<string> => await (await request(`${sandbox.url}/_sandbox/view/${userID}`)).body.text();

	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 'default' });
		n8n = await createN8nInstance(version);
		cred.data.baseUrl = sandbox.url;
		await n8n.importCredentials([cred]);
		await n8n.importWorkflow([example('policy-update-every-app')]);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.stop();
	});

	beforeEach(async () => {
		await sandbox.reset('default');
	});

	it('runs the policy example in all three formats; the chat format is drawn by every app, the card only by Flutter 3.8.3', async () => {
		const result = await n8n.execute('oaPolicyAllApps1');
		const out = result.output('Notify in their format');
		expect(out.map((item) => [item.recvID, item.deliveryFormat])).toEqual([
			['alice', 'chat'],
			['bob', 'card'],
			['carol', 'both'],
		]);
		const kinds = async (userID: string) => (await sandbox.inbox(userID)).map((m) => m.contentType);
		expect([await kinds('alice'), await kinds('bob'), await kinds('carol')]).toEqual([[101, 102], [1400], [1400, 101, 102]]);
		expect(out[0].chat.clientMsgIDs).toEqual((await sandbox.inbox('alice')).map((m) => m.clientMsgID));
		expect(out[2].chat.clientMsgIDs).toEqual((await sandbox.inbox('carol')).slice(1).map((m) => m.clientMsgID));

		const alice = await view('alice');
		expect(alice).toContain('Travel policy updated');
		expect(alice).toContain('<a href="https://oa.example.com/policies/travel"');
		expect(alice).not.toMatch(/unsupported/i);
		expect(await view('bob')).toContain('[Unsupported Message Type]');
	});

	it('fans a chat message out to a list and recalls text and picture of each with the IDs Send output', async () => {
		const workflow = manualWorkflow(`openImFmtFan${tag}`, 'Chat fan-out and recall', [
			notifyNode(
				{
					sendID: 'hr_bot',
					recvID: 'alice',
					recipientMode: 'userList',
					recvIDs: 'alice, bob',
					outputMode: 'perRecipient',
					deliveryFormat: 'chat',
					notificationName: 'Fire drill',
					text: 'At 15:00 today.',
					externalUrl: 'https://oa.example.com/drill',
					mixType: 1,
					...picture,
				},
				cred,
				'Send chat',
			),
			recallNode('Recall chat', { sessionType: 1, clientMsgID: '={{ $json.chat.clientMsgIDs }}', sendDate: '={{ $json.sendTime }}' }),
		]);
		await n8n.importWorkflow(workflow);
		const result = await n8n.execute(workflow.id);
		expect(result.output('Send chat').map((item) => [item.recvID, item.deliveryFormat, item.delivered])).toEqual([
			['alice', 'chat', true],
			['bob', 'chat', true],
		]);
		expect(result.output('Recall chat').map((item) => item.messages.length)).toEqual([2, 2]);
		for (const userID of ['alice', 'bob']) {
			const inbox = await sandbox.inbox(userID);
			expect(inbox.map((m) => [m.contentType, Boolean(m.revoked)])).toEqual([
				[101, true],
				[102, true],
			]);
		}
	});

	it('recalls a card by its seq, and both parts of a "Both" send', async () => {
		const workflow = manualWorkflow(`openImFmtBoth${tag}`, 'Both and recall', [
			notifyNode({ sendID: 'hr_bot', recvID: 'carol', deliveryFormat: 'both', notificationName: 'Payslip', text: 'Your payslip is ready.' }, cred, 'Send both'),
			recallNode('Recall the chat message', { sessionType: 1, clientMsgID: '={{ $json.chat.clientMsgIDs }}', sendDate: '={{ $json.sendTime }}' }),
			// The card's conversation is new, so its seq is 1 (search_msg never finds sn_ messages).
			recallNode('Recall the card', { sessionType: 4, options: { seq: 1 } }),
		]);
		await n8n.importWorkflow(workflow);
		const result = await n8n.execute(workflow.id);
		const [sent] = result.output('Send both');
		expect(sent).toMatchObject({ deliveryFormat: 'both', chat: { conversationID: 'si_carol_hr_bot' } });
		expect(result.output('Recall the chat message')[0]).toMatchObject({ recalled: true, conversationID: 'si_carol_hr_bot', clientMsgID: sent.chat.clientMsgID });
		expect(result.output('Recall the card')[0]).toMatchObject({ recalled: true, conversationID: 'sn_carol_hr_bot', seq: 1 });
		const inbox = await sandbox.inbox('carol');
		expect(inbox.map((m) => [m.contentType, Boolean(m.revoked)])).toEqual([
			[1400, true],
			[101, true],
		]);
	});

	it('refuses an unknown Delivery Format naming the field, before anything is sent', async () => {
		const workflow = manualWorkflow(`openImFmtBad${tag}`, 'Bad format', [
			notifyNode({ sendID: 'hr_bot', recvID: 'alice', deliveryFormat: '={{ "sms" }}', notificationName: 'Card', text: 'Hello' }, cred),
		]);
		await n8n.importWorkflow(workflow);
		const result = await n8n.execute(workflow.id, { allowFailure: true });
		expect(result.ok).toBe(false);
		expect(result.error?.message).toContain('Delivery Format must be card, chat or both, not "sms" [item 0]');
		expect(await sandbox.messages()).toHaveLength(0);
	});
});
