import type { INodeProperties } from 'n8n-workflow';

import * as get from './get';
import * as getMany from './getMany';
import * as getOnlineStatus from './getOnlineStatus';
import * as register from './register';

const showOnlyForUsers = { resource: ['user'] };

export const userDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForUsers },
		options: [
			{
				name: 'Get',
				value: 'get',
				action: 'Get a user',
				description: 'Read one user\'s profile by user ID',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				action: 'Get many users',
				description: 'List ordinary users, optionally filtered by nickname or user ID',
			},
			{
				name: 'Get Online Status',
				value: 'getOnlineStatus',
				action: 'Get the online status of users',
				description: 'Whether users are connected right now, and from which platforms',
			},
			{
				name: 'Register',
				value: 'register',
				action: 'Register a user',
				description: 'Create a new OpenIM user account',
			},
		],
		default: 'get',
	},
	...register.description,
	...get.description,
	...getMany.description,
	...getOnlineStatus.description,
];

export const userOperations = {
	get: get.execute,
	getMany: getMany.execute,
	getOnlineStatus: getOnlineStatus.execute,
	register: register.execute,
};
