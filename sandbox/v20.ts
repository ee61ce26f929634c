/**
 * The `v2.0` generation: OpenIM server v2.0.x–v2.1.x as tagged v2.1.0, a variation of the v2 table
 * (sandbox/v2.ts; notes in README "Generations"). What differs from v2.2+:
 *
 * - the admin send is `/manager/send_msg` (manage.ManagementSendMsg, internal/api/manage/
 *   management_chat.go): bind → contentType (404) → content WeakDecode (401) / validator (403) →
 *   token ("parse token failed") → appManager ("not authorized") → recvID/groupID (405), all HTTP 400;
 *   v2.1.0's OA element still requires `notificationFaceURL`;
 * - account check, all user IDs and the admin online status live under `/manager/*`
 *   (`/user/account_check`, `/user/get_all_users_uid` and `/msg/manage_send_msg` are 404);
 *   `/manager/get_users_online_status` asks the gateways as the caller: a non-admin sees everyone offline;
 * - a bad token in the look-ups is HTTP 500 (errCode 500), not 400;
 * - `/auth/user_token` checks that the user exists (802 with HTTP 200) and takes `platform` 1–8;
 *   `/auth/parse_token` reads the `token` header and answers `{ExpireTimeSeconds}`;
 * - `/group/get_group_all_member_list` has no offset/count; GroupInfo has v2.1.0's twelve fields;
 * - tokens live 3650 days (config.yaml `tokenpolicy.accessExpire: 3650` up to v2.3.0-rc; 90 from v2.3.2)
 *   unless the sandbox is started with a `tokenLifetimeSeconds`.
 *
 * The accepted send still runs through the v3.8 pipeline (sandbox/v2.ts sendThroughV3) with v2's group
 * chat (2) as v3's (3). It may refuse what v2.1.0 takes (an unknown recvID, revoke 111, sessionType 3
 * for an ordinary group, which v2.1.0 answers with errCode 0 and delivers to nobody), never the other way round.
 */
import { z } from 'zod';

import { OfflinePushInfo } from '../openim/wire';
import { decodeElement, type Element } from './content';
import { parseJson } from './generations';
import {
	accountCheck,
	bind,
	checkToken,
	getAllUsersUid,
	groupAllMemberList,
	groupsInfo,
	ids,
	isAdmin,
	isAnswer,
	joinedGroupList,
	ok,
	OP_ID,
	sendThroughV3,
	tokenUID,
	usersOnlineStatus,
	userSendMsgResp,
	userTokenRoute,
	v3SessionType,
	V2Session,
	V2_TABLE,
	v2Error,
	V2Path,
	type BindSpec,
	type V2Answer,
	type V2Call,
	type V2Route,
	type V2Table,
} from './v2';

/** v2.0–v2.3.0-rc config.yaml `tokenpolicy.accessExpire: 3650` (days): the v2.0 mode's default token lifetime. */
export const V20_TOKEN_LIFETIME_SECONDS = 3650 * 24 * 60 * 60;

export const V20Path = {
	ManagerSendMsg: '/manager/send_msg',
	AccountCheck: '/manager/account_check',
	GetAllUsersUid: '/manager/get_all_users_uid',
	GetUsersOnlineStatus: '/manager/get_users_online_status',
} as const;

/* ---------- /manager/send_msg ---------- */

interface ManagementSendMsgReq {
	operationID: string;
	sendID: string;
	recvID: string;
	groupID: string;
	senderNickname: string;
	senderFaceURL: string;
	senderPlatformID: number;
	content: Record<string, unknown>;
	contentType: number;
	sessionType: number;
	isOnlineOnly: boolean;
	offlinePushInfo: Record<string, unknown> | null;
}

/** base_info.ManagementSendMsgReq (v2.1.0 pkg/base_info/manage_api_struct.go). */
const SEND_SPEC: BindSpec = {
	goName: 'base_info.ManagementSendMsgReq',
	schema: z.object({
		operationID: z.string(),
		sendID: z.string(),
		recvID: z.string(),
		groupID: z.string(),
		senderNickname: z.string(),
		senderFaceURL: z.string(),
		senderPlatformID: z.number(),
		forceList: ids,
		content: z.record(z.string(), z.unknown()).nullable(),
		contentType: z.number(),
		sessionType: z.number(),
		isOnlineOnly: z.boolean(),
		offlinePushInfo: OfflinePushInfo.nullable(),
	}),
	fields: [
		OP_ID,
		{ json: 'sendID', ns: 'SendID', binding: 'required' },
		{ json: 'content', ns: 'Content', binding: 'required' },
		{ json: 'contentType', ns: 'ContentType', binding: 'required' },
		{ json: 'sessionType', ns: 'SessionType', binding: 'required' },
	],
};

const str = () => z.string();
const int = () => z.number().int();
const required = () => z.string().min(1);

const PictureBaseInfo = z.object({ uuid: str(), type: str(), size: int(), width: int(), height: int(), url: str() });
const PictureElem = z.object({
	sourcePath: str(),
	sourcePicture: PictureBaseInfo,
	bigPicture: PictureBaseInfo,
	snapshotPicture: PictureBaseInfo,
});
const SoundElem = z.object({ uuid: str(), soundPath: str(), sourceUrl: str(), dataSize: int(), duration: int() });
const VideoElem = z.object({
	videoPath: str(),
	videoUUID: str(),
	videoUrl: str(),
	videoType: str(),
	videoSize: int(),
	duration: int(),
	snapshotPath: str(),
	snapshotUUID: str(),
	snapshotSize: int(),
	snapshotUrl: str(),
	snapshotWidth: int(),
	snapshotHeight: int(),
});
const FileElem = z.object({ filePath: str(), uuid: str(), sourceUrl: str(), fileName: str(), fileSize: int() });

/**
 * ManagementSendMsg's contentType switch and element structs (v2.1.0 management_chat.go): only these
 * `validate:"required"` tags; every other contentType is `contentType err`.
 */
const ELEMENTS_V21: Record<number, Element> = {
	101: { goName: 'TextElem', schema: z.object({ text: required() }) },
	102: { goName: 'PictureElem', schema: PictureElem },
	103: { goName: 'SoundElem', schema: SoundElem },
	104: { goName: 'VideoElem', schema: VideoElem },
	105: { goName: 'FileElem', schema: FileElem },
	110: { goName: 'CustomElem', schema: z.object({ data: required(), description: str(), extension: str() }) },
	111: { goName: 'RevokeElem', schema: z.object({ revokeMsgClientID: required() }) },
	1400: {
		goName: 'OANotificationElem',
		schema: z.object({
			notificationName: required(),
			notificationFaceURL: required(),
			notificationType: int().refine((n) => n !== 0, 'required'),
			text: required(),
			url: str(),
			mixType: int(),
			pictureElem: PictureElem,
			soundElem: SoundElem,
			videoElem: VideoElem,
			fileElem: FileElem,
			ex: str(),
		}),
	},
};

const OA_NOTIFICATION = 1400;
const { Single: SINGLE_CHAT, Group: GROUP_CHAT, Notification: NOTIFICATION_CHAT } = V2Session;

/** The handler's own refusals after binding: gin.H, keys sorted (`MsgID` first). */
const refusal = (errCode: number, errMsg: string): V2Answer => ({
	status: 400,
	envelope: { MsgID: '', errCode, errMsg, sendTime: 0 },
});

async function managerSendMsg(call: V2Call): Promise<V2Answer> {
	const { state, token } = call;
	const req = bind<ManagementSendMsgReq>(call.body, SEND_SPEC);
	if (isAnswer(req)) return req;
	const element = ELEMENTS_V21[req.contentType];
	if (!element) return v2Error(400, 404, 'contentType err');
	const sessionType = req.contentType === OA_NOTIFICATION ? NOTIFICATION_CHAT : req.sessionType;
	const content = decodeElement(element, req.content);
	if ('failed' in content) return v2Error(400, content.failed === 'decode' ? 401 : 403, content.text);
	const caller = tokenUID(state, token);
	if ('reason' in caller) return refusal(400, 'parse token failed');
	if (!isAdmin(state, caller.uid)) return refusal(400, 'not authorized');
	if (sessionType === SINGLE_CHAT && !req.recvID) return refusal(405, 'recvID is a null string');
	if (sessionType === GROUP_CHAT && !req.groupID) return refusal(405, 'groupID is a null string');
	const v3Session = sessionType === NOTIFICATION_CHAT ? sessionType : v3SessionType(state, sessionType, req.groupID);
	if (isAnswer(v3Session)) return v3Session;
	const sent = await sendThroughV3(call, V20Path.ManagerSendMsg, caller.uid, req.operationID, {
		sendID: req.sendID,
		recvID: req.recvID,
		groupID: req.groupID,
		senderNickname: req.senderNickname,
		senderFaceURL: req.senderFaceURL,
		senderPlatformID: req.senderPlatformID,
		content: req.content,
		contentType: req.contentType,
		sessionType: v3Session,
		isOnlineOnly: req.isOnlineOnly,
		offlinePushInfo: req.offlinePushInfo,
	});
	return isAnswer(sent) ? sent : ok(userSendMsgResp(sent));
}

/* ---------- auth ---------- */

/** /auth/parse_token (v2.1.0 api auth.ParseToken): the `token` header; data is structs.Map of ExpireTime. */
function parseToken({ state, body, token }: V2Call): V2Answer {
	const req = bind<{ operationID: string }>(body, {
		goName: 'base_info.ParseTokenReq',
		schema: z.object({ operationID: z.string() }),
		fields: [OP_ID],
		errPrefix: ' BindJSON failed ',
	});
	if (isAnswer(req)) return req;
	const checked = checkToken(state, token, req.operationID, 500, 'GetUserIDFromTokenExpireTime');
	if ('envelope' in checked) return checked;
	const claims = parseJson(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
	return ok({ ExpireTimeSeconds: typeof claims?.exp === 'number' ? claims.exp : 0 });
}

/* ---------- the table ---------- */

/** sdk_ws.GroupInfo of v2.1.0: no needVerification, lookMemberInfo, applyMemberFriend, notification update fields. */
const GROUP_INFO_V21 = [
	'groupID',
	'groupName',
	'notification',
	'introduction',
	'faceURL',
	'ownerUserID',
	'createTime',
	'memberCount',
	'ex',
	'status',
	'creatorUserID',
	'groupType',
] as const;

const routes: Record<string, V2Route> = { ...V2_TABLE.routes };
// v2.2.0 moved these: /manager/send_msg → /msg/manage_send_msg, /manager/{account_check,get_all_users_uid} → /user/*.
delete routes[V2Path.ManageSendMsg];
delete routes[V2Path.AccountCheck];
delete routes[V2Path.GetAllUsersUid];
Object.assign(routes, {
	[V20Path.ManagerSendMsg]: managerSendMsg,
	[V20Path.AccountCheck]: accountCheck,
	[V20Path.GetAllUsersUid]: getAllUsersUid,
	[V20Path.GetUsersOnlineStatus]: usersOnlineStatus(true),
	// /user/get_users_online_status (any token, since v2.0.8), /user/get_users_info and
	// /auth/user_register are as in v2.2+.
	// v2.1.0 api auth.UserToken: platform 1–8 (8 has no name yet), and the RPC looks the user up first.
	[V2Path.Login]: userTokenRoute({ maxPlatform: 8, namedPlatforms: 7, userMustExist: true }),
	[V2Path.SessionParse]: parseToken,
	[V2Path.GetGroupAllMemberList]: groupAllMemberList(false),
	[V2Path.GetGroupsInfo]: groupsInfo(GROUP_INFO_V21),
	[V2Path.GetJoinedGroupList]: joinedGroupList(GROUP_INFO_V21),
});

/** v2.0–v2.1 (v2.1.0). */
export const V20_TABLE: V2Table = { routes, tokenErrorStatus: 500 };
