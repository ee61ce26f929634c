/**
 * /group/* look-ups a connector needs (openim-api.md §4): group info (unknown IDs absent), member
 * IDs (admin or member only) and the admin listing behind the node's group picker.
 */
import * as wire from '../../openim/wire';
import {
	a2rBody,
	noPermission,
	notFound,
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

function getGroupMemberUserID(ctx: RouteContext) {
	const req = a2rBody(ctx, { goName: 'group.GetGroupMemberUserIDReq', schema: wire.GetGroupMemberUserIDReq });
	const auth = requireAuth(ctx);
	const group = ctx.state.store.groups.get(req.groupID);
	if (!auth.isAdmin && !group?.members.some((m) => m.userID === auth.userID)) {
		throw noPermission('opUser no permission');
	}
	if (!group) throw notFound('group not found');
	return { data: { userIDs: group.members.map((m) => m.userID) } };
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
};
