/**
 * The workflows and the send body of the benchmark. Every workflow is
 *   Manual Trigger → [Get Token] → Recipients (Set: one array of N user IDs) → One Per Recipient (Split Out) → <sender>
 * so the sending node gets N items `{ userId }` and takes the recipient from the expression `{{ $json.userId }}`.
 * No Code node (slow or unavailable on some setups) and no pinData (ignored by `n8n execute`).
 */
import type { CredentialJson, WorkflowJson, WorkflowNodeJson } from '../../test/e2e/n8n';
import { SANDBOX_ADMIN, SANDBOX_SECRET, manualWorkflow, notifyNode } from '../../test/e2e/fixtures';

/** Benchmark recipients are bench_u0 … bench_u<N-1>, seeded through POST /_sandbox/users. */
export const USER_PREFIX = 'bench_u';
export const SENDER = 'hr_bot';
export const SENDER_NICKNAME = 'HR Department';
export const TITLE = 'Quarterly security training';
export const TEXT =
	'Hi, please complete the quarterly security training by Friday. It takes about 20 minutes and is linked in the OA portal.';

export const FLOOR_PACKAGE = 'n8n-nodes-openim-bench-floor';
export const FLOOR_NODE_TYPE = `${FLOOR_PACKAGE}.openImBenchFloor`;

/** Names of the sending nodes (their run data `executionTime` is what the benchmark times). */
export const SENDER_NODE = {
	notify: 'OpenIM Notify',
	httpRequest: 'HTTP Request',
	floor: 'OpenIM Bench Floor',
} as const;
export const TOKEN_NODE = 'Get Token';

export const userId = (i: number): string => `${USER_PREFIX}${i}`;

/**
 * The /msg/send_msg body OpenIM Notify builds for the benchmark's parameters (send.ts + fields.ts):
 * the raw client, the HTTP Request node and the floor node send exactly this, with the recipient filled in.
 */
export function sendBody(recvID: string): Record<string, unknown> {
	return {
		sendID: SENDER,
		senderNickname: SENDER_NICKNAME,
		senderFaceURL: '',
		senderPlatformID: 10,
		recvID,
		content: {
			notificationName: TITLE,
			notificationFaceURL: '',
			notificationType: 1,
			text: TEXT,
			url: '',
			externalUrl: '',
			mixType: 0,
			ex: '',
		},
		contentType: 1400,
		sessionType: 4,
		isOnlineOnly: false,
		offlinePushInfo: { title: TITLE, desc: TEXT.slice(0, 200), ex: '', iOSPushSound: '', iOSBadgeCount: true },
	};
}

/** Recipients (Set: userIds = [bench_u0 … bench_u<n-1>]) → One Per Recipient (Split Out → { userId }). */
function recipientNodes(n: number): WorkflowNodeJson[] {
	return [
		{
			name: 'Recipients',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			parameters: {
				mode: 'manual',
				assignments: {
					assignments: [
						{
							id: 'bench-user-ids',
							name: 'userIds',
							value: `={{ Array.from({ length: ${n} }, (_, i) => '${USER_PREFIX}' + i) }}`,
							type: 'array',
						},
					],
				},
				includeOtherFields: false,
				options: {},
			},
		},
		{
			name: 'One Per Recipient',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			parameters: { fieldToSplitOut: 'userIds', include: 'noOtherFields', options: { destinationFieldName: 'userId' } },
		},
	];
}

/** HTTP Request (v4.2) fetching an admin token once: `$('Get Token').first().json.data.token`. */
function tokenNode(baseUrl: string): WorkflowNodeJson {
	return {
		name: TOKEN_NODE,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: 'POST',
			url: `${baseUrl}/auth/get_admin_token`,
			sendHeaders: true,
			headerParameters: { parameters: [{ name: 'operationID', value: 'bench-get-token' }] },
			sendBody: true,
			specifyBody: 'json',
			jsonBody: JSON.stringify({ secret: SANDBOX_SECRET, userID: SANDBOX_ADMIN }),
			options: {},
		},
	};
}

const TOKEN_EXPR = `$('${TOKEN_NODE}').first().json.data.token`;

/** (b) OpenIM Notify, recipient from an expression, the node's own concurrency bound. */
export function notifyWorkflow(
	id: string,
	n: number,
	cred: CredentialJson,
	opts: { concurrency: number; verifyRecipient: boolean },
): WorkflowJson {
	return manualWorkflow(id, `bench notify ${n}`, [
		...recipientNodes(n),
		notifyNode(
			{
				sendID: SENDER,
				recvID: '={{ $json.userId }}',
				notificationName: TITLE,
				text: TEXT,
				options: { maxConcurrency: opts.concurrency, verifyRecipient: opts.verifyRecipient },
			},
			cred,
			SENDER_NODE.notify,
		),
	]);
}

/**
 * One notification to many recipients with the node's "List of Users" mode: one input item carrying
 * all user IDs (`recvIDs` = `{{ $json.userIds }}`), delivered per recipient (`sendMsg`, the default) or
 * with one OpenIM batch_send_msg (`batchSendMsg`); one summary output item.
 */
export function notifyListWorkflow(
	id: string,
	n: number,
	cred: CredentialJson,
	opts: { concurrency: number; verifyRecipient: boolean; fanOut: 'sendMsg' | 'batchSendMsg' },
): WorkflowJson {
	return manualWorkflow(id, `bench notify list ${n} ${opts.fanOut}`, [
		recipientNodes(n)[0],
		notifyNode(
			{
				sendID: SENDER,
				recipientMode: 'userList',
				recvID: '',
				recvIDs: '={{ $json.userIds }}',
				fanOut: opts.fanOut,
				outputMode: 'summary',
				notificationName: TITLE,
				text: TEXT,
				options: { maxConcurrency: opts.concurrency, verifyRecipient: opts.verifyRecipient },
			},
			cred,
			SENDER_NODE.notify,
		),
	]);
}

/**
 * (c) HTTP Request v4.2 per item, the body as a JSON template with the recipient filled in by an
 * expression, the token from the prior node. Batching: `batchSize` items, then `batchInterval` ms.
 * n8n 1.123's HttpRequestV3 only batches when batchInterval > 0 (`if (itemIndex > 0 && batchSize >= 0
 * && batchInterval > 0)`), so batchInterval 0 is the same as unbatched; 1 ms is the minimal real batching.
 */
export function httpRequestWorkflow(
	id: string,
	n: number,
	baseUrl: string,
	batching?: { batchSize: number; batchInterval: number },
): WorkflowJson {
	const template = JSON.stringify(sendBody('@@RECV@@')).replace('@@RECV@@', '{{ $json.userId }}');
	const options: Record<string, unknown> = {};
	if (batching) options.batching = { batch: { batchSize: batching.batchSize, batchInterval: batching.batchInterval } };
	return manualWorkflow(id, `bench http request ${n}${batching ? ' batched' : ''}`, [
		tokenNode(baseUrl),
		...recipientNodes(n),
		{
			name: SENDER_NODE.httpRequest,
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				method: 'POST',
				url: `${baseUrl}/msg/send_msg`,
				sendHeaders: true,
				headerParameters: {
					parameters: [
						{ name: 'operationID', value: '=n8n-bench-{{ $itemIndex }}' },
						{ name: 'token', value: `={{ ${TOKEN_EXPR} }}` },
					],
				},
				sendBody: true,
				specifyBody: 'json',
				jsonBody: `=${template}`,
				options,
			},
		},
	]);
}

/**
 * (d) the floor node: one this.helpers.httpRequest per item, same body, same bound. With `cred`, the
 * same requests go through httpRequestWithAuthentication and the openImApi credential (token header
 * from the credential's `authenticate`), the path OpenIM Notify's transport takes.
 */
export function floorWorkflow(id: string, n: number, baseUrl: string, concurrency: number, cred?: CredentialJson): WorkflowJson {
	const { recvID: _omit, ...template } = sendBody('');
	void _omit;
	return manualWorkflow(id, `bench floor ${n}`, [
		tokenNode(baseUrl),
		...recipientNodes(n),
		{
			name: SENDER_NODE.floor,
			type: FLOOR_NODE_TYPE,
			typeVersion: 1,
			parameters: {
				url: `${baseUrl}/msg/send_msg`,
				token: `={{ ${TOKEN_EXPR} }}`,
				recvID: '={{ $json.userId }}',
				body: JSON.stringify(template),
				maxConcurrency: concurrency,
				transport: cred ? 'withAuthentication' : 'httpRequest',
			},
			...(cred ? { credentials: { [cred.type]: { id: cred.id, name: cred.name } } } : {}),
		},
	]);
}
