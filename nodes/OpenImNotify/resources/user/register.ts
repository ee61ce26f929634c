import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ErrCode, ErrMsg, Path } from '../../../../openim/constants';
import type { UserRegisterReq } from '../../../../openim/wire';
import { ItemInput } from '../../shared/input';
import { clientOptions } from '../../shared/fields';
import { runPerItem } from '../../shared/run';
import { UserDirectory } from '../../shared/users';
import { OpenImClient } from '../../transport';
import { checkLegalUserID, explainError } from './listing';

const show = { resource: ['user'], operation: ['register'] };

export const description: INodeProperties[] = [
	{
		displayName: 'User ID',
		name: 'userID',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. alice_chen',
		description: 'ID of the new user: letters, digits and underscores only (OpenIM\'s rule). It cannot be changed later.',
		displayOptions: { show },
	},
	{
		displayName: 'Nickname',
		name: 'nickname',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Alice Chen',
		description: 'Name shown in the apps',
		displayOptions: { show },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
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
				placeholder: 'https://cdn.example.com/alice.png',
				description: 'Profile picture (OpenIM faceURL)',
			},
			{
				displayName: 'Extension (Ex)',
				name: 'ex',
				type: 'string',
				default: '',
				description: 'Free text stored with the user, e.g. JSON your apps read (OpenIM ex)',
			},
		],
	},
];

type NewUser = UserRegisterReq['users'][number];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const { concurrency, ...transport } = clientOptions(this);
	const client = new OpenImClient(this, transport);
	const directory = new UserDirectory(client);

	return await runPerItem<NewUser>(this, {
		concurrency,
		server: client,
		prepare: (itemIndex) => {
			const input = new ItemInput(this, itemIndex);
			const extra = input.raw('additionalFields', {}) as IDataObject;
			const userID = input.text('userID', 'User ID', { required: true, singleLine: true, maxLength: 256 });
			return {
				userID: checkLegalUserID(input, userID, 'User ID'),
				nickname: input.text('nickname', 'Nickname', { required: true, singleLine: true, maxLength: 1000 }),
				faceURL: input.url('faceURL', 'Avatar URL', false, extra),
				ex: input.text('ex', 'Extension (Ex)', {}, extra),
			};
		},
		identify: (user) => ({ userID: user.userID }),
		send: async (user, itemIndex) => {
			try {
				// Not repeated after a lost answer: the repeat would call a user this run created "already registered".
				await client.call(Path.UserRegister, { users: [user] } as unknown as IDataObject, { itemIndex, idempotent: false });
			} catch (error) {
				throw explainError(this.getNode(), error, itemIndex, (errCode) =>
					errCode === ErrCode.RegisteredAlready
						? {
								path: Path.UserRegister,
								errCode,
								errMsg: ErrMsg[ErrCode.RegisteredAlready],
								message: `User ID "${user.userID}" is already registered [item ${itemIndex}]`,
								description:
									'OpenIM answered errCode 1102 (RegisteredAlreadyError) and created nothing. Choose another ID, or read the existing user with User → Get.',
							}
						: undefined,
				);
			}
			// user_register answers without data: read back what OpenIM stored (createTime, level…).
			return ((await directory.profile(user.userID)) ?? { ...user }) as unknown as IDataObject;
		},
	});
}
