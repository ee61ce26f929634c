import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { AppManagerLevel, Path } from '../../../../openim/constants';
import type { SearchNotificationAccountResp } from '../../../../openim/wire';
import { clientOptions } from '../../shared/fields';
import { OpenImClient } from '../../transport';
import { collectPages, listPerItem, readLimit, returnAllFields } from '../user/listing';

const show = { resource: ['notificationAccount'], operation: ['search'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Keyword',
		name: 'keyword',
		type: 'string',
		default: '',
		placeholder: 'e.g. hr_bot',
		description:
			'An exact account ID, or else an exact name (OpenIM tries the ID first). Empty lists every notification account (level 3); OpenIM leaves robots (level 4) out of that list, so find a robot by its exact ID or name.',
		displayOptions: { show },
	},
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
				displayName: 'Account Type',
				name: 'accountType',
				type: 'options',
				options: [
					{ name: 'Any', value: 0 },
					{ name: 'Notification Account', value: AppManagerLevel.AppNotificationAdmin },
					{ name: 'Robot', value: AppManagerLevel.AppRobotAdmin },
				],
				default: 0,
				description: 'Only accounts of this type (OpenIM appMangerLevel 3 or 4). Robots are found only with a Keyword.',
			},
		],
	},
];

/**
 * /user/search_notification_account: admin users (imAdminUserID) are never listed. OpenIM 3.8.x
 * ignores the request's appManagerLevel and, without a keyword, lists level-3 accounts only; the
 * node filters by type itself.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const client = new OpenImClient(this, clientOptions(this));

	return await listPerItem(this, async (input) => {
		const keyword = input.text('keyword', 'Keyword', { singleLine: true, maxLength: 1000 });
		const limit = readLimit(input);
		const filters = input.raw('filters', {}) as IDataObject;
		const level = input.integer('accountType', 'Account Type', { min: 0, max: AppManagerLevel.AppRobotAdmin }, filters);
		const accounts = await collectPages(
			async (pageNumber, showNumber) => {
				const page = await client.call<SearchNotificationAccountResp>(
					Path.SearchNotificationAccount,
					{ ...(keyword ? { keyword } : {}), pagination: { pageNumber, showNumber } },
					{ itemIndex: input.itemIndex },
				);
				return { items: page?.notificationAccounts ?? [], total: page?.total ?? 0 };
			},
			limit,
			(account) => !level || account.appMangerLevel === level,
		);
		return accounts.map((account) => ({ ...account }));
	}, client);
}
