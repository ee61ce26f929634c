/**
 * Seed data (docs/architecture.md, "Sandbox CLI and control plane"). Admin users are created the way
 * the user RPC does at start-up: nickname = userID, appMangerLevel 3 (openim-api.md §1.5).
 */
import { AppManagerLevel } from '../openim/constants';
import type { Store } from './store';
import type { SeedGroup, SeedUser } from './types';

export const DEFAULT_USERS: SeedUser[] = [
	{ userID: 'hr_bot', nickname: 'HR Department', appMangerLevel: AppManagerLevel.AppNotificationAdmin },
	{ userID: 'ops_alerts', nickname: 'Ops Alerts', appMangerLevel: AppManagerLevel.AppRobotAdmin },
	{ userID: 'alice', nickname: 'Alice Chen', appMangerLevel: 1 },
	{ userID: 'bob', nickname: 'Bob Li', appMangerLevel: 1 },
	{ userID: 'carol', nickname: 'Carol Wang', appMangerLevel: 1 },
	{ userID: 'dave', nickname: 'Dave Zhao', appMangerLevel: 1 },
];

export const DEFAULT_GROUPS: SeedGroup[] = [
	{ groupID: 'all_staff', groupName: 'All Staff', memberUserIDs: ['alice', 'bob', 'carol', 'dave'] },
];

export function applySeed(
	store: Store,
	seed: 'default' | 'none',
	adminUserIDs: string[],
	createAdmins: boolean,
): void {
	if (createAdmins) {
		for (const userID of adminUserIDs) {
			if (!store.users.has(userID)) {
				store.upsertUser({ userID, nickname: userID, appMangerLevel: AppManagerLevel.AppNotificationAdmin });
			}
		}
	}
	if (seed === 'default') {
		for (const u of DEFAULT_USERS) store.upsertUser(u);
		for (const g of DEFAULT_GROUPS) store.upsertGroup(g);
	}
}
