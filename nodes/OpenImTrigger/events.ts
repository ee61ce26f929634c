import type { IDataObject } from 'n8n-workflow';

import { PlatformID, SessionType } from '../../openim/constants';

/**
 * The OpenIM after-events the trigger offers (openim-api.md §6.4), and how each body becomes items.
 *
 * OpenIM posts every event to `{url}/{callbackCommand}`; the node registers one static n8n webhook
 * per event whose path is that command, so n8n routes each event to this node by exact path.
 * Keys are renamed where OpenIM's spelling is irregular; keys not listed here pass through as they
 * came, so fields a newer OpenIM adds are not lost.
 */

export interface OpenImEvent {
	/** Parameter value, n8n webhook name and the `event` field of the output. */
	value: string;
	/** Label in the Events list. */
	name: string;
	description: string;
	/** The block in OpenIM's config/webhooks.yml that enables it. */
	configKey: string;
	/** What OpenIM appends to the URL and puts in the body (spelling as in the server's code). */
	callbackCommand: string;
	/** Message events: subject to the own-sender filter. */
	isMessage?: boolean;
	/** Body (without callbackCommand/operationID) → one or more output objects. */
	map: (body: IDataObject) => IDataObject[];
}

/** A rename table: OpenIM key → output key. Unlisted keys are copied unchanged. */
type Renames = Record<string, string>;

function rename(body: IDataObject, renames: Renames): IDataObject {
	const out: IDataObject = {};
	for (const [key, value] of Object.entries(body)) out[renames[key] ?? key] = value;
	return out;
}

/** Content types by number (client SDK MessageType; 118 is MarkdownText on OpenIM's main branch). */
const CONTENT_TYPE_NAMES: Record<number, string> = {
	101: 'text',
	102: 'picture',
	103: 'voice',
	104: 'video',
	105: 'file',
	106: 'atText',
	107: 'merger',
	108: 'card',
	109: 'location',
	110: 'custom',
	113: 'typing',
	114: 'quote',
	115: 'face',
	118: 'markdownText',
	1400: 'oaNotification',
	2101: 'revokeNotification',
};

const PLATFORM_NAMES: Record<number, string> = Object.fromEntries(
	Object.entries(PlatformID).map(([name, id]) => [id, name]),
);

export function contentTypeName(contentType: unknown): string {
	const n = Number(contentType);
	if (CONTENT_TYPE_NAMES[n]) return CONTENT_TYPE_NAMES[n];
	if (n >= 1000 && n <= 5000) return 'notification';
	return 'other';
}

/**
 * `content` arrives as a JSON string inside the JSON body (text: `"{\"content\":\"hi\"}"`).
 * Returns the parsed object, or the value unchanged when it is not a JSON object/array string.
 */
export function parseContent(content: unknown): unknown {
	if (typeof content !== 'string') return content ?? null;
	const trimmed = content.trim();
	if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return content;
	try {
		return JSON.parse(trimmed) as unknown;
	} catch {
		// Not JSON after all: the caller still gets the original string.
		return content;
	}
}

/** The readable text of a message: `content` (text, markdown; v3.3+) or `text` (at-text, quote; v3.0–3.2 text). */
export function messageText(content: unknown): string | null {
	if (typeof content === 'string') return content;
	if (content === null || typeof content !== 'object' || Array.isArray(content)) return null;
	const c = content as IDataObject;
	if (typeof c.content === 'string') return c.content;
	if (typeof c.text === 'string') return c.text;
	return null;
}

/** si_<a>_<b> (sorted) for single chats, sg_<groupID> for groups (§2.5). */
export function conversationIDOf(body: IDataObject): string | null {
	const sessionType = Number(body.sessionType);
	if (sessionType === SessionType.Group) return `sg_${String(body.groupID ?? '')}`;
	if (sessionType === SessionType.Single && body.sendID && body.recvID) {
		return `si_${[String(body.sendID), String(body.recvID)].sort().join('_')}`;
	}
	return null;
}

const MESSAGE_RENAMES: Renames = {
	faceURL: 'senderFaceURL',
	atUserList: 'atUserIDs',
};

function mapMessage(body: IDataObject): IDataObject[] {
	const { content, ...rest } = body;
	const parsed = parseContent(content);
	const out = rename(rest, MESSAGE_RENAMES);
	const platformID = Number(body.senderPlatformID);
	return [
		{
			conversationID: conversationIDOf(body),
			...out,
			senderPlatform: PLATFORM_NAMES[platformID] ?? null,
			contentTypeName: contentTypeName(body.contentType),
			text: messageText(parsed),
			content: parsed as IDataObject,
			atUserIDs: (out.atUserIDs as string[] | null | undefined) ?? [],
		},
	];
}

/** The connection events carry the current time (ms) in `seq`. */
const CONNECTION_RENAMES: Renames = { seq: 'timestamp' };

const USER_RENAMES: Renames = { appMangerLevel: 'appManagerLevel' };

function mapUsers(body: IDataObject): IDataObject[] {
	const users = Array.isArray(body.users) ? (body.users as IDataObject[]) : [];
	const rest: IDataObject = { ...body };
	delete rest.users;
	// One item per registered user: a batch registration starts one run with one item each.
	return users.map((user) => ({ ...rest, ...rename(user ?? {}, USER_RENAMES) }));
}

function mapGroupCreated(body: IDataObject): IDataObject[] {
	const out = rename(body, { initMemberList: 'initialMembers' });
	const members = Array.isArray(out.initialMembers) ? (out.initialMembers as IDataObject[]) : [];
	return [{ ...out, initialMembers: members, memberUserIDs: members.map((m) => String(m?.userID ?? '')) }];
}

function mapGroupDismissed(body: IDataObject): IDataObject[] {
	const out = rename(body, { ownerID: 'ownerUserID', membersID: 'memberUserIDs' });
	// The server sends groupType as a string here (and as a number everywhere else).
	if (typeof out.groupType === 'string' && out.groupType.trim() !== '' && !Number.isNaN(Number(out.groupType))) {
		out.groupType = Number(out.groupType);
	}
	out.memberUserIDs = (out.memberUserIDs as string[] | null | undefined) ?? [];
	return [out];
}

/**
 * afterSingleMsgRead: `userID` is the reader, `Seqs` the seqs their app marked read, and `contentType`
 * (sic) the conversation's type, as MarkConversationAsRead fills it. OpenIM sends no read time: the
 * time the callback arrived stands in.
 */
function mapRead(body: IDataObject): IDataObject[] {
	const out = rename(body, { Seqs: 'seqs', contentType: 'conversationType' });
	out.seqs = (out.seqs as number[] | null | undefined) ?? [];
	out.readAt = new Date().toISOString();
	return [out];
}

const simple =
	(renames: Renames = {}) =>
	(body: IDataObject): IDataObject[] => [rename(body, renames)];

/** Sorted by name: n8n lists options in this order. */
export const OPENIM_EVENTS: OpenImEvent[] = [
	{
		value: 'groupCreated',
		name: 'Group Created',
		description: 'A group was created (afterCreateGroup)',
		configKey: 'afterCreateGroup',
		callbackCommand: 'callbackAfterCreateGroupCommand',
		map: mapGroupCreated,
	},
	{
		value: 'groupDismissed',
		name: 'Group Dismissed',
		description: 'A group was dismissed (afterDismissGroup)',
		configKey: 'afterDismissGroup',
		callbackCommand: 'callbackAfterDisMissGroupCommand',
		map: mapGroupDismissed,
	},
	{
		value: 'groupJoined',
		name: 'Group Joined',
		description:
			'Someone joined a group (afterJoinGroup). OpenIM 3.8 does not say who: the body has the group, request message, join source and inviter.',
		configKey: 'afterJoinGroup',
		callbackCommand: 'callbackAfterJoinGroupCommand',
		map: simple({ reqMessage: 'requestMessage' }),
	},
	{
		value: 'groupMemberKicked',
		name: 'Group Member Kicked',
		description: 'Members were removed from a group (afterKickGroupMember)',
		configKey: 'afterKickGroupMember',
		callbackCommand: 'callbackAfterKickGroupCommand',
		map: (body) => {
			const [out] = simple()(body);
			out.kickedUserIDs = (out.kickedUserIDs as string[] | null | undefined) ?? [];
			return [out];
		},
	},
	{
		value: 'groupMessageSent',
		name: 'Group Message Sent',
		description: 'A message was sent in a group (afterSendGroupMsg)',
		configKey: 'afterSendGroupMsg',
		callbackCommand: 'callbackAfterSendGroupMsgCommand',
		isMessage: true,
		map: mapMessage,
	},
	{
		value: 'groupQuit',
		name: 'Group Quit',
		description: 'A member left a group (afterQuitGroup)',
		configKey: 'afterQuitGroup',
		callbackCommand: 'callbackAfterQuitGroupCommand',
		map: simple(),
	},
	{
		value: 'messageRead',
		name: 'Message Read',
		description:
			'A one-to-one chat was marked read by its recipient\'s app, e.g. on opening it (afterSingleMsgRead). Work notifications and groups fire nothing.',
		configKey: 'afterSingleMsgRead',
		callbackCommand: 'callbackAfterSingleMsgReadCommand',
		map: mapRead,
	},
	{
		value: 'messageRevoked',
		name: 'Message Revoked',
		description: 'A message was revoked (afterRevokeMsg)',
		configKey: 'afterRevokeMsg',
		// (sic) the server's constant for afterRevokeMsg
		callbackCommand: 'callbackBeforeAfterMsgCommand',
		map: simple({ userID: 'revokerUserID' }),
	},
	{
		value: 'singleMessageSent',
		name: 'Single Message Sent',
		description: 'A one-to-one message was sent (afterSendSingleMsg)',
		configKey: 'afterSendSingleMsg',
		callbackCommand: 'callbackAfterSendSingleMsgCommand',
		isMessage: true,
		map: mapMessage,
	},
	{
		value: 'userOffline',
		name: 'User Offline',
		description: 'A client connection closed (afterUserOffline)',
		configKey: 'afterUserOffline',
		callbackCommand: 'callbackAfterUserOfflineCommand',
		map: simple(CONNECTION_RENAMES),
	},
	{
		value: 'userOnline',
		name: 'User Online',
		description: 'A client connected (afterUserOnline)',
		configKey: 'afterUserOnline',
		callbackCommand: 'callbackAfterUserOnlineCommand',
		map: simple(CONNECTION_RENAMES),
	},
	{
		value: 'userRegistered',
		name: 'User Registered',
		description: 'Users were registered (afterUserRegister); one item per user',
		configKey: 'afterUserRegister',
		callbackCommand: 'callbackAfterUserRegisterCommand',
		map: mapUsers,
	},
];

export const EVENTS_BY_VALUE: Record<string, OpenImEvent> = Object.fromEntries(
	OPENIM_EVENTS.map((event) => [event.value, event]),
);

/**
 * The items one OpenIM callback produces: every item starts with `event`, `callbackCommand` and
 * `operationID` (body first, else the `operationID` header), then the event's own fields.
 */
export function mapEvent(event: OpenImEvent, body: IDataObject, headerOperationID = ''): IDataObject[] {
	const { callbackCommand, operationID, ...rest } = body;
	const head: IDataObject = {
		event: event.value,
		callbackCommand: typeof callbackCommand === 'string' && callbackCommand ? callbackCommand : event.callbackCommand,
		operationID: typeof operationID === 'string' && operationID ? operationID : headerOperationID,
	};
	return event.map(rest).map((fields) => ({ ...head, ...fields }));
}

export const EVENTS_BY_COMMAND: Record<string, OpenImEvent> = Object.fromEntries(
	OPENIM_EVENTS.map((event) => [event.callbackCommand, event]),
);

/** What OpenIM expects back (CommonCallbackResp, §6.3): carry on, nothing changed. */
export const OPENIM_ACK = { actionCode: 0, errCode: 0, errMsg: '', errDlt: '', nextCode: 0 } as const;
