/**
 * Every OpenIM route the sandbox serves, as literal wire paths (openim-api.md §1.1: no prefix, all
 * POST). Kept here rather than keyed off openim/constants `Path`, whose key names belong to the node.
 */
export const OpenImPath = {
	AdminLogin: '/auth/get_admin_token',
	SessionParse: '/auth/parse_token',
	UserLogin: '/auth/get_user_token',
	ForceLogout: '/auth/force_logout',
	SendMsg: '/msg/send_msg',
	BatchSendMsg: '/msg/batch_send_msg',
	CheckMsgIsSendSuccess: '/msg/check_msg_is_send_success',
	GetServerTime: '/msg/get_server_time',
	AccountCheck: '/user/account_check',
	GetUsersInfo: '/user/get_users_info',
	UserRegister: '/user/user_register',
	GetUsers: '/user/get_users',
	GetAllUsersUid: '/user/get_all_users_uid',
	AddNotificationAccount: '/user/add_notification_account',
	UpdateNotificationAccount: '/user/update_notification_account',
	SearchNotificationAccount: '/user/search_notification_account',
	GetGroupsInfo: '/group/get_groups_info',
	GetGroups: '/group/get_groups',
	GetGroupMemberUserID: '/group/get_group_member_user_id',
	GetGroupMemberList: '/group/get_group_member_list',
	SearchMsg: '/msg/search_msg',
	RevokeMsg: '/msg/revoke_msg',
	GetUsersOnlineStatus: '/user/get_users_online_status',
	PullMsgBySeq: '/msg/pull_msg_by_seq',
	GetConversationsHasReadAndMaxSeq: '/msg/get_conversations_has_read_and_max_seq',
	SetConversations: '/conversation/set_conversations',
	GetConversations: '/conversation/get_conversations',
	ObjectPartSize: '/object/part_size',
	ObjectInitiateMultipartUpload: '/object/initiate_multipart_upload',
	ObjectSignParts: '/object/auth_sign',
	ObjectCompleteMultipartUpload: '/object/complete_multipart_upload',
} as const;

/** GET `/object/<name>`: no token; 302 to a presigned GET on the storage (openim-objects.md). */
export const OBJECT_GET_PREFIX = '/object/';

/** Paths the token middleware lets through without a token, by prefix (§1.2 `Whitelist`). */
export const TOKEN_WHITELIST: readonly string[] = [OpenImPath.AdminLogin, OpenImPath.SessionParse];
