import { sleep } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { Path, PullOrder, SessionType } from '../../../../openim/constants';
import type { ConversationSeqs, GetConversationsHasReadAndMaxSeqResp, MsgData, PullMsgBySeqResp } from '../../../../openim/wire';
import { clientOptions } from '../../shared/fields';
import { ItemInput } from '../../shared/input';
import { runPerItem } from '../../shared/run';
import { OpenImClient } from '../../transport';
import { conversationIDFor } from '../message/recall';

/**
 * Whether recipients have read a sent work notification or one-to-one message (openim-clients.md §3).
 * send_msg answers no seq, so the message is found by its IDs in the recipient's view of the
 * conversation (/msg/pull_msg_by_seq, newest first); then a work notification (sn_) is read when the
 * recipient's hasReadSeq reached its seq, a one-to-one message (si_) when it carries isRead.
 * Registered under Notification and Message; the resource says which conversation to look in.
 */

const show = { resource: ['notification', 'message'], operation: ['getReadStatus'] };

/** Messages pulled per request, and how far back (newest first) a message is looked for. */
const PULL_PAGE = 100;
const MAX_PULL_PAGES = 10;
/** OpenIM assigns the seq shortly after the send: a message sent this recently is looked for again. */
const RECENT_MS = 60_000;
const RECHECK_AFTER_MS = 1_000;

export const READ_MEANING =
	'"Read" means the recipient\'s OpenIM app marked the conversation read, which apps do when it is opened: Electron and H5 on opening any conversation (work notifications too), Flutter 3.8.3 when leaving the notification list, Flutter on the main branch never — its users stay "unread". It says the conversation was opened, not that a person read the text. OpenIM keeps no read time, so readAt is null.';

export const description: INodeProperties[] = [
	{
		displayName: 'Send Output',
		name: 'sentMessage',
		type: 'json',
		default: '={{ $json }}',
		required: true,
		description:
			'The output item of Notification → Send or Message → Send (to users): sendID, recvID and serverMsgID/clientMsgID, or a summary with its "results" list. The default takes the incoming item as it is.',
		hint: READ_MEANING,
		displayOptions: { show },
	},
	{
		displayName: 'Output',
		name: 'readStatusOutput',
		type: 'options',
		options: [
			{ name: 'One Item per Recipient', value: 'perRecipient', description: 'Status, seq and IDs for each recipient (easy to filter)' },
			{ name: 'One Summary Item per Input Item', value: 'summary', description: 'Lists of who has read, not read, or is unknown' },
		],
		default: 'perRecipient',
		displayOptions: { show },
	},
];

interface Target {
	recvID: string;
	serverMsgID: string;
	clientMsgID: string;
	/** ms, when the Send output has it: how long to wait for the seq, and where to stop looking. */
	sendTime?: number;
}

interface ReadQuery {
	sendID: string;
	sessionType: number;
	targets: Target[];
	summary: boolean;
}

const LABEL = 'Send Output';
const HINT =
	'Put this operation after Notification → Send or Message → Send to users, or map an object with sendID, recvID and serverMsgID or clientMsgID (or a summary\'s "results").';

const str = (value: unknown): string => (typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '');

/** The recipients and message IDs of one Send output (one send, or a fan-out summary). */
function readTargets(input: ItemInput, value: unknown): { sendID: string; targets: Target[] } {
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value) as unknown;
		} catch {
			input.fail(LABEL, 'is not JSON', HINT);
		}
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) input.fail(LABEL, 'must be one output item of a send (an object)', HINT);
	const sent = value as IDataObject;
	if (sent.error !== undefined && sent.serverMsgID === undefined && sent.results === undefined) {
		input.fail(LABEL, `is an error item, not a send: ${str(sent.error).slice(0, 200)}`, HINT);
	}
	const sendID = str(sent.sendID);
	if (!sendID) input.fail(LABEL, 'has no sendID', HINT);
	if (sent.groupID && !sent.recvID && !Array.isArray(sent.results)) {
		input.fail(LABEL, `is a group message (groupID "${str(sent.groupID)}")`, 'Read status covers work notifications and one-to-one messages.');
	}
	const rows = Array.isArray(sent.results) ? (sent.results as unknown[]) : [sent];
	if (rows.length === 0) input.fail(LABEL, 'has an empty "results" list: the send reached nobody', HINT);
	const sendTime = typeof sent.sendTime === 'number' && sent.sendTime > 0 ? sent.sendTime : undefined;
	const targets = rows.map((row, index): Target => {
		const r = (row ?? {}) as IDataObject;
		const where = Array.isArray(sent.results) ? `results[${index}]` : '';
		const recvID = str(r.recvID);
		if (!recvID) input.fail(LABEL, `has no recvID${where ? ` in ${where}` : ''}`, HINT);
		const serverMsgID = str(r.serverMsgID);
		const clientMsgID = str(r.clientMsgID);
		if (!serverMsgID && !clientMsgID) {
			const why = r.delivered === false ? ' (it was not delivered)' : r.deliveryConfirmedBy ? ' (the send was confirmed after a lost answer, without IDs)' : '';
			input.fail(LABEL, `has no serverMsgID or clientMsgID for "${recvID}"${why}`, HINT);
		}
		return { recvID, serverMsgID, clientMsgID, sendTime: typeof r.sendTime === 'number' && r.sendTime > 0 ? r.sendTime : sendTime };
	});
	return { sendID, targets };
}

function readQuery(ctx: IExecuteFunctions, itemIndex: number): ReadQuery {
	const input = new ItemInput(ctx, itemIndex);
	const sessionType = input.raw('resource', 'notification') === 'message' ? SessionType.Single : SessionType.Notification;
	const { sendID, targets } = readTargets(input, input.raw('sentMessage', {}));
	return { sendID, sessionType, targets, summary: input.raw('readStatusOutput', 'perRecipient') === 'summary' };
}

interface Lookup {
	state?: ConversationSeqs;
	message?: MsgData;
	/** Looked through the whole conversation (or back past the send time) without finding it. */
	searchedAll: boolean;
}

/** The recipient's view of the conversation, and the message in it (newest pages first). */
async function lookUp(client: OpenImClient, target: Target, conversationID: string, itemIndex: number): Promise<Lookup> {
	const seqs = await client.call<GetConversationsHasReadAndMaxSeqResp>(
		Path.GetConversationsHasReadAndMaxSeq,
		{ userID: target.recvID, conversationIDs: [conversationID] },
		{ itemIndex },
	);
	const state = seqs?.seqs?.[conversationID];
	if (!state || state.maxSeq < 1) return { state, searchedAll: false };
	let end = state.maxSeq;
	for (let page = 0; page < MAX_PULL_PAGES && end >= 1; page++) {
		const begin = Math.max(1, end - PULL_PAGE + 1);
		const data = await client.call<PullMsgBySeqResp>(
			Path.PullMsgBySeq,
			{ userID: target.recvID, seqRanges: [{ conversationID, begin, end, num: PULL_PAGE }], order: PullOrder.Desc },
			{ itemIndex },
		);
		const msgs = data?.msgs?.[conversationID]?.Msgs ?? [];
		const message = msgs.find(
			(m) => (target.serverMsgID !== '' && m.serverMsgID === target.serverMsgID) || (target.clientMsgID !== '' && m.clientMsgID === target.clientMsgID),
		);
		if (message) return { state, message, searchedAll: true };
		// Pages are oldest first: once they are older than the send, the message is not further back.
		if (target.sendTime !== undefined && msgs.length > 0 && msgs[0].sendTime < target.sendTime) return { state, searchedAll: true };
		end = begin - 1;
	}
	return { state, searchedAll: end < 1 };
}

function result(query: ReadQuery, target: Target, conversationID: string, found: Lookup): IDataObject {
	const { state, message } = found;
	const base: IDataObject = {
		recvID: target.recvID,
		status: 'unknown',
		read: null,
		readAt: null,
		conversationID,
		seq: message?.seq ?? null,
		hasReadSeq: state?.hasReadSeq ?? null,
		maxSeq: state?.maxSeq ?? null,
	};
	const ids = { serverMsgID: message?.serverMsgID || target.serverMsgID || null, clientMsgID: message?.clientMsgID || target.clientMsgID || null, sendID: query.sendID };
	if (!message) {
		const reason = !state
			? 'OpenIM has not put the message in the recipient\'s conversation yet (the seq is assigned shortly after the send), or the recipient has no such conversation'
			: found.searchedAll
				? 'The message is not in the recipient\'s conversation (deleted, or sent to someone else)'
				: `The message is not among the newest ${PULL_PAGE * MAX_PULL_PAGES} messages of the conversation`;
		return { ...base, ...ids, sendTime: target.sendTime ?? null, reason };
	}
	// sn_: the conversation's read mark; si_: the message's own flag (the recipient's app set it).
	const read = query.sessionType === SessionType.Single ? message.isRead : (state?.hasReadSeq ?? 0) >= message.seq;
	return {
		...base,
		status: read ? 'read' : 'unread',
		read,
		...(query.sessionType === SessionType.Single ? { isRead: message.isRead } : {}),
		...ids,
		sendTime: message.sendTime,
	};
}

async function readStatus(client: OpenImClient, query: ReadQuery, target: Target, itemIndex: number): Promise<IDataObject> {
	const conversationID = conversationIDFor(query.sessionType, query.sendID, target.recvID, '');
	let found = await lookUp(client, target, conversationID, itemIndex);
	const recent = target.sendTime === undefined || Date.now() - target.sendTime < RECENT_MS;
	if (!found.message && recent) {
		// The seq may not be assigned yet: one more look after a moment.
		await sleep(RECHECK_AFTER_MS);
		found = await lookUp(client, target, conversationID, itemIndex);
	}
	return result(query, target, conversationID, found);
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const { concurrency, ...transport } = clientOptions(this);
	const client = new OpenImClient(this, transport);

	return await runPerItem<ReadQuery>(this, {
		concurrency,
		server: client,
		prepare: (itemIndex) => readQuery(this, itemIndex),
		identify: (query) => ({ sendID: query.sendID, recvIDs: query.targets.map((target) => target.recvID) }),
		send: async (query, itemIndex) => {
			const results = await Promise.all(query.targets.map(async (target) => await readStatus(client, query, target, itemIndex)));
			if (!query.summary) return results;
			const who = (status: string) => results.filter((r) => r.status === status).map((r) => r.recvID as string);
			return {
				sendID: query.sendID,
				recipients: results.length,
				read: who('read'),
				unread: who('unread'),
				unknown: who('unknown'),
				results,
			};
		},
	});
}
