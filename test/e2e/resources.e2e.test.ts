/**
 * One operation of every resource in a real n8n (both pinned versions), one n8n instance per version
 * against two sandboxes:
 * - v3.8 mode, one workflow: Notification Account → Create, Message → Send, Message → Recall,
 *   Notification → Send to a group's members, User → Get Many.
 * - v2 mode (OpenIM v2.3.3's routes, secret `tuoyun`, credential on Auto-Detect), one workflow:
 *   Notification → Send to a group's members (sent by the admin imAdmin: v2 has no notification
 *   accounts), Message → Send, User → Get, and Notification Account → Search, which v2 does not have:
 *   that node continues on fail and its output must carry the "needs OpenIM v3" error.
 * - v3.0 mode (v3.0–v3.1: no get_server_time, group members from get_group_member_list), v3.2 mode and
 *   v2.0 mode (as v2.1.0), all on Auto-Detect: a group's members get a work notification and a user gets a
 *   text message, each in the shape that generation reads.
 * Assertions on the node outputs and on what each sandbox stored.
 */
import { createN8nInstance, selectedVersions, type CredentialJson, type N8nInstance, type WorkflowNodeJson } from './n8n';
import { startSandbox, type SandboxProcess } from './sandbox';
import { NOTIFY_NODE_TYPE, credentialRef, manualWorkflow, openImCredential } from './fixtures';

/** OpenIM v2's default secret (config.yaml `secret: tuoyun`). */
const V2_SECRET = 'tuoyun';
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;
const STAFF = ['alice', 'bob', 'carol', 'dave'];

/** An OpenIM Notify node using `cred`. */
function notifyNode(cred: CredentialJson, name: string, parameters: Record<string, unknown>, settings: Record<string, unknown> = {}): WorkflowNodeJson {
	return { name, type: NOTIFY_NODE_TYPE, typeVersion: 1, parameters, credentials: credentialRef(cred), ...settings };
}

describe.each(selectedVersions())('n8n %s: every resource of OpenIM Notify', (version) => {
	let sandbox: SandboxProcess;
	let sandboxV2: SandboxProcess;
	let sandboxV30: SandboxProcess;
	let sandboxV32: SandboxProcess;
	let sandboxV20: SandboxProcess;
	let n8n: N8nInstance;
	let cred: CredentialJson;
	let credV2: CredentialJson;

	beforeAll(async () => {
		[sandbox, sandboxV2, sandboxV30, sandboxV32, sandboxV20, n8n] = await Promise.all([
			startSandbox({ seed: 'default' }),
			startSandbox({ seed: 'default', generation: 'v2', secret: V2_SECRET }),
			startSandbox({ seed: 'default', generation: 'v3.0' }),
			startSandbox({ seed: 'default', generation: 'v3.2' }),
			startSandbox({ seed: 'default', generation: 'v2.0', secret: V2_SECRET }),
			createN8nInstance(version),
		]);
		cred = openImCredential(sandbox.url, { data: { senderIDs: 'hr_bot, imAdmin' } });
		credV2 = openImCredential(sandboxV2.url, {
			id: 'openImCredV2001',
			name: 'OpenIM v2 sandbox',
			data: { secret: V2_SECRET, adminUserID: 'imAdmin', senderIDs: 'imAdmin', serverVersion: 'auto' },
		});
		await n8n.importCredentials([cred, credV2]);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await Promise.all([sandbox?.stop(), sandboxV2?.stop(), sandboxV30?.stop(), sandboxV32?.stop(), sandboxV20?.stop()]);
	});

	it('v3.8: creates an account, sends and recalls a message, notifies a group\'s members, lists users', async () => {
		const node = (name: string, parameters: Record<string, unknown>): WorkflowNodeJson => notifyNode(cred, name, parameters);
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
		expect(n8n.logs()).not.toMatch(JWT);
	});

	it('v2 (auto-detected): notifies a group\'s members as imAdmin, sends a message, reads a user; Notification Account → Search fails clearly', async () => {
		const sender = { __rl: true, mode: 'list', value: 'imAdmin' };
		const workflow = manualWorkflow(`openImResV2${version.replace(/\D/g, '')}`, 'Every resource, OpenIM v2', [
			notifyNode(credV2, 'Notify group', {
				resource: 'notification',
				operation: 'send',
				sendID: sender,
				recipientMode: 'groupMembers',
				memberGroupID: { __rl: true, mode: 'list', value: 'all_staff' },
				notificationName: 'Fire drill',
				text: 'Fire drill at 11:00 today.',
				notificationType: 2,
				mixType: 0,
				options: {},
			}),
			notifyNode(credV2, 'Send message', {
				resource: 'message',
				operation: 'send',
				sendID: sender,
				sessionType: 1,
				recipientMode: 'user',
				recvID: { __rl: true, mode: 'id', value: 'bob' },
				contentType: 101,
				messageText: 'Meeting moved to 3 pm',
				options: {},
			}),
			notifyNode(credV2, 'Get user', { resource: 'user', operation: 'get', user: { __rl: true, mode: 'id', value: 'alice' } }),
			notifyNode(
				credV2,
				'Search accounts',
				{ resource: 'notificationAccount', operation: 'search', keyword: '', returnAll: true, filters: {} },
				{ onError: 'continueRegularOutput' },
			),
		]);
		await n8n.importWorkflow(workflow);
		const result = await n8n.execute(workflow.id);

		expect(result.output('Notify group')).toEqual([
			expect.objectContaining({ recipients: 4, delivered: 4, failed: 0, failures: [], groupID: 'all_staff', sendID: 'imAdmin' }),
		]);
		const [sent] = result.output('Send message');
		expect(sent).toMatchObject({ delivered: true, recvID: 'bob', sendID: 'imAdmin', serverVersion: 'v2.x' });
		expect(sent.clientMsgID).toBeTruthy();
		expect(result.output('Get user')).toEqual([expect.objectContaining({ userID: 'alice', nickname: 'Alice Chen' })]);
		const [searchError] = result.output('Search accounts');
		expect(searchError.error).toMatch(/search_notification_account/);
		expect(searchError.description).toContain('This operation needs OpenIM v3');

		for (const userID of STAFF) {
			const notices = (await sandboxV2.inbox(userID)).filter((m) => m.contentType === 1400);
			expect(notices).toHaveLength(1);
			expect(notices[0]).toMatchObject({ sessionType: 4, sendID: 'imAdmin', recvID: userID });
			expect(notices[0].content).toMatchObject({ notificationName: 'Fire drill', text: 'Fire drill at 11:00 today.', notificationType: 2 });
		}
		const chat = (await sandboxV2.inbox('bob')).find((m) => m.clientMsgID === sent.clientMsgID);
		expect(chat).toMatchObject({ contentType: 101, sessionType: 1, sendID: 'imAdmin', recvID: 'bob' });
		expect(JSON.stringify(chat?.content)).toContain('Meeting moved to 3 pm');
		expect(await sandboxV2.messages()).toHaveLength(STAFF.length + 1);
		// Every send went through v2's admin send route; the missing v3 route was asked once, not retried.
		const { requests } = await sandboxV2.stats();
		expect(requests.byPath).toMatchObject({ '/msg/manage_send_msg': STAFF.length + 1, '/user/search_notification_account': 1 });
		expect(requests.byPath['/msg/send_msg']).toBeUndefined();
		// Nothing went to the v3.8 sandbox, and no token or secret was logged.
		expect((await sandbox.inbox('bob')).filter((m) => m.contentType === 101)).toEqual([]);
		expect(n8n.logs()).not.toMatch(JWT);
		expect(n8n.logs()).not.toContain(V2_SECRET);
	});

	it.each([
		{ generation: 'v3.0', sender: 'hr_bot', route: '/msg/send_msg', secret: undefined },
		{ generation: 'v3.2', sender: 'hr_bot', route: '/msg/send_msg', secret: undefined },
		{ generation: 'v2.0', sender: 'imAdmin', route: '/manager/send_msg', secret: V2_SECRET },
	] as const)('$generation (auto-detected): a group\'s members get a notification, a user a text message', async ({ generation, sender, route, secret }) => {
		const box = { 'v3.0': sandboxV30, 'v3.2': sandboxV32, 'v2.0': sandboxV20 }[generation];
		const genCred = openImCredential(box.url, {
			id: `openImCred${generation.replace(/\D/g, '')}01`,
			name: `OpenIM ${generation} sandbox`,
			data: { ...(secret ? { secret } : {}), adminUserID: 'imAdmin', senderIDs: sender, serverVersion: 'auto' },
		});
		await n8n.importCredentials([genCred]);
		const from = { __rl: true, mode: 'list', value: sender };
		const workflow = manualWorkflow(`openImRes${generation.replace(/\D/g, '')}x${version.replace(/\D/g, '')}`, `Notify and message, OpenIM ${generation}`, [
			notifyNode(genCred, 'Notify group', {
				resource: 'notification',
				operation: 'send',
				sendID: from,
				recipientMode: 'groupMembers',
				memberGroupID: { __rl: true, mode: 'id', value: 'all_staff' },
				notificationName: 'Fire drill',
				text: 'Fire drill at 11:00 today.',
				notificationType: 2,
				mixType: 0,
				// v2.0–v2.1 require a card icon.
				options: { notificationFaceURL: 'https://cdn.example.com/drill.png' },
			}),
			notifyNode(genCred, 'Send message', {
				resource: 'message',
				operation: 'send',
				sendID: from,
				sessionType: 1,
				recipientMode: 'user',
				recvID: { __rl: true, mode: 'id', value: 'bob' },
				contentType: 101,
				messageText: 'Meeting moved to 3 pm',
				options: {},
			}),
		]);
		await n8n.importWorkflow(workflow);
		const result = await n8n.execute(workflow.id);

		expect(result.output('Notify group')).toEqual([expect.objectContaining({ recipients: 4, delivered: 4, failed: 0, groupID: 'all_staff', sendID: sender })]);
		const [sent] = result.output('Send message');
		expect(sent).toMatchObject({ delivered: true, recvID: 'bob', sendID: sender });
		if (generation === 'v2.0') expect(sent).toMatchObject({ serverVersion: 'v2.0–v2.1' });
		for (const userID of STAFF) {
			const notices = (await box.inbox(userID)).filter((m) => m.contentType === 1400);
			expect(notices).toHaveLength(1);
			expect(notices[0].content).toMatchObject({ notificationName: 'Fire drill', notificationFaceURL: 'https://cdn.example.com/drill.png' });
		}
		// Each mode accepts text only under the key its generation reads (v3.0–v3.2 and v2: `text`).
		const chat = (await box.inbox('bob')).find((m) => m.clientMsgID === sent.clientMsgID);
		expect(JSON.stringify(chat?.content)).toContain('Meeting moved to 3 pm');
		const { requests } = await box.stats();
		expect(requests.byPath[route]).toBeGreaterThanOrEqual(STAFF.length + 1);
		// v3.0–v3.1 have neither route: the node does without them (v3.2 has both, but the one
		// v3.0–v3.8.0 setting reads members from get_group_member_list, which every v3 has).
		if (generation === 'v3.0') {
			expect(requests.byPath['/msg/get_server_time']).toBeGreaterThanOrEqual(1);
			expect(requests.byPath['/group/get_group_member_user_id']).toBeUndefined();
		}
		if (generation !== 'v2.0') expect(requests.byPath['/group/get_group_member_list']).toBe(1);
		expect(n8n.logs()).not.toMatch(JWT);
	});
});
