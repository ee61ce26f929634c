import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { Path } from '../../../../openim/constants';
import type { GetUsersInfoResp, UpdateNotificationAccountReq } from '../../../../openim/wire';
import { ItemInput } from '../../shared/input';
import { clientOptions, idLocator } from '../../shared/fields';
import { runPerItem } from '../../shared/run';
import { OpenImClient } from '../../transport';

const show = { resource: ['notificationAccount'], operation: ['update'] };

export const description: INodeProperties[] = [
	idLocator({
		name: 'userID',
		displayName: 'Account ID',
		show,
		description: 'The notification account to change',
		searchListMethod: 'searchNotificationAccounts',
		listPlaceholder: 'Select a notification account...',
		idLabel: 'By User ID',
		idPlaceholder: 'e.g. hr_bot',
	}),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Avatar URL',
				name: 'faceURL',
				type: 'string',
				default: '',
				placeholder: 'https://cdn.example.com/hr.png',
				description: 'New picture shown with its notifications (OpenIM faceURL)',
			},
			{
				displayName: 'Name',
				name: 'nickname',
				type: 'string',
				default: '',
				placeholder: 'e.g. People Team',
				description: 'New name shown as the sender of its notifications (OpenIM nickName)',
			},
		],
	},
];

async function readAccount(client: OpenImClient, userID: string, itemIndex: number): Promise<IDataObject | undefined> {
	const data = await client.call<GetUsersInfoResp>(Path.GetUsersInfo, { userIDs: [userID] }, { itemIndex });
	const user = data?.usersInfo?.find((candidate) => candidate.userID === userID);
	// The notification-account shape, as add/search_notification_account answer (nickName, sic appMangerLevel).
	return user && { userID: user.userID, nickName: user.nickname, faceURL: user.faceURL, appMangerLevel: user.appMangerLevel };
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const { concurrency, ...transport } = clientOptions(this);
	const client = new OpenImClient(this, transport);

	return await runPerItem<UpdateNotificationAccountReq>(this, {
		concurrency,
		server: client,
		prepare: (itemIndex) => {
			const input = new ItemInput(this, itemIndex);
			const fields = input.raw('updateFields', {}) as IDataObject;
			const request = {
				userID: input.locator('userID', 'Account ID'),
				nickName: input.text('nickname', 'Name', { singleLine: true, maxLength: 1000 }, fields),
				faceURL: input.url('faceURL', 'Avatar URL', false, fields),
			};
			if (request.nickName === '' && request.faceURL === '') {
				// OpenIM keeps empty values as they are, so there would be nothing to change.
				input.fail('Update Fields', 'are empty', 'Add a new Name or Avatar URL under Update Fields.');
			}
			return request;
		},
		identify: (request) => ({ userID: request.userID }),
		send: async (request, itemIndex) => {
			// OpenIM answers an unknown ID with a bare ArgsError (no detail): check first, in words.
			if (!(await readAccount(client, request.userID, itemIndex))) {
				new ItemInput(this, itemIndex).fail(
					'Account ID',
					`"${request.userID}" does not exist in OpenIM`,
					'Check the ID, or create the account with Notification Account → Create.',
				);
			}
			await client.call(Path.UpdateNotificationAccount, request as unknown as IDataObject, { itemIndex });
			return (await readAccount(client, request.userID, itemIndex)) ?? { userID: request.userID };
		},
	});
}
