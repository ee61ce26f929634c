/* eslint-disable @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- e2e test tooling, not shipped: reads the example file, arbitrary run-data JSON */
/**
 * Send and Wait with several approvers and a Custom Form in real n8n (issue #14), server mode:
 * Webhook trigger → OpenIM Notify (sendAndWait) → No Operation. Each approver's card carries their
 * own signed link; answers that do not decide are recorded in the sandbox's OpenIM conversation
 * records and counted by the next answer, which n8n then resumes with. Also the example
 * examples/leave-request.workflow.json (manager and HR both approve; the employee is told).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormData, request } from 'undici';

import { createN8nInstance, selectedVersions, type N8nInstance, type WorkflowJson } from './n8n';
import { startSandbox, type SandboxProcess } from './sandbox';
import { openImCredential, sendAndWaitWorkflow } from './fixtures';
import { sleep, until } from './proc';
import { REPO_ROOT, flattedParse } from './runtime';

const EXAMPLE = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'leave-request.workflow.json'), 'utf8')) as WorkflowJson;
const BROWSER = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
const BOT = 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)';

const FIRST = { id: 'openImApprovers01', hook: 'a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a01' };
const AT_LEAST = { id: 'openImApprovers02', hook: 'a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a02' };
const FORM = { id: 'openImApprovers03', hook: 'a1b2c3d4-0003-4e5f-8a9b-0c1d2e3f4a03' };

const FORM_FIELDS = {
	values: [
		{ fieldLabel: 'Days', fieldType: 'number', requiredField: true },
		{ fieldLabel: 'Reason', fieldType: 'dropdown', fieldOptions: { values: [{ option: 'Holiday' }, { option: 'Sick' }] }, requiredField: true },
		{ fieldLabel: 'Cover', fieldType: 'checkbox', fieldOptions: { values: [{ option: 'Bob' }, { option: 'Carol' }] } },
	],
};

async function get(url: string, ua = BROWSER): Promise<{ status: number; text: string }> {
	const res = await request(url, { method: 'GET', headers: { 'user-agent': ua } });
	return { status: res.statusCode, text: await res.body.text() };
}

/** What a browser sends for the custom form (enctype multipart/form-data, which n8n 2.x requires for it). */
async function postForm(url: string, form: Array<[string, string]>): Promise<{ status: number; text: string }> {
	const body = new FormData();
	for (const [name, value] of form) body.append(name, value);
	const res = await request(url, { method: 'POST', headers: { 'user-agent': BROWSER }, body });
	return { status: res.statusCode, text: await res.body.text() };
}

/** The page's one-tap link for `decision`, absolute (n8n's signed URL, or relative to the page on n8n < 1.107). */
async function tap(link: string, decision: 'approve' | 'decline'): Promise<{ status: number; text: string }> {
	const page = await get(link);
	const href = new RegExp(`href="([^"]*decision=${decision}[^"]*)"`).exec(page.text)?.[1]?.replace(/&amp;/g, '&');
	expect(href).toBeTruthy();
	return await get(new URL(href as string, link).toString());
}

/** Webhook → Ask (Send and Wait to alice and bob) → Done. */
function askWorkflow(ids: { id: string; hook: string }, parameters: Record<string, unknown>, cred: ReturnType<typeof openImCredential>): WorkflowJson {
	return sendAndWaitWorkflow(ids, 'Approvers', { recipientMode: 'userList', recvIDs: 'alice, bob', ...parameters }, cred);
}

const ended = (status: string) => !['waiting', 'running', 'new'].includes(status);

describe.each(selectedVersions())('n8n %s: Send and Wait with several approvers', (version) => {
	let sandbox: SandboxProcess;
	let n8n: N8nInstance;

	beforeAll(async () => {
		sandbox = await startSandbox();
		n8n = await createN8nInstance(version);
		const cred = openImCredential(sandbox.url, { id: 'openImSandbox01', name: 'OpenIM sandbox' });
		await n8n.importCredentials([cred]);
		await n8n.importWorkflow([
			EXAMPLE,
			askWorkflow(FIRST, { notificationName: 'Deploy on Friday?', text: 'First answer decides.', approvalMode: 'first' }, cred),
			askWorkflow(AT_LEAST, { notificationName: 'New coffee machine?', text: 'One yes is enough.', approvalMode: 'atLeast', minApprovals: 1 }, cred),
			askWorkflow(FORM, { notificationName: 'Plan your leave', text: 'Tell us the days.', responseType: 'customForm', formFields: FORM_FIELDS, approveLabel: 'Submit', approvalMode: 'all' }, cred),
		]);
		for (const id of [EXAMPLE.id as string, FIRST.id, AT_LEAST.id, FORM.id]) await n8n.activateWorkflow(id);
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

	const waitingOf = async (workflowId: string) =>
		await until(`a waiting execution of ${workflowId}`, async () => (await executions(workflowId)).find((e) => e.status === 'waiting'));

	async function finishedOutput(workflowId: string, id: string, node = 'Done'): Promise<any> {
		const done = await until(`execution ${id} to finish`, async () => (await executions(workflowId)).find((e) => e.id === id && ended(e.status)));
		expect(done.status).toBe('success');
		const res = await n8n.rest('GET', `/rest/executions/${id}`);
		const runData = flattedParse(version, res.body.data.data).resultData.runData;
		return runData[node][0].data.main[0][0].json;
	}

	const linkOf = async (userID: string): Promise<string> => {
		const card = await until(`the card in ${userID}'s inbox`, async () => (await sandbox.inbox(userID)).find((m: any) => m.contentType === 1400));
		return String((card as any).content.externalUrl);
	};

	it('the "Leave request approved by manager and HR" example: both must approve, a second tap is refused, the employee is told', async () => {
		await sandbox.reset();
		expect((await n8n.webhook('leave-request-manager-hr', { employee: 'Dave Zhao', employeeID: 'dave', days: 2, manager: 'carol', hr: 'alice' })).status).toBe(200);
		const manager = await linkOf('carol');
		const hr = await linkOf('alice');
		expect(manager).not.toBe(hr);
		const waiting = await waitingOf(EXAMPLE.id as string);

		// A link-preview bot gets the page and records nothing.
		expect((await get(manager, BOT)).status).toBe(200);
		const first = await tap(manager, 'approve');
		expect(first.text).toMatch(/Waiting for 1 other approver/);
		const again = await get(manager);
		expect(again.status).toBe(409);
		expect(again.text).toContain('You already answered');
		await sleep(1000);
		expect((await executions(EXAMPLE.id as string)).find((e) => e.id === waiting.id)?.status).toBe('waiting');

		expect((await tap(hr, 'approve')).text).toMatch(/recorded/);
		const out = await finishedOutput(EXAMPLE.id as string, waiting.id, 'Ask manager and HR');
		expect(out).toMatchObject({ decision: 'approved', approved: true, approvalMode: 'all', respondedBy: 'alice', approvers: ['carol', 'alice'], notAnswered: [] });
		expect(out.responses.map((r: any) => [r.userID, r.decision])).toEqual([['carol', 'approved'], ['alice', 'approved']]);
		const told = await until('the employee\'s card', async () => (await sandbox.inbox('dave')).find((m: any) => m.content.notificationName === 'Leave approved'));
		expect((told as any).content.text).toBe('Your manager and HR approved your leave.');
	});

	it('first answer decides: a decline from one approver ends it; the other never answered', async () => {
		await sandbox.reset();
		expect((await n8n.webhook(FIRST.hook, {})).status).toBe(200);
		const bob = await linkOf('bob');
		await linkOf('alice');
		const waiting = await waitingOf(FIRST.id);
		expect((await tap(bob, 'decline')).text).toMatch(/declined/);
		const out = await finishedOutput(FIRST.id, waiting.id);
		expect(out).toMatchObject({ decision: 'declined', approved: false, approvalMode: 'first', respondedBy: 'bob', notAnswered: ['alice'] });
	});

	it('at least N approve: one approval of two decides; the other never answered', async () => {
		await sandbox.reset();
		expect((await n8n.webhook(AT_LEAST.hook, {})).status).toBe(200);
		const alice = await linkOf('alice');
		await linkOf('bob');
		const waiting = await waitingOf(AT_LEAST.id);
		expect((await tap(alice, 'approve')).text).toMatch(/recorded/);
		const out = await finishedOutput(AT_LEAST.id, waiting.id);
		expect(out).toMatchObject({ decision: 'approved', approvalMode: 'atLeast', requiredApprovals: 1, respondedBy: 'alice', notAnswered: ['bob'] });
	});

	it('custom form: the page is the form, invalid answers are refused with reasons, both answers come out as fields', async () => {
		await sandbox.reset();
		expect((await n8n.webhook(FORM.hook, {})).status).toBe(200);
		const alice = await linkOf('alice');
		const bob = await linkOf('bob');
		const waiting = await waitingOf(FORM.id);
		const page = await get(alice);
		expect(page.status).toBe(200);
		expect(page.text).toContain('<form method="post" class="form" enctype="multipart/form-data">');
		expect(page.text).toContain('name="field-0"');

		const bad = await postForm(alice, [['field-0', 'three'], ['field-1', 'Party']]);
		expect(bad.status).toBe(400);
		expect(bad.text).toContain('&quot;Days&quot; must be a number.');
		expect(bad.text).toContain('&quot;Reason&quot;: &quot;Party&quot; is not one of the options.');
		const ok = await postForm(alice, [['field-0', '3'], ['field-1', 'Holiday'], ['field-2', 'Bob'], ['field-2', 'Carol']]);
		expect(ok.status).toBe(200);
		expect(ok.text).toMatch(/Waiting for 1 other approver/);
		expect((await postForm(bob, [['field-0', '1'], ['field-1', 'Sick']])).text).toMatch(/recorded/);

		const out = await finishedOutput(FORM.id, waiting.id);
		expect(out).toMatchObject({ decision: 'answered', approved: null, approvalMode: 'all', notAnswered: [] });
		expect(out.responses.map((r: any) => [r.userID, r.fields])).toEqual([
			['alice', { Days: 3, Reason: 'Holiday', Cover: ['Bob', 'Carol'] }],
			['bob', { Days: 1, Reason: 'Sick', Cover: [] }],
		]);
	});
});
