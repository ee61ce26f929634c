import type { INodeProperties } from 'n8n-workflow';

import * as getReadStatus from '../notification/getReadStatus';
import * as recall from './recall';
import * as send from './send';

const showOnlyForMessages = { resource: ['message'] };

export const messageDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForMessages },
		options: [
			{
				name: 'Get Read Status',
				value: 'getReadStatus',
				action: 'Get the read status of a message',
				description: 'Whether each user has read a one-to-one message sent by Send (needs OpenIM v3)',
			},
			{
				name: 'Recall',
				value: 'recall',
				action: 'Recall a message',
				description: 'Recall (revoke) a sent message by its client message ID',
			},
			{
				name: 'Send',
				value: 'send',
				action: 'Send a message',
				description: 'Send a text, picture, voice, video, file, @mention or custom message to a user or a group',
			},
		],
		default: 'send',
	},
	...send.description,
	...recall.description,
];

// Get Read Status's fields are listed once, with the notification resource (they show for both).
export const messageOperations = { getReadStatus: getReadStatus.execute, recall: recall.execute, send: send.execute };
