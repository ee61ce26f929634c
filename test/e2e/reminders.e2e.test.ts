/* eslint-disable @typescript-eslint/no-explicit-any -- e2e test tooling, not shipped: arbitrary run-data JSON */
/**
 * Send and Wait reminders and escalation in real n8n (issue #14), server mode, every pinned version:
 * Webhook → Ask (OpenIM Notify, Send and Wait) → Remind? (IF decision = remind: back into Ask) → Done.
 * Each wait ends by n8n's own wait tracker (it looks for due executions once a minute, so a round
 * takes up to ~60 s whatever Remind After says); n8n resumes with Ask switched off, its `remind` item
 * goes through the IF back into Ask, which reminds who has not answered and waits again.
 */
import { request } from 'undici';

import { createN8nInstance, selectedVersions, type N8nInstance } from './n8n';
import { startSandbox, type SandboxProcess } from './sandbox';
import { openImCredential, remindLoopWorkflow } from './fixtures';
import { until } from './proc';
import { flattedParse } from './runtime';

const BROWSER = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';

/** Three approvers, all must approve; one reminder; escalation to Dave at the limit. */
const TEAM = { id: 'openImRemind01', hook: 'b7c8d9e0-0001-4f1a-9b2c-3d4e5f6a7b01' };
/** One approver, one reminder, answered through the reminder's link. */
const ONE = { id: 'openImRemind02', hook: 'b7c8d9e0-0002-4f1a-9b2c-3d4e5f6a7b02' };
/** Remind After longer than the wait limit: refused before anything is sent. */
const TOO_LATE = { id: 'openImRemind03', hook: 'b7c8d9e0-0003-4f1a-9b2c-3d4e5f6a7b03' };

const TEAM_TITLE = 'Travel policy 2027: please approve';
const ONE_TITLE = 'Overtime on Saturday?';

const REMIND = { limitWaitTime: true, limitType: 'afterTimeInterval', resumeUnit: 'minutes', sendReminders: true, remindUnit: 'minutes' };

const ended = (status: string) => !['waiting', 'running', 'new'].includes(status);

describe.each(selectedVersions())('n8n %s: Send and Wait reminders and escalation', (version) => {
	let sandbox: SandboxProcess;
	let n8n: N8nInstance;

	beforeAll(async () => {
		sandbox = await startSandbox();
		n8n = await createN8nInstance(version);
		const cred = openImCredential(sandbox.url);
		await n8n.importCredentials([cred]);
		await n8n.importWorkflow([
			remindLoopWorkflow(TEAM, {
				...REMIND,
				recipientMode: 'userList',
				recvIDs: 'alice, bob, carol',
				approvalMode: 'all',
				notificationName: TEAM_TITLE,
				text: 'Everyone in the committee must approve.',
				resumeAmount: 0.5,
				remindAmount: 0.05,
				maxReminders: 1,
				escalate: true,
				escalationUserID: 'dave',
			}, cred),
			remindLoopWorkflow(ONE, {
				...REMIND,
				recvID: { __rl: true, mode: 'id', value: 'dave' },
				notificationName: ONE_TITLE,
				text: 'Please confirm.',
				resumeAmount: 10,
				remindAmount: 0.05,
				maxReminders: 1,
				reminderPrefix: '提醒：',
			}, cred),
			remindLoopWorkflow(TOO_LATE, { ...REMIND, recvID: { __rl: true, mode: 'id', value: 'bob' }, notificationName: 'Too late', text: '-', resumeAmount: 1, remindAmount: 2 }, cred),
		]);
		for (const id of [TEAM.id, ONE.id, TOO_LATE.id]) await n8n.activateWorkflow(id);
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

	async function runData(id: string): Promise<any> {
		const res = await n8n.rest('GET', `/rest/executions/${id}`);
		return flattedParse(version, res.body.data.data).resultData;
	}

	/** Cards in a user's inbox with this title. */
	const cards = async (userID: string, title: string): Promise<any[]> =>
		((await sandbox.inbox(userID)) as any[]).filter((m) => m.contentType === 1400 && String(m.content.notificationName).endsWith(title));

	/** A browser opening the card's link and tapping Approve (n8n's signed link, or the page's own on n8n < 1.107). */
	const approve = async (link: string): Promise<number> => {
		// A card can arrive before n8n has saved the execution as waiting again (n8n then shows its own page): open it again.
		const href = await until('the response page', async () => {
			const page = await request(link, { headers: { 'user-agent': BROWSER } });
			return /href="([^"]*decision=approve[^"]*)"/.exec(await page.body.text())?.[1]?.replace(/&amp;/g, '&');
		});
		const tapped = await request(new URL(href as string, link).toString(), { headers: { 'user-agent': BROWSER } });
		await tapped.body.text();
		return tapped.statusCode;
	};

	it('reminds exactly who has not answered, escalates at the limit; one approver answers through the reminder', async () => {
		await sandbox.reset();
		expect((await n8n.webhook(TEAM.hook, {})).status).toBe(200);
		expect((await n8n.webhook(ONE.hook, {})).status).toBe(200);
		const team = await until('the team execution waiting', async () => (await executions(TEAM.id)).find((e) => e.status === 'waiting'));
		const one = await until('the one-approver execution waiting', async () => (await executions(ONE.id)).find((e) => e.status === 'waiting'));
		const [aliceCard] = await until('Alice\'s card', async () => {
			const found = await cards('alice', TEAM_TITLE);
			return found.length > 0 ? found : undefined;
		});
		// Alice approves before any reminder; all must approve, so it waits on.
		expect(await approve(String(aliceCard.content.externalUrl))).toBe(200);

		// The first wait ends at n8n's next look for due executions (≤ 60 s): reminders to Bob and Carol, and to Dave.
		const reminded = await until('the reminders', async () => {
			const [bob, carol, dave] = await Promise.all([cards('bob', TEAM_TITLE), cards('carol', TEAM_TITLE), cards('dave', ONE_TITLE)]);
			return bob.length === 2 && carol.length === 2 && dave.length === 2 ? { bob, carol, dave } : undefined;
		}, 100_000);
		expect(reminded.bob[1].content.notificationName).toBe(`Reminder: ${TEAM_TITLE}`);
		expect(reminded.dave[1].content.notificationName).toBe(`提醒：${ONE_TITLE}`);
		expect(await cards('alice', TEAM_TITLE)).toHaveLength(1);
		expect((await executions(TEAM.id)).find((e) => e.id === team.id)?.status).toBe('waiting');

		// Dave answers through the reminder's link: the one-approver wait ends with his decision.
		expect(await approve(String(reminded.dave[1].content.externalUrl))).toBe(200);
		const oneDone = await until('the one-approver execution to finish', async () => (await executions(ONE.id)).find((e) => e.id === one.id && ended(e.status)));
		expect(oneDone.status).toBe('success');
		const oneOut = (await runData(one.id)).runData.Done[0].data.main[0][0].json;
		expect(oneOut).toMatchObject({ decision: 'approved', approved: true, respondedBy: 'dave' });

		// Bob approves through his reminder; Carol never answers. At the limit: escalation to Dave, the final result.
		expect(await approve(String(reminded.bob[1].content.externalUrl))).toBe(200);
		const teamDone = await until('the team execution to finish', async () => (await executions(TEAM.id)).find((e) => e.id === team.id && ended(e.status)), 150_000);
		expect(teamDone.status).toBe('success');
		const result = await runData(team.id);
		const out = result.runData.Done[0].data.main[0][0].json;
		expect(out).toMatchObject({
			decision: 'timeout',
			timedOut: true,
			approvers: ['alice', 'bob', 'carol'],
			notAnswered: ['carol'],
			escalatedTo: 'dave',
			escalation: { sent: true, recvID: 'dave' },
			reminders: [{ round: 1, sentTo: ['bob', 'carol'] }],
		});
		expect(out.responses.map((r: any) => [r.userID, r.decision])).toEqual([['alice', 'approved'], ['bob', 'approved']]);
		const [escalation] = await cards('dave', `No decision: ${TEAM_TITLE}`);
		expect(escalation.content.text).toContain('Not answered: carol.');
		expect(await cards('carol', TEAM_TITLE)).toHaveLength(2);
	}, 300_000);

	it('a remind interval longer than the wait limit is refused before anything is sent', async () => {
		await sandbox.reset();
		await n8n.webhook(TOO_LATE.hook, {});
		const run = await until('the refused execution', async () => (await executions(TOO_LATE.id)).find((e) => ended(e.status)));
		expect(run.status).toBe('error');
		const result = await runData(run.id);
		expect(result.error.message).toMatch(/^Remind After \(2 minutes\) is not shorter than the wait limit/);
		expect(await sandbox.inbox('bob')).toHaveLength(0);
	});
});
