import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { messageDescription, messageOperations } from './message';
import { notificationDescription, notificationOperations } from './notification';
import { notificationAccountDescription, notificationAccountOperations } from './notificationAccount';
import { userDescription, userOperations } from './user';

export type Operation = (this: IExecuteFunctions) => Promise<INodeExecutionData[]>;

/** One entry per resource: adding a resource touches its folder and this list. */
const resources: Array<{
	option: INodePropertyOptions;
	properties: INodeProperties[];
	operations: Record<string, Operation>;
}> = [
	{
		option: { name: 'Notification', value: 'notification', description: 'OA work notification cards' },
		properties: notificationDescription,
		operations: notificationOperations,
	},
	{
		option: { name: 'Message', value: 'message', description: 'Chat messages to users and groups' },
		properties: messageDescription,
		operations: messageOperations,
	},
	{
		option: {
			name: 'Notification Account',
			value: 'notificationAccount',
			description: 'Official accounts that send work notifications',
		},
		properties: notificationAccountDescription,
		operations: notificationAccountOperations,
	},
	{
		option: { name: 'User', value: 'user', description: 'OpenIM user accounts' },
		properties: userDescription,
		operations: userOperations,
	},
];

export const resourceProperty: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: resources.map((resource) => resource.option),
	default: 'notification',
};

export const resourceProperties: INodeProperties[] = resources.flatMap((resource) => resource.properties);

export const operations: Record<string, Record<string, Operation>> = Object.fromEntries(
	resources.map((resource) => [resource.option.value, resource.operations]),
);
