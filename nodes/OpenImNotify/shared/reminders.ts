import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { WAIT_INDEFINITELY } from 'n8n-workflow';

import { UNIT_MS, UNIT_OPTIONS } from './approval';
import type { ApprovalMode } from './approvers';
import type { DeliveryFormat } from './format';
import type { ItemInput } from './input';

/**
 * Send and Wait: reminders and escalation, driven by n8n's own wait/resume and nothing else.
 *
 * When a wait ends by its limit, n8n resumes the execution with the waiting node switched off and
 * passes on the item the node left as its input: none of the node's code runs then. So a reminder is
 * another run of the node. The wait is cut at each Remind After interval; there the node's output is
 * `decision: "remind"` carrying the state below, and the workflow routes it back into the node (an IF
 * on `decision`), which sends the card again to who has not answered and waits again. At the wait
 * limit one more round trip sends the escalation card and outputs the final `timeout` result. The
 * state travels in the execution's own data: a restart or another queue worker resumes it the same way.
 */

export const REMIND = 'remind';

/** The fields, shown under Limit Wait Time. */
export function reminderFields(show: IDisplayOptions['show']): INodeProperties[] {
	const remind = { show: { ...show, sendReminders: [true] } };
	const escalate = { show: { ...show, limitWaitTime: [true], escalate: [true] } };
	return [
		{
			displayName: 'Send Reminders',
			name: 'sendReminders',
			type: 'boolean',
			default: false,
			description: 'Whether to send the card again to those who have not answered yet, after an interval',
			hint: 'Connect this node\'s output to an IF node (decision is equal to "remind") whose true branch goes back into this node: n8n runs it again to send each reminder, then it waits on. Other decisions take the false branch.',
			displayOptions: { show },
		},
		{
			displayName: 'Remind After',
			name: 'remindAmount',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 1,
			description: 'How long to wait for an answer before each reminder. Must be shorter than the wait limit.',
			displayOptions: remind,
		},
		{
			displayName: 'Remind After Unit',
			name: 'remindUnit',
			type: 'options',
			options: UNIT_OPTIONS,
			default: 'days',
			displayOptions: remind,
		},
		{
			displayName: 'Max Reminders',
			name: 'maxReminders',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 1,
			description: 'How many times at most a card is sent again to someone who has not answered',
			displayOptions: remind,
		},
		{
			displayName: 'Reminder Title Prefix',
			name: 'reminderPrefix',
			type: 'string',
			default: 'Reminder: ',
			description: 'Put before the title of a reminder card',
			displayOptions: remind,
		},
		{
			displayName: 'Escalate on Timeout',
			name: 'escalate',
			type: 'boolean',
			default: false,
			description: 'Whether to notify someone (e.g. the manager\'s manager) when the wait limit is reached without a decision',
			hint: 'Needs the same loop as reminders: an IF node (decision is equal to "remind") back into this node.',
			displayOptions: { show: { ...show, limitWaitTime: [true] } },
		},
		{
			displayName: 'Escalation User ID',
			name: 'escalationUserID',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. hr_manager',
			description: 'OpenIM user who gets a card naming those who did not answer, from the same sender',
			displayOptions: escalate,
		},
		{
			displayName: 'Escalation Text',
			name: 'escalationText',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			description: 'Text of the escalation card. Empty says when the request ran out and who did not answer.',
			displayOptions: escalate,
		},
	];
}

export interface ReminderSettings {
	/** 0: no reminders (escalation only). */
	everyMs: number;
	maxReminders: number;
	prefix: string;
	escalationUserID: string | null;
	escalationText: string;
}

/**
 * What the item asks for, checked against the wait limit: a reminder must come before the limit,
 * else it would never be sent. Undefined when neither reminders nor escalation are on.
 */
export function readReminderSettings(input: ItemInput, deadline: Date, now = Date.now()): ReminderSettings | undefined {
	const remind = input.boolean('sendReminders', 'Send Reminders', false);
	const limited = deadline.getTime() !== WAIT_INDEFINITELY.getTime();
	const escalate = limited && input.boolean('escalate', 'Escalate on Timeout', false);
	if (!remind && !escalate) return undefined;
	let everyMs = 0;
	let maxReminders = 0;
	if (remind) {
		const amount = Number(input.raw('remindAmount', 1));
		const unit = String(input.raw('remindUnit', 'days')) as keyof typeof UNIT_MS;
		if (!Number.isFinite(amount) || amount <= 0) input.fail('Remind After', `must be a positive number, not ${String(input.raw('remindAmount', 1))}`);
		everyMs = Math.round(amount * (UNIT_MS[unit] ?? UNIT_MS.days));
		if (limited && now + everyMs >= deadline.getTime()) {
			input.fail(
				'Remind After',
				`(${amount} ${unit}) is not shorter than the wait limit (${deadline.toISOString()}): no reminder could be sent`,
				'Shorten Remind After, or raise the limit under Limit Wait Time.',
			);
		}
		maxReminders = input.integer('maxReminders', 'Max Reminders', { min: 1 });
	}
	let escalationUserID: string | null = null;
	if (escalate) escalationUserID = input.text('escalationUserID', 'Escalation User ID', { required: true, singleLine: true, maxLength: 64 });
	return {
		everyMs,
		maxReminders,
		prefix: remind ? input.text('reminderPrefix', 'Reminder Title Prefix', { maxLength: 100 }) : '',
		escalationUserID,
		escalationText: escalate ? input.text('escalationText', 'Escalation Text', { maxLength: 10_000 }) : '',
	};
}

/** One reminder round as the output reports it. */
export interface ReminderRound extends IDataObject {
	round: number;
	at: string;
	sentTo: string[];
	notifications: IDataObject[];
}

/** What the `remind` item carries from one run of the node to the next. */
export interface ReminderState extends ReminderSettings {
	/** The execution and node this state belongs to: only there do its links and records mean anything. */
	executionId: string;
	nodeId: string;
	/** What is due when the node runs with this item: the next reminder, or the end (escalation, result). */
	due: 'reminder' | 'limit';
	deadline: string | null;
	/** The question's request without recipient and link (the card as first sent), and how it went out. */
	request: IDataObject;
	content: IDataObject;
	format: DeliveryFormat;
	approvers: string[];
	multi: boolean;
	mode: ApprovalMode;
	min: number;
	/** The first cards' IDs, per approver. */
	notifications: IDataObject[];
	rounds: ReminderRound[];
}

/**
 * Until when the node waits next, and what is due then: the next reminder while there are some left
 * and it comes before the limit, else the limit (only worth a round trip with escalation or reminders).
 */
export function nextWait(state: Omit<ReminderState, 'due'>, now = Date.now()): { waitTill: Date; due: ReminderState['due'] | null } {
	const deadline = state.deadline ? new Date(state.deadline) : WAIT_INDEFINITELY;
	if (state.everyMs > 0 && state.rounds.length < state.maxReminders && now + state.everyMs < deadline.getTime()) {
		return { waitTill: new Date(now + state.everyMs), due: 'reminder' };
	}
	if (!state.deadline) return { waitTill: WAIT_INDEFINITELY, due: null };
	return { waitTill: deadline, due: 'limit' };
}

/** The item the node leaves as its input while it waits: what the workflow gets if the wait runs out. */
export function remindItem(state: ReminderState, waitTill: Date): IDataObject {
	return {
		decision: REMIND,
		approved: null,
		timedOut: false,
		respondedAt: null,
		respondedBy: null,
		waitedUntil: waitTill.toISOString(),
		...(state.multi ? { approvalMode: state.mode, approvers: state.approvers } : { recipient: state.approvers[0] }),
		reminder: state as unknown as IDataObject,
	};
}

/**
 * The reminder state of the node's input, if this run is a reminder round. A `remind` item of another
 * execution or node (pinned data, a copied item) is refused: its links and records are not this wait's.
 */
export function reminderOf(ctx: IExecuteFunctions, input: ItemInput): ReminderState | undefined {
	const json = ctx.getInputData()[0]?.json;
	if (json?.decision !== REMIND || typeof json.reminder !== 'object' || json.reminder === null) return undefined;
	const state = json.reminder as unknown as ReminderState;
	if (state.executionId !== ctx.getExecutionId() || state.nodeId !== ctx.getNode().id) {
		input.fail(
			'Input',
			`is a "remind" item of another execution or node (${String(state.executionId)}): reminders continue only the wait that produced them`,
			'Route the "remind" output of this node straight back into it, in the same execution.',
		);
	}
	return state;
}
