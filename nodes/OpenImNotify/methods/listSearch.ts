import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { Path } from '../../../openim/constants';
import type {
	GetGroupsResp,
	GetUsersInfoResp,
	GetUsersResp,
	SearchNotificationAccountResp,
	UserInfo,
} from '../../../openim/wire';
import { OpenImClient } from '../transport';

const PAGE_SIZE = 50;

/** "Name (ID)", or the ID alone when there is no other name. */
const labelled = (id: string, name: string | undefined): INodeListSearchItems => ({
	name: name && name !== id ? `${name} (${id})` : id,
	value: id,
});

const toResult = (user: UserInfo) => labelled(user.userID, user.nickname);

/** Case-insensitive "contains" on the label, which holds both name and ID. */
const matches = (filter: string | undefined) => {
	const needle = filter?.trim().toLowerCase() ?? '';
	return (item: INodeListSearchItems) => needle === '' || item.name.toLowerCase().includes(needle);
};

const pageOf = (paginationToken: string | undefined): number => Number(paginationToken ?? 1) || 1;

const nextPage = (pageNumber: number, total: number | undefined): string | undefined =>
	pageNumber * PAGE_SIZE < (total ?? 0) ? String(pageNumber + 1) : undefined;

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
	const pageNumber = pageOf(paginationToken);
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
	return { results: users.map(toResult), paginationToken: nextPage(pageNumber, page?.total) };
}

/**
 * Groups for the Group pickers: /group/get_groups (admin) pages through groups whose name contains
 * the filter; a filter that is an exact group ID comes first.
 */
export async function searchGroups(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const client = new OpenImClient(this);
	const pageNumber = pageOf(paginationToken);
	const keyword = filter?.trim() ?? '';
	const list = async (by: { groupName?: string; groupID?: string }) =>
		await client.call<GetGroupsResp>(Path.GetGroups, { pagination: { pageNumber, showNumber: PAGE_SIZE }, ...by });
	const page = await list(keyword ? { groupName: keyword } : {});
	const groups = (page?.groups ?? []).map(({ groupInfo }) => groupInfo);
	if (keyword && pageNumber === 1 && !groups.some((group) => group.groupID === keyword)) {
		groups.unshift(...((await list({ groupID: keyword }))?.groups ?? []).map(({ groupInfo }) => groupInfo));
	}
	return {
		results: groups.map((group) => labelled(group.groupID, group.groupName)),
		paginationToken: nextPage(pageNumber, page?.total),
	};
}

/**
 * The credential's sender IDs, named as OpenIM knows them; the filter matches name or ID.
 * Only these may send, so the list offers nothing else.
 */
export async function searchSenders(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const client = new OpenImClient(this);
	const { senderIDs } = await client.settings();
	const data = await client.call<GetUsersInfoResp>(Path.GetUsersInfo, { userIDs: senderIDs });
	const names = new Map((data?.usersInfo ?? []).map((user) => [user.userID, user.nickname]));
	return { results: senderIDs.map((id) => labelled(id, names.get(id))).filter(matches(filter)) };
}

/**
 * Notification accounts (appMangerLevel 3+) for Notification Account → Update. OpenIM's search only
 * matches an exact ID or name, so pages are filtered here; there are few such accounts.
 */
export async function searchNotificationAccounts(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const client = new OpenImClient(this);
	const pageNumber = pageOf(paginationToken);
	const page = await client.call<SearchNotificationAccountResp>(Path.SearchNotificationAccount, {
		pagination: { pageNumber, showNumber: PAGE_SIZE },
	});
	const results = (page?.notificationAccounts ?? []).map((account) => labelled(account.userID, account.nickName)).filter(matches(filter));
	// Without a keyword OpenIM lists level-3 accounts only: a typed exact ID or name also finds robots.
	const keyword = filter?.trim();
	if (keyword && pageNumber === 1) {
		const exact = await client.call<SearchNotificationAccountResp>(Path.SearchNotificationAccount, {
			keyword,
			pagination: { pageNumber: 1, showNumber: PAGE_SIZE },
		});
		for (const account of exact?.notificationAccounts ?? []) {
			if (!results.some((item) => item.value === account.userID)) results.unshift(labelled(account.userID, account.nickName));
		}
	}
	return { results, paginationToken: nextPage(pageNumber, page?.total) };
}
