import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { Path } from '../../../openim/constants';
import type { BatchSendMsgResp, SendMsgResp } from '../../../openim/wire';
import { newOperationID } from '../transport';
import type { ConfirmedSend, OpenImClient } from '../transport';
import { ItemInput } from './input';
import { CHECK_BATCH } from './users';
import type { UserDirectory } from './users';
import { groupLocator, recipientField } from './fields';
import { formatFields } from './format';
import type { DeliveredPart, DeliveryFormat, SendPart } from './format';

export type RecipientMode = 'user' | 'userList' | 'groupMembers' | 'allUsers';
export type FanOut = 'sendMsg' | 'batchSendMsg';

export interface Recipients {
	mode: RecipientMode;
	/** Known up front for 'user' and 'userList'; resolved from OpenIM for the others. */
	userIDs: string[];
	groupID?: string;
	fanOut: FanOut;
	outputMode: 'summary' | 'perRecipient';
	/** Options → Verify Recipient Exists (default on). */
	verify: boolean;
}

/** Form fields choosing who receives: one user, a list, a group's members or everyone. */
export function recipientFields(show: IDisplayOptions['show'], oneUserDescription: string): INodeProperties[] {
	const many = { ...show, recipientMode: ['userList', 'groupMembers', 'allUsers'] };
	return [
		{
			displayName: 'Recipients',
			name: 'recipientMode',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'One User', value: 'user', description: 'One recipient per input item' },
				{ name: 'List of Users', value: 'userList', description: 'Several user IDs from one input item' },
				{ name: 'Members of a Group', value: 'groupMembers', description: 'Everyone in an OpenIM group' },
				{ name: 'All Users', value: 'allUsers', description: 'Every user of the OpenIM server' },
			],
			default: 'user',
			displayOptions: { show },
		},
		recipientField({ ...show, recipientMode: ['user'] }, oneUserDescription),
		{
			displayName: 'User IDs',
			name: 'recvIDs',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'alice, bob, carol',
			description: 'Separated by commas, spaces or new lines, or an expression giving a list',
			displayOptions: { show: { ...show, recipientMode: ['userList'] } },
		},
		groupLocator(
			'memberGroupID',
			{ ...show, recipientMode: ['groupMembers'] },
			'Every member of this group receives it (read with /group/get_group_member_user_id)',
		),
		{
			displayName: 'Delivery Method',
			name: 'fanOut',
			type: 'options',
			options: [
				{
					name: 'One Request per Recipient (Recommended)',
					value: 'sendMsg',
					description:
						'Parallel /msg/send_msg calls within Max Concurrent Requests: every recipient gets its own IDs, retries and error',
				},
				{
					name: 'OpenIM Batch Send',
					value: 'batchSendMsg',
					description:
						'One /msg/batch_send_msg call: OpenIM sends one by one on the server, all recipients share one clientMsgID, failures come without reasons and a lost answer cannot be checked or retried',
				},
			],
			default: 'sendMsg',
			hint: 'Batch Send is one request, but the server works through recipients sequentially; the default is faster and reports each failure.',
			displayOptions: { show: many },
		},
		{
			displayName: 'Output',
			name: 'outputMode',
			type: 'options',
			options: [
				{ name: 'One Summary Item per Input Item', value: 'summary', description: 'Counts, delivered IDs and failures with reasons' },
				{ name: 'One Item per Recipient', value: 'perRecipient', description: 'Status, message IDs or error for each recipient' },
			],
			default: 'summary',
			displayOptions: { show: many },
		},
	];
}

function listOfIDs(input: ItemInput, value: unknown): string[] {
	const parts = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,;]+/) : [value];
	const ids = parts.map((part) => input.checkText(part, 'User IDs', { singleLine: true, maxLength: 256 })).filter((id) => id !== '');
	if (ids.length === 0) input.fail('User IDs', 'is empty');
	return [...new Set(ids)];
}

export function readRecipients(input: ItemInput): Recipients {
	const mode = input.raw('recipientMode', 'user') as RecipientMode;
	const verify = (input.raw('options', {}) as IDataObject).verifyRecipient !== false;
	const many = { fanOut: input.raw('fanOut', 'sendMsg') as FanOut, outputMode: input.raw('outputMode', 'summary') as Recipients['outputMode'], verify };
	switch (mode) {
		case 'userList':
			return { mode, userIDs: listOfIDs(input, input.raw('recvIDs', '')), ...many };
		case 'groupMembers':
			return {
				mode,
				userIDs: [],
				groupID: input.locator('memberGroupID', 'Group ID'),
				...many,
			};
		case 'allUsers':
			return { mode, userIDs: [], ...many };
		default:
			return { mode: 'user', userIDs: [input.locator('recvID', 'Recipient')], fanOut: 'sendMsg', outputMode: 'summary', verify };
	}
}

const ALL_USERS_PAGE = 500;

/** The user IDs behind a group or "all users" (paged like OpenIM's own isSendAll, §2.3). */
async function resolveRecipients(client: OpenImClient, recipients: Recipients, itemIndex: number): Promise<string[]> {
	if (recipients.mode === 'groupMembers') {
		const data = await client.call<{ userIDs: string[] | null }>(Path.GetGroupMemberUserID, { groupID: recipients.groupID ?? '' }, { itemIndex });
		return data?.userIDs ?? [];
	}
	if (recipients.mode === 'allUsers') {
		const ids: string[] = [];
		for (let pageNumber = 1; ; pageNumber++) {
			const page = await client.call<{ total: number; userIDs: string[] | null }>(
				Path.GetAllUsersUid,
				{ pagination: { pageNumber, showNumber: ALL_USERS_PAGE } },
				{ itemIndex },
			);
			ids.push(...(page?.userIDs ?? []));
			if (!page?.userIDs?.length || ids.length >= page.total) return ids;
		}
	}
	return recipients.userIDs;
}

export interface RecipientResult extends IDataObject {
	recvID: string;
	delivered: boolean;
}

type Identified = { recvID: string; operationID: string };

/**
 * OpenIM answers errCode 0 with an empty serverMsgID when it stored the message for nobody: the
 * recipient's global receive option is "do not receive" (openim-api.md §2.1, step 6).
 */
export function storedForNobody(data: SendMsgResp | ConfirmedSend | undefined): boolean {
	return !data || (!('confirmedBy' in data) && !data.serverMsgID);
}

export const STORED_FOR_NOBODY =
	'OpenIM accepted the send but stored it for nobody (empty serverMsgID): the recipient has set OpenIM to receive no messages, or a webhook dropped it';

/** The message IDs of a send's answer; a send confirmed after a lost answer has none. */
export function messageIDs(data: SendMsgResp | ConfirmedSend): IDataObject {
	return 'confirmedBy' in data
		? { serverMsgID: null, clientMsgID: null, sendTime: null, deliveryConfirmedBy: data.confirmedBy }
		: { serverMsgID: data.serverMsgID, clientMsgID: data.clientMsgID, sendTime: data.sendTime };
}

function delivered(data: SendMsgResp | ConfirmedSend, id: Identified): RecipientResult {
	if (storedForNobody(data)) return { ...id, delivered: false, error: STORED_FOR_NOBODY };
	return { ...id, delivered: true, ...messageIDs(data) };
}

function failed(error: Error & { description?: string | null; context?: IDataObject }, id: Identified): RecipientResult {
	const result: RecipientResult = { ...id, delivered: false, error: error.message };
	if (typeof error.context?.errCode === 'number') result.errCode = error.context.errCode;
	return result;
}

/**
 * Sends one request body to many users. Per-recipient send_msg runs through the client's
 * in-flight bound, so every recipient gets its own result; batch_send_msg is one request.
 */
async function deliverToMany(
	client: OpenImClient,
	request: IDataObject,
	userIDs: string[],
	fanOut: FanOut,
	itemIndex: number,
): Promise<RecipientResult[]> {
	// v2's batch endpoint has another request and answer shape: there, send one by one.
	if (fanOut === 'batchSendMsg' && (await client.profile()).batchSend) {
		const operationID = newOperationID();
		// batch_send_msg is send_msg without recvID (§2.3).
		const body = { ...request };
		delete body.recvID;
		const data = await client.call<BatchSendMsgResp>(
			Path.BatchSendMsg,
			{ ...body, recvIDs: userIDs, isSendAll: false },
			{ operationID, itemIndex, idempotent: false },
		);
		const byUser = new Map((data?.results ?? []).map((result) => [result.recvID, result]));
		const failedIDs = new Set(data?.failedUserIDs ?? []);
		return userIDs.map((recvID) => {
			const result = byUser.get(recvID);
			if (result && !failedIDs.has(recvID)) return delivered(result, { recvID, operationID });
			return { recvID, operationID, delivered: false, error: 'OpenIM batch_send_msg reported this recipient as failed (it gives no reason)' };
		});
	}
	return await Promise.all(
		userIDs.map(async (recvID) => {
			const id = { recvID, operationID: newOperationID() };
			try {
				const data = await client.call<SendMsgResp | ConfirmedSend>(Path.SendMsg, { ...request, recvID }, { operationID: id.operationID, itemIndex, send: true });
				return delivered(data, id);
			} catch (error) {
				return failed(error as Error, id);
			}
		}),
	);
}

/**
 * Every message of one send to every user, one message after the other (a chat text before its
 * picture); a user whose message failed gets none of the later ones. Results are the first message's.
 */
async function deliverParts(
	client: OpenImClient,
	parts: SendPart[],
	userIDs: string[],
	fanOut: FanOut,
	itemIndex: number,
	format?: DeliveryFormat,
): Promise<RecipientResult[]> {
	let results: RecipientResult[] = [];
	const done = new Map<string, DeliveredPart[]>(userIDs.map((id) => [id, []]));
	for (const [index, part] of parts.entries()) {
		const pending = index === 0 ? userIDs : results.filter((result) => result.delivered).map((result) => result.recvID);
		if (pending.length === 0) break;
		const partResults = await deliverToMany(client, part.request as unknown as IDataObject, pending, fanOut, itemIndex);
		const byUser = new Map(partResults.map((result) => [result.recvID, result]));
		if (index === 0) results = partResults;
		for (const [at, result] of results.entries()) {
			const mine = byUser.get(result.recvID);
			if (!mine) continue;
			if (!mine.delivered) {
				const sent = (done.get(result.recvID) ?? []).map((p) => `${p.role} (clientMsgID ${String(p.ids.clientMsgID)})`).join(', ');
				results[at] = { ...mine, ...(sent ? { error: `${String(mine.error)} (already delivered: ${sent})` } : {}) };
				continue;
			}
			const { serverMsgID, clientMsgID, sendTime, operationID } = mine;
			done.get(result.recvID)?.push({ role: part.role, ids: { serverMsgID, clientMsgID, sendTime, operationID } });
		}
	}
	if (!format) return results;
	const sendID = String(parts[0].request.sendID);
	return results.map((result) => (result.delivered ? { ...result, ...formatFields(format, sendID, result.recvID, done.get(result.recvID) ?? []) } : result));
}

/** The summary item of one input item's fan-out: nothing about a failed recipient is dropped. */
function summarize(results: RecipientResult[], extra: IDataObject): IDataObject {
	const ok = results.filter((result) => result.delivered);
	const bad = results.filter((result) => !result.delivered);
	return {
		...extra,
		recipients: results.length,
		delivered: ok.length,
		failed: bad.length,
		failures: bad.map(({ recvID, error, errCode }) => ({ recvID, error, ...(errCode !== undefined ? { errCode } : {}) })),
		results: ok.map(({ recvID, serverMsgID, clientMsgID, operationID, chat }) => ({ recvID, serverMsgID, clientMsgID, operationID, ...(chat ? { chat } : {}) })),
	};
}

export interface RecipientJob {
	itemIndex: number;
	prepared: { recipients?: Recipients };
}

/**
 * Explicit recipient IDs must be registered users (one /user/account_check per 100 IDs for all
 * the given items), unless the item turned verification off. Errors per item.
 */
export async function verifyRecipients(
	ctx: IExecuteFunctions,
	directory: UserDirectory,
	jobs: RecipientJob[],
	what: string,
): Promise<Map<number, Error>> {
	const failed = new Map<number, Error>();
	const ids = (job: RecipientJob) => job.prepared.recipients?.userIDs ?? [];
	const verify = jobs.filter((job) => ids(job).length > 0 && job.prepared.recipients?.verify);
	if (verify.length === 0) return failed;
	const missing = await directory.unregistered(verify.flatMap(ids));
	for (const job of verify) {
		const unknown = ids(job).filter((id) => missing.has(id));
		if (unknown.length === 0) continue;
		const label = job.prepared.recipients?.mode === 'user' ? 'Recipient' : 'User IDs';
		const who =
			unknown.length === 1
				? `"${unknown[0]}" is not a registered OpenIM user`
				: `${unknown.map((id) => `"${id}"`).join(', ')} are not registered OpenIM users`;
		failed.set(
			job.itemIndex,
			new ItemInput(ctx, job.itemIndex).error(label, who, `OpenIM would store the ${what} for nobody. Check the user IDs, or turn off the "Verify Recipient Exists" option.`),
		);
	}
	return failed;
}

/**
 * Verify Recipient Exists alongside the sends, within the same Max Concurrent Requests: items are
 * checked in windows of consecutive items of about one account_check each, and a window's check
 * starts when its first item is about to be sent, together with the next window's. So the first
 * send waits for one check, not for all of them (5,000 recipients are 50 checks), and each item
 * still sends only after its own recipients are known to exist. The returned function gives the
 * refusals (unknown recipients, or the check itself failed) of the item's window.
 */
export function recipientGate(
	ctx: IExecuteFunctions,
	directory: UserDirectory,
	jobs: RecipientJob[],
	what: string,
): (job: RecipientJob) => Promise<ReadonlyMap<number, Error> | undefined> {
	const windows: RecipientJob[][] = [];
	const windowOf = new Map<number, number>();
	let ids = CHECK_BATCH;
	for (const job of jobs) {
		const recipients = job.prepared.recipients;
		if (!recipients?.verify || recipients.userIDs.length === 0) continue;
		if (ids >= CHECK_BATCH) {
			windows.push([]);
			ids = 0;
		}
		// Only what the check needs: the prepared requests of big runs are let go once sent.
		windows[windows.length - 1].push({ itemIndex: job.itemIndex, prepared: { recipients } });
		windowOf.set(job.itemIndex, windows.length - 1);
		ids += recipients.userIDs.length;
	}
	const checks = new Map<number, Promise<Map<number, Error>>>();
	const start = (window: number): Promise<Map<number, Error>> => {
		let check = checks.get(window);
		if (!check) {
			const members = windows[window] ?? [];
			// A check that cannot run (OpenIM unreachable, wrong secret…) refuses its items: none is sent.
			check = verifyRecipients(ctx, directory, members, what).catch(
				(error: Error) => new Map(members.map((job) => [job.itemIndex, error])),
			);
			checks.set(window, check);
		}
		return check;
	};
	return async (job) => {
		const window = windowOf.get(job.itemIndex);
		if (window === undefined) return undefined;
		const check = start(window);
		if (window + 1 < windows.length) void start(window + 1);
		return await check;
	};
}

/** The result of one whole send with many recipients: a summary, or one item per recipient. */
export async function sendToMany(
	ctx: IExecuteFunctions,
	client: OpenImClient,
	parts: SendPart[],
	recipients: Recipients,
	itemIndex: number,
	what: string,
	format?: DeliveryFormat,
): Promise<IDataObject | IDataObject[]> {
	const request = parts[0].request as unknown as IDataObject;
	const userIDs = await resolveRecipients(client, recipients, itemIndex);
	if (userIDs.length === 0) {
		const whose = recipients.groupID ? `The group "${recipients.groupID}" has no members` : 'OpenIM has no users';
		throw new NodeOperationError(ctx.getNode(), `${whose}: nobody received the ${what} [item ${itemIndex}]`, {
			itemIndex,
			description: recipients.groupID
				? 'OpenIM answers an unknown group ID with an empty member list, so the group may not exist. Check the group ID, or pick the group from the list.'
				: undefined,
		});
	}
	const results = await deliverParts(client, parts, userIDs, recipients.fanOut, itemIndex, format);
	if (results.length > 0 && results.every((result) => !result.delivered)) {
		throw new NodeOperationError(ctx.getNode(), `None of the ${results.length} recipients received the ${what}: ${String(results[0].error)}`, { itemIndex });
	}
	const sendID = request.sendID;
	if (recipients.outputMode === 'perRecipient') return results.map((result) => ({ ...result, sendID }));
	return summarize(results, { sendID, ...(recipients.groupID ? { groupID: recipients.groupID } : {}), ...(format ? { deliveryFormat: format } : {}) });
}
