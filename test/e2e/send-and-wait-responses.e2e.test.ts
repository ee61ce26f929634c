/* eslint-disable @typescript-eslint/no-explicit-any -- e2e test tooling, not shipped: arbitrary run-data JSON */
/**
 * Notification → Send and Wait in real n8n (both pinned versions), the other two ways a wait ends:
 * a free-text answer posted from the response page's form, and the wait limit running out with
 * nobody answering (n8n resumes the execution with the node switched off, which passes on the
 * timeout result the node left as its input). send-and-wait.e2e.test.ts covers approval.
 */
import { request } from 'undici';

import { createN8nInstance, selectedVersions, type N8nInstance, type WorkflowJson } from './n8n';
import { startSandbox, type SandboxProcess } from './sandbox';
import { credentialRef, NOTIFY_NODE_TYPE, openImCredential } from './fixtures';
import { sleep, until } from './proc';
import { flattedParse } from './runtime';

const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';
const BOT = 'TelegramBot (like TwitterBot)';

const FREE_TEXT = { id: 'openImSendWait02', hook: 'c3e6f4a2-7d8e-4f90-8b12-3c4d5e6f7a02' };
const TIMEOUT = { id: 'openImSendWait03', hook: 'd4f7a5b3-8e9f-4a01-9c23-4d5e6f7a8b03' };

async function http(url: string, ua: string, form?: Record<string, string>): Promise<{ status: number; text: string }> {
	const res = await request(url, {
		method: form ? 'POST' : 'GET',
		headers: { 'user-agent': ua, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
		body: form ? new URLSearchParams(form).toString() : undefined,
	});
	return { status: res.statusCode, text: await res.body.text() };
}

describe.each(selectedVersions())('n8n %s: Notification → Send and Wait, free text and timeout', (version) => {
	let sandbox: SandboxProcess;
	let n8n: N8nInstance;

	const workflow = (ids: { id: string; hook: string }, recipient: string, parameters: Record<string, unknown>, cred: ReturnType<typeof openImCredential>): WorkflowJson => ({
		id: ids.id,
		name: `Send and wait ${ids.id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: ids.hook, parameters: { httpMethod: 'POST', path: ids.hook, responseMode: 'onReceived', options: {} } },
			{
				name: 'Ask',
				type: NOTIFY_NODE_TYPE,
				typeVersion: 1,
				parameters: {
					resource: 'notification',
					operation: 'sendAndWait',
					sendID: { __rl: true, mode: 'list', value: 'hr_bot' },
					recvID: { __rl: true, mode: 'id', value: recipient },
					notificationType: 3,
					...parameters,
				},
				credentials: credentialRef(cred),
			},
			{ name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
		],
		connections: {
			Webhook: { main: [[{ node: 'Ask', type: 'main', index: 0 }]] },
			Ask: { main: [[{ node: 'Done', type: 'main', index: 0 }]] },
		},
	});

	beforeAll(async () => {
		sandbox = await startSandbox();
		n8n = await createN8nInstance(version);
		const cred = openImCredential(sandbox.url);
		await n8n.importCredentials([cred]);
		await n8n.importWorkflow([
			workflow(FREE_TEXT, 'bob', { notificationName: 'Why do you need the new laptop?', text: 'Tell IT in a sentence.', responseType: 'freeText' }, cred),
			// 0.1 minutes: a six-second wait limit.
			workflow(TIMEOUT, 'carol', { notificationName: 'Expense report #7', text: 'Approve by noon.', responseType: 'approval', approvalType: 'double', limitWaitTime: true, limitType: 'afterTimeInterval', resumeAmount: 0.1, resumeUnit: 'minutes' }, cred),
		]);
		await n8n.activateWorkflow(FREE_TEXT.id);
		await n8n.activateWorkflow(TIMEOUT.id);
		await n8n.start();
		await n8n.setupOwner();
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.stop();
	});

	async function executions(workflowId: string): Promise<Array<{ id: string; status: string }>> {
		const res = await n8n.rest('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=50`);
		const list = res.body?.data?.results ?? res.body?.data ?? [];
		return (list as any[]).map((e) => ({ id: String(e.id), status: String(e.status) }));
	}

	async function finished(workflowId: string, id: string, timeoutMs?: number) {
		return await until(
			`execution ${id} to finish`,
			async () => {
				const e = (await executions(workflowId)).find((x) => x.id === id);
				return e && !['waiting', 'running', 'new'].includes(e.status) ? e : undefined;
			},
			timeoutMs,
		);
	}

	async function outputOf(id: string, node: string): Promise<any[]> {
		const res = await n8n.rest('GET', `/rest/executions/${id}`);
		const runData = flattedParse(version, res.body.data.data).resultData.runData;
		return runData[node][0].data.main[0].map((item: any) => item.json);
	}

	it('free text: the page is a form; a bot does not resume; the posted answer finishes the execution', async () => {
		expect((await n8n.webhook(FREE_TEXT.hook, {})).status).toBe(200);
		const card = await until('the card in bob\'s inbox', async () => (await sandbox.inbox('bob')).find((m: any) => m.contentType === 1400));
		const link = String((card as any).content.externalUrl);
		const waiting = await until('a waiting execution', async () => (await executions(FREE_TEXT.id)).find((e) => e.status === 'waiting'));

		const page = await http(link, BROWSER);
		expect(page.status).toBe(200);
		expect(page.text).toContain('Why do you need the new laptop?');
		expect(page.text).toMatch(/<form method="post"><textarea name="text"/);

		// A link-preview bot posting (or fetching) gets the page back; the execution keeps waiting.
		expect((await http(link, BOT, { text: 'preview' })).text).toContain('<textarea');
		// An empty answer is refused with the form again.
		const empty = await http(link, BROWSER, { text: '   ' });
		expect(empty.status).toBe(400);
		expect(empty.text).toContain('Please enter a response.');
		await sleep(1000);
		expect((await executions(FREE_TEXT.id)).find((e) => e.id === waiting.id)?.status).toBe('waiting');

		const answer = 'My old one no longer boots.\nThe IT ticket is #4411.';
		const done = await http(link, BROWSER, { text: answer });
		expect(done.status).toBe(200);
		expect(done.text).toMatch(/recorded/);

		expect((await finished(FREE_TEXT.id, waiting.id)).status).toBe('success');
		const [out] = await outputOf(waiting.id, 'Done');
		expect(out).toMatchObject({ decision: 'answered', approved: null, text: answer, timedOut: false, respondedBy: 'bob', userAgent: BROWSER });
	});

	it('wait limit: with nobody answering, the execution finishes on its own with the timeout result', async () => {
		await sandbox.reset();
		const startedAt = Date.now();
		expect((await n8n.webhook(TIMEOUT.hook, {})).status).toBe(200);
		await until('the card in carol\'s inbox', async () => (await sandbox.inbox('carol')).find((m: any) => m.contentType === 1400));
		const waiting = await until('a waiting execution', async () => (await executions(TIMEOUT.id)).find((e) => e.status === 'waiting'));

		// Six seconds of limit, but n8n's wait tracker looks for due executions once a minute: about 60 s.
		expect((await finished(TIMEOUT.id, waiting.id, 90_000)).status).toBe('success');
		expect(Date.now() - startedAt).toBeGreaterThanOrEqual(5_000);
		const [out] = await outputOf(waiting.id, 'Done');
		expect(out).toMatchObject({ decision: 'timeout', approved: null, timedOut: true, respondedAt: null, respondedBy: null, recipient: 'carol' });
		expect(out.notification).toMatchObject({ delivered: true, sendID: 'hr_bot', recvID: 'carol', serverMsgID: expect.any(String) });
		// One card only: the timeout sends nothing more.
		expect((await sandbox.inbox('carol')).filter((m: any) => m.contentType === 1400)).toHaveLength(1);
	});
});
