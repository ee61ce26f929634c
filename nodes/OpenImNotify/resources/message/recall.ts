import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ErrCode, ErrMsg, Path, SessionType } from '../../../../openim/constants';
import type { ChatLog, RevokeMsgReq, SearchMsgResp } from '../../../../openim/wire';
import { clientOptions, groupLocator, recipientField, senderField } from '../../shared/fields';
import { ItemInput } from '../../shared/input';
import { runPerItem } from '../../shared/run';
import { OpenImClient, newOperationID } from '../../transport';
import type { OpenImSettings } from '../../transport';
import { explainError } from '../user/listing';

const show = { resource: ['message'], operation: ['recall'] };
const withUser = { ...show, sessionType: [SessionType.Single, SessionType.Notification] };
const inGroup = { ...show, sessionType: [SessionType.Group] };

const DAY_MS = 24 * 60 * 60 * 1000;
/** search_msg page size, and how many pages one day may take (10,000 messages between one pair). */
const SEARCH_PAGE = 100;
const MAX_SEARCH_PAGES = 100;

const NOT_SEARCHABLE =
	'OpenIM 3.8 cannot find work notifications by client message ID: /msg/search_msg never searches notification conversations (sn_).';

export const description: INodeProperties[] = [
	{
		...senderField(show),
		description:
			'The account that sent the message; OpenIM recalls it in this account\'s view of the conversation. Empty uses the first Sender ID of the credential. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Sent To',
		name: 'sessionType',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Group', value: SessionType.Group, description: 'A message in a group chat (sessionType 3)' },
			{ name: 'User', value: SessionType.Single, description: 'A message in a one-to-one chat (sessionType 1)' },
			{
				name: 'User, as a Work Notification',
				value: SessionType.Notification,
				description: `An OA work notification (sessionType 4). ${NOT_SEARCHABLE} Recallable only with Options → Message Seq.`,
			},
		],
		default: 1,
		displayOptions: { show },
	},
	recipientField(withUser, 'The user the message was sent to'),
	groupLocator('groupID', inGroup, 'The group the message was sent to'),
	{
		displayName: 'Client Message ID',
		name: 'clientMsgID',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.clientMsgID }}',
		description:
			'The clientMsgID the Send operation output for the message. The node looks up its seq with /msg/search_msg. Not needed when Options → Message Seq is set. Several IDs (a list, or separated by commas) recall several messages of the same conversation: the chat.clientMsgIDs of a Notification → Send Chat Message recalls its text and picture.',
		displayOptions: { show },
	},
	{
		displayName: 'Sent On',
		name: 'sendDate',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.sendTime }} or 2025-11-25',
		description:
			'When the message was sent, because OpenIM searches one day (UTC) at a time: the sendTime the Send operation output (milliseconds), an ISO date-time, or a date (YYYY-MM-DD; the days either side are searched too, for time zones). Empty means today (and yesterday).',
		displayOptions: { show },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Message Seq',
				name: 'seq',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 0 },
				default: 0,
				description:
					'The message\'s sequence number in its conversation, if you know it (OpenIM clients see it on the message). Skips the search; the only way to recall a work notification on OpenIM 3.8. 0 means search by Client Message ID.',
			},
		],
	},
];

/** §2.5 GetConversationIDBySessionType: si_/sn_ + the two user IDs sorted, sg_ + the group ID. */
export function conversationIDFor(sessionType: number, sendID: string, recvID: string, groupID: string): string {
	if (sessionType === SessionType.Group) return `sg_${groupID}`;
	const pair = [sendID, recvID].sort().join('_');
	return sessionType === SessionType.Notification ? `sn_${pair}` : `si_${pair}`;
}

const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** A bare date names a local day, which overlaps the UTC day before or after it: search all three. */
const daysAround = (midnightUtc: number): string[] => [utcDay(midnightUtc), utcDay(midnightUtc - DAY_MS), utcDay(midnightUtc + DAY_MS)];

/** Seconds and milliseconds since 1970 both occur; 10^11 s is the year 5138. */
const epochMs = (n: number): number => (Math.abs(n) < 1e11 ? n * 1000 : n);

/** The UTC days `search_msg` is asked about, most likely first. */
export function searchDays(input: ItemInput, now = Date.now()): string[] {
	const value = input.raw('sendDate', '') as unknown;
	const bad = (): never =>
		input.fail(
			'Sent On',
			`is not a date: ${JSON.stringify(value)?.slice(0, 80) ?? String(value)}`,
			'Use the sendTime of the Send output (milliseconds), an ISO date-time such as 2025-11-25T09:30:00Z, or a date such as 2025-11-25.',
		);
	let ms: number | undefined;
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
		// "Today" wherever the workflow runs: the UTC day now and the one before cover every time zone.
		return [utcDay(now), utcDay(now - DAY_MS)];
	} else if (typeof value === 'number') {
		ms = epochMs(value);
	} else if (value instanceof Date) {
		ms = value.getTime();
	} else if (typeof value === 'object' && typeof (value as { toMillis?: unknown }).toMillis === 'function') {
		// A Luxon DateTime from an expression such as {{ $now }}.
		ms = (value as { toMillis: () => number }).toMillis();
	} else if (typeof value === 'string') {
		const text = value.trim();
		const date = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](.*))?$/.exec(text);
		if (/^\d{9,13}$/.test(text)) {
			ms = epochMs(Number(text));
		} else if (date && (date[4] === undefined || !/(Z|[+-]\d{2}:?\d{2})$/i.test(date[4]))) {
			// A date, or a date-time without a zone: the day it names, in an unknown time zone.
			const midnight = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]));
			if (!Number.isFinite(midnight) || utcDay(midnight) !== `${date[1]}-${date[2]}-${date[3]}`) bad();
			return daysAround(midnight);
		} else {
			ms = Date.parse(text);
		}
	}
	if (ms === undefined || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return bad();
	return [utcDay(ms)];
}

interface Recall {
	sendID: string;
	sessionType: number;
	recvID: string;
	groupID: string;
	clientMsgID: string;
	/** The rest of a list of IDs (a Chat Message's text and picture): recalled one after the other. */
	moreClientMsgIDs: string[];
	/** 0: find it by clientMsgID. */
	seq: number;
	days: string[];
	conversationID: string;
	operationID: string;
}

function readRecall(input: ItemInput, settings: OpenImSettings): Recall {
	const sendID = input.locator('sendID', 'Sender', { required: false }) || settings.senderIDs[0];
	const sessionType = input.integer('sessionType', 'Sent To', { min: 1, max: 4 });
	if (sessionType !== SessionType.Single && sessionType !== SessionType.Group && sessionType !== SessionType.Notification) {
		input.fail('Sent To', `must be 1 (user), 3 (group) or 4 (work notification), not ${sessionType}`);
	}
	const group = sessionType === SessionType.Group;
	const recvID = group ? '' : input.locator('recvID', 'Recipient');
	const groupID = group ? input.locator('groupID', 'Group ID') : '';
	const options = input.raw('options', {}) as IDataObject;
	const seq = input.integer('seq', 'Message Seq', { min: 0, max: Number.MAX_SAFE_INTEGER }, options);
	const ids = clientMsgIDList(input, seq === 0);
	const clientMsgID = ids[0] ?? '';
	if (seq !== 0 && ids.length > 1) input.fail('Client Message ID', 'holds several IDs, but Options → Message Seq names one message', 'Give one ID with a seq, or leave Message Seq at 0.');
	if (sessionType === SessionType.Notification && seq === 0) {
		input.fail(
			'Sent To',
			`"User, as a Work Notification" cannot be recalled by client message ID. ${NOT_SEARCHABLE}`,
			'Set Options → Message Seq if you know the notification\'s seq (OpenIM clients see it on the message), or recall it from an OpenIM client.',
		);
	}
	return {
		sendID,
		sessionType,
		recvID,
		groupID,
		clientMsgID,
		moreClientMsgIDs: ids.slice(1),
		seq,
		days: seq === 0 ? searchDays(input) : [],
		conversationID: conversationIDFor(sessionType, sendID, recvID, groupID),
		operationID: newOperationID(),
	};
}

/** One client message ID, or several from a list or separated by commas/spaces (at most 100). */
function clientMsgIDList(input: ItemInput, required: boolean): string[] {
	const value = input.raw('clientMsgID', '');
	const parts = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,;]+/) : [value];
	const ids = [...new Set(parts.map((part) => input.checkText(part, 'Client Message ID', { singleLine: true, maxLength: 256 })).filter((id) => id !== ''))];
	if (required && ids.length === 0) input.fail('Client Message ID', 'is empty');
	if (ids.length > 100) input.fail('Client Message ID', `holds ${ids.length} IDs; at most 100 per item`);
	return ids;
}

/** The message's chat log, found by clientMsgID among what the sender sent there on those days. */
async function findMessage(client: OpenImClient, input: ItemInput, recall: Recall): Promise<ChatLog> {
	for (const day of [...new Set(recall.days)]) {
		for (let pageNumber = 1; pageNumber <= MAX_SEARCH_PAGES; pageNumber++) {
			const data = await client.call<SearchMsgResp>(
				Path.SearchMsg,
				{
					sendID: recall.sendID,
					// recvID matches a message's recvID or its groupID.
					recvID: recall.groupID || recall.recvID,
					contentType: 0,
					sendTime: day,
					sessionType: recall.sessionType,
					pagination: { pageNumber, showNumber: SEARCH_PAGE },
				},
				{ itemIndex: input.itemIndex },
			);
			const logs = data?.chatLogs ?? [];
			const hit = logs.find((log) => log.chatLog?.clientMsgID === recall.clientMsgID && log.chatLog.seq > 0);
			if (hit) return hit.chatLog;
			if (logs.length < SEARCH_PAGE || pageNumber * SEARCH_PAGE >= (data?.chatLogsNum ?? 0)) break;
		}
	}
	const where = recall.groupID ? `group "${recall.groupID}"` : `"${recall.recvID}"`;
	return input.fail(
		'Client Message ID',
		`"${recall.clientMsgID}" was not found among the messages from "${recall.sendID}" to ${where} sent on ${[...new Set(recall.days)].join(' or ')} (UTC)`,
		'Check the sender, Sent To, the recipient and Sent On (OpenIM searches whole UTC days). Online-only messages are never stored and cannot be recalled.',
	);
}

/** Finds (unless the seq is given) and recalls one message. */
async function recallOne(ctx: IExecuteFunctions, client: OpenImClient, recall: Recall, itemIndex: number): Promise<IDataObject> {
	const input = new ItemInput(ctx, itemIndex);
	const found = recall.seq === 0 ? await findMessage(client, input, recall) : undefined;
	const seq = found?.seq ?? recall.seq;
	const request: RevokeMsgReq = { conversationID: recall.conversationID, seq, userID: recall.sendID };
	try {
		await client.call(Path.RevokeMsg, request as unknown as IDataObject, {
			itemIndex,
			operationID: recall.operationID,
			// A repeat after a lost answer finds the message recalled by the first try.
			doneByFirstTry: [ErrCode.MsgAlreadyRevoke],
		});
	} catch (error) {
		const which = recall.clientMsgID ? `"${recall.clientMsgID}"` : `with seq ${seq} in ${recall.conversationID}`;
		throw explainError(ctx.getNode(), error, itemIndex, (errCode) =>
			errCode === ErrCode.MsgAlreadyRevoke
				? {
						path: Path.RevokeMsg,
						errCode,
						errMsg: ErrMsg[ErrCode.MsgAlreadyRevoke],
						message: `The message ${which} was already recalled [item ${itemIndex}]`,
						description: 'OpenIM answered errCode 1404 (MsgAlreadyRevoke): it had been recalled before; nothing changed.',
					}
				: undefined,
		);
	}
	return {
		recalled: true,
		clientMsgID: found?.clientMsgID ?? (recall.clientMsgID || null),
		serverMsgID: found?.serverMsgID ?? null,
		seq,
		conversationID: recall.conversationID,
		sessionType: recall.sessionType,
		sendID: recall.sendID,
		...(recall.groupID ? { groupID: recall.groupID } : { recvID: recall.recvID }),
		sendTime: found?.sendTime ?? null,
		operationID: recall.operationID,
	};
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const { concurrency, ...transport } = clientOptions(this);
	const client = new OpenImClient(this, transport);
	const settings = await client.settings();

	return await runPerItem<Recall>(this, {
		concurrency,
		server: client,
		prepare: (itemIndex) => readRecall(new ItemInput(this, itemIndex), settings),
		identify: (recall) => ({
			clientMsgID: recall.clientMsgID || null,
			sendID: recall.sendID,
			...(recall.groupID ? { groupID: recall.groupID } : { recvID: recall.recvID }),
			operationID: recall.operationID,
		}),
		send: async (first, itemIndex) => {
			const results: IDataObject[] = [];
			for (const clientMsgID of [first.clientMsgID, ...first.moreClientMsgIDs]) {
				const recall = clientMsgID === first.clientMsgID ? first : { ...first, clientMsgID, operationID: newOperationID() };
				results.push(await recallOne(this, client, recall, itemIndex));
			}
			if (results.length === 1) return results[0];
			// Several messages: the first one's fields, and every recalled message.
			return {
				...results[0],
				messages: results.map(({ clientMsgID, serverMsgID, seq, sendTime, operationID }) => ({ clientMsgID, serverMsgID, seq, sendTime, operationID })),
			};
		},
	});
}
