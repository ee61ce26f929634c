import type { INodeProperties } from 'n8n-workflow';

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

export const messageOperations = { recall: recall.execute, send: send.execute };
