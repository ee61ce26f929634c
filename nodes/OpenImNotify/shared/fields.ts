import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { PlatformID } from '../../../openim/constants';
import type { OfflinePushInfo } from '../../../openim/wire';
import type { ClientOptions, OpenImSettings } from '../transport';
import { ItemInput } from './input';
import type { UserDirectory } from './users';

/** An ID picker: a searchable list from OpenIM, or any ID typed in or given by an expression. */
export function idLocator(spec: {
	name: string;
	displayName: string;
	show: IDisplayOptions['show'];
	description: string;
	searchListMethod: string;
	listPlaceholder: string;
	idLabel: string;
	idPlaceholder: string;
	required?: boolean;
}): INodeProperties {
	return {
		displayName: spec.displayName,
		name: spec.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: spec.required ?? true,
		description: spec.description,
		displayOptions: { show: spec.show },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: spec.listPlaceholder,
				typeOptions: { searchListMethod: spec.searchListMethod, searchable: true },
			},
			{
				displayName: spec.idLabel,
				name: 'id',
				type: 'string',
				placeholder: spec.idPlaceholder,
				validation: [
					{
						type: 'regex',
						properties: { regex: '^[^\\s]+$', errorMessage: 'An OpenIM ID has no spaces' },
					},
				],
			},
		],
	};
}

/** Who sends: one of the credential's sender IDs, picked from a list, typed, or from an expression. */
export const senderField = (show: IDisplayOptions['show']): INodeProperties =>
	idLocator({
		name: 'sendID',
		displayName: 'Sender',
		show,
		required: false,
		description:
			'Account the recipient sees as the sender: one of the Sender IDs of the OpenIM API credential (a notification account for notifications). Empty uses the first one.',
		searchListMethod: 'searchSenders',
		listPlaceholder: 'First sender ID of the credential',
		idLabel: 'By User ID',
		idPlaceholder: 'e.g. hr_bot',
	});

/** A user picker: searchable list of regular users, or any ID typed or from an expression. */
export const userLocator = (
	name: string,
	displayName: string,
	show: IDisplayOptions['show'],
	description: string,
): INodeProperties =>
	idLocator({
		name,
		displayName,
		show,
		description,
		searchListMethod: 'searchUsers',
		listPlaceholder: 'Select a user...',
		idLabel: 'By User ID',
		idPlaceholder: 'e.g. alice',
	});

/** A group picker: searchable list of the server's groups, or any group ID. */
export const groupLocator = (name: string, show: IDisplayOptions['show'], description: string): INodeProperties =>
	idLocator({
		name,
		displayName: 'Group',
		show,
		description,
		searchListMethod: 'searchGroups',
		listPlaceholder: 'Select a group...',
		idLabel: 'By Group ID',
		idPlaceholder: 'e.g. all_staff',
	});

export const recipientField = (show: IDisplayOptions['show'], description: string): INodeProperties =>
	userLocator('recvID', 'Recipient', show, description);

/** Options shared by every send: how the sender appears, delivery and push, and throughput. */
const deliveryOptions: INodeProperties[] = [
	{
		displayName: 'Sender Display Name',
		name: 'senderNickname',
		type: 'string',
		default: '',
		description: 'Name shown for the sender (senderNickname). Empty uses the sender account\'s nickname.',
	},
	{
		displayName: 'Sender Avatar URL',
		name: 'senderFaceURL',
		type: 'string',
		default: '',
		placeholder: 'https://cdn.example.com/hr-avatar.png',
		description: 'Avatar shown for the sender (senderFaceURL). Empty uses the sender account\'s avatar.',
	},
	{
		displayName: 'Sender Platform',
		name: 'senderPlatformID',
		type: 'options',
		options: Object.entries(PlatformID).map(([name, value]) => ({ name, value })),
		default: 10,
		description: 'Platform recorded as the message source (senderPlatformID)',
	},
	{
		displayName: 'Online Only',
		name: 'isOnlineOnly',
		type: 'boolean',
		default: false,
		description: 'Whether to deliver only to users online right now, without storing the message (isOnlineOnly)',
	},
	{
		displayName: 'Push Title',
		name: 'pushTitle',
		type: 'string',
		default: '',
		description: 'Title of the phone push notification. Empty uses the title of the message.',
	},
	{
		displayName: 'Push Text',
		name: 'pushDesc',
		type: 'string',
		default: '',
		description: 'Text of the phone push notification. Empty uses the start of the message text.',
	},
	{
		displayName: 'Push Extension (Ex)',
		name: 'pushEx',
		type: 'string',
		default: '',
		description: 'Extra data passed to the push provider (offlinePushInfo.ex)',
	},
	{
		displayName: 'iOS Push Sound',
		name: 'iOSPushSound',
		type: 'string',
		default: '',
		placeholder: 'default',
		description: 'Sound file name for iOS pushes. Empty uses the device default.',
	},
	{
		displayName: 'iOS Badge Count',
		name: 'iOSBadgeCount',
		type: 'boolean',
		default: true,
		description: 'Whether the message counts towards the app icon badge on iOS',
	},
	{
		displayName: 'Verify Recipient Exists',
		name: 'verifyRecipient',
		type: 'boolean',
		default: true,
		description:
			'Whether to check the recipient with /user/account_check before sending. OpenIM itself accepts notifications for unknown user IDs and stores them for nobody.',
	},
	{
		displayName: 'Max Retries',
		name: 'maxRetries',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 10, numberPrecision: 0 },
		default: 3,
		description:
			'Retries after network errors, timeouts, HTTP 5xx/429 and OpenIM "service down" errors, with growing waits. Content and permission errors are never retried. A send whose answer was lost is first checked with OpenIM by its operation ID, so it is not delivered twice. Read from the first item.',
	},
	{
		displayName: 'Max Retry Wait (Seconds)',
		name: 'maxRetryWait',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 1 },
		default: 30,
		description: 'Longest single wait between retries, also when OpenIM asks for more with Retry-After. Read from the first item.',
	},
	{
		displayName: 'Requests Per Second',
		name: 'requestsPerSecond',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 1 },
		default: 0,
		description: 'Upper limit on requests started per second, to spare the OpenIM server during big sends. 0 means no limit. Read from the first item.',
	},
	{
		displayName: 'Timeout (Seconds)',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: 1, numberPrecision: 0 },
		default: 30,
		description: 'How long to wait for OpenIM to answer one request. Read from the first item.',
	},
	{
		displayName: 'Max Concurrent Requests',
		name: 'maxConcurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 64, numberPrecision: 0 },
		default: 8,
		description: 'How many sends may be in flight at once. Read from the first item.',
	},
];

/** An operation's Options: its own plus the shared delivery options, alphabetically as n8n lists them. */
export function optionsCollection(...own: INodeProperties[]): INodeProperties[] {
	return [...own, ...deliveryOptions].sort((a, b) => a.displayName.localeCompare(b.displayName));
}

/** Transport settings come from the first item: they shape the whole execution, not one send. */
export function clientOptions(ctx: IExecuteFunctions): ClientOptions & { concurrency: number } {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const number = (value: unknown, fallback: number) =>
		typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
	// Refused rather than silently replaced: 0 or -1 (from an expression or an imported workflow) is no
	// bound the user could have meant.
	const concurrency = options.maxConcurrency === undefined ? 8 : new ItemInput(ctx, 0).checkInteger(options.maxConcurrency, 'Max Concurrent Requests', { min: 1, max: 64 });
	return {
		concurrency,
		maxInFlight: concurrency,
		maxRetries: Math.floor(number(options.maxRetries, 3)),
		maxRetryWaitMs: number(options.maxRetryWait, 30) * 1000,
		requestsPerSecond: number(options.requestsPerSecond, 0),
		timeoutMs: Math.max(1, number(options.timeout, 30)) * 1000,
	};
}

export interface Delivery {
	sender: { sendID: string; senderNickname: string; senderFaceURL: string; senderPlatformID: number };
	isOnlineOnly: boolean;
	push: Required<Pick<OfflinePushInfo, 'title' | 'desc' | 'ex' | 'iOSPushSound' | 'iOSBadgeCount'>>;
}

export async function readDelivery(
	input: ItemInput,
	settings: OpenImSettings,
	directory: UserDirectory,
): Promise<Delivery> {
	const options = input.raw('options', {}) as IDataObject;
	const sendID = input.locator('sendID', 'Sender', { required: false }) || settings.senderIDs[0];
	if (!settings.senderIDs.includes(sendID)) {
		input.fail(
			'Sender',
			`"${sendID}" is not one of the credential's sender IDs (${settings.senderIDs.join(', ')})`,
			'Add it to "Sender IDs" in the OpenIM API credential if workflows may send as this account.',
		);
	}
	let senderNickname = input.text('senderNickname', 'Sender Display Name', { singleLine: true, maxLength: 255 }, options);
	let senderFaceURL = input.url('senderFaceURL', 'Sender Avatar URL', false, options);
	if (senderNickname === '' || senderFaceURL === '') {
		// OpenIM copies these as sent and never fills them in (§2.1): default to the account's profile.
		const profile = await directory.profile(sendID);
		if (!profile) {
			input.fail('Sender', `"${sendID}" does not exist in OpenIM`, 'Create it as a notification account (appMangerLevel 3) or register it first.');
		}
		senderNickname ||= profile.nickname;
		senderFaceURL ||= profile.faceURL;
	}
	return {
		sender: {
			sendID,
			senderNickname,
			senderFaceURL,
			senderPlatformID: input.integer('senderPlatformID', 'Sender Platform', { min: 1, max: 100 }, { senderPlatformID: PlatformID.Admin, ...options }),
		},
		isOnlineOnly: input.boolean('isOnlineOnly', 'Online Only', false, options),
		push: {
			title: input.text('pushTitle', 'Push Title', { singleLine: true, maxLength: 200 }, options),
			desc: input.text('pushDesc', 'Push Text', { maxLength: 1000 }, options),
			ex: input.text('pushEx', 'Push Extension (Ex)', {}, options),
			iOSPushSound: input.text('iOSPushSound', 'iOS Push Sound', { singleLine: true, maxLength: 255 }, options),
			iOSBadgeCount: input.boolean('iOSBadgeCount', 'iOS Badge Count', true, options),
		},
	};
}
