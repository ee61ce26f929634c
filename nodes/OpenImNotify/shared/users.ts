import { Path } from '../../../openim/constants';
import type { AccountCheckResp, GetUsersInfoResp, UserInfo } from '../../../openim/wire';
import type { OpenImClient } from '../transport';

/** account_check takes a list; keep requests small and answers cached for the execution. */
export const CHECK_BATCH = 100;

/**
 * Who exists in OpenIM, asked once per user ID per execution. OpenIM stores notifications for
 * unknown recipients without complaint (openim-api.md §2.1 step 6), so the node checks first.
 */
export class UserDirectory {
	private readonly registered = new Map<string, boolean>();

	/** IDs whose check is in flight: checks overlap with sends, so two windows may share an ID. */
	private readonly checking = new Map<string, Promise<void>>();

	private readonly info = new Map<string, UserInfo | null>();

	constructor(private readonly client: OpenImClient) {}

	/** The subset of `userIDs` that is not registered. */
	async unregistered(userIDs: string[]): Promise<Set<string>> {
		const ids = [...new Set(userIDs)].filter((id) => !this.registered.has(id));
		const unknown = ids.filter((id) => !this.checking.has(id));
		const batches: string[][] = [];
		for (let start = 0; start < unknown.length; start += CHECK_BATCH) batches.push(unknown.slice(start, start + CHECK_BATCH));
		for (const batch of batches) {
			const check = (async () => {
				const data = await this.client.call<AccountCheckResp>(Path.AccountCheck, { checkUserIDs: batch });
				for (const id of batch) this.registered.set(id, false);
				for (const result of data?.results ?? []) this.registered.set(result.userID, result.accountStatus === 1);
			})().finally(() => {
				for (const id of batch) this.checking.delete(id);
			});
			for (const id of batch) this.checking.set(id, check);
		}
		// In parallel: the client's in-flight bound keeps this within Max Concurrent Requests.
		await Promise.all(new Set(ids.map((id) => this.checking.get(id)).filter((check) => check !== undefined)));
		return new Set(userIDs.filter((id) => this.registered.get(id) === false));
	}

	/**
	 * Nicknames of many users (unknown IDs absent), up to 100 IDs per request and cached with the
	 * profiles. A group nickname would need one more look-up per group; the nickname is what most set.
	 */
	async nicknames(userIDs: string[]): Promise<Map<string, string>> {
		const unknown = [...new Set(userIDs)].filter((id) => !this.info.has(id));
		const batches: string[][] = [];
		for (let start = 0; start < unknown.length; start += CHECK_BATCH) batches.push(unknown.slice(start, start + CHECK_BATCH));
		await Promise.all(
			batches.map(async (batch) => {
				const data = await this.client.call<GetUsersInfoResp>(Path.GetUsersInfo, { userIDs: batch });
				for (const id of batch) this.info.set(id, null);
				for (const user of data?.usersInfo ?? []) if (batch.includes(user.userID)) this.info.set(user.userID, user);
			}),
		);
		return new Map(userIDs.flatMap((id) => {
			const nickname = this.info.get(id)?.nickname;
			return nickname ? [[id, nickname] as [string, string]] : [];
		}));
	}

	/** Profile of one user (nickname, face URL), or null when OpenIM does not know the ID. */
	async profile(userID: string): Promise<UserInfo | null> {
		if (!this.info.has(userID)) {
			const data = await this.client.call<GetUsersInfoResp>(Path.GetUsersInfo, { userIDs: [userID] });
			this.info.set(userID, data?.usersInfo?.find((user) => user.userID === userID) ?? null);
		}
		return this.info.get(userID) ?? null;
	}
}
