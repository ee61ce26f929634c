/* eslint-disable @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- e2e test tooling, not shipped: loads n8n's own flatted, arbitrary run-data JSON */
/**
 * Notification → Send and Wait in real n8n (both pinned versions), server mode: Webhook trigger →
 * OpenIM Notify (sendAndWait) → No Operation. The card's link (from the sandbox inbox) is n8n's
 * signed resume URL: a link-preview bot must not resume it, a browser's Approve must.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';

import { createN8nInstance, selectedVersions, type N8nInstance, type WorkflowJson } from './n8n';
import { startSandbox, type SandboxProcess } from './sandbox';
import { credentialRef, NOTIFY_NODE_TYPE, openImCredential } from './fixtures';
import { sleep, until } from './proc';
import { REPO_ROOT, flattedParse } from './runtime';

/** examples/leave-approval.workflow.json as users import it (its credential: "OpenIM sandbox"). */
const LEAVE_EXAMPLE = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'leave-approval.workflow.json'), 'utf8')) as WorkflowJson;

const HOOK = 'b2d5e3f1-6c7e-4d8f-9a01-2b3c4d5e6f01';
const WF = 'openImSendWait01';
const BROWSER = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
const BOT = 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)';

async function get(url: string, ua: string): Promise<{ status: number; text: string }> {
	const res = await request(url, { method: 'GET', headers: { 'user-agent': ua } });
	return { status: res.statusCode, text: await res.body.text() };
}

describe.each(selectedVersions())('n8n %s: Notification → Send and Wait', (version) => {
	let sandbox: SandboxProcess;
	let n8n: N8nInstance;

	beforeAll(async () => {
		sandbox = await startSandbox();
		n8n = await createN8nInstance(version);
		const cred = openImCredential(sandbox.url);
		await n8n.importCredentials([cred]);
		const wf: WorkflowJson = {
			id: WF,
			name: 'Send and wait e2e',
			active: false,
			settings: { executionOrder: 'v1' },
			nodes: [
				{ name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: HOOK, parameters: { httpMethod: 'POST', path: HOOK, responseMode: 'onReceived', options: {} } },
				{
					name: 'Ask',
					type: NOTIFY_NODE_TYPE,
					typeVersion: 1,
					parameters: {
						resource: 'notification',
						operation: 'sendAndWait',
						sendID: 'hr_bot',
						recvID: { __rl: true, mode: 'id', value: 'alice' },
						notificationName: 'Leave request: Bob',
						text: 'Bob asks for 3 days of leave.',
						notificationType: 3,
						responseType: 'approval',
						approvalType: 'double',
						followUp: true,
					},
					credentials: credentialRef(cred),
				},
				{ name: 'Decided', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
			],
			connections: {
				Webhook: { main: [[{ node: 'Ask', type: 'main', index: 0 }]] },
				Ask: { main: [[{ node: 'Decided', type: 'main', index: 0 }]] },
			},
		};
		await n8n.importCredentials([openImCredential(sandbox.url, { id: 'openImSandbox01', name: 'OpenIM sandbox' })]);
		await n8n.importWorkflow([wf, LEAVE_EXAMPLE]);
		await n8n.activateWorkflow(WF);
		await n8n.activateWorkflow(LEAVE_EXAMPLE.id);
		await n8n.start();
		await n8n.setupOwner();
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.stop();
	});

	async function executions(): Promise<Array<{ id: string; status: string }>> {
		const res = await n8n.rest('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: WF }))}&limit=50`);
		const list = res.body?.data?.results ?? res.body?.data ?? [];
		return (list as any[]).map((e) => ({ id: String(e.id), status: String(e.status) }));
	}

	it('a bot does not resume; a browser Approve finishes the execution with the decision', async () => {
		const started = await n8n.webhook(HOOK, { request: 'leave' });
		expect(started.status).toBe(200);

		const card = await until('the card in alice\'s inbox', async () => {
			const inbox = await sandbox.inbox('alice');
			return inbox.find((m: any) => m.contentType === 1400);
		});
		const link = String((card as any).content.externalUrl);
		expect(link).toMatch(/\/webhook-waiting\/\d+\/[^?]+\?.*signature=/);
		const waiting = await until('a waiting execution', async () => (await executions()).find((e) => e.status === 'waiting'));

		// Link-preview bot: gets the page (with the one-tap links), also on the approve link itself.
		const botPage = await get(link, BOT);
		expect(botPage.status).toBe(200);
		const approve = /href="([^"]*decision=approve[^"]*)"/.exec(botPage.text)?.[1]?.replace(/&amp;/g, '&');
		expect(approve).toBeTruthy();
		expect((await get(approve as string, BOT)).text).toContain('<html');
		await sleep(1500);
		expect((await executions()).find((e) => e.id === waiting.id)?.status).toBe('waiting');

		// A tampered link is refused by n8n's signature check.
		const tampered = (approve as string).replace('to=alice', 'to=mallory');
		expect((await get(tampered, BROWSER)).status).toBe(401);

		// The person: opens the page, taps Approve.
		const page = await get(link, BROWSER);
		expect(page.text).toContain('Leave request: Bob');
		const done = await get(approve as string, BROWSER);
		expect(done.status).toBe(200);
		expect(done.text).toMatch(/recorded/);

		const finished = await until('the execution to finish', async () => {
			const e = (await executions()).find((x) => x.id === waiting.id);
			return e && e.status !== 'waiting' && e.status !== 'running' && e.status !== 'new' ? e : undefined;
		});
		expect(finished.status).toBe('success');
		const res = await n8n.rest('GET', `/rest/executions/${waiting.id}`);
		const runData = flattedParse(version, res.body.data.data).resultData.runData;
		const [out] = runData.Decided[0].data.main[0].map((item: any) => item.json);
		expect(out).toMatchObject({ decision: 'approved', approved: true, timedOut: false, respondedBy: 'alice', userAgent: BROWSER });
		expect(out.followUp).toMatchObject({ sent: true });

		// The follow-up card, and the link is spent.
		const inbox = await sandbox.inbox('alice');
		expect(inbox.map((m: any) => m.content.notificationName)).toContain('Approved: Leave request: Bob');
		expect((await get(approve as string, BROWSER)).text).not.toMatch(/recorded/);
	});

	it('runs the "Leave request approval" example: the manager approves, the workflow gets the decision', async () => {
		await sandbox.reset();
		const started = await n8n.webhook('leave-request', { employee: 'Dave Zhao', days: 2, manager: 'carol' });
		expect(started.status).toBe(200);
		const card = await until('the card in carol\'s inbox', async () => (await sandbox.inbox('carol')).find((m: any) => m.contentType === 1400));
		expect((card as any).content.notificationName).toBe('Leave request: Dave Zhao, 2 days');
		const page = await get(String((card as any).content.externalUrl), BROWSER);
		const approve = /href="([^"]*decision=approve[^"]*)"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&');
		expect((await get(approve as string, BROWSER)).text).toMatch(/recorded/);
		const followUp = await until('the follow-up card', async () =>
			(await sandbox.inbox('carol')).find((m: any) => String(m.content.notificationName).startsWith('Approved:')),
		);
		expect((followUp as any).content.notificationName).toBe('Approved: Leave request: Dave Zhao, 2 days');
	});
});
