/**
 * OpenIM's admin REST API on the wire, defined once (../shared/reference/openim-api.md, v3.8.x).
 *
 * The sandbox and the tests validate with these schemas; the node imports only the inferred
 * types (`import type`), so nothing here is loaded at run time inside n8n.
 *
 * Rules mirror the server's Go validators: `required` means non-zero / non-empty, nested
 * element structs are validated in full when present (they are pointers on the server).
 */
import { z } from 'zod';

/* ---------- envelope (§1.3) ---------- */

export const envelope = <T extends z.ZodTypeAny>(data: T) =>
	z.object({
		errCode: z.number().int(),
		errMsg: z.string(),
		errDlt: z.string(),
		data: data.optional(),
	});
export type ApiEnvelope<T = unknown> = {
	errCode: number;
	errMsg: string;
	errDlt: string;
	data?: T;
};

/* ---------- auth (§1.4) ---------- */

export const GetAdminTokenReq = z.object({ secret: z.string(), userID: z.string() });
export type GetAdminTokenReq = z.infer<typeof GetAdminTokenReq>;

/** v3.0–v3.8.0: POST /auth/user_token */
export const UserTokenReq = z.object({
	secret: z.string(),
	platformID: z.number().int(),
	userID: z.string(),
});
export type UserTokenReq = z.infer<typeof UserTokenReq>;

export const TokenResp = z.object({ token: z.string(), expireTimeSeconds: z.number().int() });
export type TokenResp = z.infer<typeof TokenResp>;

/* ---------- content elements (§2.2, pkg/apistruct/msg.go) ---------- */

const req = () => z.string().min(1);
const reqInt = () => z.number().int().refine((n) => n !== 0, 'required');

export const PictureBaseInfo = z.object({
	uuid: z.string().optional(),
	type: req(),
	size: z.number().int().optional(),
	width: reqInt(),
	height: reqInt(),
	url: req(),
});
export type PictureBaseInfo = z.infer<typeof PictureBaseInfo>;

export const PictureElem = z.object({
	sourcePath: z.string().optional(),
	sourcePicture: PictureBaseInfo,
	bigPicture: PictureBaseInfo,
	snapshotPicture: PictureBaseInfo,
});
export type PictureElem = z.infer<typeof PictureElem>;

export const SoundElem = z.object({
	uuid: z.string().optional(),
	soundPath: z.string().optional(),
	sourceUrl: req(),
	dataSize: z.number().int().optional(),
	duration: z.number().int().min(1),
});
export type SoundElem = z.infer<typeof SoundElem>;

export const VideoElem = z.object({
	videoPath: z.string().optional(),
	videoUUID: z.string().optional(),
	videoUrl: req(),
	videoType: req(),
	videoSize: reqInt(),
	duration: reqInt(),
	snapshotPath: z.string().optional(),
	snapshotUUID: z.string().optional(),
	snapshotSize: z.number().int().optional(),
	snapshotUrl: req(),
	snapshotWidth: reqInt(),
	snapshotHeight: reqInt(),
});
export type VideoElem = z.infer<typeof VideoElem>;

export const FileElem = z.object({
	filePath: z.string().optional(),
	uuid: z.string().optional(),
	sourceUrl: req(),
	fileName: req(),
	fileSize: reqInt(),
});
export type FileElem = z.infer<typeof FileElem>;

export const TextElem = z.object({ content: req() });
export const CustomElem = z.object({
	data: req(),
	description: z.string().optional(),
	extension: z.string().optional(),
});
export const AtElem = z.object({
	text: z.string().optional(),
	atUserList: z.array(z.string()).max(1000),
	isAtSelf: z.boolean().optional(),
});

/** OA work notification, contentType 1400 (§3.1). */
export const OANotificationElem = z.object({
	notificationName: req(),
	notificationFaceURL: z.string().optional(),
	notificationType: reqInt(),
	text: req(),
	url: z.string().optional(),
	/** Not in the server struct; kept in the stored JSON and read by the clients (§3.2). */
	externalUrl: z.string().optional(),
	mixType: z.number().int().min(0).max(5),
	pictureElem: PictureElem.nullish(),
	soundElem: SoundElem.nullish(),
	videoElem: VideoElem.nullish(),
	fileElem: FileElem.nullish(),
	ex: z.string().optional(),
});
export type OANotificationElem = z.infer<typeof OANotificationElem>;

/* ---------- send (§2.1) ---------- */

export const OfflinePushInfo = z.object({
	title: z.string().optional(),
	desc: z.string().optional(),
	ex: z.string().optional(),
	iOSPushSound: z.string().optional(),
	iOSBadgeCount: z.boolean().optional(),
});
export type OfflinePushInfo = z.infer<typeof OfflinePushInfo>;

/** Body of POST /msg/send_msg. `content` is an object whose shape depends on contentType. */
export const SendMsgReq = z.object({
	sendID: z.string(),
	recvID: z.string().optional(),
	groupID: z.string().optional(),
	senderNickname: z.string().optional(),
	senderFaceURL: z.string().optional(),
	senderPlatformID: z.number().int().optional(),
	content: z.record(z.string(), z.unknown()),
	contentType: z.number().int(),
	sessionType: z.number().int(),
	isOnlineOnly: z.boolean().optional(),
	notOfflinePush: z.boolean().optional(),
	sendTime: z.number().int().optional(),
	offlinePushInfo: OfflinePushInfo.nullish(),
	ex: z.string().optional(),
});
export type SendMsgReq = z.infer<typeof SendMsgReq>;
export type OANotificationSendReq = Omit<SendMsgReq, 'content'> & { content: OANotificationElem };

export const SendMsgResp = z.object({
	serverMsgID: z.string(),
	clientMsgID: z.string(),
	sendTime: z.number().int(),
	modify: z.unknown().optional(),
});
export type SendMsgResp = z.infer<typeof SendMsgResp>;

/** POST /msg/batch_send_msg (§2.3): send_msg without recvID, plus recipients. */
export const BatchSendMsgReq = SendMsgReq.omit({ recvID: true }).extend({
	isSendAll: z.boolean().optional(),
	recvIDs: z.array(z.string()),
});
export type BatchSendMsgReq = z.infer<typeof BatchSendMsgReq>;
export const BatchSendMsgResp = z.object({
	results: z.array(SendMsgResp.extend({ recvID: z.string() })).nullable(),
	failedUserIDs: z.array(z.string()).nullable(),
});
export type BatchSendMsgResp = z.infer<typeof BatchSendMsgResp>;

export const CheckMsgIsSendSuccessResp = z.object({ status: z.number().int() });
export type CheckMsgIsSendSuccessResp = z.infer<typeof CheckMsgIsSendSuccessResp>;

/* ---------- users (§4) ---------- */

export const AccountCheckReq = z.object({ checkUserIDs: z.array(z.string()) });
export type AccountCheckReq = z.infer<typeof AccountCheckReq>;
export const AccountCheckResp = z.object({
	results: z.array(z.object({ userID: z.string(), accountStatus: z.number().int() })).nullable(),
});
export type AccountCheckResp = z.infer<typeof AccountCheckResp>;

export const UserInfo = z.object({
	userID: z.string(),
	nickname: z.string(),
	faceURL: z.string(),
	ex: z.string(),
	createTime: z.number().int(),
	appMangerLevel: z.number().int(),
	globalRecvMsgOpt: z.number().int(),
});
export type UserInfo = z.infer<typeof UserInfo>;

export const GetUsersInfoReq = z.object({ userIDs: z.array(z.string()) });
export const GetUsersInfoResp = z.object({ usersInfo: z.array(UserInfo).nullable() });
export type GetUsersInfoResp = z.infer<typeof GetUsersInfoResp>;

export const UserRegisterReq = z.object({
	users: z.array(
		z.object({
			userID: z.string(),
			nickname: z.string(),
			faceURL: z.string().optional(),
			ex: z.string().optional(),
			appMangerLevel: z.number().int().optional(),
			globalRecvMsgOpt: z.number().int().optional(),
		}),
	),
});
export type UserRegisterReq = z.infer<typeof UserRegisterReq>;

export const Pagination = z.object({
	pageNumber: z.number().int(),
	showNumber: z.number().int(),
});

export const GetUsersReq = z.object({
	pagination: Pagination,
	userID: z.string().optional(),
	nickName: z.string().optional(),
});
export const GetUsersResp = z.object({ total: z.number().int(), users: z.array(UserInfo).nullable() });
export type GetUsersResp = z.infer<typeof GetUsersResp>;

/* ---------- notification accounts (§3.2) ---------- */

export const NotificationAccount = z.object({
	userID: z.string(),
	faceURL: z.string(),
	nickName: z.string(),
	appMangerLevel: z.number().int(),
});
export type NotificationAccount = z.infer<typeof NotificationAccount>;

export const AddNotificationAccountReq = z.object({
	userID: z.string().optional(),
	nickName: z.string(),
	faceURL: z.string().optional(),
	appMangerLevel: z.number().int(),
});
export type AddNotificationAccountReq = z.infer<typeof AddNotificationAccountReq>;

export const SearchNotificationAccountReq = z.object({
	keyword: z.string().optional(),
	appManagerLevel: z.number().int().optional(),
	pagination: Pagination,
});
export type SearchNotificationAccountReq = z.infer<typeof SearchNotificationAccountReq>;
export const SearchNotificationAccountResp = z.object({
	total: z.number().int(),
	notificationAccounts: z.array(NotificationAccount).nullable(),
});
export type SearchNotificationAccountResp = z.infer<typeof SearchNotificationAccountResp>;

/* ---------- added for the sandbox (openim-api.md §1.4, §2.6, §3.2, §4) ---------- */

/** Body of /msg/check_msg_is_send_success and /msg/get_server_time: `{}` (an empty body is a 1001). */
export const EmptyReq = z.object({});
export type EmptyReq = z.infer<typeof EmptyReq>;

export const ParseTokenReq = z.object({ token: z.string() });
export type ParseTokenReq = z.infer<typeof ParseTokenReq>;
/** `expireTimeSeconds` here is the absolute expiry (Unix seconds), unlike get_admin_token's lifetime. */
export const ParseTokenResp = z.object({
	userID: z.string(),
	platformID: z.number().int(),
	expireTimeSeconds: z.number().int(),
});
export type ParseTokenResp = z.infer<typeof ParseTokenResp>;

/** POST /auth/get_user_token and /auth/force_logout. */
export const UserPlatformReq = z.object({ platformID: z.number().int(), userID: z.string() });
export type UserPlatformReq = z.infer<typeof UserPlatformReq>;

export const GetServerTimeResp = z.object({ serverTime: z.number().int() });
export type GetServerTimeResp = z.infer<typeof GetServerTimeResp>;

export const GetAllUsersUidReq = z.object({ pagination: Pagination });
export type GetAllUsersUidReq = z.infer<typeof GetAllUsersUidReq>;
export const GetAllUsersUidResp = z.object({ total: z.number().int(), userIDs: z.array(z.string()).nullable() });
export type GetAllUsersUidResp = z.infer<typeof GetAllUsersUidResp>;

export const UpdateNotificationAccountReq = z.object({
	userID: z.string(),
	nickName: z.string().optional(),
	faceURL: z.string().optional(),
});
export type UpdateNotificationAccountReq = z.infer<typeof UpdateNotificationAccountReq>;

export const GetGroupMemberUserIDReq = z.object({ groupID: z.string() });
export type GetGroupMemberUserIDReq = z.infer<typeof GetGroupMemberUserIDReq>;
export const GetGroupMemberUserIDResp = z.object({ userIDs: z.array(z.string()).nullable() });
export type GetGroupMemberUserIDResp = z.infer<typeof GetGroupMemberUserIDResp>;

/**
 * POST /group/get_group_member_list (every v3; the node's way to a group's members on v3.0–v3.1, which
 * lack get_group_member_user_id). Check(): groupID, pagination, pageNumber ≥ 1. `filter`/`keyword` optional.
 */
export const GetGroupMemberListReq = z.object({
	groupID: z.string(),
	pagination: Pagination.nullable(),
	filter: z.number().int().optional(),
	keyword: z.string().optional(),
});
export type GetGroupMemberListReq = z.infer<typeof GetGroupMemberListReq>;
export const GroupMemberFullInfo = z.object({
	groupID: z.string(),
	userID: z.string(),
	roleLevel: z.number().int(),
	joinTime: z.number().int(),
	nickname: z.string(),
	faceURL: z.string(),
	appMangerLevel: z.number().int(),
	joinSource: z.number().int(),
	operatorUserID: z.string(),
	ex: z.string(),
	muteEndTime: z.number().int(),
	inviterUserID: z.string(),
});
export type GroupMemberFullInfo = z.infer<typeof GroupMemberFullInfo>;
export const GetGroupMemberListResp = z.object({ total: z.number().int(), members: z.array(GroupMemberFullInfo).nullable() });
export type GetGroupMemberListResp = z.infer<typeof GetGroupMemberListResp>;

export const GroupInfo = z.object({
	groupID: z.string(),
	groupName: z.string(),
	notification: z.string(),
	introduction: z.string(),
	faceURL: z.string(),
	ownerUserID: z.string(),
	createTime: z.number().int(),
	memberCount: z.number().int(),
	ex: z.string(),
	/** 0 ok, 1 ban chat, 2 dismissed, 3 muted. */
	status: z.number().int(),
	creatorUserID: z.string(),
	groupType: z.number().int(),
	needVerification: z.number().int(),
	lookMemberInfo: z.number().int(),
	applyMemberFriend: z.number().int(),
	notificationUpdateTime: z.number().int(),
	notificationUserID: z.string(),
});
export type GroupInfo = z.infer<typeof GroupInfo>;

export const GetGroupsInfoReq = z.object({ groupIDs: z.array(z.string()) });
export type GetGroupsInfoReq = z.infer<typeof GetGroupsInfoReq>;
export const GetGroupsInfoResp = z.object({ groupInfos: z.array(GroupInfo).nullable() });
export type GetGroupsInfoResp = z.infer<typeof GetGroupsInfoResp>;

/** POST /group/get_groups (admin listing): an exact groupID, or groups whose name contains groupName. */
export const GetGroupsReq = z.object({
	pagination: Pagination,
	groupName: z.string().optional(),
	groupID: z.string().optional(),
});
export type GetGroupsReq = z.infer<typeof GetGroupsReq>;
export const CMSGroup = z.object({ groupInfo: GroupInfo, groupOwnerUserName: z.string(), groupOwnerUserID: z.string() });
export type CMSGroup = z.infer<typeof CMSGroup>;
export const GetGroupsResp = z.object({ total: z.number().int(), groups: z.array(CMSGroup).nullable() });
export type GetGroupsResp = z.infer<typeof GetGroupsResp>;

/* ---------- recall and online status (issue #3; §2.5, §4) ---------- */

/**
 * POST /msg/search_msg (msg.SearchMessageReq; no Check()). `sendTime` is a day, `YYYY-MM-DD`
 * (time.DateOnly, read as UTC). `recvID` matches a message's recvID or its groupID. Only `si_`/`sg_`
 * conversations are searched: OA notifications (`sn_`) are never found ("Findings").
 */
export const SearchMsgReq = z.object({
	sendID: z.string(),
	recvID: z.string(),
	contentType: z.number().int(),
	sendTime: z.string(),
	sessionType: z.number().int(),
	pagination: Pagination.nullable(),
});
export type SearchMsgReq = z.infer<typeof SearchMsgReq>;

/** msg.ChatLog: the stored message, `content` as the stored JSON string. */
export const ChatLog = z.object({
	serverMsgID: z.string(),
	clientMsgID: z.string(),
	sendID: z.string(),
	recvID: z.string(),
	groupID: z.string(),
	recvNickname: z.string(),
	senderPlatformID: z.number().int(),
	senderNickname: z.string(),
	senderFaceURL: z.string(),
	groupName: z.string(),
	sessionType: z.number().int(),
	msgFrom: z.number().int(),
	contentType: z.number().int(),
	content: z.string(),
	status: z.number().int(),
	sendTime: z.number().int(),
	createTime: z.number().int(),
	ex: z.string(),
	groupFaceURL: z.string(),
	groupMemberCount: z.number().int(),
	seq: z.number().int(),
	groupOwner: z.string(),
	groupType: z.number().int(),
});
export type ChatLog = z.infer<typeof ChatLog>;

/** v3.8.1+: each entry wraps the ChatLog; v3.0–v3.8.0 answer the ChatLogs themselves (SearchMsgRespV30). */
export const SearchMsgResp = z.object({
	chatLogs: z.array(z.object({ chatLog: ChatLog, isRevoked: z.boolean() })).nullable(),
	chatLogsNum: z.number().int(),
});
export type SearchMsgResp = z.infer<typeof SearchMsgResp>;
export const SearchMsgRespV30 = z.object({ chatLogs: z.array(ChatLog).nullable(), chatLogsNum: z.number().int() });
export type SearchMsgRespV30 = z.infer<typeof SearchMsgRespV30>;

/** POST /msg/revoke_msg (msg.RevokeMsgReq): all three required, seq ≥ 1; success has no `data`. */
export const RevokeMsgReq = z.object({
	conversationID: z.string(),
	seq: z.number().int(),
	userID: z.string(),
});
export type RevokeMsgReq = z.infer<typeof RevokeMsgReq>;

/** POST /user/get_users_online_status (msggateway.GetUsersOnlineStatusReq, read with gin's BindJSON). */
export const GetUsersOnlineStatusReq = z.object({ userIDs: z.array(z.string()).nullable() });
export type GetUsersOnlineStatusReq = z.infer<typeof GetUsersOnlineStatusReq>;

/** One connection. ⚠ `token` is the user's live session token: never log or output it. */
export const OnlinePlatformDetail = z.object({
	platformID: z.number().int(),
	connID: z.string(),
	isBackground: z.boolean(),
	token: z.string(),
});
export type OnlinePlatformDetail = z.infer<typeof OnlinePlatformDetail>;

export const UserOnlineStatus = z.object({
	userID: z.string(),
	/** 1 online, 0 offline. */
	status: z.number().int(),
	detailPlatformStatus: z.array(OnlinePlatformDetail).nullable(),
});
export type UserOnlineStatus = z.infer<typeof UserOnlineStatus>;

/** `data` is a bare array, one entry per requested ID in request order (null for an empty request). */
export const GetUsersOnlineStatusResp = z.array(UserOnlineStatus).nullable();
export type GetUsersOnlineStatusResp = z.infer<typeof GetUsersOnlineStatusResp>;

/* ---------- read status (issue #14; openim-clients.md §3, v3 only) ---------- */

/**
 * POST /msg/get_conversations_has_read_and_max_seq (msg.GetConversationsHasReadAndMaxSeqReq). An
 * admin may ask for any userID; empty `conversationIDs` means all of the user's conversations.
 */
export const GetConversationsHasReadAndMaxSeqReq = z.object({
	userID: z.string(),
	conversationIDs: z.array(z.string()).nullable(),
});
export type GetConversationsHasReadAndMaxSeqReq = z.infer<typeof GetConversationsHasReadAndMaxSeqReq>;

/** msg.Seqs: `hasReadSeq` is how far the user's apps marked the conversation read. */
export const ConversationSeqs = z.object({
	maxSeq: z.number().int(),
	hasReadSeq: z.number().int(),
	/** When the newest seq was assigned (ms). */
	maxSeqTime: z.number().int(),
});
export type ConversationSeqs = z.infer<typeof ConversationSeqs>;

/** Only conversations that have messages appear in `seqs`. */
export const GetConversationsHasReadAndMaxSeqResp = z.object({
	seqs: z.record(z.string(), ConversationSeqs).nullable(),
});
export type GetConversationsHasReadAndMaxSeqResp = z.infer<typeof GetConversationsHasReadAndMaxSeqResp>;

/** sdkws.SeqRange: at most `num` messages, the newest of [begin, end]. */
export const SeqRange = z.object({
	conversationID: z.string(),
	begin: z.number().int(),
	end: z.number().int(),
	num: z.number().int(),
});
export type SeqRange = z.infer<typeof SeqRange>;

/** POST /msg/pull_msg_by_seq (sdkws.PullMessageBySeqsReq), as `userID` sees the conversations. */
export const PullMsgBySeqReq = z.object({
	userID: z.string(),
	seqRanges: z.array(SeqRange).nullable(),
	/** PullOrder: 0 ascending, 1 descending. */
	order: z.number().int(),
});
export type PullMsgBySeqReq = z.infer<typeof PullMsgBySeqReq>;

/** sdkws.MsgData as pulled: `content` is protobuf `bytes`, so base64 on the wire (§1.3). */
export const MsgData = z.object({
	sendID: z.string(),
	recvID: z.string(),
	groupID: z.string(),
	clientMsgID: z.string(),
	serverMsgID: z.string(),
	senderPlatformID: z.number().int(),
	senderNickname: z.string(),
	senderFaceURL: z.string(),
	sessionType: z.number().int(),
	msgFrom: z.number().int(),
	contentType: z.number().int(),
	content: z.string(),
	seq: z.number().int(),
	sendTime: z.number().int(),
	createTime: z.number().int(),
	status: z.number().int(),
	/** One-to-one chats: the recipient's app marked it read (a flag on the message, for both sides). */
	isRead: z.boolean(),
	options: z.record(z.string(), z.boolean()).nullable(),
	offlinePushInfo: z.record(z.string(), z.unknown()).nullable(),
	atUserIDList: z.array(z.string()).nullable(),
	attachedInfo: z.string(),
	ex: z.string(),
});
export type MsgData = z.infer<typeof MsgData>;

/** sdkws.PullMsgs (sic: capital `Msgs`). */
export const PullMsgs = z.object({ Msgs: z.array(MsgData).nullable(), isEnd: z.boolean() });
export type PullMsgs = z.infer<typeof PullMsgs>;

/** A conversation the user does not have, or a range without messages, is left out of `msgs`. */
export const PullMsgBySeqResp = z.object({
	msgs: z.record(z.string(), PullMsgs).nullable(),
	notificationMsgs: z.record(z.string(), PullMsgs).nullable(),
});
export type PullMsgBySeqResp = z.infer<typeof PullMsgBySeqResp>;

/* ---------- object storage (/object/*, openim-objects.md; pbthird in protocol third.proto) ---------- */

/** POST /object/part_size: the part size OpenIM wants for a file of `size` bytes. */
export const PartSizeReq = z.object({ size: z.number().int() });
export type PartSizeReq = z.infer<typeof PartSizeReq>;
export const PartSizeResp = z.object({ size: z.number().int() });
export type PartSizeResp = z.infer<typeof PartSizeResp>;

/** `{key, values[]}`: one query parameter or header of a signed request. */
export const KeyValues = z.object({ key: z.string(), values: z.array(z.string()).nullable() });
export type KeyValues = z.infer<typeof KeyValues>;

export const SignPart = z.object({
	partNumber: z.number().int(),
	url: z.string(),
	query: z.array(KeyValues).nullable().optional(),
	header: z.array(KeyValues).nullable().optional(),
});
export type SignPart = z.infer<typeof SignPart>;

export const AuthSignParts = z.object({
	url: z.string(),
	query: z.array(KeyValues).nullable().optional(),
	header: z.array(KeyValues).nullable().optional(),
	parts: z.array(SignPart).nullable(),
});
export type AuthSignParts = z.infer<typeof AuthSignParts>;

/** POST /object/initiate_multipart_upload. `hash` = md5hex of the part MD5s joined by ",". */
export const InitiateMultipartUploadReq = z.object({
	hash: z.string(),
	size: z.number().int(),
	partSize: z.number().int(),
	maxParts: z.number().int(),
	cause: z.string(),
	name: z.string(),
	contentType: z.string(),
});
export type InitiateMultipartUploadReq = z.infer<typeof InitiateMultipartUploadReq>;

/** Either `url` (the hash is stored already: nothing to upload) or `upload`. */
export const InitiateMultipartUploadResp = z.object({
	url: z.string().optional(),
	upload: z
		.object({
			uploadID: z.string(),
			partSize: z.number().int(),
			sign: AuthSignParts,
			expireTime: z.number().int(),
		})
		.nullable()
		.optional(),
});
export type InitiateMultipartUploadResp = z.infer<typeof InitiateMultipartUploadResp>;

/** POST /object/auth_sign: signatures for more parts. */
export const AuthSignReq = z.object({ uploadID: z.string(), partNumbers: z.array(z.number().int()).nullable() });
export type AuthSignReq = z.infer<typeof AuthSignReq>;
export const AuthSignResp = AuthSignParts;
export type AuthSignResp = z.infer<typeof AuthSignResp>;

/** POST /object/complete_multipart_upload: `parts` are the parts' MD5s (hex) in order. */
export const CompleteMultipartUploadReq = z.object({
	uploadID: z.string(),
	parts: z.array(z.string()).nullable(),
	name: z.string(),
	contentType: z.string(),
	cause: z.string(),
});
export type CompleteMultipartUploadReq = z.infer<typeof CompleteMultipartUploadReq>;
export const CompleteMultipartUploadResp = z.object({ url: z.string() });
export type CompleteMultipartUploadResp = z.infer<typeof CompleteMultipartUploadResp>;

// -------------------------------------------------------------------------------------------
// Conversation records (issue #14: Send and Wait with several approvers keeps answers here)
// -------------------------------------------------------------------------------------------

/** wrapperspb.StringValue / Int32Value as JSON: `{value}`; absent means "leave unchanged". */
const Wrapped = <T extends z.ZodType>(inner: T) => z.object({ value: inner }).nullable().optional();

/**
 * POST /conversation/set_conversations (conversation.SetConversationsReq): sets the given fields of
 * one conversation for every owner in `userIDs`, creating it where the owner has none (3.8.x
 * `SetUsersConversationFieldTx`). Check(): `userIDs` and `conversation` non-null.
 */
export const SetConversationsReq = z.object({
	userIDs: z.array(z.string()).nullable(),
	conversation: z
		.object({
			conversationID: z.string(),
			conversationType: z.number().int(),
			userID: z.string().optional(),
			groupID: z.string().optional(),
			recvMsgOpt: Wrapped(z.number().int()),
			isPinned: Wrapped(z.boolean()),
			attachedInfo: Wrapped(z.string()),
			ex: Wrapped(z.string()),
		})
		.nullable(),
});
export type SetConversationsReq = z.infer<typeof SetConversationsReq>;

/** POST /conversation/get_conversations (conversation.GetConversationsReq): Check() needs both. */
export const GetConversationsReq = z.object({
	ownerUserID: z.string(),
	conversationIDs: z.array(z.string()).nullable(),
});
export type GetConversationsReq = z.infer<typeof GetConversationsReq>;

/** conversation.Conversation (the fields a record reader needs; the server sends them all). */
export const ConversationInfo = z.object({
	ownerUserID: z.string(),
	conversationID: z.string(),
	conversationType: z.number().int(),
	userID: z.string(),
	groupID: z.string(),
	recvMsgOpt: z.number().int(),
	isPinned: z.boolean(),
	attachedInfo: z.string(),
	isPrivateChat: z.boolean(),
	groupAtType: z.number().int(),
	ex: z.string(),
	burnDuration: z.number().int(),
	minSeq: z.number().int(),
	maxSeq: z.number().int(),
	msgDestructTime: z.number().int(),
	latestMsgDestructTime: z.number().int(),
	isMsgDestruct: z.boolean(),
});
export type ConversationInfo = z.infer<typeof ConversationInfo>;

export const GetConversationsResp = z.object({ conversations: z.array(ConversationInfo).nullable() });
export type GetConversationsResp = z.infer<typeof GetConversationsResp>;
