import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { Path } from '../../../../openim/constants';
import type { GetUsersInfoResp, UserInfo } from '../../../../openim/wire';
import { ItemInput } from '../../shared/input';
import { clientOptions, userLocator } from '../../shared/fields';
import { runPerItem } from '../../shared/run';
import { OpenImClient } from '../../transport';

const show = { resource: ['user'], operation: ['get'] };

export const description: INodeProperties[] = [
	userLocator('user', 'User', show, 'The user to read (admins and notification accounts only by ID)'),
];

/** get_users_info takes a list: one request per this many IDs. */
const LOOKUP_BATCH = 100;

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const { concurrency, ...transport } = clientOptions(this);
	const client = new OpenImClient(this, transport);
	const found = new Map<string, UserInfo>();

	return await runPerItem<{ userID: string }>(this, {
		concurrency,
		server: client,
		prepare: (itemIndex) => ({ userID: new ItemInput(this, itemIndex).locator('user', 'User') }),
		// All items in a few requests. get_users_info leaves unknown IDs out instead of failing (§4).
		precheck: async (jobs) => {
			const ids = [...new Set(jobs.map((job) => job.prepared.userID))];
			for (let start = 0; start < ids.length; start += LOOKUP_BATCH) {
				const data = await client.call<GetUsersInfoResp>(Path.GetUsersInfo, { userIDs: ids.slice(start, start + LOOKUP_BATCH) });
				for (const user of data?.usersInfo ?? []) found.set(user.userID, user);
			}
			const failed = new Map<number, Error>();
			for (const { itemIndex, prepared } of jobs) {
				if (!found.has(prepared.userID)) {
					const input = new ItemInput(this, itemIndex);
					failed.set(itemIndex, input.error('User', `"${prepared.userID}" does not exist in OpenIM`, 'Check the user ID; OpenIM user IDs are case-sensitive.'));
				}
			}
			return failed;
		},
		identify: ({ userID }) => ({ userID }),
		send: async ({ userID }) => ({ ...found.get(userID) }) as IDataObject,
	});
}
