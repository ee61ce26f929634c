import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { OnlineStatus, Path, PlatformID } from '../../../../openim/constants';
import type { GetUsersOnlineStatusResp, UserOnlineStatus } from '../../../../openim/wire';
import { clientOptions } from '../../shared/fields';
import { OpenImClient } from '../../transport';
import { listPerItem, readUserIDs } from './listing';

const show = { resource: ['user'], operation: ['getOnlineStatus'] };

/** The gateway answers for any number of IDs; smaller requests keep answers small. */
const STATUS_BATCH = 100;

const PLATFORM_NAMES: Record<number, string> = Object.fromEntries(
	Object.entries(PlatformID).map(([name, id]) => [id, name]),
);

export const description: INodeProperties[] = [
	{
		displayName: 'User IDs',
		name: 'userIDs',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. alice, bob',
		description: 'One or more user IDs separated by commas, or an expression giving a list. Gives one item per user.',
		displayOptions: { show },
	},
];

/**
 * One output item per user, built field by field: OpenIM's answer carries every connection's live
 * session token (detailPlatformStatus[].token, openim-api.md §4), which must never reach an output.
 */
function toItem(status: UserOnlineStatus): IDataObject {
	const online = status.status === OnlineStatus.Online;
	const platforms = (status.detailPlatformStatus ?? []).map((detail) => ({
		platformID: detail.platformID,
		platform: PLATFORM_NAMES[detail.platformID] ?? `Platform ${detail.platformID}`,
		isBackground: detail.isBackground,
	}));
	return { userID: status.userID, online, status: online ? 'online' : 'offline', platforms };
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const client = new OpenImClient(this, clientOptions(this));

	return await listPerItem(this, async (input) => {
		const userIDs = readUserIDs(input, 'userIDs', 'User IDs');
		const rows: IDataObject[] = [];
		for (let start = 0; start < userIDs.length; start += STATUS_BATCH) {
			const batch = userIDs.slice(start, start + STATUS_BATCH);
			const data = await client.call<GetUsersOnlineStatusResp>(Path.GetUsersOnlineStatus, { userIDs: batch }, { itemIndex: input.itemIndex });
			const byID = new Map((data ?? []).map((status) => [status.userID, status]));
			for (const userID of batch) {
				rows.push(toItem(byID.get(userID) ?? { userID, status: OnlineStatus.Offline, detailPlatformStatus: null }));
			}
		}
		return rows;
	}, client);
}
