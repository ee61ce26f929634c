import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { searchUsers } from './methods/listSearch';
import { getSenders } from './methods/loadOptions';
import { notificationDescription, notificationOperations } from './resources/notification';

type Operation = (this: IExecuteFunctions) => Promise<INodeExecutionData[]>;

/** resource → operation → execute; adding an operation touches its file and this table. */
const operations: Record<string, Record<string, Operation>> = {
	notification: notificationOperations,
};

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
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Notification', value: 'notification' }],
				default: 'notification',
			},
			...notificationDescription,
		],
	};

	methods = {
		loadOptions: { getSenders },
		listSearch: { searchUsers },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const resource = this.getNodeParameter('resource', 0) as string;
		const operation = this.getNodeParameter('operation', 0) as string;
		const run = operations[resource]?.[operation];
		if (!run) {
			throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
		}
		return [await run.call(this)];
	}
}
