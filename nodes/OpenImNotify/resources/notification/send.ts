import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ContentType, MixType, SessionType } from '../../../../openim/constants';
import type { OANotificationElem, OANotificationSendReq, SendMsgReq } from '../../../../openim/wire';
import { optionsCollection, readDelivery, senderField } from '../../shared/fields';
import { deliveryFormatField, notificationParts, readDeliveryFormat } from '../../shared/format';
import type { ItemInput } from '../../shared/input';
import { binaryMedia, mediaFieldsWithBinary, uploadOptions, urlMedia } from '../../shared/binary';
import type { FileUpload, MediaReader } from '../../shared/binary';
import type { MediaKind } from '../../shared/media';
import { readRecipients, recipientFields } from '../../shared/recipients';
import { runSends } from '../../shared/sending';
import type { OpenImClient } from '../../transport';

const show = { resource: ['notification'], operation: ['send'] };
const withMix = (...mixTypes: number[]) => ({ ...show, mixType: mixTypes });

export const description: INodeProperties[] = [
	senderField(show),
	...recipientFields(show, 'The user who receives the notification'),
	deliveryFormatField(show),
	{
		displayName: 'Title',
		name: 'notificationName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'Welcome aboard',
		description: 'Headline of the notification card (OpenIM notificationName)',
		displayOptions: { show },
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'Hi Alice, your onboarding starts Monday at 9:00 in room 301.',
		description: 'Body of the card; the conversation list previews it too',
		displayOptions: { show },
	},
	{
		displayName: 'Notification Type',
		name: 'notificationType',
		type: 'number',
		typeOptions: { numberPrecision: 0 },
		default: 1,
		required: true,
		description:
			'Category number your apps agree on, for example 1 onboarding, 2 resignation, 3 approval. OpenIM rejects 0.',
		displayOptions: { show },
	},
	{
		displayName: 'Link',
		name: 'externalUrl',
		type: 'string',
		default: '',
		placeholder: 'https://oa.example.com/notices/42',
		description: 'Page the app opens when the card is tapped. Empty for no link.',
		displayOptions: { show },
	},
	{
		displayName: 'Media',
		name: 'mixType',
		type: 'options',
		// Ordered by OpenIM's mixType numbers, as in OpenIM's docs.
		options: [
			{ name: 'Text Only', value: MixType.Text },
			{ name: 'Text and Picture', value: MixType.Picture },
			{ name: 'Text and Video', value: MixType.Video },
			{ name: 'Text and File', value: MixType.File },
			{ name: 'Text and Voice', value: MixType.Voice },
			{ name: 'Text, Voice and Picture', value: MixType.VoicePicture },
		],
		default: 0,
		description:
			'What the card carries besides the text (OpenIM mixType; always sent, as OpenIM v3.4.2 requires it). Each choice shows exactly the fields it needs. Of the official OpenIM apps only Flutter 3.8.3-patch.3 draws cards (text, picture, video, file); voice cards are drawn by none.',
		displayOptions: { show },
	},
	...mediaFieldsWithBinary('picture', withMix(MixType.Picture, MixType.VoicePicture)),
	...mediaFieldsWithBinary('video', withMix(MixType.Video)),
	...mediaFieldsWithBinary('file', withMix(MixType.File)),
	...mediaFieldsWithBinary('voice', withMix(MixType.Voice, MixType.VoicePicture)),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: optionsCollection(
			{
				displayName: 'Card Icon URL',
				name: 'notificationFaceURL',
				type: 'string',
				default: '',
				placeholder: 'https://cdn.example.com/hr.png',
				description: 'Icon shown on the card (OpenIM notificationFaceURL)',
			},
			{
				displayName: 'Extension (Ex)',
				name: 'ex',
				type: 'string',
				default: '',
				description: 'Free text your apps can read from the notification content (content.ex)',
			},
			...uploadOptions,
		),
	},
];

/** The media elements a card of this mixType carries. */
export function mixKinds(mixType: number): MediaKind[] {
	const kinds: MediaKind[] = [];
	if (mixType === MixType.Picture || mixType === MixType.VoicePicture) kinds.push('picture');
	if (mixType === MixType.Video) kinds.push('video');
	if (mixType === MixType.File) kinds.push('file');
	if (mixType === MixType.Voice || mixType === MixType.VoicePicture) kinds.push('voice');
	return kinds;
}

/** `textField`: where the card text comes from (Send and Wait as an agent's review step: n8n's Message field). */
export function readNotification(
	input: ItemInput,
	media: MediaReader = urlMedia,
	textField = { name: 'text', label: 'Text' },
): OANotificationElem {
	const mixType = input.integer('mixType', 'Media', { min: 0, max: 5 });
	const options = input.raw('options', {}) as IDataObject;
	const externalUrl = input.url('externalUrl', 'Link');
	const content: OANotificationElem = {
		notificationName: input.text('notificationName', 'Title', { required: true, singleLine: true, maxLength: 1000 }),
		notificationFaceURL: input.url('notificationFaceURL', 'Card Icon URL', false, options),
		notificationType: input.integer('notificationType', 'Notification Type', { nonZero: true }),
		text: input.text(textField.name, textField.label, { required: true }),
		// The server struct reads `url`, the clients read `externalUrl` (openim-api.md §3.2): send both.
		url: externalUrl,
		externalUrl,
		mixType,
		ex: input.text('ex', 'Extension (Ex)', {}, options),
	};
	// Flutter 3.8.3 shows its bell icon only when notificationFaceURL is absent; "" gives a blank user icon.
	if (!content.notificationFaceURL) delete content.notificationFaceURL;
	// Only the element that matches mixType: a present element is validated in full (§3.1).
	if (mixType === MixType.Picture || mixType === MixType.VoicePicture) content.pictureElem = media.picture(input);
	if (mixType === MixType.Video) content.videoElem = media.video(input);
	if (mixType === MixType.File) content.fileElem = media.file(input);
	if (mixType === MixType.Voice || mixType === MixType.VoicePicture) content.soundElem = media.voice(input);
	return content;
}

/** OpenIM v2.0–v2.1 require a card icon; the sender's avatar stands in for it (transport/versions.ts). */
export async function checkCardIcon(input: ItemInput, content: OANotificationElem, senderFaceURL: string, client: OpenImClient): Promise<void> {
	if (content.notificationFaceURL || senderFaceURL || (await client.profile()).generation !== 'v2.0') return;
	input.fail(
		'Card Icon URL',
		'is required by OpenIM v2.0–v2.1 servers',
		'Set Options → Card Icon URL, or give the sender an avatar (its OpenIM profile or Options → Sender Avatar URL).',
	);
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runSends(this, 'notification', async (input, settings, directory, client) => {
		const uploads: FileUpload[] = [];
		const media = await binaryMedia(input, mixKinds(input.integer('mixType', 'Media', { min: 0, max: 5 })), uploads);
		const content = readNotification(input, media);
		const format = readDeliveryFormat(input);
		const delivery = await readDelivery(input, settings, directory);
		await checkCardIcon(input, content, delivery.sender.senderFaceURL, client);
		const recipients = readRecipients(input);
		const request: OANotificationSendReq = {
			...delivery.sender,
			recvID: recipients.userIDs[0] ?? '',
			content,
			contentType: ContentType.OANotification,
			sessionType: SessionType.Notification,
			isOnlineOnly: delivery.isOnlineOnly,
			offlinePushInfo: {
				...delivery.push,
				// Without a title the phone shows "[NEWMSG]" (§3.2): default to the card's own words.
				title: delivery.push.title || content.notificationName,
				desc: delivery.push.desc || content.text.slice(0, 200),
			},
		};
		const card = request as unknown as SendMsgReq;
		const parts = () => notificationParts(card, content, format);
		return { request: parts()[0].request, recipients, format, parts, uploads };
	});
}
