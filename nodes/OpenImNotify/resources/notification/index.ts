import type { INodeProperties } from 'n8n-workflow';

import * as send from './send';
import * as sendAndWait from './sendAndWait';

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
			{
				name: 'Send and Wait for Response',
				value: 'sendAndWait',
				action: 'Send a notification and wait for response',
				description: 'Send a card whose link opens an n8n page to approve, decline or answer, and wait for it',
			},
		],
		default: 'send',
	},
	...send.description,
	...sendAndWait.description,
];

export const notificationOperations = { send: send.execute, sendAndWait: sendAndWait.execute };
