import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { Path } from '../../../openim/constants';
import type { GetUsersInfoResp, GetUsersResp, UserInfo } from '../../../openim/wire';
import { OpenImClient } from '../transport';

const PAGE_SIZE = 50;

const toResult = (user: UserInfo) => ({
	name: user.nickname && user.nickname !== user.userID ? `${user.nickname} (${user.userID})` : user.userID,
	value: user.userID,
});

/**
 * Regular users for the Recipient picker. /user/get_users pages through users (admins and
 * notification accounts excluded, as recipients should be); a typed filter also matches an exact ID.
 */
export async function searchUsers(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const client = new OpenImClient(this);
	const pageNumber = Number(paginationToken ?? 1) || 1;
	const keyword = filter?.trim() ?? '';
	const page = await client.call<GetUsersResp>(Path.GetUsers, {
		pagination: { pageNumber, showNumber: PAGE_SIZE },
		...(keyword ? { nickName: keyword } : {}),
	});
	const users = page?.users ?? [];
	if (keyword && pageNumber === 1 && !users.some((user) => user.userID === keyword)) {
		const exact = await client.call<GetUsersInfoResp>(Path.GetUsersInfo, { userIDs: [keyword] });
		users.unshift(...(exact?.usersInfo ?? []));
	}
	const more = pageNumber * PAGE_SIZE < (page?.total ?? 0);
	return {
		results: users.map(toResult),
		paginationToken: more ? String(pageNumber + 1) : undefined,
	};
}
