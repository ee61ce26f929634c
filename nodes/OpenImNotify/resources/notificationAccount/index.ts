import type { INodeProperties } from 'n8n-workflow';

import * as create from './create';
import * as search from './search';
import * as update from './update';

const showOnlyForNotificationAccounts = { resource: ['notificationAccount'] };

export const notificationAccountDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForNotificationAccounts },
		options: [
			{
				name: 'Create',
				value: 'create',
				action: 'Create a notification account',
				description: 'Create an official account that can send work notifications (add it to the credential\'s Sender IDs)',
			},
			{
				name: 'Search',
				value: 'search',
				action: 'Search notification accounts',
				description: 'Find notification and robot accounts by ID or name, or list them all',
			},
			{
				name: 'Update',
				value: 'update',
				action: 'Update a notification account',
				description: 'Change the name or avatar of a notification account',
			},
		],
		default: 'create',
	},
	...create.description,
	...update.description,
	...search.description,
];

export const notificationAccountOperations = {
	create: create.execute,
	search: search.execute,
	update: update.execute,
};
