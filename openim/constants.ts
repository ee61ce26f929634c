/**
 * OpenIM protocol constants (openim-api.md §1–§5). Plain values with no imports, so the node can
 * use them at run time; the sandbox uses the same ones.
 */

export const ContentType = {
	Text: 101,
	Picture: 102,
	Voice: 103,
	Video: 104,
	File: 105,
	AtText: 106,
	Custom: 110,
	OANotification: 1400,
} as const;

export const SessionType = {
	Single: 1,
	Group: 3,
	Notification: 4,
} as const;

/** senderPlatformID values (protocol constant/platform_id_to_name.go). */
export const PlatformID = {
	iOS: 1,
	Android: 2,
	Windows: 3,
	OSX: 4,
	Web: 5,
	MiniWeb: 6,
	Linux: 7,
	AndroidPad: 8,
	iPad: 9,
	Admin: 10,
	HarmonyOS: 11,
} as const;

/** OA notification mixType: which single media element accompanies the text (§3.1). */
export const MixType = {
	Text: 0,
	Picture: 1,
	Video: 2,
	File: 3,
	Voice: 4,
	VoicePicture: 5,
} as const;

/** appMangerLevel (sic) values that may send contentType 1400. */
export const AppManagerLevel = {
	AppAdmin: 2,
	AppNotificationAdmin: 3,
	AppRobotAdmin: 4,
} as const;

/** OpenIM v2's RPC errors, answered with HTTP 200 (constant.ErrAccess / ErrDB / ErrArgs of v2.3.3). */
export const V2ErrCode = {
	NoAccess: 801,
	DB: 802,
	Args: 803,
} as const;

export const ErrCode = {
	ServerInternal: 500,
	Args: 1001,
	NoPermission: 1002,
	DuplicateKey: 1003,
	RecordNotFound: 1004,
	UserIDNotFound: 1101,
	RegisteredAlready: 1102,
	GroupIDNotFound: 1201,
	GroupIDExisted: 1202,
	NotInGroupYet: 1203,
	DismissedAlready: 1204,
	BlockedByPeer: 1302,
	NotPeersFriend: 1303,
	MutedInGroup: 1402,
	MutedGroup: 1403,
	MsgAlreadyRevoke: 1404,
	TokenExpired: 1501,
	TokenInvalid: 1502,
	TokenMalformed: 1503,
	TokenNotValidYet: 1504,
	TokenUnknown: 1505,
	TokenKicked: 1506,
	TokenNotExist: 1507,
} as const;

export const ErrMsg: Record<number, string> = {
	500: 'ServerInternalError',
	1001: 'ArgsError',
	1002: 'NoPermissionError',
	1003: 'DuplicateKeyError',
	1004: 'RecordNotFoundError',
	1101: 'UserIDNotFoundError',
	1102: 'RegisteredAlreadyError',
	1201: 'GroupIDNotFoundError',
	1202: 'GroupIDExisted',
	1203: 'NotInGroupYetError',
	1204: 'DismissedAlreadyError',
	1302: 'BlockedByPeer',
	1303: 'NotPeersFriend',
	1402: 'MutedInGroup',
	1403: 'MutedGroup',
	1404: 'MsgAlreadyRevoke',
	1501: 'TokenExpiredError',
	1502: 'TokenInvalidError',
	1503: 'TokenMalformedError',
	1504: 'TokenNotValidYetError',
	1505: 'TokenUnknownError',
	1506: 'TokenKickedError',
	1507: 'TokenNotExistError',
};

/** 1501–1507: the admin token must be fetched again (§11.1). */
export const isTokenErrCode = (code: number): boolean => code >= 1501 && code <= 1507;

/** Header names are literal (protocol constant.go); there is no Authorization header. */
export const Header = {
	OperationID: 'operationID',
	Token: 'token',
} as const;

export const Path = {
	// v3.8.1+ admin login; v3.0–v3.8.0 used UserSession with platformID 10 (§1.4).
	AdminSession: '/auth/get_admin_token',
	UserSession: '/auth/user_token',
	SessionCheck: '/auth/parse_token',
	SendMsg: '/msg/send_msg',
	BatchSendMsg: '/msg/batch_send_msg',
	CheckMsgIsSendSuccess: '/msg/check_msg_is_send_success',
	GetServerTime: '/msg/get_server_time',
	AccountCheck: '/user/account_check',
	GetUsersInfo: '/user/get_users_info',
	GetUsers: '/user/get_users',
	GetAllUsersUid: '/user/get_all_users_uid',
	GetGroupMemberUserID: '/group/get_group_member_user_id',
	GetGroupMemberList: '/group/get_group_member_list',
	GetGroupsInfo: '/group/get_groups_info',
	GetGroups: '/group/get_groups',
	UserRegister: '/user/user_register',
	AddNotificationAccount: '/user/add_notification_account',
	UpdateNotificationAccount: '/user/update_notification_account',
	SearchNotificationAccount: '/user/search_notification_account',
	// Recall and user management (issue #3; §2.5, §4)
	SearchMsg: '/msg/search_msg',
	RevokeMsg: '/msg/revoke_msg',
	GetUsersOnlineStatus: '/user/get_users_online_status',
	// Read status (issue #14; openim-clients.md §3): v3 only
	PullMsgBySeq: '/msg/pull_msg_by_seq',
	GetConversationsHasReadAndMaxSeq: '/msg/get_conversations_has_read_and_max_seq',
	// Send and Wait with several approvers keeps answers in conversation records (issue #14)
	SetConversations: '/conversation/set_conversations',
	GetConversations: '/conversation/get_conversations',
	// Object storage (issue #12; openim-objects.md): uploads of binary data.
	ObjectPartSize: '/object/part_size',
	ObjectInitiateMultipartUpload: '/object/initiate_multipart_upload',
	ObjectSignParts: '/object/auth_sign',
	ObjectCompleteMultipartUpload: '/object/complete_multipart_upload',
} as const;

/** `order` of /msg/pull_msg_by_seq (sdkws.PullOrder): it only changes how `isEnd` is computed. */
export const PullOrder = {
	Asc: 0,
	Desc: 1,
} as const;

/** `status` in /user/get_users_online_status (protocol constant.Online / Offline). */
export const OnlineStatus = {
	Offline: 0,
	Online: 1,
} as const;
