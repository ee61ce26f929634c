/**
 * One operation of every resource in a real n8n (both pinned versions), chained in one workflow:
 * Notification Account → Create, Message → Send, Message → Recall, Notification → Send to a group's
 * members, User → Get Many. Assertions on the node outputs and on what the sandbox stored.
 */
import { createN8nInstance, selectedVersions, type N8nInstance, type WorkflowNodeJson } from './n8n';
import { startSandbox, type SandboxProcess } from './sandbox';
import { NOTIFY_NODE_TYPE, credentialRef, manualWorkflow, openImCredential } from './fixtures';

describe.each(selectedVersions())('n8n %s: every resource of OpenIM Notify', (version) => {
	let sandbox: SandboxProcess;
	let n8n: N8nInstance;

	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 'default' });
		n8n = await createN8nInstance(version);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.stop();
	});

	it('creates an account, sends and recalls a message, notifies a group\'s members, lists users', async () => {
		const cred = openImCredential(sandbox.url, { data: { senderIDs: 'hr_bot, imAdmin' } });
		await n8n.importCredentials([cred]);
		const node = (name: string, parameters: Record<string, unknown>): WorkflowNodeJson => ({
			name,
			type: NOTIFY_NODE_TYPE,
			typeVersion: 1,
			parameters,
			credentials: credentialRef(cred),
		});
		const workflow = manualWorkflow(`openImRes${version.replace(/\D/g, '')}`, 'Every resource', [
			node('Create account', { resource: 'notificationAccount', operation: 'create', nickname: 'IT Desk', accountType: 3, userID: 'it_desk' }),
			node('Send message', {
				resource: 'message',
				operation: 'send',
				sendID: 'imAdmin',
				sessionType: 1,
				recipientMode: 'user',
				recvID: { __rl: true, mode: 'id', value: 'alice' },
				contentType: 101,
				messageText: 'Meeting moved to 3 pm',
				options: {},
			}),
			node('Recall message', {
				resource: 'message',
				operation: 'recall',
				sendID: '={{ $json.sendID }}',
				sessionType: 1,
				recvID: { __rl: true, mode: 'id', value: '={{ $json.recvID }}' },
				clientMsgID: '={{ $json.clientMsgID }}',
				sendDate: '={{ $json.sendTime }}',
				options: {},
			}),
			node('Notify group', {
				resource: 'notification',
				operation: 'send',
				sendID: 'hr_bot',
				recipientMode: 'groupMembers',
				memberGroupID: 'all_staff',
				notificationName: 'Fire drill',
				text: 'Fire drill at 11:00 today.',
				notificationType: 2,
				mixType: 0,
				options: {},
			}),
			node('List users', { resource: 'user', operation: 'getMany', returnAll: true, filters: {} }),
		]);
		await n8n.importWorkflow(workflow);
		const result = await n8n.execute(workflow.id);

		expect(result.output('Create account')[0]).toMatchObject({ userID: 'it_desk', nickName: 'IT Desk', appMangerLevel: 3 });
		const [sent] = result.output('Send message');
		expect(sent).toMatchObject({ delivered: true, recvID: 'alice', sendID: 'imAdmin' });
		expect(result.output('Recall message')[0]).toMatchObject({ recalled: true, clientMsgID: sent.clientMsgID });
		expect(result.output('Notify group')[0]).toMatchObject({ recipients: 4, delivered: 4, failed: 0, groupID: 'all_staff' });
		const users = result.output('List users').map((user) => user.userID).sort();
		expect(users).toEqual(expect.arrayContaining(['alice', 'bob', 'carol', 'dave']));
		expect(users).not.toContain('it_desk'); // notification accounts are not listed as users

		const aliceInbox = await sandbox.inbox('alice');
		const chat = aliceInbox.find((m) => m.clientMsgID === sent.clientMsgID);
		expect(chat?.revoked).toBeTruthy();
		for (const userID of ['alice', 'bob', 'carol', 'dave']) {
			expect((await sandbox.inbox(userID)).filter((m) => m.contentType === 1400)).toHaveLength(1);
		}
		expect(n8n.logs()).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
	});
});
