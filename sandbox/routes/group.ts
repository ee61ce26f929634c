/**
 * /group/* look-ups a connector needs (openim-api.md §4): group info (unknown IDs absent), member
 * IDs (admin or member only) and the admin listing behind the node's group picker.
 */
import * as wire from '../../openim/wire';
import {
	a2rBody,
	noPermission,
	paginate,
	paginationProblem,
	requireAdmin,
	requireAuth,
	type RouteContext,
	type RouteTable,
} from '../http';
import { OpenImPath } from '../paths';
import type { SandboxGroup } from '../types';

export function groupInfo(g: SandboxGroup): wire.GroupInfo {
	return {
		groupID: g.groupID,
		groupName: g.groupName,
		notification: g.notification,
		introduction: g.introduction,
		faceURL: g.faceURL,
		ownerUserID: g.ownerUserID,
		createTime: g.createTime,
		memberCount: g.members.length,
		ex: g.ex,
		status: g.status,
		creatorUserID: g.creatorUserID,
		groupType: g.groupType,
		needVerification: g.needVerification,
		lookMemberInfo: g.lookMemberInfo,
		applyMemberFriend: g.applyMemberFriend,
		notificationUpdateTime: g.notificationUpdateTime,
		notificationUserID: g.notificationUserID,
	};
}

function getGroupsInfo(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'group.GetGroupsInfoReq', schema: wire.GetGroupsInfoReq }, (r) =>
		!r.groupIDs || r.groupIDs.length === 0 ? 'groupID is empty' : undefined,
	);
	requireAuth(ctx);
	const { groups } = ctx.state.store;
	const found = [...new Set(req.groupIDs)].flatMap((id) => {
		const g = groups.get(id);
		return g ? [groupInfo(g)] : [];
	});
	return { data: { groupInfos: found } };
}

/**
 * GetGroupMemberUserIDs (3.8.3-patch.16 internal/rpc/group/group.go): Check() (`GroupID is empty`), then the
 * member IDs straight from the member collection, with no group look-up: an unknown (or empty) group is
 * simply no members. Non-admins must be among them (1002). The empty list crosses gRPC as nil: `null`.
 * (v3.2.2 and base v3.8.3 have no access check at all; the sandbox keeps the patch line's.)
 */
function getGroupMemberUserID(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'group.GetGroupMemberUserIDReq', schema: wire.GetGroupMemberUserIDReq }, (r) =>
		r.groupID === '' ? 'GroupID is empty' : undefined,
	);
	const auth = requireAuth(ctx);
	const userIDs = ctx.state.store.groups.get(req.groupID)?.members.map((m) => m.userID) ?? [];
	if (!auth.isAdmin && !userIDs.includes(auth.userID)) throw noPermission('opUser no permission');
	return { data: { userIDs: userIDs.length ? userIDs : null } };
}

/**
 * GetGroupMemberList (every v3): Check() (`groupID is empty`, pagination), admin or member (1002), the
 * members in join order, one page, with their profile fields. An unknown group is no members. `keyword`
 * and `filter` are not modelled (the node sends neither).
 */
function getGroupMemberList(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'group.GetGroupMemberListReq', schema: wire.GetGroupMemberListReq }, (r) =>
		r.groupID === '' ? 'groupID is empty' : paginationProblem(r.pagination),
	);
	const auth = requireAuth(ctx);
	const { groups, users } = ctx.state.store;
	const members = groups.get(req.groupID)?.members ?? [];
	if (!auth.isAdmin && !members.some((m) => m.userID === auth.userID)) throw noPermission('opUser no permission');
	const full = (m: (typeof members)[number]): wire.GroupMemberFullInfo => {
		const user = users.get(m.userID);
		return {
			groupID: req.groupID,
			userID: m.userID,
			roleLevel: m.roleLevel,
			joinTime: m.joinTime,
			nickname: user?.nickname ?? '',
			faceURL: user?.faceURL ?? '',
			appMangerLevel: user?.appMangerLevel ?? 0,
			joinSource: 0,
			operatorUserID: '',
			ex: '',
			muteEndTime: 0,
			inviterUserID: '',
		};
	};
	return { data: { total: members.length, members: paginate(members, req.pagination ?? { pageNumber: 1, showNumber: 0 }).map(full) } };
}

/** GetGroups: admin only; an exact groupID wins, else groups whose name contains groupName, paged. */
function getGroups(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'group.GetGroupsReq', schema: wire.GetGroupsReq }, (r) => paginationProblem(r.pagination));
	requireAdmin(ctx);
	const { groups, users } = ctx.state.store;
	const toCMS = (g: SandboxGroup): wire.CMSGroup => ({
		groupInfo: groupInfo(g),
		groupOwnerUserID: g.ownerUserID,
		groupOwnerUserName: users.get(g.ownerUserID)?.nickname ?? '',
	});
	if (req.groupID) {
		const g = groups.get(req.groupID);
		return { data: { total: g ? 1 : 0, groups: g ? [toCMS(g)] : [] } };
	}
	const found = [...groups.values()].filter((g) => !req.groupName || g.groupName.includes(req.groupName));
	return { data: { total: found.length, groups: paginate(found, req.pagination).map(toCMS) } };
}

export const groupRoutes: RouteTable = {
	[OpenImPath.GetGroups]: getGroups,
	[OpenImPath.GetGroupsInfo]: getGroupsInfo,
	[OpenImPath.GetGroupMemberUserID]: getGroupMemberUserID,
	[OpenImPath.GetGroupMemberList]: getGroupMemberList,
};
