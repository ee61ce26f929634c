import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { ipAllowed, parseAllowList, parseIdList, secretSegmentProblem } from './access';
import { withAttachments } from './attachments';
import { EVENTS_BY_COMMAND, EVENTS_BY_VALUE, mapEvent, OPENIM_ACK, OPENIM_EVENTS } from './events';
import type { OpenImEvent } from './events';

/** msgFrom of messages sent through the admin REST API (constant.SysMsgType). */
const MSG_FROM_REST_API = 200;

/**
 * OpenIM calls `{url}/{callbackCommand}` (openim-api.md §6.2). One static webhook per event, with
 * the command as its path, routes each call by exact path in every n8n version; a single dynamic
 * `:callbackCommand` path does not (its shown URL is not routed, and with `isFullPath` every
 * workflow registers the same path, so a second one cannot be activated).
 */
function eventWebhook(event: OpenImEvent, index: number): IWebhookDescription {
	return {
		name: 'default',
		httpMethod: 'POST',
		responseMode: 'onReceived',
		// Empty: answer with webhookResponse (OpenIM's JSON), not n8n's default "firstEntryJson" text.
		responseData: '',
		path: `={{ ($parameter["pathSecret"] ? $parameter["pathSecret"] + "/" : "") + "${event.callbackCommand}" }}`,
		// The editor shows one URL; OpenIM's `url` is that URL without its last segment.
		ndvHideUrl: index !== 0,
	};
}

interface TriggerOptions {
	allowedIPs?: string;
	downloadAttachments?: boolean;
	attachmentMaxSizeMB?: number;
	ignoreApiMessages?: boolean;
	includeRawBody?: boolean;
	ownSenderIDs?: string;
	recipientIDs?: string;
}

export class OpenImTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OpenIM Trigger',
		name: 'openImTrigger',
		icon: { light: 'file:../../icons/openim.svg', dark: 'file:../../icons/openim.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).join(", ") }}',
		description: 'Starts the workflow when OpenIM reports a message, a user or a group event',
		defaults: { name: 'OpenIM Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'openImApi', required: false }],
		// The single-message webhook first: its URL is the one the editor shows.
		webhooks: [
			EVENTS_BY_VALUE.singleMessageSent,
			...OPENIM_EVENTS.filter((event) => event !== EVENTS_BY_VALUE.singleMessageSent),
		].map(eventWebhook),
		eventTriggerDescription: 'Waiting for OpenIM to call the test URL',
		activationMessage:
			'OpenIM events now start this workflow. Set url in OpenIM\'s config/webhooks.yml to the production URL without its last segment.',
		properties: [
			{
				displayName:
					'In OpenIM\'s config/webhooks.yml, set <code>url</code> to the URL above without its last segment (<code>/callbackAfterSendSingleMsgCommand</code>), enable the events picked below, and restart OpenIM.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: OPENIM_EVENTS.map(({ name, value, description }) => ({ name, value, description })),
				default: ['singleMessageSent'],
				description:
					'OpenIM events that start the workflow. Other events OpenIM sends here are answered and ignored.',
			},
			{
				displayName: 'Ignore Own Messages',
				name: 'ignoreOwnMessages',
				type: 'boolean',
				default: true,
				description:
					'Whether to ignore messages sent by our own accounts: the credential\'s sender IDs and admin user ID, plus Additional Own Sender IDs. Without any of those, every message sent through the REST API counts as our own. Prevents a workflow that replies from triggering itself.',
			},
			{
				displayName: 'Secret Path Segment',
				name: 'pathSecret',
				type: 'string',
				typeOptions: { password: true },
				default: '',
				placeholder: 'e.g. 6kq2Vd9xRw',
				description:
					'Optional extra URL segment OpenIM must call (letters, digits, - and _). OpenIM signs nothing, so an unguessable URL is the main protection.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Additional Own Sender IDs',
						name: 'ownSenderIDs',
						type: 'string',
						default: '',
						placeholder: 'e.g. support_bot, imAdmin',
						description: 'Comma-separated user IDs whose messages count as our own (see Ignore Own Messages)',
					},
					{
						displayName: 'Allowed IPs',
						name: 'allowedIPs',
						type: 'string',
						default: '',
						placeholder: 'e.g. 10.0.0.0/8, 192.168.1.20',
						description:
							'Comma-separated addresses or CIDR ranges (IPv4 or IPv6) that may call this webhook; others get HTTP 403. Empty allows any. Behind a reverse proxy, set N8N_PROXY_HOPS so n8n sees the client address.',
					},
					{
						displayName: 'Download Attachments',
						name: 'downloadAttachments',
						type: 'boolean',
						default: false,
						description:
							'Whether to download the file of picture, voice, video and file messages into the binary field "data" (from the message\'s URL), so that later nodes can read it',
					},
					{
						displayName: 'Download Size Limit (MB)',
						name: 'attachmentMaxSizeMB',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 100,
						description: 'With Download Attachments: larger files are not kept; the item says so in "attachmentError"',
					},
					{
						displayName: 'Ignore All REST API Messages',
						name: 'ignoreApiMessages',
						type: 'boolean',
						default: false,
						description:
							'Whether to ignore every message sent through OpenIM\'s admin REST API (msgFrom 200), whoever sent it, and react only to messages typed in OpenIM clients',
					},
					{
						displayName: 'Include Raw Body',
						name: 'includeRawBody',
						type: 'boolean',
						default: false,
						description: 'Whether to add the body as OpenIM sent it, under "raw"',
					},
					{
						displayName: 'Only Messages To',
						name: 'recipientIDs',
						type: 'string',
						default: '',
						placeholder: 'e.g. hr_bot',
						description:
							'Comma-separated user IDs (one-to-one messages) or group IDs (group messages): only messages sent to one of them start the workflow, e.g. your bot\'s user ID. Empty: every message.',
					},
				],
			},
		],
	};

	webhookMethods = {
		// OpenIM's callback URL lives in its config/webhooks.yml and cannot be registered through its
		// API; activation only checks that the configuration can work.
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				// Nothing to look up remotely: returning false makes n8n call create(), which validates.
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const node = this.getNode();
				if (!node.webhookId) {
					throw new NodeOperationError(
						node,
						'This OpenIM Trigger has no webhook ID, so n8n cannot give it a stable URL. Add the node again in the editor, or give it a "webhookId" (a UUID) in the workflow JSON.',
					);
				}
				const secretProblem = secretSegmentProblem(this.getNodeParameter('pathSecret', '') as string);
				if (secretProblem) throw new NodeOperationError(node, secretProblem);
				const options = this.getNodeParameter('options', {}) as TriggerOptions;
				const { invalid } = parseAllowList(options.allowedIPs);
				if (invalid.length) {
					throw new NodeOperationError(
						node,
						`Allowed IPs: cannot read ${invalid.map((entry) => `"${entry}"`).join(', ')}. Use addresses or CIDR ranges such as 10.0.0.0/8 or fd00::/8.`,
					);
				}
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				// Nothing was registered in OpenIM; the admin removes the URL from webhooks.yml.
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const ack: IWebhookResponseData = { webhookResponse: { ...OPENIM_ACK } };
		const options = this.getNodeParameter('options', {}) as TriggerOptions;

		if (options.allowedIPs) {
			const request = this.getRequestObject();
			const address = request.ip ?? request.socket?.remoteAddress;
			if (!ipAllowed(parseAllowList(options.allowedIPs).ranges, address)) {
				this.logger.warn(`OpenIM Trigger: refused a call from ${address ?? 'an unknown address'} (not in Allowed IPs)`);
				this.getResponseObject()
					.status(403)
					.json({ ...OPENIM_ACK, errCode: 403, errMsg: 'Forbidden', errDlt: 'address not allowed' });
				return { noWebhookResponse: true };
			}
		}

		const raw: unknown = this.getBodyData();
		const body = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as IDataObject) : {};
		const command =
			typeof body.callbackCommand === 'string' && body.callbackCommand
				? body.callbackCommand
				: (this.getRequestObject().path ?? '').split('/').pop() ?? '';
		const event = EVENTS_BY_COMMAND[command];
		const selected = this.getNodeParameter('events', []) as string[];
		if (!event || !selected.includes(event.value)) {
			this.logger.debug(`OpenIM Trigger: ignored ${command || 'a call without callbackCommand'} (not selected)`);
			return ack;
		}

		if (event.isMessage) {
			if (await isOwnMessage.call(this, body, options)) {
				this.logger.debug(`OpenIM Trigger: ignored a message from our own sender ${String(body.sendID)}`);
				return ack;
			}
			const recipients = parseIdList(options.recipientIDs);
			const to = String((event.value === 'groupMessageSent' ? body.groupID : body.recvID) ?? '');
			if (recipients.length > 0 && !recipients.includes(to)) return ack;
		}

		const headers = this.getHeaderData() as IDataObject;
		const headerOperationID = typeof headers.operationid === 'string' ? headers.operationid : '';
		const items = mapEvent(event, body, headerOperationID);
		if (items.length === 0) return ack;
		if (options.includeRawBody) for (const item of items) item.raw = body;
		if (event.isMessage && options.downloadAttachments) {
			const maxBytes = Math.max(1, Number(options.attachmentMaxSizeMB ?? 100) || 100) * 1024 * 1024;
			return { ...ack, workflowData: [await withAttachments(this, items, maxBytes)] };
		}
		return { ...ack, workflowData: [this.helpers.returnJsonArray(items)] };
	}
}

/** A message from one of our own senders (loop protection), or from the REST API when asked to skip those. */
async function isOwnMessage(this: IWebhookFunctions, body: IDataObject, options: TriggerOptions): Promise<boolean> {
	const fromApi = Number(body.msgFrom) === MSG_FROM_REST_API;
	if (options.ignoreApiMessages && fromApi) return true;
	if (!(this.getNodeParameter('ignoreOwnMessages', true) as boolean)) return false;
	const own = new Set(parseIdList(options.ownSenderIDs));
	if (this.getNode().credentials?.openImApi) {
		const credentials = await this.getCredentials('openImApi');
		for (const id of parseIdList(credentials.senderIDs)) own.add(id);
		for (const id of parseIdList(credentials.adminUserID)) own.add(id);
	}
	// No idea who "we" are: treat every REST API message as ours, the loop-safe choice.
	if (own.size === 0) return fromApi;
	return own.has(String(body.sendID ?? ''));
}
