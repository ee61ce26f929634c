/* eslint-disable @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- e2e test tooling, not shipped: loads n8n's own flatted, arbitrary run-data JSON */
/**
 * Notification → Send and Wait in real n8n (both pinned versions), server mode: Webhook trigger →
 * OpenIM Notify (sendAndWait) → No Operation. The card's link (from the sandbox inbox) is n8n's
 * signed resume URL: a link-preview bot must not resume it, a browser's Approve must. The other two
 * ways a wait ends, on the same instance: a free-text answer posted from the response page's form,
 * and the wait limit running out with nobody answering (n8n resumes the execution with the node
 * switched off, which passes on the timeout result the node left as its input).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';

import { createN8nInstance, selectedVersions, type N8nInstance, type WorkflowJson } from './n8n';
import { startSandbox, type SandboxProcess } from './sandbox';
import { openImCredential, sendAndWaitWorkflow } from './fixtures';
import { sleep, until } from './proc';
import { REPO_ROOT, flattedParse } from './runtime';

/** examples/leave-approval.workflow.json as users import it (its credential: "OpenIM sandbox"). */
const LEAVE_EXAMPLE = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'leave-approval.workflow.json'), 'utf8')) as WorkflowJson;

const HOOK = 'b2d5e3f1-6c7e-4d8f-9a01-2b3c4d5e6f01';
const WF = 'openImSendWait01';
const BROWSER = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
const BOT = 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)';
const TELEGRAM_BOT = 'TelegramBot (like TwitterBot)';

/** Free text: the form page; its answer posted back. */
const FREE_TEXT = { id: 'openImSendWait02', hook: 'c3e6f4a2-7d8e-4f90-8b12-3c4d5e6f7a02' };
/** Wait limit "After Time Interval": 0.1 minutes (the units are minutes/hours/days; Amount takes 2 decimals). */
const TIMEOUT_AFTER = { id: 'openImSendWait03', hook: 'd4f7a5b3-8e9f-4a01-9c23-4d5e6f7a8b03' };
/** Wait limit "At Specified Time": an expression on the trigger's body (an ISO date a few seconds ahead). */
const TIMEOUT_AT = { id: 'openImSendWait04', hook: 'e5a8b6c4-9fa0-4b12-8d34-5e6f7a8b9c04' };
/** Delivery Format "Chat Message": the question is a 101 text with the link in it, answered from there. */
const CHAT = { id: 'openImSendWait05', hook: 'f6b9c7d5-a0b1-4c23-9e45-6f7a8b9c0d05' };

async function get(url: string, ua: string): Promise<{ status: number; text: string }> {
	const res = await request(url, { method: 'GET', headers: { 'user-agent': ua } });
	return { status: res.statusCode, text: await res.body.text() };
}

/** What a browser sends when the page's form (method="post", no action: the page's own address) is submitted. */
async function postForm(url: string, ua: string, form: Record<string, string>): Promise<{ status: number; text: string }> {
	const res = await request(url, {
		method: 'POST',
		headers: { 'user-agent': ua, 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(form).toString(),
	});
	return { status: res.statusCode, text: await res.body.text() };
}

const ended = (status: string) => !['waiting', 'running', 'new'].includes(status);

/** Webhook → Ask (OpenIM Notify, Send and Wait to one recipient) → Done, for every workflow of these tests but the example. */
function askWorkflow(ids: { id: string; hook: string }, recipient: string, parameters: Record<string, unknown>, cred: ReturnType<typeof openImCredential>): WorkflowJson {
	return sendAndWaitWorkflow(ids, 'Send and wait', { recvID: { __rl: true, mode: 'id', value: recipient }, ...parameters }, cred);
}

describe.each(selectedVersions())('n8n %s: Notification → Send and Wait', (version) => {
	let sandbox: SandboxProcess;
	let n8n: N8nInstance;

	beforeAll(async () => {
		sandbox = await startSandbox();
		n8n = await createN8nInstance(version);
		const cred = openImCredential(sandbox.url);
		await n8n.importCredentials([cred]);
		const wf = askWorkflow({ id: WF, hook: HOOK }, 'alice', {
			notificationName: 'Leave request: Bob',
			text: 'Bob asks for 3 days of leave.',
			responseType: 'approval',
			approvalType: 'double',
			followUp: true,
		}, cred);
		await n8n.importCredentials([openImCredential(sandbox.url, { id: 'openImSandbox01', name: 'OpenIM sandbox' })]);
		await n8n.importWorkflow([
			wf,
			LEAVE_EXAMPLE,
			askWorkflow(FREE_TEXT, 'bob', {
				notificationName: 'Why do you need the new laptop?',
				text: 'Tell IT in a sentence.',
				responseType: 'freeText',
				approveLabel: 'Send to IT',
				pageMessage: 'One or two sentences are enough.',
				followUp: true,
			}, cred),
			askWorkflow(TIMEOUT_AFTER, 'dave', {
				notificationName: 'Expense report #7',
				text: 'Approve by noon.',
				responseType: 'approval',
				approvalType: 'double',
				limitWaitTime: true,
				limitType: 'afterTimeInterval',
				resumeAmount: 0.1,
				resumeUnit: 'minutes',
				followUp: true,
			}, cred),
			askWorkflow(TIMEOUT_AT, 'carol', {
				notificationName: 'Shift swap on Friday?',
				text: 'Answer before the roster closes.',
				responseType: 'freeText',
				limitWaitTime: true,
				limitType: 'atSpecifiedTime',
				maxDateAndTime: '={{ $json.body.answerBy }}',
			}, cred),
			askWorkflow(CHAT, 'alice', {
				deliveryFormat: 'chat',
				notificationName: 'Overtime on Saturday?',
				text: 'Please confirm by Thursday.',
				responseType: 'approval',
				approvalType: 'double',
				followUp: true,
			}, cred),
		]);
		for (const id of [WF, LEAVE_EXAMPLE.id, FREE_TEXT.id, TIMEOUT_AFTER.id, TIMEOUT_AT.id, CHAT.id]) await n8n.activateWorkflow(id);
		await n8n.start();
		await n8n.setupOwner();
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.stop();
	});

	async function executions(workflowId = WF): Promise<Array<{ id: string; status: string }>> {
		const res = await n8n.rest('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=50`);
		const list = res.body?.data?.results ?? res.body?.data ?? [];
		return (list as any[]).map((e) => ({ id: String(e.id), status: String(e.status) }));
	}

	async function finished(workflowId: string, id: string, timeoutMs?: number): Promise<{ id: string; status: string }> {
		return await until(
			`execution ${id} of ${workflowId} to finish`,
			async () => (await executions(workflowId)).find((e) => e.id === id && ended(e.status)),
			timeoutMs,
		);
	}

	/** The finished execution's run data: the items `node` output (first run, first output). */
	async function outputOf(id: string, node: string): Promise<any[]> {
		const res = await n8n.rest('GET', `/rest/executions/${id}`);
		const runData = flattedParse(version, res.body.data.data).resultData.runData;
		return runData[node][0].data.main[0].map((item: any) => item.json);
	}

	async function cardOf(userID: string): Promise<any> {
		return await until(`the card in ${userID}'s inbox`, async () => (await sandbox.inbox(userID)).find((m: any) => m.contentType === 1400));
	}

	it('a bot does not resume; a browser Approve finishes the execution with the decision', async () => {
		const started = await n8n.webhook(HOOK, { request: 'leave' });
		expect(started.status).toBe(200);

		const card = await until('the card in alice\'s inbox', async () => {
			const inbox = await sandbox.inbox('alice');
			return inbox.find((m: any) => m.contentType === 1400);
		});
		const link = String((card as any).content.externalUrl);
		// n8n 1.107+ signs resume URLs (signature=); on older n8n the node signs them (osig=).
		expect(link).toMatch(/\/webhook-waiting\/\d+\/[^?]+\?.*(signature|osig)=/);
		const waiting = await until('a waiting execution', async () => (await executions()).find((e) => e.status === 'waiting'));

		// Link-preview bot: gets the page (with the one-tap links), also on the approve link itself.
		const botPage = await get(link, BOT);
		expect(botPage.status).toBe(200);
		const href = /href="([^"]*decision=approve[^"]*)"/.exec(botPage.text)?.[1]?.replace(/&amp;/g, '&');
		expect(href).toBeTruthy();
		// Absolute (n8n's signed URL) or relative to the page (the node's own signature).
		const approve = new URL(href as string, link).toString();
		expect((await get(approve as string, BOT)).text).toContain('<html');
		await sleep(1500);
		expect((await executions()).find((e) => e.id === waiting.id)?.status).toBe('waiting');

		// A tampered link is refused by the signature check (n8n's, or the node's on older n8n).
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
		const [out] = runData.Done[0].data.main[0].map((item: any) => item.json);
		expect(out).toMatchObject({ decision: 'approved', approved: true, timedOut: false, respondedBy: 'alice', userAgent: BROWSER });
		expect(out.followUp).toMatchObject({ sent: true });

		// The follow-up card, and the link is spent.
		const inbox = await sandbox.inbox('alice');
		expect(inbox.map((m: any) => m.content.notificationName)).toContain('Approved: Leave request: Bob');
		expect((await get(approve as string, BROWSER)).text).not.toMatch(/recorded/);
	});

	it('chat format: the link is in the text every app shows, and answering from it finishes the execution', async () => {
		await sandbox.reset();
		expect((await n8n.webhook(CHAT.hook, {})).status).toBe(200);
		const text = await until('the chat text in alice\'s inbox', async () => (await sandbox.inbox('alice')).find((m: any) => m.contentType === 101));
		expect((text as any).conversationID).toBe('si_alice_hr_bot');
		const body = String((text as any).content.content);
		expect(body).toMatch(/^Overtime on Saturday\?\n\nPlease confirm by Thursday\.\n\nOpen: http/);
		const link = /Open: (\S+)/.exec(body)?.[1] as string;
		expect(link).toMatch(/\/webhook-waiting\/\d+\/[^?]+\?.*(signature|osig)=/);
		expect((await sandbox.inbox('alice')).some((m: any) => m.contentType === 1400)).toBe(false);
		const waiting = await until('a waiting execution', async () => (await executions(CHAT.id)).find((e) => e.status === 'waiting'));

		const page = await get(link, BROWSER);
		expect(page.text).toContain('Overtime on Saturday?');
		const href = /href="([^"]*decision=approve[^"]*)"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&');
		expect((await get(new URL(href as string, link).toString(), BROWSER)).text).toMatch(/recorded/);
		expect((await finished(CHAT.id, waiting.id)).status).toBe('success');
		const [out] = await outputOf(waiting.id, 'Done');
		expect(out).toMatchObject({ decision: 'approved', respondedBy: 'alice', followUp: { sent: true } });
		// The follow-up goes out as a chat text too; nothing is drawn "unsupported" in alice's apps.
		const followUp = await until('the follow-up text', async () =>
			(await sandbox.inbox('alice')).find((m: any) => m.contentType === 101 && String(m.content.content).startsWith('Approved: Overtime on Saturday?')),
		);
		expect(followUp).toBeDefined();
		const view = await (await request(`${sandbox.url}/_sandbox/view/alice`)).body.text();
		expect(view).not.toMatch(/unsupported/i);
	});

	it('runs the "Leave request approval" example: the manager approves, the workflow gets the decision', async () => {
		await sandbox.reset();
		const started = await n8n.webhook('leave-request', { employee: 'Dave Zhao', days: 2, manager: 'carol' });
		expect(started.status).toBe(200);
		const card = await until('the card in carol\'s inbox', async () => (await sandbox.inbox('carol')).find((m: any) => m.contentType === 1400));
		expect((card as any).content.notificationName).toBe('Leave request: Dave Zhao, 2 days');
		const page = await get(String((card as any).content.externalUrl), BROWSER);
		const href = /href="([^"]*decision=approve[^"]*)"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&');
		const approve = new URL(href as string, String((card as any).content.externalUrl)).toString();
		expect((await get(approve, BROWSER)).text).toMatch(/recorded/);
		const followUp = await until('the follow-up card', async () =>
			(await sandbox.inbox('carol')).find((m: any) => String(m.content.notificationName).startsWith('Approved:')),
		);
		expect((followUp as any).content.notificationName).toBe('Approved: Leave request: Dave Zhao, 2 days');
		// Flutter 3.8.3 reads externalUrl with `url!`: present even without a link.
		expect((followUp as any).content).toMatchObject({ externalUrl: '' });
	});

	it('free text: the page is a form; bots do not resume; the posted answer finishes the execution', async () => {
		await sandbox.reset();
		expect((await n8n.webhook(FREE_TEXT.hook, {})).status).toBe(200);
		const card = await cardOf('bob');
		expect(card.content.notificationName).toBe('Why do you need the new laptop?');
		const link = String(card.content.externalUrl);
		// n8n 1.107+ signs resume URLs (signature=); on older n8n the node signs them (osig=).
		expect(link).toMatch(/\/webhook-waiting\/\d+\/[^?]+\?.*(signature|osig)=/);
		const waiting = await until('a waiting execution', async () => (await executions(FREE_TEXT.id)).find((e) => e.status === 'waiting'));

		// The person opens the link: a form that posts to the page's own (signed) address.
		const page = await get(link, BROWSER);
		expect(page.status).toBe(200);
		expect(page.text).toContain('Why do you need the new laptop?');
		expect(page.text).toContain('One or two sentences are enough.');
		expect(page.text).toMatch(/<form method="post"><textarea name="text"/);
		expect(page.text).not.toMatch(/<form[^>]*action=/);
		expect(page.text).toContain('>Send to IT</button>');

		// Link-preview bots, fetching or even posting, get the page back; the execution keeps waiting.
		const botGet = await get(link, BOT);
		expect(botGet.status).toBe(200);
		expect(botGet.text).toContain('<textarea name="text"');
		const botPost = await postForm(link, TELEGRAM_BOT, { text: 'preview' });
		expect(botPost.status).toBe(200);
		expect(botPost.text).toContain('<textarea name="text"');
		// An empty answer is refused with the form again.
		const empty = await postForm(link, BROWSER, { text: '   ' });
		expect(empty.status).toBe(400);
		expect(empty.text).toContain('Please enter a response.');
		// The signature covers the address: a changed recipient is refused (by n8n, or the node on older n8n).
		expect((await postForm(link.replace('to=bob', 'to=mallory'), BROWSER, { text: 'forged' })).status).toBe(401);
		await sleep(1500);
		expect((await executions(FREE_TEXT.id)).find((e) => e.id === waiting.id)?.status).toBe('waiting');

		// The person types an answer and taps Send.
		const answer = 'My old one no longer boots & the IT ticket is #4411.\n旧电脑无法开机。';
		const done = await postForm(link, BROWSER, { text: answer });
		expect(done.status).toBe(200);
		expect(done.text).toMatch(/Your response \(sent\) was recorded/);

		expect((await finished(FREE_TEXT.id, waiting.id)).status).toBe('success');
		const [out] = await outputOf(waiting.id, 'Done');
		expect(out).toMatchObject({ decision: 'answered', approved: null, text: answer, timedOut: false, respondedBy: 'bob', userAgent: BROWSER });
		expect(Date.parse(out.respondedAt)).not.toBeNaN();
		expect(out.followUp).toMatchObject({ sent: true, serverMsgID: expect.any(String) });

		// The follow-up card quotes the answer; the link is spent (no form, nothing resumes).
		const followUp = await until('the follow-up card', async () =>
			(await sandbox.inbox('bob')).find((m: any) => m.content.notificationName === 'Response received: Why do you need the new laptop?'),
		);
		expect((followUp as any).content.text).toBe(`Your response was recorded:\n${answer}`);
		// n8n answers a finished send-and-wait execution's link with its own "No action required" page.
		const spent = await postForm(link, BROWSER, { text: 'again' });
		expect(spent.status).toBe(200);
		expect(spent.text).toContain('No action required');
		expect(spent.text).not.toContain('<textarea');
		expect((await executions(FREE_TEXT.id)).filter((e) => e.id !== waiting.id)).toHaveLength(0);
	});

	it('wait limit: with nobody answering, the execution finishes on its own with the timeout result', async () => {
		await sandbox.reset();
		const startedAt = Date.now();
		const answerBy = new Date(startedAt + 8_000).toISOString();
		expect((await n8n.webhook(TIMEOUT_AFTER.hook, {})).status).toBe(200);
		expect((await n8n.webhook(TIMEOUT_AT.hook, { answerBy })).status).toBe(200);
		const cards = { dave: await cardOf('dave'), carol: await cardOf('carol') };
		const after = await until('the "after time interval" execution waiting', async () => (await executions(TIMEOUT_AFTER.id)).find((e) => e.status === 'waiting'));
		const at = await until('the "at specified time" execution waiting', async () => (await executions(TIMEOUT_AT.id)).find((e) => e.status === 'waiting'));

		// Nobody answers. A wait that ends by itself is resumed by n8n's wait tracker, which looks for
		// executions due within the next 70 s once a minute (setInterval 60 s from `n8n start`) and then
		// sets a timer: a limit of a few seconds ends at the next poll, up to ~60 s later. (The Wait
		// node's own in-process timer for waits under 65 s does not apply to putExecutionToWait.)
		const [afterDone, atDone] = await Promise.all([finished(TIMEOUT_AFTER.id, after.id, 90_000), finished(TIMEOUT_AT.id, at.id, 90_000)]);
		expect(afterDone.status).toBe('success');
		expect(atDone.status).toBe('success');
		expect(Date.now() - startedAt).toBeGreaterThanOrEqual(6_000);

		const [outAfter] = await outputOf(after.id, 'Done');
		expect(outAfter).toMatchObject({ decision: 'timeout', approved: null, timedOut: true, respondedAt: null, respondedBy: null, recipient: 'dave' });
		expect(outAfter.notification).toMatchObject({ delivered: true, sendID: 'hr_bot', recvID: 'dave', serverMsgID: cards.dave.serverMsgID });
		// 0.1 minutes after the node ran (it ran between the trigger and the card).
		const waitedUntil = Date.parse(outAfter.waitedUntil);
		expect(waitedUntil).toBeGreaterThanOrEqual(startedAt + 6_000);
		expect(waitedUntil).toBeLessThanOrEqual(startedAt + 6_000 + 15_000);
		expect(outAfter.followUp).toBeUndefined();

		const [outAt] = await outputOf(at.id, 'Done');
		expect(outAt).toMatchObject({ decision: 'timeout', approved: null, timedOut: true, respondedAt: null, respondedBy: null, recipient: 'carol', waitedUntil: answerBy });
		expect(outAt.notification).toMatchObject({ delivered: true, sendID: 'hr_bot', recvID: 'carol', serverMsgID: cards.carol.serverMsgID });

		// One card each: a timeout sends nothing more (not even Dave's follow-up); the links are spent.
		expect((await sandbox.inbox('dave')).filter((m: any) => m.contentType === 1400)).toHaveLength(1);
		expect((await sandbox.inbox('carol')).filter((m: any) => m.contentType === 1400)).toHaveLength(1);
		const lateApprove = await get(String(cards.dave.content.externalUrl), BROWSER);
		expect(lateApprove.status).toBe(200);
		expect(lateApprove.text).toContain('No action required');
		const lateAnswer = await postForm(String(cards.carol.content.externalUrl), BROWSER, { text: 'too late' });
		expect(lateAnswer.status).toBe(200);
		expect(lateAnswer.text).toContain('No action required');
		expect((await executions(TIMEOUT_AT.id)).find((e) => e.id === at.id)?.status).toBe('success');
	});
});
