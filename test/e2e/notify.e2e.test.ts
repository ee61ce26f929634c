/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- e2e test tooling, not shipped: reads example files */
/**
 * The package as users get it: packed, installed into a real n8n (both pinned versions), credential
 * imported with `n8n import:credentials`, workflows imported and run with `n8n execute`. Every
 * assertion is on what the OpenIM sandbox (out of process) stored, plus the node's output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createN8nInstance, selectedVersions, type N8nInstance, type WorkflowJson } from './n8n';
import { startSandbox, type SandboxProcess } from './sandbox';
import { ELEMENT_KEYS, MIX_TYPES, picture } from '../fixtures/media';
import { SANDBOX_SECRET, manualWorkflow, notifyNode, openImCredential } from './fixtures';

const REPO = join(__dirname, '..', '..');
const example = (name: string): WorkflowJson =>
	JSON.parse(readFileSync(join(REPO, 'examples', `${name}.workflow.json`), 'utf8')) as WorkflowJson;

/** The examples reference this credential id/name; the demo imports the same. */
const EXAMPLE_CREDENTIAL = { id: 'openImSandbox01', name: 'OpenIM sandbox' };
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

const MEDIA = MIX_TYPES.map(([, mixType, fields, elements]) => [mixType, fields, elements] as const);

describe.each(selectedVersions())('n8n %s: OpenIM Notify installed as a community package', (version) => {
	let sandbox: SandboxProcess;
	let n8n: N8nInstance;
	const cred = openImCredential('', { ...EXAMPLE_CREDENTIAL, data: { senderIDs: 'hr_bot, imAdmin' } });

	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 'default' });
		n8n = await createN8nInstance(version);
		cred.data.baseUrl = sandbox.url;
		await n8n.importCredentials([cred]);
		await n8n.importWorkflow([
			example('oa-onboarding-notification'),
			example('holiday-announcement'),
			example('weekly-hr-announcement'),
			example('ops-alert-recall'),
		]);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.stop();
	});

	beforeEach(async () => {
		await sandbox.reset('default');
	});

	it('was installed with the README\'s command: `npm install --prefix . <tgz>` in .n8n/nodes brings the package alone', () => {
		// n8n-workflow is an optional peer: npm must not fetch it (its isolated-vm does not build on Node 20).
		expect(readdirSync(join(n8n.nodesDir, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual(['n8n-nodes-openim']);
		const list = JSON.parse(readFileSync(join(n8n.nodesDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
		expect(Object.keys(list.dependencies)).toEqual(['n8n-nodes-openim']);
		expect(n8n.installedWithNode).toMatch(version.startsWith('1.') ? /^v20\./ : /^v24\./);
	});

	it('runs the "OA onboarding notification" example: a picture card with a link lands in alice\'s inbox', async () => {
		const result = await n8n.execute('oaOnboarding0001');
		const [out] = result.output('Notify new hire');
		const inbox = await sandbox.inbox('alice');
		expect(inbox).toHaveLength(1);
		expect(inbox[0]).toMatchObject({
			sendID: 'hr_bot',
			recvID: 'alice',
			contentType: 1400,
			sessionType: 4,
			senderNickname: 'HR Department',
			serverMsgID: out.serverMsgID,
		});
		expect(inbox[0].content).toMatchObject({
			notificationName: 'Welcome aboard, Alice Chen!',
			mixType: 1,
			externalUrl: 'https://oa.example.com/onboarding/alice',
			url: 'https://oa.example.com/onboarding/alice',
		});
		expect(inbox[0].content.pictureElem).toBeTruthy();
		expect(inbox[0].offlinePushInfo).toMatchObject({ title: 'HR: welcome aboard' });
	});

	it('sends three cards to three recipients from three items (the holiday example) and reuses the stored token', async () => {
		await n8n.execute('oaHoliday000001'); // first run of this test: token fetched if none stored yet
		const tokensAfterFirst = (await sandbox.stats()).tokensIssued;
		await sandbox.reset('default');

		const result = await n8n.execute('oaHoliday000001');
		const out = result.output('Notify staff');
		expect(out.map((item) => item.recvID)).toEqual(['alice', 'bob', 'carol']);
		for (const userID of ['alice', 'bob', 'carol']) {
			const inbox = await sandbox.inbox(userID);
			expect(inbox).toHaveLength(1);
			expect(inbox[0].content).toMatchObject({ notificationName: 'New Year holiday', notificationType: 4 });
		}
		expect(await sandbox.inbox('dave')).toHaveLength(0);
		// The token persisted by the first execution was reused: no fetch in the second.
		expect((await sandbox.stats()).tokensIssued).toBe(0);
		expect(tokensAfterFirst).toBeLessThanOrEqual(1);
	});

	it('runs the "Weekly HR announcement" example: one card to each listed user, one summary item', async () => {
		const result = await n8n.execute('weeklyHrNotice01');
		const [summary] = result.output('Announce to staff');
		expect(summary).toMatchObject({ recipients: 4, delivered: 4, failed: 0, sendID: 'hr_bot' });
		for (const userID of ['alice', 'bob', 'carol', 'dave']) {
			const inbox = await sandbox.inbox(userID);
			expect(inbox).toHaveLength(1);
			expect(inbox[0].content).toMatchObject({ notificationType: 5, externalUrl: 'https://oa.example.com/hr/weekly' });
		}
	});

	it('runs the "Ops alert" example: a text message to a group, then recalled with the IDs Send output', async () => {
		const result = await n8n.execute('opsAlertRecall01');
		const [posted] = result.output('Post the alert');
		expect(posted).toMatchObject({ delivered: true, groupID: 'all_staff', sendID: 'imAdmin' });
		expect(result.output('Recall the alert')[0]).toMatchObject({ recalled: true, clientMsgID: posted.clientMsgID, conversationID: 'sg_all_staff' });
		const alert = (await sandbox.messages()).find((m) => m.clientMsgID === posted.clientMsgID);
		expect(alert).toMatchObject({ contentType: 101, groupID: 'all_staff', revoked: { revokerUserID: 'imAdmin' } });
	});

	it('sends every mixType with exactly its media element', async () => {
		const nodes = MEDIA.map(([mixType, media]) =>
			notifyNode(
				{ sendID: 'hr_bot', recvID: 'bob', notificationName: `Card ${mixType}`, text: `mixType ${mixType}`, mixType, ...media },
				cred,
				`Notify mixType ${mixType}`,
			),
		);
		const workflow = manualWorkflow(`openImMix${version.replace(/\D/g, '')}`, 'Every mixType', nodes);
		await n8n.importWorkflow(workflow);
		await n8n.execute(workflow.id);
		const inbox = await sandbox.inbox('bob');
		expect(inbox).toHaveLength(MEDIA.length);
		for (const [mixType, , elements] of MEDIA) {
			const message = inbox.find((m) => m.content.mixType === mixType);
			expect(message).toBeDefined();
			const present = ELEMENT_KEYS.filter((key) => message!.content[key] != null);
			expect(present.sort()).toEqual([...elements].sort());
		}
	});

	it('rejects bad input before anything is sent, naming the field and the item', async () => {
		const workflow = manualWorkflow(`openImBad${version.replace(/\D/g, '')}`, 'Bad input', [
			// An expression that resolves to nothing: n8n itself refuses to run a literally empty required field.
			notifyNode({ sendID: 'hr_bot', recvID: 'alice', notificationName: 'Card', text: 'Picture missing', mixType: 1, ...picture, pictureUrl: '={{ "" }}' }, cred),
		]);
		await n8n.importWorkflow(workflow);
		const result = await n8n.execute(workflow.id, { allowFailure: true });
		expect(result.ok).toBe(false);
		expect(result.error?.message).toContain('Picture URL is empty [item 0]');
		expect(await sandbox.messages()).toHaveLength(0);
	});

	it('fetches a new token once when the stored one expires mid-run; nothing lost or doubled', async () => {
		await sandbox.configure({ expireTokensAtRequest: 2 });
		const result = await n8n.execute('oaHoliday000001');
		expect(result.output('Notify staff').every((item) => item.serverMsgID)).toBe(true);
		const stats = await sandbox.stats();
		expect(stats.tokensIssued).toBe(1);
		expect(stats.duplicates.total).toBe(0);
		expect((await sandbox.messages()).map((m) => m.recvID).sort()).toEqual(['alice', 'bob', 'carol']);
	});

	it('never writes the secret or a token into outputs or n8n\'s logs', () => {
		const logs = n8n.logs();
		expect(logs).not.toContain(SANDBOX_SECRET);
		expect(logs).not.toMatch(JWT);
	});

	describe('credential Test button (n8n server, REST)', () => {
		beforeAll(async () => {
			await n8n.start();
			await n8n.setupOwner();
		});

		const test = async (data: Record<string, unknown>) => {
			const res = await n8n.rest('POST', '/rest/credentials/test', {
				credentials: { id: cred.id, name: cred.name, type: 'openImApi', data: { ...cred.data, ...data } },
			});
			expect(res.status).toBe(200);
			return (res.body.data ?? res.body) as { status: string; message: string };
		};

		it('succeeds with the sandbox URL, secret and admin ID', async () => {
			expect(await test({})).toMatchObject({ status: 'OK' });
		});

		it('says in words what is wrong', async () => {
			expect((await test({ secret: 'not-the-secret' })).message).toMatch(/^Wrong secret/);
			expect((await test({ adminUserID: 'alice' })).message).toMatch(/"alice" is not an admin user ID/);
			expect((await test({ baseUrl: 'http://127.0.0.1:9' })).message).toMatch(/^Cannot reach OpenIM at http:\/\/127\.0\.0\.1:9/);
			expect((await test({ baseUrl: `${sandbox.url}/_sandbox/nothing` })).message).toMatch(/is not an OpenIM API server/);
		});
	});
});
