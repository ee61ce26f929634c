import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { searchGroups, searchNotificationAccounts, searchSenders, searchUsers } from './methods/listSearch';
import { approvalWebhook, approvalWebhooks } from './shared/approval';
import { asNodeError, errorItem } from './shared/run';
import type { ErrorWithContext } from './shared/run';
import { operations, resourceProperties, resourceProperty } from './resources';

export class OpenImNotify implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OpenIM Notify',
		name: 'openImNotify',
		icon: { light: 'file:../../icons/openim.svg', dark: 'file:../../icons/openim.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle:
			'={{ $parameter["operation"] + ($parameter["recvID"] ? " → " + ($parameter["recvID"].value ?? $parameter["recvID"]) : "") }}',
		description: 'Send OpenIM work notifications (OA cards) and messages',
		defaults: { name: 'OpenIM Notify' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'openImApi', required: true }],
		webhooks: approvalWebhooks,
		properties: [resourceProperty, ...resourceProperties],
	};

	methods = {
		listSearch: { searchGroups, searchNotificationAccounts, searchSenders, searchUsers },
	};

	/** Notification → Send and Wait: the response page and the decision (shared/approval.ts). */
	webhook = approvalWebhook;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const resource = this.getNodeParameter('resource', 0) as string;
		const operation = this.getNodeParameter('operation', 0) as string;
		const run = operations[resource]?.[operation];
		if (!run) {
			throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
		}
		try {
			return [await run.call(this)];
		} catch (error) {
			// Operations turn each item's failure into its own output item. What escapes failed before any
			// item was sent (a node option such as Max Concurrent Requests, the credential): with Continue On
			// Fail every input item still yields exactly one output item, saying why.
			if (!this.continueOnFail()) throw asNodeError(this, error, 0);
			return [this.getInputData().map((_, itemIndex) => errorItem(error as ErrorWithContext, itemIndex))];
		}
	}
}
