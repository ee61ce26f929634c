/**
 * Send and Wait reminders and escalation (issue #14) through the real n8n engine. A reminder is the
 * node running again on the `remind` item it left as its input (what n8n passes on when the wait ends):
 * here each round is a run of the same execution id, fed that item, as the IF loop feeds it in n8n
 * (test/e2e/reminders.e2e.test.ts runs the loop itself, with n8n's wait tracker).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { WorkflowRunResult } from '../../../harness';
import { useOpenImSandbox } from '../../../openim-fixtures';
import { approvalHelpers } from './approval-links';

const ctx = useOpenImSandbox();
const { links, open, decide } = approvalHelpers(ctx);

const params = (extra: IDataObject = {}): INodeParameters => ({
	resource: 'notification',
	operation: 'sendAndWait',
	sendID: 'hr_bot',
	recipientMode: 'userList',
	recvIDs: 'alice, bob, carol',
	notificationName: 'Policy update: expenses',
	text: 'Please confirm you read the new expense policy.',
	approvalMode: 'all',
	limitWaitTime: true,
	resumeAmount: 1,
	resumeUnit: 'hours',
	sendReminders: true,
	remindAmount: 10,
	remindUnit: 'minutes',
	maxReminders: 1,
	...(extra as INodeParameters),
});

/** The item the waiting node left as its input: what n8n passes on when the wait runs out. */
function leftItem(result: WorkflowRunResult): IDataObject {
	const run = result.run as unknown as { data: { executionData: { nodeExecutionStack: Array<{ data: { main: Array<Array<{ json: IDataObject }>> } }> } } };
	return run.data.executionData.nodeExecutionStack[0].data.main[0][0].json;
}

const cards = (userID: string) => ctx.sandbox.inbox(userID).filter((m) => m.contentType === 1400);

describe('Send and Wait: reminders and escalation', () => {
	it('reminds exactly who has not answered, then escalates at the limit with who answered and who did not', async () => {
		const exec = 'harness-remind-1';
		const first = await ctx.run([{ x: 1 }], params({ escalate: true, escalationUserID: 'dave' }), {}, exec);
		expect(first.error).toBeUndefined();
		expect(first.executionStatus).toBe('waiting');
		const remind = leftItem(first);
		expect(remind).toMatchObject({ decision: 'remind', approvalMode: 'all', approvers: ['alice', 'bob', 'carol'] });
		const waited = Date.parse(String(remind.waitedUntil)) - Date.now();
		expect(waited).toBeGreaterThan(9 * 60_000);
		expect(waited).toBeLessThanOrEqual(10 * 60_000);
		expect(remind.reminder).toMatchObject({ due: 'reminder', maxReminders: 1, rounds: [], escalationUserID: 'dave' });

		// Alice approves before the reminder (not enough: all must approve).
		const sent = links();
		const p = params({ escalate: true, escalationUserID: 'dave' });
		expect((await open(decide(sent.get('alice') as URL, 'approve'), p)).json).toBeUndefined();

		// The wait runs out: the node runs on its own item and reminds Bob and Carol only.
		const second = await ctx.run([remind], p, {}, exec);
		expect(second.error).toBeUndefined();
		expect(second.executionStatus).toBe('waiting');
		expect(cards('alice')).toHaveLength(1);
		for (const user of ['bob', 'carol']) {
			const [question, reminder] = cards(user);
			expect((reminder.content as IDataObject).notificationName).toBe('Reminder: Policy update: expenses');
			// A new link to the same wait, for the same approver.
			const link = new URL(String((reminder.content as IDataObject).externalUrl));
			expect(link.pathname).toBe(new URL(String((question.content as IDataObject).externalUrl)).pathname);
			expect(link.searchParams.get('to')).toBe(user);
		}
		const limit = leftItem(second);
		expect(limit.decision).toBe('remind');
		expect(limit.waitedUntil).toBe((remind.reminder as IDataObject).deadline);
		expect(limit.reminder).toMatchObject({ due: 'limit', rounds: [{ round: 1, sentTo: ['bob', 'carol'] }] });

		// Bob approves through the reminder's link; Carol never answers.
		const bobReminder = new URL(String((cards('bob')[1].content as IDataObject).externalUrl));
		expect((await open(decide(bobReminder, 'approve'), p)).json).toBeUndefined();

		// The limit: the escalation card to Dave, and the final result.
		const last = await ctx.run([limit], p, {}, exec);
		expect(last.error).toBeUndefined();
		expect(last.executionStatus).toBe('success');
		const [out] = last.json('OpenIM Notify');
		expect(out).toMatchObject({
			decision: 'timeout',
			timedOut: true,
			approvalMode: 'all',
			approvers: ['alice', 'bob', 'carol'],
			notAnswered: ['carol'],
			escalatedTo: 'dave',
			escalation: { sent: true, recvID: 'dave' },
			reminders: [{ round: 1, sentTo: ['bob', 'carol'] }],
		});
		expect((out.responses as IDataObject[]).map((r) => [r.userID, r.decision])).toEqual([['alice', 'approved'], ['bob', 'approved']]);
		const [escalation] = cards('dave');
		expect((escalation.content as IDataObject).notificationName).toBe('No decision: Policy update: expenses');
		expect(String((escalation.content as IDataObject).text)).toContain('Not answered: carol.');
		expect((escalation.content as IDataObject).externalUrl).toBe('');
		expect(cards('carol')).toHaveLength(2);
	});

	it('one approver: the reminder goes to them again; without escalation the limit ends with the rounds', async () => {
		const exec = 'harness-remind-2';
		const p = params({ recipientMode: 'user', recvID: { __rl: true, mode: 'id', value: 'bob' }, maxReminders: 2, remindAmount: 20, reminderPrefix: '提醒：' });
		const first = await ctx.run([{ x: 1 }], p, {}, exec);
		expect(first.executionStatus).toBe('waiting');
		let item = leftItem(first);
		expect(item).toMatchObject({ decision: 'remind', recipient: 'bob' });
		for (const round of [1, 2]) {
			const next = await ctx.run([item], p, {}, exec);
			expect(next.executionStatus).toBe('waiting');
			item = leftItem(next);
			expect((cards('bob')[round].content as IDataObject).notificationName).toBe('提醒：Policy update: expenses');
		}
		// Two reminders sent: the next wait is to the limit.
		expect(item.reminder).toMatchObject({ due: 'limit' });
		const last = await ctx.run([item], p, {}, exec);
		const [out] = last.json('OpenIM Notify');
		expect(out).toMatchObject({ decision: 'timeout', recipient: 'bob', reminders: [{ round: 1, sentTo: ['bob'] }, { round: 2, sentTo: ['bob'] }] });
		expect(out.escalatedTo).toBeUndefined();
		expect(cards('bob')).toHaveLength(3);
	});

	it('without a wait limit, reminders then wait on indefinitely', async () => {
		const exec = 'harness-remind-3';
		const p = params({ limitWaitTime: false, recipientMode: 'user', recvID: { __rl: true, mode: 'id', value: 'bob' } });
		const first = await ctx.run([{ x: 1 }], p, {}, exec);
		const next = await ctx.run([leftItem(first)], p, {}, exec);
		expect(next.executionStatus).toBe('waiting');
		expect(leftItem(next)).toMatchObject({ decision: 'timeout', reminders: [{ round: 1, sentTo: ['bob'] }] });
		expect(cards('bob')).toHaveLength(2);
	});

	it('a remind item of another execution is refused, naming the input', async () => {
		const first = await ctx.run([{ x: 1 }], params(), {}, 'harness-remind-4');
		const other = await ctx.run([leftItem(first)], params(), {}, 'harness-remind-5');
		expect(other.error?.message).toMatch(/^Input is a "remind" item of another execution or node \(harness-remind-4\).*\[item 0\]$/);
		expect(cards('bob')).toHaveLength(1);
	});

	it.each([
		['a remind interval not shorter than the wait limit', { remindAmount: 1, remindUnit: 'hours' }, /^Remind After \(1 hours\) is not shorter than the wait limit/],
		['a remind interval past a fixed limit', { limitType: 'atSpecifiedTime', maxDateAndTime: new Date(Date.now() + 5 * 60_000).toISOString() }, /^Remind After \(10 minutes\) is not shorter/],
		['no reminders', { maxReminders: 0 }, /^Max Reminders /],
		['a zero interval', { remindAmount: 0 }, /^Remind After must be a positive number/],
		['an unknown escalation user', { escalate: true, escalationUserID: 'nobody_here' }, /^Escalation User ID "nobody_here" is not a registered OpenIM user \[item 0\]$/],
		['an escalation user expression that gives nothing', { escalate: true, escalationUserID: '={{ "" }}' }, /^Escalation User ID is empty \[item 0\]$/],
	])('refuses %s before anything is sent', async (_, extra, message) => {
		const result = await ctx.run([{ x: 1 }], params(extra));
		expect(result.error?.message).toMatch(message);
		expect(ctx.sandbox.messages()).toHaveLength(0);
	});

	it('with Continue On Fail, a refused reminder setting is the one output item', async () => {
		const result = await ctx.run([{ x: 1 }], params({ remindAmount: 2, remindUnit: 'hours' }), { continueOnFail: true });
		expect(result.status).toBe('success');
		expect(result.json('OpenIM Notify')).toEqual([expect.objectContaining({ error: expect.stringMatching(/^Remind After/) })]);
	});
});
