import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { Path } from '../../../../openim/constants';
import type { GetUsersResp } from '../../../../openim/wire';
import { clientOptions } from '../../shared/fields';
import { OpenImClient } from '../../transport';
import { collectPages, listPerItem, readLimit, returnAllFields } from './listing';

const show = { resource: ['user'], operation: ['getMany'] };

export const description: INodeProperties[] = [
	...returnAllFields(show),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Nickname',
				name: 'nickname',
				type: 'string',
				default: '',
				placeholder: 'e.g. Chen',
				description:
					'Only users whose nickname contains this (OpenIM matches it as a case-insensitive regular expression). With User ID as well, users matching either are returned.',
			},
			{
				displayName: 'User ID',
				name: 'userID',
				type: 'string',
				default: '',
				placeholder: 'e.g. alice',
				description:
					'Only users whose ID contains this (OpenIM matches it as a case-insensitive regular expression). With Nickname as well, users matching either are returned.',
			},
		],
	},
];

/**
 * /user/get_users: ordinary users only (appMangerLevel 0 or 1), so admins and notification accounts
 * never show up here (openim-api.md §4); use Notification Account → Search for those.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	// Transport settings only: items are listed one after the other.
	const client = new OpenImClient(this, clientOptions(this));

	return await listPerItem(this, async (input) => {
		const limit = readLimit(input);
		const filters = input.raw('filters', {}) as IDataObject;
		const nickName = input.text('nickname', 'Nickname', { singleLine: true, maxLength: 256 }, filters);
		const userID = input.text('userID', 'User ID', { singleLine: true, maxLength: 256 }, filters);
		const users = await collectPages(async (pageNumber, showNumber) => {
			const page = await client.call<GetUsersResp>(
				Path.GetUsers,
				{ pagination: { pageNumber, showNumber }, ...(userID ? { userID } : {}), ...(nickName ? { nickName } : {}) },
				{ itemIndex: input.itemIndex },
			);
			return { items: page?.users ?? [], total: page?.total ?? 0 };
		}, limit);
		return users.map((user) => ({ ...user }));
	}, client);
}
