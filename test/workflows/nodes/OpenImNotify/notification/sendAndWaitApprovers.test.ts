/**
 * Notification → Send and Wait with several approvers and with a Custom Form (issue #14): the send
 * half through the real n8n engine (cards, signed per-approver links, the manifest in OpenIM), then
 * the webhook half on the node's webhook() with the links the cards carry, its OpenIM calls going
 * to the same sandbox (answers are recorded there, as every n8n process would see them).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { OpenImNotify } from '../../../../../nodes/OpenImNotify/OpenImNotify.node';
import { recordPrefix } from '../../../../../nodes/OpenImNotify/shared/approvers';
import { readFormFields, validateForm } from '../../../../../nodes/OpenImNotify/shared/form';
import { OpenImApi } from '../../../../../credentials/OpenImApi.credentials';
import { itemsNode, linearWorkflow, loadWorkflowFile, manualTriggerNode, packageNodeTypes, runWorkflow } from '../../../harness';
import { useOpenImSandbox } from '../../../openim-fixtures';
import { approvalHelpers } from './approval-links';

const ctx = useOpenImSandbox();

const params = (extra: IDataObject = {}): INodeParameters => ({
	resource: 'notification',
	operation: 'sendAndWait',
	sendID: 'hr_bot',
	recipientMode: 'userList',
	recvIDs: 'alice, bob',
	notificationName: 'Leave request: Dave, 3 days',
	text: 'Dave asks for leave 1–3 May.',
	limitWaitTime: true,
	resumeAmount: 1,
	resumeUnit: 'hours',
	...(extra as INodeParameters),
});

const FORM = {
	values: [
		{ fieldLabel: 'Days', fieldType: 'number', requiredField: true },
		{ fieldLabel: 'Reason', fieldType: 'dropdown', fieldOptions: { values: [{ option: 'Holiday' }, { option: 'Sick' }] }, requiredField: true },
		{ fieldLabel: 'Contact', fieldType: 'email' },
		{ fieldLabel: 'From', fieldType: 'date' },
		{ fieldLabel: 'Cover', fieldType: 'checkbox', fieldOptions: { values: [{ option: 'Bob' }, { option: 'Carol' }] } },
		{ fieldLabel: 'Note', fieldType: 'textarea' },
	],
};

const { links, records, open, decide } = approvalHelpers(ctx);

describe('Send and Wait with several approvers (execute)', () => {
	it('sends each approver a card with their own signed link, records the manifest, and prepares the timeout', async () => {
		const result = await ctx.run([{ x: 1 }], params({ approvalMode: 'all' }));
		expect(result.error).toBeUndefined();
		expect(result.executionStatus).toBe('waiting');
		const sent = links();
		expect([...sent.keys()].sort()).toEqual(['alice', 'bob']);
		for (const [user, link] of sent) {
			expect(link.searchParams.get('to')).toBe(user);
			expect(link.searchParams.get('m')).toBe('1');
			expect(link.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);
		}
		expect(sent.get('alice')?.pathname).toBe(sent.get('bob')?.pathname);
		const run = result.run as unknown as { data: { executionData: { nodeExecutionStack: Array<{ data: { main: Array<Array<{ json: IDataObject }>> } }> } } };
		const timeout = run.data.executionData.nodeExecutionStack[0].data.main[0][0].json;
		expect(timeout).toMatchObject({ decision: 'timeout', timedOut: true, approvalMode: 'all', approvers: ['alice', 'bob'] });
		expect(timeout.notifications).toHaveLength(2);
		// The manifest: one conversation record on the sending account, no answers yet.
		const found = await records(sent.get('alice') as URL, ['alice', 'bob']);
		expect(found).toHaveLength(1);
		expect(found[0]).toMatchObject({ ownerUserID: 'hr_bot', conversationType: 1 });
		expect(JSON.parse(found[0].ex)).toMatchObject({ kind: 'n8n-approval', approvers: ['alice', 'bob'], mode: 'all' });
	});

	it('group members are the approvers', async () => {
		const result = await ctx.run([{}], params({ recipientMode: 'groupMembers', memberGroupID: { __rl: true, mode: 'id', value: 'all_staff' }, approvalMode: 'atLeast', minApprovals: 3 }));
		expect(result.executionStatus).toBe('waiting');
		expect([...links().keys()].sort()).toEqual(['alice', 'bob', 'carol', 'dave']);
	});

	it.each([
		['an empty approver list', { recvIDs: ' , ' }, /User IDs is empty \[item 0\]/],
		['N larger than the approvers', { approvalMode: 'atLeast', minApprovals: 3 }, /Minimum Approvals is 3, but there are 2 approvers \[item 0\]/],
		['a form without fields', { responseType: 'customForm', formFields: {} }, /Form Elements is empty: add at least one field \[item 0\]/],
		['a dropdown without options', { responseType: 'customForm', formFields: { values: [{ fieldLabel: 'Reason', fieldType: 'dropdown' }] } }, /Form Elements → field 1 \("Reason"\) is a dropdown without options \[item 0\]/],
		['a repeated field name', { responseType: 'customForm', formFields: { values: [{ fieldLabel: 'A' }, { fieldLabel: 'A' }] } }, /field 2 repeats the Field Name "A"/],
		['form JSON that does not parse', { responseType: 'customForm', defineForm: 'json', jsonOutput: '[{' }, /Form Fields is not valid JSON/],
	])('refuses %s before anything is sent', async (_what, extra, message) => {
		const result = await ctx.run([{}], params(extra as IDataObject));
		expect(result.status).toBe('error');
		expect(String(result.error?.message)).toMatch(message);
		expect(ctx.sandbox.messages()).toHaveLength(0);
		expect(ctx.sandbox.stats().requests.byPath['/conversation/set_conversations'] ?? 0).toBe(0);
	});
});

describe('Send and Wait with several approvers (answers)', () => {
	it('all must approve: the first approval waits, a second tap is refused, the last approval decides', async () => {
		const parameters = params({ approvalMode: 'all' });
		await ctx.run([{}], parameters);
		const sent = links();
		const alice = await open(decide(sent.get('alice') as URL, 'approve'), parameters);
		expect(alice.json).toBeUndefined();
		expect(alice.sent.body).toMatch(/Waiting for 1 other approver\./);
		const again = await open(decide(sent.get('alice') as URL, 'decline'), parameters);
		expect(again.json).toBeUndefined();
		expect(again.sent.status).toBe(409);
		expect(again.sent.body).toMatch(/You already answered/);
		// Opening the page again says so too, instead of showing the buttons.
		expect((await open(sent.get('alice') as URL, parameters)).sent.body).toMatch(/You already answered/);
		const bob = await open(decide(sent.get('bob') as URL, 'approve'), parameters);
		expect(bob.json).toMatchObject({
			decision: 'approved',
			approved: true,
			respondedBy: 'bob',
			approvalMode: 'all',
			approvers: ['alice', 'bob'],
			notAnswered: [],
		});
		expect((bob.json?.responses as IDataObject[]).map((r) => [r.userID, r.decision])).toEqual([['alice', 'approved'], ['bob', 'approved']]);
	});

	it('all must approve: one decline decides at once and names who never answered', async () => {
		const parameters = params({ approvalMode: 'all' });
		await ctx.run([{}], parameters);
		const bob = await open(decide(links().get('bob') as URL, 'decline'), parameters);
		expect(bob.json).toMatchObject({ decision: 'declined', approved: false, respondedBy: 'bob', notAnswered: ['alice'] });
	});

	it('first answer decides', async () => {
		const parameters = params({ approvalMode: 'first' });
		await ctx.run([{}], parameters);
		const bob = await open(decide(links().get('bob') as URL, 'approve'), parameters);
		expect(bob.json).toMatchObject({ decision: 'approved', respondedBy: 'bob', notAnswered: ['alice'], responses: [expect.objectContaining({ userID: 'bob', decision: 'approved' })] });
	});

	it('at least 2 of 3: declined once 2 approvals cannot be reached; approved on the second approval', async () => {
		const parameters = params({ recvIDs: 'alice, bob, carol', approvalMode: 'atLeast', minApprovals: 2 });
		await ctx.run([{}], parameters);
		let sent = links();
		expect((await open(decide(sent.get('alice') as URL, 'decline'), parameters)).json).toBeUndefined();
		const carol = await open(decide(sent.get('carol') as URL, 'decline'), parameters);
		expect(carol.json).toMatchObject({ decision: 'declined', requiredApprovals: 2, notAnswered: ['bob'] });

		ctx.sandbox.reset('default');
		await ctx.run([{}], parameters);
		sent = links();
		expect((await open(decide(sent.get('alice') as URL, 'approve'), parameters)).json).toBeUndefined();
		expect((await open(decide(sent.get('bob') as URL, 'decline'), parameters)).json).toBeUndefined();
		const approved = await open(decide(sent.get('carol') as URL, 'approve'), parameters);
		expect(approved.json).toMatchObject({ decision: 'approved', respondedBy: 'carol', notAnswered: [] });
	});

	it('a link-preview bot never answers, even for one of several approvers', async () => {
		const parameters = params({ approvalMode: 'first' });
		await ctx.run([{}], parameters);
		const link = links().get('alice') as URL;
		const bot = await open(decide(link, 'approve'), parameters, { ua: 'Slackbot-LinkExpanding 1.0' });
		expect(bot.json).toBeUndefined();
		// Only the manifest: no answer was recorded.
		expect(await records(link, ['alice', 'bob'])).toHaveLength(1);
	});

	it('an answer for an approval OpenIM has no manifest of is refused', async () => {
		const parameters = params({ approvalMode: 'all' });
		await ctx.run([{}], parameters);
		const link = links().get('alice') as URL;
		link.pathname = link.pathname.replace(/\/webhook-waiting\/[^/]+\//, '/webhook-waiting/999999/');
		const late = await open(decide(link, 'approve'), parameters);
		expect(late.sent.status).toBe(410);
		expect(late.json).toBeUndefined();
	});

	it('the records are keyed by execution and node', () => {
		expect(recordPrefix('12', 'node-a')).toMatch(/^n8n_approval_[0-9a-f]{24}$/);
		expect(recordPrefix('12', 'node-a')).not.toBe(recordPrefix('13', 'node-a'));
	});
});

describe('Send and Wait with a Custom Form', () => {
	it('shows the form, refuses invalid answers with the reasons, and returns the fields', async () => {
		const parameters = params({ recipientMode: 'user', recvID: { __rl: true, mode: 'id', value: 'alice' }, responseType: 'customForm', formFields: FORM, approveLabel: 'Submit' });
		const result = await ctx.run([{}], parameters);
		expect(result.error?.message).toBeUndefined();
		expect(result.executionStatus).toBe('waiting');
		const link = links().get('alice') as URL;
		expect(link.searchParams.get('m')).toBeNull();
		const page = await open(link, parameters);
		expect(page.sent.body).toMatch(/<form method="post" class="form" enctype="multipart\/form-data">/);
		expect(page.sent.body).toMatch(/<input id="f0" type="number" name="field-0" value="" step="any" required>/);
		expect(page.sent.body).toMatch(/<select id="f1" name="field-1" required><option value=""><\/option><option>Holiday<\/option><option>Sick<\/option><\/select>/);
		expect(page.sent.body).toMatch(/type="checkbox" name="field-4" value="Carol"/);

		const bad = await open(link, parameters, { method: 'POST', body: { 'field-0': 'three', 'field-1': 'Party', 'field-2': 'not-mail', 'field-3': '2026-02-30' } });
		expect(bad.json).toBeUndefined();
		expect(bad.sent.status).toBe(400);
		expect(bad.sent.body).toContain('&quot;Days&quot; must be a number.');
		expect(bad.sent.body).toContain('&quot;Reason&quot;: &quot;Party&quot; is not one of the options.');
		expect(bad.sent.body).toContain('&quot;Contact&quot; must be an email address.');
		expect(bad.sent.body).toContain('&quot;From&quot; must be a date (YYYY-MM-DD).');
		// What was typed comes back.
		expect(bad.sent.body).toContain('value="three"');

		const ok = await open(link, parameters, { method: 'POST', body: { 'field-0': '3', 'field-1': 'Holiday', 'field-2': 'dave@example.com', 'field-3': '2026-05-01', 'field-4': ['Bob', 'Carol'], 'field-5': ' Back on the 4th ' } });
		expect(ok.json).toMatchObject({
			decision: 'answered',
			approved: null,
			respondedBy: 'alice',
			fields: { Days: 3, Reason: 'Holiday', Contact: 'dave@example.com', From: '2026-05-01', Cover: ['Bob', 'Carol'], Note: 'Back on the 4th' },
		});
	});

	it('a form from several approvers: each answer is recorded with its fields', async () => {
		const parameters = params({ responseType: 'customForm', defineForm: 'json', jsonOutput: JSON.stringify([{ fieldLabel: 'Days', fieldType: 'number', requiredField: true }]), approvalMode: 'all' });
		await ctx.run([{}], parameters);
		const sent = links();
		expect((await open(sent.get('alice') as URL, parameters, { method: 'POST', body: { 'field-0': '2' } })).json).toBeUndefined();
		// As n8n hands a multipart post to the node: {data, files}.
		const bob = await open(sent.get('bob') as URL, parameters, { method: 'POST', body: { data: { 'field-0': '3' }, files: {} } });
		expect(bob.json).toMatchObject({ decision: 'answered', notAnswered: [] });
		expect((bob.json?.responses as IDataObject[]).map((r) => r.fields)).toEqual([{ Days: 2 }, { Days: 3 }]);
	});

	it('validateForm: required, checkbox options, one value', () => {
		const fields = readFormFields('fields', FORM, undefined, (label, problem) => {
			throw new Error(`${label} ${problem}`);
		});
		expect(validateForm(fields, {})).toEqual({ ok: false, errors: ['"Days" is required.', '"Reason" is required.'] });
		expect(validateForm(fields, { 'field-0': '1', 'field-1': 'Sick', 'field-4': 'Dave' })).toEqual({ ok: false, errors: ['"Cover": "Dave" is not one of the options.'] });
		expect(validateForm(fields, { 'field-0': ['1', '2'], 'field-1': 'Sick' })).toEqual({ ok: false, errors: ['"Days" takes one value.'] });
		expect(validateForm(fields, { 'field-0': '1.5', 'field-1': 'Sick' })).toMatchObject({ ok: true, fields: { Days: 1.5, Contact: '', Cover: [], From: '' } });
	});
});

describe('examples/leave-request.workflow.json', () => {
	it('asks the manager and HR; one approval waits, the second decides', async () => {
		// The file as users import it, its Webhook trigger replaced by the request it would receive.
		const file = loadWorkflowFile('examples/leave-request.workflow.json');
		const ask = file.nodes.find((node) => node.name === 'Ask manager and HR');
		const tell = file.nodes.find((node) => node.name === 'Tell the employee');
		const body = { employee: 'Dave Zhao', employeeID: 'dave', days: 2, manager: 'carol', hr: 'alice' };
		const workflow = linearWorkflow(manualTriggerNode(), itemsNode([{ body }], 'Leave request'), ask as never, tell as never);
		const result = await runWorkflow(workflow, {
			nodeTypes: packageNodeTypes(new OpenImNotify()),
			credentialTypes: [new OpenImApi()],
			credentials: { openImSandbox01: { type: 'openImApi', name: 'OpenIM sandbox', data: ctx.credentialData() } },
		});
		expect(result.error).toBeUndefined();
		expect(result.executionStatus).toBe('waiting');
		const sent = links();
		expect([...sent.keys()].sort()).toEqual(['alice', 'carol']);
		const parameters = ask?.parameters as INodeParameters;
		expect((await open(decide(sent.get('carol') as URL, 'approve'), parameters)).json).toBeUndefined();
		const hr = await open(decide(sent.get('alice') as URL, 'approve'), parameters);
		expect(hr.json).toMatchObject({ decision: 'approved', approvalMode: 'all', approvers: ['carol', 'alice'], notAnswered: [] });
	});
});
