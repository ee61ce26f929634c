import type { INodeProperties } from 'n8n-workflow';

import * as send from './send';

const showOnlyForNotifications = { resource: ['notification'] };

export const notificationDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForNotifications },
		options: [
			{
				name: 'Send',
				value: 'send',
				action: 'Send a work notification',
				description: 'Send an OA work notification card (contentType 1400) to a user\'s notification conversation',
			},
		],
		default: 'send',
	},
	...send.description,
];

export const notificationOperations = { send: send.execute };
