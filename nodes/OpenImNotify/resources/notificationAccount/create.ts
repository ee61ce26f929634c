import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { AppManagerLevel, ErrCode, ErrMsg, Path } from '../../../../openim/constants';
import type { AddNotificationAccountReq, NotificationAccount } from '../../../../openim/wire';
import { ItemInput } from '../../shared/input';
import { clientOptions } from '../../shared/fields';
import { runPerItem } from '../../shared/run';
import { OpenImClient } from '../../transport';
import { checkLegalUserID, explainError } from '../user/listing';

const show = { resource: ['notificationAccount'], operation: ['create'] };

/** appMangerLevel (sic) choices: only 3 and 4 are accepted by add_notification_account (§3.2). */
export const accountTypeOptions = [
	{
		name: 'Notification Account',
		value: AppManagerLevel.AppNotificationAdmin,
		description: 'An official account that sends work notifications (appMangerLevel 3)',
	},
	{ name: 'Robot', value: AppManagerLevel.AppRobotAdmin, description: 'A bot account (appMangerLevel 4)' },
];

export const description: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'nickname',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. HR Department',
		description: 'Name shown as the sender of its notifications (OpenIM nickName)',
		displayOptions: { show },
	},
	{
		displayName: 'Account Type',
		name: 'accountType',
		type: 'options',
		options: accountTypeOptions,
		default: 3,
		description: 'Both can send work notifications (OpenIM appMangerLevel)',
		displayOptions: { show },
	},
	{
		displayName: 'Account ID',
		name: 'userID',
		type: 'string',
		default: '',
		placeholder: 'e.g. hr_bot',
		description:
			'User ID of the new account: letters, digits and underscores. Empty lets OpenIM generate a 10-digit ID. Add it to the credential\'s Sender IDs to send as it.',
		displayOptions: { show },
	},
	{
		displayName: 'Avatar URL',
		name: 'faceURL',
		type: 'string',
		default: '',
		placeholder: 'https://cdn.example.com/hr.png',
		description: 'Picture shown with its notifications (OpenIM faceURL)',
		displayOptions: { show },
	},
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const { concurrency, ...transport } = clientOptions(this);
	const client = new OpenImClient(this, transport);

	return await runPerItem<AddNotificationAccountReq>(this, {
		concurrency,
		server: client,
		prepare: (itemIndex) => {
			const input = new ItemInput(this, itemIndex);
			const userID = input.text('userID', 'Account ID', { singleLine: true, maxLength: 256 });
			if (userID !== '') checkLegalUserID(input, userID, 'Account ID');
			const appMangerLevel = input.integer('accountType', 'Account Type', {
				min: AppManagerLevel.AppNotificationAdmin,
				max: AppManagerLevel.AppRobotAdmin,
			});
			return {
				...(userID !== '' ? { userID } : {}),
				// (sic) nickName and appMangerLevel are OpenIM's spelling for this endpoint (§3.2).
				nickName: input.text('nickname', 'Name', { required: true, singleLine: true, maxLength: 1000 }),
				faceURL: input.url('faceURL', 'Avatar URL'),
				appMangerLevel,
			};
		},
		identify: (request) => ({ userID: request.userID ?? null }),
		send: async (request, itemIndex) => {
			try {
				// Not repeated after a lost answer: without an Account ID OpenIM would create a second account.
				const data = await client.call<NotificationAccount>(Path.AddNotificationAccount, request as unknown as IDataObject, { itemIndex, idempotent: false });
				return { ...data } as IDataObject;
			} catch (error) {
				// An existing ID comes back as a plain ArgsError "userID is used".
				throw explainError(this.getNode(), error, itemIndex, (errCode, message) =>
					errCode === ErrCode.Args && /userID is used/.test(message)
						? {
								path: Path.AddNotificationAccount,
								errCode,
								errMsg: ErrMsg[ErrCode.Args],
								errDlt: 'userID is used',
								message: `Account ID "${request.userID}" is already used [item ${itemIndex}]`,
								description:
									'A user or notification account with this ID exists. Pick another ID, leave it empty for a generated one, or change the existing account with Notification Account → Update.',
							}
						: undefined,
				);
			}
		},
	});
}
