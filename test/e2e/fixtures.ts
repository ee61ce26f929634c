/**
 * Builders for the credentials and workflows the e2e tests import (contracts: docs/architecture.md).
 */
import type { CredentialJson, WorkflowJson, WorkflowNodeJson } from './n8n';

export const PACKAGE_NAME = 'n8n-nodes-openim';
export const NOTIFY_NODE_TYPE = `${PACKAGE_NAME}.openImNotify`;
export const OPENIM_CREDENTIAL_TYPE = 'openImApi';
export const MANUAL_TRIGGER_NAME = "When clicking 'Execute workflow'";

/** Sandbox defaults (seed `default`). */
export const SANDBOX_SECRET = 'openIM123';
export const SANDBOX_ADMIN = 'imAdmin';

/** The `openImApi` credential pointing at a sandbox (override any field). */
export function openImCredential(
	baseUrl: string,
	overrides: Partial<CredentialJson> & { data?: Record<string, unknown> } = {},
): CredentialJson {
	return {
		id: 'openImCred0001',
		name: 'OpenIM sandbox',
		type: OPENIM_CREDENTIAL_TYPE,
		...overrides,
		data: {
			baseUrl,
			adminUserID: SANDBOX_ADMIN,
			secret: SANDBOX_SECRET,
			senderIDs: 'imAdmin,hr_bot',
			...overrides.data,
		},
	};
}

/** Reference from a node to an imported credential. */
export function credentialRef(cred: Pick<CredentialJson, 'id' | 'name' | 'type'>): Record<string, { id: string; name: string }> {
	return { [cred.type]: { id: cred.id, name: cred.name } };
}

/**
 * Manual Trigger → nodes[0] → nodes[1] → … (each node's main output 0 into the next). `id` must be
 * unique per instance; n8n accepts any 16-character-ish string (use letters/digits).
 */
export function manualWorkflow(id: string, name: string, nodes: WorkflowNodeJson[]): WorkflowJson {
	const trigger: WorkflowNodeJson = {
		name: MANUAL_TRIGGER_NAME,
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		parameters: {},
	};
	const all = [trigger, ...nodes];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < all.length - 1; i++) {
		connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { id, name, active: false, nodes: all, connections, settings: { executionOrder: 'v1' }, pinData: {} };
}

/**
 * Webhook (POST `ids.hook`) → Ask (OpenIM Notify, Notification → Send and Wait from `hr_bot`) → Done:
 * the shape every Send and Wait test starts through its webhook. `parameters` add the recipients and the rest.
 */
export function sendAndWaitWorkflow(
	ids: { id: string; hook: string },
	name: string,
	parameters: Record<string, unknown>,
	cred: Pick<CredentialJson, 'id' | 'name' | 'type'>,
): WorkflowJson {
	return {
		id: ids.id,
		name: `${name} ${ids.id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: ids.hook, parameters: { httpMethod: 'POST', path: ids.hook, responseMode: 'onReceived', options: {} } },
			{
				name: 'Ask',
				type: NOTIFY_NODE_TYPE,
				typeVersion: 1,
				parameters: { resource: 'notification', operation: 'sendAndWait', sendID: 'hr_bot', notificationType: 3, ...parameters },
				credentials: credentialRef(cred),
			},
			{ name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
		],
		connections: {
			Webhook: { main: [[{ node: 'Ask', type: 'main', index: 0 }]] },
			Ask: { main: [[{ node: 'Done', type: 'main', index: 0 }]] },
		},
	};
}

/**
 * sendAndWaitWorkflow with the reminder loop: Ask → Remind? (IF decision = remind) → true: back into Ask,
 * false: Done. The way a user wires Send Reminders / Escalate on Timeout.
 */
export function remindLoopWorkflow(
	ids: { id: string; hook: string },
	parameters: Record<string, unknown>,
	cred: Pick<CredentialJson, 'id' | 'name' | 'type'>,
): WorkflowJson {
	const wf = sendAndWaitWorkflow(ids, 'Reminders', parameters, cred);
	wf.nodes.push({
		name: 'Remind?',
		type: 'n8n-nodes-base.if',
		typeVersion: 2,
		parameters: {
			conditions: {
				options: { caseSensitive: true, leftValue: '', typeValidation: 'strict' },
				conditions: [{ id: 'c0ffee00-0000-4000-8000-000000000001', leftValue: '={{ $json.decision }}', rightValue: 'remind', operator: { type: 'string', operation: 'equals' } }],
				combinator: 'and',
			},
			options: {},
		},
	});
	wf.connections.Ask = { main: [[{ node: 'Remind?', type: 'main', index: 0 }]] };
	wf.connections['Remind?'] = { main: [[{ node: 'Ask', type: 'main', index: 0 }], [{ node: 'Done', type: 'main', index: 0 }]] };
	return wf;
}

/** Parameters of Notification → Send (defaults: text only, notificationType 1). */
export interface NotifyParams {
	sendID?: string;
	recvID: string;
	recvMode?: 'id' | 'list';
	notificationName: string;
	text: string;
	notificationType?: number;
	mixType?: number;
	[extra: string]: unknown;
}

/** An OpenIM Notify node doing Notification → Send. */
export function notifyNode(
	params: NotifyParams,
	cred: Pick<CredentialJson, 'id' | 'name' | 'type'>,
	name = 'OpenIM Notify',
): WorkflowNodeJson {
	const { recvID, recvMode, notificationType, mixType, ...rest } = params;
	return {
		name,
		type: NOTIFY_NODE_TYPE,
		typeVersion: 1,
		parameters: {
			resource: 'notification',
			operation: 'send',
			...rest,
			recvID: { __rl: true, mode: recvMode ?? 'id', value: recvID },
			notificationType: notificationType ?? 1,
			mixType: mixType ?? 0,
		},
		credentials: credentialRef(cred),
	};
}
