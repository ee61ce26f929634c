import { WAIT_INDEFINITELY } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { ContentType, Path, SessionType } from '../../../../openim/constants';
import type { OANotificationElem, OANotificationSendReq, SendMsgReq } from '../../../../openim/wire';
import { approvalLink, LinkParam, SEND_AND_WAIT, timeoutResult, UNIT_OPTIONS, waitUntil } from '../../shared/approval';
import type { WaitLimit } from '../../shared/approval';
import { readAnswers, recordPrefix, writeManifest } from '../../shared/approvers';
import type { Answer, ApprovalMode } from '../../shared/approvers';
import { clientOptions, readDelivery } from '../../shared/fields';
import { formFieldProperties, readFormFields } from '../../shared/form';
import { notificationParts, readDeliveryFormat } from '../../shared/format';
import type { DeliveryFormat } from '../../shared/format';
import { ItemInput } from '../../shared/input';
import { asNodeError, errorItem } from '../../shared/run';
import type { ErrorWithContext } from '../../shared/run';
import { readRecipients, verifyRecipients } from '../../shared/recipients';
import { nextWait, readReminderSettings, reminderFields, reminderOf, remindItem } from '../../shared/reminders';
import type { ReminderRound, ReminderState } from '../../shared/reminders';
import { sendParts } from '../../shared/sending';
import { UserDirectory } from '../../shared/users';
import { OpenImClient, newOperationID } from '../../transport';
import { withoutBinarySource } from '../../shared/binary';
import * as send from './send';

const show = { resource: ['notification'], operation: [SEND_AND_WAIT] };

/**
 * n8n 2.x offers nodes with a Send and Wait operation as human-review steps for an AI agent's tools (node
 * type `<node>HitlTool`): it hides resource, operation and response type, and adds a `message` field (the
 * agent's words, or by default which tool it wants to run with what input). That message is the card text.
 */
const REVIEW_MESSAGE = 'message';

function isAgentReview(ctx: IExecuteFunctions): boolean {
	return ctx.getNode().type.endsWith('HitlTool');
}

/** The response link is all that matters here: where can the recipient tap it? (openim-clients.md §2) */
const WAIT_FORMAT_HINT =
	'Work Notification Card: only the Flutter demo 3.8.3 can open the response link, and only by tapping the picture of a Text and Picture card; other apps cannot answer. Chat Message: the link is in the text, which every official app shows. Both: sends both.';

/**
 * Fields of Notification → Send, shown for this operation. Not here: all users, the fan-out and
 * output choices (one card per approver, one decision out) and Link (the response page).
 */
const SKIP = new Set(['fanOut', 'outputMode', 'externalUrl']);
const APPROVER_MODES = new Set(['user', 'userList', 'groupMembers']);
const reused: INodeProperties[] = withoutBinarySource(send.description)
	.filter((property) => !SKIP.has(property.name))
	.map((property) => {
		if (property.name === 'recipientMode') {
			return {
				...property,
				displayName: 'Approvers',
				options: (property.options as INodePropertyOptions[]).filter((option) => APPROVER_MODES.has(String(option.value))),
				displayOptions: { show },
			} as INodeProperties;
		}
		if (property.name === 'recvIDs' || property.name === 'memberGroupID') {
			return { ...property, displayOptions: { show: { ...show, recipientMode: property.displayOptions?.show?.recipientMode } } } as INodeProperties;
		}
		if (property.name === 'recvID') {
			return { ...property, displayOptions: { show: { ...show, recipientMode: ['user'] } } } as INodeProperties;
		}
		const rest = { ...(property.displayOptions?.show ?? {}) } as IDataObject;
		delete rest.recipientMode;
		delete rest.operation;
		const own = property.name === 'deliveryFormat' ? { hint: WAIT_FORMAT_HINT } : {};
		const displayOptions = { ...property.displayOptions, show: { ...rest, ...show } } as IDataObject;
		// As an AI agent's human review (n8n 2.x, type …HitlTool) n8n adds its own Message field: the card text.
		if (property.name === 'text') displayOptions.hide = { [REVIEW_MESSAGE]: [{ _cnd: { exists: true } }] };
		return { ...property, ...own, displayOptions } as INodeProperties;
	});

const withResponse = (responseType: string) => ({ ...show, responseType: [responseType] });

export const description: INodeProperties[] = [
	{
		displayName:
			'Sends a notification (parameters from the first item) to each approver, whose own link opens an n8n response page, then waits. The n8n address must be reachable from the approvers\' phones (set WEBHOOK_URL behind a proxy).',
		name: 'sendAndWaitNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	...reused,
	{
		// Placeholder for n8n's review Message (see REVIEW_MESSAGE): Text's display rule depends on this
		// parameter, and n8n 1.x cannot resolve a rule on a parameter the node does not have.
		displayName: 'Message',
		name: REVIEW_MESSAGE,
		type: 'hidden',
		default: '',
		displayOptions: { show },
	},
	{
		displayName: 'Response Type',
		name: 'responseType',
		type: 'options',
		options: [
			{ name: 'Approval', value: 'approval', description: 'Approve button, optionally also Decline' },
			{ name: 'Free Text', value: 'freeText', description: 'A text box the recipient fills in' },
			{ name: 'Custom Form', value: 'customForm', description: 'A form with the fields defined below, checked before it counts' },
		],
		default: 'approval',
		displayOptions: { show },
	},
	{
		displayName: 'Type of Approval',
		name: 'approvalType',
		type: 'options',
		options: [
			{ name: 'Approve Only', value: 'single' },
			{ name: 'Approve and Decline', value: 'double' },
		],
		default: 'double',
		displayOptions: { show: withResponse('approval') },
	},
	{
		displayName: 'Approve Button Label',
		name: 'approveLabel',
		type: 'string',
		default: 'Approve',
		displayOptions: { show: withResponse('approval') },
	},
	{
		displayName: 'Decline Button Label',
		name: 'declineLabel',
		type: 'string',
		default: 'Decline',
		displayOptions: { show: { ...withResponse('approval'), approvalType: ['double'] } },
	},
	{
		displayName: 'Submit Button Label',
		name: 'approveLabel',
		type: 'string',
		default: 'Send',
		displayOptions: { show: { ...show, responseType: ['freeText', 'customForm'] } },
	},
	...formFieldProperties(show),
	{
		displayName: 'Approval Mode',
		name: 'approvalMode',
		type: 'options',
		options: [
			{ name: 'First Answer Decides', value: 'first', description: 'Whoever answers first decides for everyone' },
			{ name: 'All Must Approve', value: 'all', description: 'Approved when everyone approved; any decline decides at once' },
			{ name: 'At Least N Approve', value: 'atLeast', description: 'Approved after N approvals; declined once N can no longer be reached' },
		],
		default: 'first',
		hint: 'Each approver gets their own link. Answers that do not decide yet are kept in OpenIM (a record per approver on the sending account) so every n8n process can count them.',
		displayOptions: { show: { ...show, recipientMode: ['userList', 'groupMembers'] } },
	},
	{
		displayName: 'Minimum Approvals',
		name: 'minApprovals',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 2,
		description: 'How many approvals (or, for Free Text and Custom Form, answers) decide',
		displayOptions: { show: { ...show, recipientMode: ['userList', 'groupMembers'], approvalMode: ['atLeast'] } },
	},
	{
		displayName: 'Page Message',
		name: 'pageMessage',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		description: 'Text shown on the response page under the title. Use plain text, not expressions on item data: the page is built when the link is opened.',
		displayOptions: { show },
	},
	{
		displayName: 'Limit Wait Time',
		name: 'limitWaitTime',
		type: 'boolean',
		default: false,
		description: 'Whether to stop waiting after a time. Then the node outputs decision "timeout".',
		displayOptions: { show },
	},
	{
		displayName: 'Limit Type',
		name: 'limitType',
		type: 'options',
		options: [
			{ name: 'After Time Interval', value: 'afterTimeInterval' },
			{ name: 'At Specified Time', value: 'atSpecifiedTime' },
		],
		default: 'afterTimeInterval',
		displayOptions: { show: { ...show, limitWaitTime: [true] } },
	},
	{
		displayName: 'Amount',
		name: 'resumeAmount',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: 1,
		displayOptions: { show: { ...show, limitWaitTime: [true], limitType: ['afterTimeInterval'] } },
	},
	{
		displayName: 'Unit',
		name: 'resumeUnit',
		type: 'options',
		options: UNIT_OPTIONS,
		default: 'hours',
		displayOptions: { show: { ...show, limitWaitTime: [true], limitType: ['afterTimeInterval'] } },
	},
	{
		displayName: 'Max Date and Time',
		name: 'maxDateAndTime',
		type: 'dateTime',
		default: '',
		description: 'Stop waiting at this time',
		displayOptions: { show: { ...show, limitWaitTime: [true], limitType: ['atSpecifiedTime'] } },
	},
	...reminderFields(show),
	{
		displayName: 'Send Follow-Up Notification',
		name: 'followUp',
		type: 'boolean',
		default: false,
		description: 'Whether to send the recipient a second card with the decision once they answer',
		displayOptions: { show },
	},
	{
		displayName: 'Follow-Up Text',
		name: 'followUpText',
		type: 'string',
		default: '',
		placeholder: 'Thanks, your answer was recorded.',
		description: 'Text of the follow-up card. Empty says what was decided.',
		displayOptions: { show: { ...show, followUp: [true] } },
	},
];

/**
 * Sends the card with the signed resume URL as its link and puts the execution to wait. What the
 * node outputs comes later: the webhook's decision, or on timeout the timeout result prepared here.
 * Run again with its own `remind` item (the loop back into the node), it sends a reminder round or,
 * at the limit, the escalation card and the final result (shared/reminders.ts).
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	try {
		const state = reminderOf(this, new ItemInput(this, 0));
		return state ? await reminderRun(this, state) : await sendAndWait(this);
	} catch (error) {
		// Nothing is waiting: with Continue On Fail the failure is the node's one output item.
		if (!this.continueOnFail()) throw asNodeError(this, error, 0);
		return [errorItem(error as ErrorWithContext, 0)];
	}
}

interface Approvers {
	userIDs: string[];
	multi: boolean;
	mode: ApprovalMode;
	min: number;
	verify: boolean;
}

/** Who is asked: one user (as before), a list, or a group's members (resolved now, once). */
async function readApprovers(input: ItemInput, client: OpenImClient): Promise<Approvers> {
	const recipients = readRecipients(input);
	const single = recipients.mode === 'user';
	let userIDs = recipients.userIDs;
	if (recipients.mode === 'groupMembers') {
		const data = await client.call<{ userIDs: string[] | null }>(Path.GetGroupMemberUserID, { groupID: recipients.groupID ?? '' }, { itemIndex: 0 });
		userIDs = [...new Set(data?.userIDs ?? [])];
		if (userIDs.length === 0) {
			input.fail('Group ID', `"${recipients.groupID ?? ''}" has no members: nobody could answer`, 'OpenIM answers an unknown group ID with an empty member list. Check the group ID.');
		}
	}
	const mode = single ? 'first' : (input.raw('approvalMode', 'first') as ApprovalMode);
	let min = 1;
	if (mode === 'atLeast') {
		min = input.integer('minApprovals', 'Minimum Approvals', { min: 1 });
		if (min > userIDs.length) {
			input.fail('Minimum Approvals', `is ${min}, but there ${userIDs.length === 1 ? 'is 1 approver' : `are ${userIDs.length} approvers`}`, 'Lower it, or ask more people.');
		}
	}
	return { userIDs, multi: !single, mode, min, verify: recipients.verify };
}

/** The question as sent to every approver: the request without recipient and link, and its format. */
interface Question {
	request: IDataObject;
	content: IDataObject;
	format: DeliveryFormat;
	multi: boolean;
}

/** One approver's card (or chat message) with their own signed link; `titlePrefix` marks a reminder. */
async function askOne(ctx: IExecuteFunctions, client: OpenImClient, question: Question, recvID: string, titlePrefix = ''): Promise<IDataObject> {
	const title = String(question.content.notificationName ?? '');
	const link = await approvalLink(ctx, {
		[LinkParam.recipient]: recvID,
		[LinkParam.sender]: String(question.request.sendID),
		[LinkParam.title]: title.slice(0, 200),
		...(question.multi ? { [LinkParam.multi]: '1' } : {}),
	});
	const card = { ...question.content, notificationName: `${titlePrefix}${title}`.slice(0, 1000), url: link, externalUrl: link } as unknown as OANotificationElem;
	const pushTitle = String((question.request.offlinePushInfo as IDataObject).title ?? '');
	// For a chat message, the link goes into the text (chatText): what every official app shows.
	return { recvID, ...(await sendCard(ctx, client, question, recvID, card, { title: `${titlePrefix}${pushTitle}`.slice(0, 200) }, 'notification')) };
}

/** A card from the question's sender, in the question's format, to one user; `push` overrides its push fields. */
async function sendCard(
	ctx: IExecuteFunctions,
	client: OpenImClient,
	question: Question,
	recvID: string,
	card: OANotificationElem,
	push: IDataObject,
	what: string,
): Promise<IDataObject> {
	const request = { ...question.request, recvID, content: card, offlinePushInfo: { ...(question.request.offlinePushInfo as IDataObject), ...push } };
	const parts = notificationParts(request as unknown as SendMsgReq, card, question.format);
	return await sendParts(ctx, client, parts, newOperationID(), 0, what, question.format);
}

/**
 * The result when the wait runs out: the recipient and their card's IDs, or with several approvers
 * the mode, the approvers and each card's IDs (`notifications`).
 */
function timeoutJson(approvers: Pick<Approvers, 'userIDs' | 'multi' | 'mode' | 'min'>, waitTill: Date, sends: IDataObject[]): IDataObject {
	if (!approvers.multi) return timeoutResult(approvers.userIDs[0], waitTill, sends[0]);
	const multi = { approvalMode: approvers.mode, ...(approvers.mode === 'atLeast' ? { requiredApprovals: approvers.min } : {}), approvers: approvers.userIDs, notifications: sends };
	const json = timeoutResult(approvers.userIDs.join(','), waitTill, {}, multi);
	delete json.recipient;
	delete json.notification;
	return json;
}

/**
 * Waits, leaving `json` as the node's input: on timeout n8n resumes with the node switched off, which
 * passes its input on (a new object, so the previous node's output stays as it was).
 */
async function waitWith(ctx: IExecuteFunctions, json: IDataObject, waitTill: Date): Promise<INodeExecutionData[]> {
	const item: INodeExecutionData = { json, pairedItem: { item: 0 } };
	const executeData = typeof ctx.getExecuteData === 'function' ? ctx.getExecuteData() : undefined;
	if (executeData) executeData.data = { ...executeData.data, main: [[item]] };
	// n8n 1.x checks the signature only when the node asks for it (2.x always checks).
	const signing = ctx as IExecuteFunctions & { setSignatureValidationRequired?: () => void };
	if (typeof signing.setSignatureValidationRequired === 'function') signing.setSignatureValidationRequired();
	await ctx.putExecutionToWait(waitTill);
	return [item];
}

async function sendAndWait(ctx: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const input = new ItemInput(ctx, 0);
	const transport = clientOptions(ctx);
	const client = new OpenImClient(ctx, transport);
	const directory = new UserDirectory(client);
	const settings = await client.settings();

	const content = send.readNotification(input, undefined, isAgentReview(ctx) ? { name: REVIEW_MESSAGE, label: 'Message' } : undefined);
	const format = readDeliveryFormat(input);
	const delivery = await readDelivery(input, settings, directory);
	await send.checkCardIcon(input, content, delivery.sender.senderFaceURL, client);
	const responseType = input.raw('responseType', 'approval') as string;
	if (responseType === 'customForm') {
		readFormFields(input.raw('defineForm', 'fields'), input.raw('formFields', {}), input.raw('jsonOutput', '[]'), (label, problem) => input.fail(label, problem));
	}
	const waitTill = waitUntil(ctx.getNode(), {
		limitWaitTime: input.boolean('limitWaitTime', 'Limit Wait Time', false),
		limitType: input.raw('limitType', 'afterTimeInterval') as WaitLimit['limitType'],
		resumeAmount: input.raw('resumeAmount', 1) as number,
		resumeUnit: input.raw('resumeUnit', 'hours') as WaitLimit['resumeUnit'],
		maxDateAndTime: input.raw('maxDateAndTime', '') as string,
	});
	const reminders = isAgentReview(ctx) ? undefined : readReminderSettings(input, waitTill);
	const approvers = await readApprovers(input, client);
	if (approvers.multi && (await client.profile()).generation.startsWith('v2')) {
		input.fail('Approvers', 'needs OpenIM v3 for several approvers', 'Answers are kept in OpenIM conversation records (/conversation/set_conversations), which v2 servers do not have. Ask one user.');
	}

	const failed = await verifyRecipients(ctx, directory, [
		{
			itemIndex: 0,
			prepared: {
				recipients: {
					mode: approvers.multi ? 'userList' : 'user',
					userIDs: approvers.userIDs,
					fanOut: 'sendMsg',
					outputMode: 'summary',
					verify: approvers.verify,
				},
			},
		},
	], 'notification');
	if (failed.size > 0) throw failed.get(0);
	const escalationUserID = reminders?.escalationUserID;
	if (escalationUserID && (await directory.unregistered([escalationUserID])).size > 0) {
		input.fail('Escalation User ID', `"${escalationUserID}" is not a registered OpenIM user`, 'Nobody would see the escalation. Check the user ID.');
	}

	// Several approvers: the manifest goes to OpenIM before any card, so the first answer finds it.
	if (approvers.multi) {
		await writeManifest(client, delivery.sender.sendID, recordPrefix(ctx.getExecutionId(), ctx.getNode().id), {
			approvers: approvers.userIDs,
			mode: approvers.mode,
			min: approvers.min,
			responseType,
		});
	}

	const request: Omit<OANotificationSendReq, 'recvID' | 'content'> = {
		...delivery.sender,
		contentType: ContentType.OANotification,
		sessionType: SessionType.Notification,
		isOnlineOnly: delivery.isOnlineOnly,
		offlinePushInfo: {
			title: delivery.push.title || content.notificationName,
			desc: delivery.push.desc || content.text.slice(0, 200),
			ex: delivery.push.ex,
			iOSPushSound: delivery.push.iOSPushSound,
			iOSBadgeCount: delivery.push.iOSBadgeCount,
		},
	};
	const question: Question = { request: request as unknown as IDataObject, content: content as unknown as IDataObject, format, multi: approvers.multi };
	const sends: IDataObject[] = [];
	for (const recvID of approvers.userIDs) sends.push(await askOne(ctx, client, question, recvID));

	const count = ctx.getInputData().length;
	if (count > 1 && typeof ctx.addExecutionHints === 'function') {
		ctx.addExecutionHints({
			message: `Send and Wait asked once, with the parameters of the first of the ${count} input items. To ask about each item, run it once per item (e.g. Loop Over Items with batch size 1).`,
			type: 'warning',
			location: 'outputPane',
		});
	}

	if (reminders) {
		const limited = waitTill.getTime() !== WAIT_INDEFINITELY.getTime();
		const base = {
			...reminders,
			executionId: ctx.getExecutionId(),
			nodeId: ctx.getNode().id,
			deadline: limited ? waitTill.toISOString() : null,
			...question,
			approvers: approvers.userIDs,
			mode: approvers.mode,
			min: approvers.min,
			notifications: sends,
			rounds: [],
		};
		const next = nextWait(base);
		if (next.due) return await waitWith(ctx, remindItem({ ...base, due: next.due }, next.waitTill), next.waitTill);
	}
	// With several approvers the timeout result cannot say who answered meanwhile: nothing of the
	// node runs then (with reminders or escalation on, the last round trip says it).
	return await waitWith(ctx, timeoutJson(approvers, waitTill, sends), waitTill);
}

/** Who has not answered yet: several approvers' answers are in OpenIM; one approver has not, or the wait would be over. */
async function pendingApprovers(client: OpenImClient, state: ReminderState): Promise<{ responses: Answer[]; pending: string[] }> {
	if (!state.multi) return { responses: [], pending: state.approvers };
	const responses = await readAnswers(client, String(state.request.sendID), recordPrefix(state.executionId, state.nodeId), state.approvers);
	const answered = new Set(responses.map((answer) => answer.userID));
	return { responses, pending: state.approvers.filter((id) => !answered.has(id)) };
}

/** A run of the node on its own `remind` item: a reminder round and the next wait, or the end. */
async function reminderRun(ctx: IExecuteFunctions, state: ReminderState): Promise<INodeExecutionData[]> {
	const client = new OpenImClient(ctx, clientOptions(ctx));
	const { responses, pending } = await pendingApprovers(client, state);
	const approvers = { userIDs: state.approvers, multi: state.multi, mode: state.mode, min: state.min };

	if (state.due === 'reminder') {
		// Each reminder on its own: one that fails is reported in the round, the others still go out.
		const round: ReminderRound = { round: state.rounds.length + 1, at: new Date().toISOString(), sentTo: [], notifications: [] };
		for (const recvID of pending) {
			try {
				round.notifications.push(await askOne(ctx, client, state, recvID, state.prefix));
				round.sentTo.push(recvID);
			} catch (error) {
				round.notifications.push({ recvID, sent: false, error: (error as Error).message });
			}
		}
		const after = { ...state, rounds: [...state.rounds, round] };
		const next = nextWait(after);
		if (next.due) return await waitWith(ctx, remindItem({ ...after, due: next.due }, next.waitTill), next.waitTill);
		return await waitWith(ctx, { ...timeoutJson(approvers, next.waitTill, state.notifications), reminders: after.rounds }, next.waitTill);
	}

	// The wait limit: escalate, then the final result, with who answered and who did not.
	const deadline = new Date(state.deadline ?? Date.now());
	const json: IDataObject = {
		...timeoutJson(approvers, deadline, state.notifications),
		...(state.multi ? { responses, notAnswered: pending } : {}),
		reminders: state.rounds,
	};
	if (state.escalationUserID) {
		json.escalatedTo = state.escalationUserID;
		json.escalation = await escalate(ctx, client, state, pending, deadline);
	}
	return [{ json, pairedItem: { item: 0 } }];
}

/** The escalation card (in the question's format, without a response link): best effort, its outcome goes into the output. */
async function escalate(ctx: IExecuteFunctions, client: OpenImClient, state: ReminderState, pending: string[], deadline: Date): Promise<IDataObject> {
	const title = String(state.content.notificationName ?? '');
	const text =
		state.escalationText ||
		`No decision on "${title}" by ${deadline.toISOString()}.\nNot answered: ${pending.join(', ') || 'nobody'}.` +
			(state.multi ? `\nAsked: ${state.approvers.join(', ')}.` : '');
	const card = { ...state.content, notificationName: `No decision: ${title}`.slice(0, 1000), text, url: '', externalUrl: '' } as unknown as OANotificationElem;
	const recvID = String(state.escalationUserID);
	try {
		return { sent: true, ...(await sendCard(ctx, client, state, recvID, card, { title: card.notificationName.slice(0, 200), desc: text.slice(0, 200) }, 'escalation')) };
	} catch (error) {
		return { sent: false, recvID, error: (error as Error).message };
	}
}
