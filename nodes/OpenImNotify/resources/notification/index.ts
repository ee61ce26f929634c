import type { INodeProperties } from 'n8n-workflow';

import * as getReadStatus from './getReadStatus';
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
				name: 'Get Read Status',
				value: 'getReadStatus',
				action: 'Get the read status of a notification',
				description: 'Whether each recipient has read a notification sent by Send (needs OpenIM v3)',
			},
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
	...getReadStatus.description,
];

export const notificationOperations = { getReadStatus: getReadStatus.execute, send: send.execute, sendAndWait: sendAndWait.execute };
