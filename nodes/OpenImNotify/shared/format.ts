import type { IDataObject, IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { ContentType, MixType, SessionType } from '../../../openim/constants';
import type { OANotificationElem, SendMsgReq } from '../../../openim/wire';
import type { ItemInput } from './input';

/**
 * Delivery Format: what a notification goes out as. Current official OpenIM apps (desktop/web,
 * H5, Flutter) show a work notification (1400) as "unsupported"; every one of them shows a 101
 * text and a 102 picture in a one-to-one chat (openim-clients.md §1).
 */
export type DeliveryFormat = 'card' | 'chat' | 'both';
export const DELIVERY_FORMATS: DeliveryFormat[] = ['card', 'chat', 'both'];

/** What one message of a send is: the card, the chat text, or the picture following it. */
export type PartRole = 'card' | 'chat' | 'chatPicture';

export interface SendPart {
	role: PartRole;
	request: SendMsgReq;
}

export const FORMAT_HINT =
	'Work Notification Card: only apps built on the OpenIM SDK that draw OA cards, and the Flutter demo 3.8.3 (current desktop/web, H5 and Flutter apps show "unsupported"). Chat Message: every official app. Both: each app shows what it can.';

export function deliveryFormatField(show: IDisplayOptions['show']): INodeProperties {
	return {
		displayName: 'Delivery Format',
		name: 'deliveryFormat',
		type: 'options',
		options: [
			{
				name: 'Work Notification Card',
				value: 'card',
				description: 'An OA card (contentType 1400) in the notification conversation, for apps that render OA cards',
			},
			{
				name: 'Chat Message',
				value: 'chat',
				description: 'A text (101) with title, text and link in a one-to-one chat, plus a picture (102) if there is one',
			},
			{ name: 'Both', value: 'both', description: 'The card and the chat message' },
		],
		default: 'card',
		hint: FORMAT_HINT,
		displayOptions: { show },
	};
}

export function readDeliveryFormat(input: ItemInput): DeliveryFormat {
	const value = input.raw('deliveryFormat', 'card');
	const format = typeof value === 'string' ? value.trim() : value;
	if (!DELIVERY_FORMATS.includes(format as DeliveryFormat)) {
		input.fail('Delivery Format', `must be card, chat or both, not ${JSON.stringify(value)?.slice(0, 60) ?? String(value)}`);
	}
	return format as DeliveryFormat;
}

/**
 * The card's words as a chat text: title, text, then the links of what only the card could carry
 * (video, file, voice are not shown by current apps as messages of their own), then the link.
 */
export function chatText(content: OANotificationElem): string {
	const lines = [content.notificationName, '', content.text];
	const media: string[] = [];
	if (content.videoElem) media.push(`Video: ${content.videoElem.videoUrl}`);
	if (content.fileElem) media.push(`File: ${content.fileElem.fileName} ${content.fileElem.sourceUrl}`);
	if (content.soundElem) media.push(`Voice: ${content.soundElem.sourceUrl}`);
	if (media.length > 0) lines.push('', ...media);
	const link = content.externalUrl || content.url;
	if (link) lines.push('', `Open: ${link}`);
	return lines.join('\n');
}

/**
 * The messages of one notification in the chosen format, in the order they are sent: the card,
 * then the chat text, then its picture (so the text arrives first in the chat).
 */
export function notificationParts(card: SendMsgReq, content: OANotificationElem, format: DeliveryFormat): SendPart[] {
	const parts: SendPart[] = [];
	if (format !== 'chat') parts.push({ role: 'card', request: card });
	if (format === 'card') return parts;
	// A one-to-one chat from the notification account: no client checks appMangerLevel.
	const chat: SendMsgReq = {
		...card,
		content: { content: chatText(content) },
		contentType: ContentType.Text,
		sessionType: SessionType.Single,
	};
	parts.push({ role: 'chat', request: chat });
	const picture = content.pictureElem;
	if (picture && (content.mixType === MixType.Picture || content.mixType === MixType.VoicePicture)) {
		parts.push({
			role: 'chatPicture',
			request: {
				...chat,
				content: { ...picture },
				contentType: ContentType.Picture,
				// One push per notification: the text's.
				notOfflinePush: true,
				offlinePushInfo: undefined,
			},
		});
	}
	return parts;
}

/** One delivered message of a send: its role and the IDs OpenIM answered (serverMsgID, clientMsgID, sendTime, operationID…). */
export interface DeliveredPart {
	role: PartRole;
	ids: IDataObject;
}

/**
 * What the output adds to the first message's IDs: the format that went out and, for a chat
 * message, its IDs (and its picture's) with the one-to-one conversation they are in, and the
 * list Message → Recall takes as Client Message ID.
 */
export function formatFields(format: DeliveryFormat, sendID: string, recvID: string, done: DeliveredPart[]): IDataObject {
	const out: IDataObject = { deliveryFormat: format };
	const chat = done.find((part) => part.role === 'chat');
	if (!chat) return out;
	const picture = done.find((part) => part.role === 'chatPicture');
	out.chat = {
		...chat.ids,
		sessionType: SessionType.Single,
		conversationID: `si_${[sendID, recvID].sort().join('_')}`,
		...(picture ? { picture: picture.ids } : {}),
		clientMsgIDs: [chat.ids.clientMsgID, ...(picture ? [picture.ids.clientMsgID] : [])].filter((id) => typeof id === 'string' && id !== ''),
	};
	return out;
}
