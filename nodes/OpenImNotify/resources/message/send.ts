import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ContentType, SessionType } from '../../../../openim/constants';
import type { SendMsgReq } from '../../../../openim/wire';
import { groupLocator, optionsCollection, readDelivery, senderField } from '../../shared/fields';
import type { ItemInput } from '../../shared/input';
import { binaryMedia, mediaFieldsWithBinary, uploadOptions } from '../../shared/binary';
import type { FileUpload, MediaReader } from '../../shared/binary';
import type { MediaKind } from '../../shared/media';
import { readRecipients, recipientFields } from '../../shared/recipients';
import { runSends } from '../../shared/sending';
import type { UserDirectory } from '../../shared/users';

const show = { resource: ['message'], operation: ['send'] };
const toUsers = { ...show, sessionType: [SessionType.Single] };
const toGroup = { ...show, sessionType: [SessionType.Group] };
const ofType = (...contentTypes: number[]) => ({ ...show, contentType: contentTypes });

export const description: INodeProperties[] = [
	senderField(show),
	{
		displayName: 'Send To',
		name: 'sessionType',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'User', value: SessionType.Single, description: 'A one-to-one chat with the sender (sessionType 1)' },
			{ name: 'Group', value: SessionType.Group, description: 'A group chat (sessionType 3)' },
		],
		default: 1,
		displayOptions: { show },
	},
	...recipientFields(toUsers, 'The user who receives the message in their chat with the sender'),
	groupLocator('groupID', toGroup, 'The group that receives the message'),
	{
		displayName: 'Message Type',
		name: 'contentType',
		type: 'options',
		// Ordered by OpenIM's contentType numbers.
		options: [
			{ name: 'Text', value: ContentType.Text },
			{ name: 'Picture', value: ContentType.Picture },
			{ name: 'Voice', value: ContentType.Voice },
			{ name: 'Video', value: ContentType.Video },
			{ name: 'File', value: ContentType.File },
			{ name: '@Mention Text (Groups)', value: ContentType.AtText, description: 'OpenIM contentType 106; v3.6 and later' },
			{ name: 'Custom (JSON)', value: ContentType.Custom },
		],
		default: 101,
		displayOptions: { show },
	},
	{
		displayName: 'Text',
		name: 'messageText',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'Build #42 failed on main',
		description: 'The text of the message',
		displayOptions: { show: ofType(ContentType.Text, ContentType.AtText) },
	},
	{
		displayName: 'Mention User IDs',
		name: 'atUserIDs',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'alice, bob',
		description:
			'Group members to @mention, separated by commas (at most 1000). Works in groups only (OpenIM v3.6 and later). Apps show the "@ID" in the text as the member\'s name; the node adds the ones the text lacks.',
		displayOptions: { show: ofType(ContentType.AtText) },
	},
	...mediaFieldsWithBinary('picture', ofType(ContentType.Picture)),
	...mediaFieldsWithBinary('voice', ofType(ContentType.Voice)),
	...mediaFieldsWithBinary('video', ofType(ContentType.Video)),
	...mediaFieldsWithBinary('file', ofType(ContentType.File)),
	{
		displayName: 'Custom Data (JSON)',
		name: 'customData',
		type: 'json',
		default: '{\n  "type": "approval",\n  "id": 42\n}',
		required: true,
		description: 'Sent as a JSON string in content.data; your apps render it',
		displayOptions: { show: ofType(ContentType.Custom) },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: optionsCollection(
			{
				displayName: 'Custom Description',
				name: 'customDescription',
				type: 'string',
				default: '',
				description: 'The description field of a custom message (content.description)',
			},
			{
				displayName: 'Custom Extension',
				name: 'customExtension',
				type: 'string',
				default: '',
				description: 'The extension field of a custom message (content.extension)',
			},
			{
				displayName: 'Extension (Ex)',
				name: 'ex',
				type: 'string',
				default: '',
				description: 'Free text stored on the message (ex; OpenIM v3.8.0 and later)',
			},
			{
				displayName: 'No Offline Push',
				name: 'notOfflinePush',
				type: 'boolean',
				default: false,
				description: 'Whether to skip the phone push for offline users (notOfflinePush)',
			},
			{
				displayName: 'Send Time',
				name: 'sendTime',
				type: 'dateTime',
				default: '',
				description: 'For importing history: the time the message is dated. Empty means now. Ordering still follows arrival.',
			},
			...uploadOptions,
		),
	},
];

/** The media kind of a media message's contentType. */
const MEDIA_OF: Partial<Record<number, MediaKind>> = {
	[ContentType.Picture]: 'picture',
	[ContentType.Voice]: 'voice',
	[ContentType.Video]: 'video',
	[ContentType.File]: 'file',
};

function readContent(input: ItemInput, contentType: number, sessionType: number, options: IDataObject, media: MediaReader): IDataObject {
	switch (contentType) {
		case ContentType.Text:
			return { content: input.text('messageText', 'Text', { required: true }) };
		case ContentType.AtText: {
			if (sessionType !== SessionType.Group) input.fail('Message Type', '@Mention Text works in groups only');
			const raw = input.raw('atUserIDs', '');
			const ids = (Array.isArray(raw) ? raw : String(raw).split(/[\s,;]+/))
				.map((id) => input.checkText(id, 'Mention User IDs', { singleLine: true, maxLength: 256 }))
				.filter((id) => id !== '');
			if (ids.length === 0) input.fail('Mention User IDs', 'is empty');
			if (ids.length > 1000) input.fail('Mention User IDs', `has ${ids.length} IDs; OpenIM takes at most 1000`);
			const text = input.text('messageText', 'Text', { required: true });
			// Apps highlight a mention where the text says "@<userID>", drawn as atUsersInfo's name
			// (openim-clients.md §2): mentions the text lacks go in front of it.
			const missing = ids.filter((id) => !new RegExp(`@${escapeRegExp(id)}(?![A-Za-z0-9_])`).test(text));
			return {
				text: missing.length ? `${missing.map((id) => `@${id}`).join(' ')} ${text}` : text,
				atUserList: ids,
				isAtSelf: false,
				atUsersInfo: ids.map((id) => ({ atUserID: id, groupNickname: id })),
			};
		}
		case ContentType.Picture:
			return media.picture(input) as unknown as IDataObject;
		case ContentType.Voice:
			return media.voice(input) as unknown as IDataObject;
		case ContentType.Video:
			return media.video(input) as unknown as IDataObject;
		case ContentType.File:
			return media.file(input) as unknown as IDataObject;
		case ContentType.Custom: {
			const raw = input.raw('customData', '');
			let data: string;
			if (typeof raw === 'string') {
				try {
					JSON.parse(raw);
				} catch {
					return input.fail('Custom Data (JSON)', 'is not valid JSON', 'Write a JSON object such as {"type":"approval","id":42}.');
				}
				data = raw;
			} else if (raw !== null && typeof raw === 'object') {
				data = JSON.stringify(raw);
			} else {
				return input.fail('Custom Data (JSON)', 'is empty');
			}
			if (data.trim() === '') input.fail('Custom Data (JSON)', 'is empty');
			return {
				// content.data must be a string: an object fails OpenIM's decoder (§2.2).
				data,
				description: input.text('customDescription', 'Custom Description', {}, options),
				extension: input.text('customExtension', 'Custom Extension', {}, options),
			};
		}
		default:
			return input.fail('Message Type', `${contentType} is not one OpenIM accepts from the API`);
	}
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The names apps show for the mentions: each user's nickname (one look-up per 100 IDs), else the ID. */
async function nameMentions(content: IDataObject, directory: UserDirectory): Promise<void> {
	const info = content.atUsersInfo as Array<{ atUserID: string; groupNickname: string }>;
	const names = await directory.nicknames(info.map((at) => at.atUserID));
	for (const at of info) at.groupNickname = names.get(at.atUserID) || at.atUserID;
}

function readSendTime(input: ItemInput, options: IDataObject): number | undefined {
	const value = options.sendTime;
	if (value === undefined || value === '' || value === null) return undefined;
	const ms = typeof value === 'number' ? value : Date.parse(String(value));
	if (!Number.isFinite(ms) || ms <= 0) input.fail('Send Time', `is not a date: "${String(value).slice(0, 60)}"`);
	return Math.floor(ms);
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runSends(this, 'message', async (input, settings, directory) => {
		const options = input.raw('options', {}) as IDataObject;
		const sessionType = input.integer('sessionType', 'Send To', { min: 1, max: 3 });
		const contentType = input.integer('contentType', 'Message Type', { min: 101, max: 110 });
		const uploads: FileUpload[] = [];
		const mediaKind = MEDIA_OF[contentType];
		const media = await binaryMedia(input, mediaKind ? [mediaKind] : [], uploads);
		const content = readContent(input, contentType, sessionType, options, media);
		const delivery = await readDelivery(input, settings, directory);
		if (contentType === ContentType.AtText) await nameMentions(content, directory);
		const recipients = sessionType === SessionType.Group ? undefined : readRecipients(input);
		const request: SendMsgReq = {
			...delivery.sender,
			...(recipients
				? { recvID: recipients.userIDs[0] ?? '' }
				: { groupID: input.locator('groupID', 'Group ID') }),
			content,
			contentType,
			sessionType,
			isOnlineOnly: delivery.isOnlineOnly,
			notOfflinePush: input.boolean('notOfflinePush', 'No Offline Push', false, options),
			ex: input.text('ex', 'Extension (Ex)', {}, options),
			offlinePushInfo: {
				...delivery.push,
				title: delivery.push.title || delivery.sender.senderNickname || delivery.sender.sendID,
				desc: delivery.push.desc || (typeof content.content === 'string' ? content.content.slice(0, 200) : ''),
			},
		};
		const sendTime = readSendTime(input, options);
		if (sendTime !== undefined) request.sendTime = sendTime;
		return { request, recipients, uploads };
	});
}
