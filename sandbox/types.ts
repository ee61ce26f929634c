import type { AfterEvent, WebhookStats } from './webhooks';

/**
 * Shapes shared by the sandbox modules and the tests that drive it in process.
 * OpenIM's own wire shapes live in ../openim/wire.ts; these are the sandbox's (control plane, store).
 */

/** A user row, as `/user/get_users_info` returns it (openim-api.md §4). */
export interface SandboxUser {
	userID: string;
	nickname: string;
	faceURL: string;
	ex: string;
	createTime: number;
	/** (sic) 0/1 ordinary, 2 AppAdmin, 3 notification account, 4 robot (§3.2). */
	appMangerLevel: number;
	/** 0 receive, 1 do not receive, 2 receive without notification. */
	globalRecvMsgOpt: number;
}

/**
 * Input for seeding: only userID is required. `online` (sandbox only) lists the platform IDs the
 * user is connected from, for /user/get_users_online_status; `[]` takes the user offline.
 */
export type SeedUser = Partial<SandboxUser> & { userID: string; online?: number[] };

export interface SandboxGroupMember {
	userID: string;
	/** 100 owner, 60 admin, 20 member (§4). */
	roleLevel: number;
	joinTime: number;
}

/** A group row, as `/group/get_groups_info` returns it (§4), plus its members. */
export interface SandboxGroup {
	groupID: string;
	groupName: string;
	notification: string;
	introduction: string;
	faceURL: string;
	ownerUserID: string;
	createTime: number;
	ex: string;
	/** 0 ok, 1 ban chat, 2 dismissed, 3 muted. */
	status: number;
	creatorUserID: string;
	groupType: number;
	needVerification: number;
	lookMemberInfo: number;
	applyMemberFriend: number;
	notificationUpdateTime: number;
	notificationUserID: string;
	members: SandboxGroupMember[];
}

/** Input for seeding a group: members by ID (the first one is the owner unless ownerUserID is set). */
export type SeedGroup = Partial<Omit<SandboxGroup, 'members'>> & {
	groupID: string;
	memberUserIDs?: string[];
};

/** A message the sandbox accepted through /msg/send_msg or /msg/batch_send_msg. */
export interface SandboxMessage {
	/** Per conversation, from 1 (assigned by msg-transfer in the real server; not returned by send_msg). */
	seq: number;
	/** si_<a>_<b>, sg_<groupID>, sn_<a>_<b> with the two IDs sorted (§2.5). */
	conversationID: string;
	serverMsgID: string;
	clientMsgID: string;
	sendID: string;
	recvID: string;
	groupID: string;
	senderNickname: string;
	senderFaceURL: string;
	senderPlatformID: number;
	sessionType: number;
	contentType: number;
	/** Always 200 (system) for REST sends. */
	msgFrom: number;
	/** The `content` object exactly as the client sent it (§2.1 "Other quirks"). */
	content: Record<string, unknown>;
	/** What the real server stores: Go-marshalled content; for 1400 `{"detail":"<json>"}` (§3.2). */
	storedContent: string;
	createTime: number;
	sendTime: number;
	isOnlineOnly: boolean;
	notOfflinePush: boolean;
	offlinePushInfo: Record<string, unknown> | null;
	ex: string;
	/** Options map the API builds (history/persistent/senderSync/conversationUpdate/offlinePush). */
	options: Record<string, boolean>;
	/** The `operationID` header of the request that created the message. */
	operationID: string;
	/** The OpenIM path that created it. */
	via: string;
	/** Users whose inbox shows it (recvID, or the group's members at send time). */
	recipients: string[];
	/** One-to-one chats: the recipient's app marked it read (`POST /_sandbox/read`). Absent while unread. */
	isRead?: boolean;
	/** Set by /msg/revoke_msg (RevokeModel): who recalled it, when. Absent while not recalled. */
	revoked?: { userID: string; nickname: string; role: number; time: number; revokerUserID: string };
}

export type FaultKind = 'http500' | 'http429' | 'resetBefore' | 'resetAfter' | 'stall';

/**
 * Fault injection for reliability tests. Each request to a matching path draws one number from a
 * PRNG seeded with `seed`, so a run is reproducible for a given request order. `script` entries are
 * used first, one per matching request, before the rates apply.
 */
export interface FaultConfig {
	/** PRNG seed (default 1). Setting `faults` again restarts the sequence. */
	seed?: number;
	/** OpenIM paths the faults apply to (default: every OpenIM path; never `/_sandbox/*`). */
	paths?: string[];
	/** Exact faults for the next matching requests, in order; 'none' lets one through untouched. */
	script?: Array<FaultKind | 'none'>;
	/** Share (0–1) answered HTTP 500 with an empty body before processing (like gin's panic recovery). */
	http500Rate?: number;
	/** Share answered HTTP 429 + `Retry-After` before processing (S-main's optional rate limiter, §5.2). */
	http429Rate?: number;
	/** Retry-After value in seconds (default 1). */
	retryAfterSeconds?: number;
	/** Share whose connection is destroyed before processing: nothing happens server-side. */
	resetBeforeRate?: number;
	/** Share processed normally (a send is stored) whose connection is then destroyed without a response. */
	resetAfterRate?: number;
	/** Share delayed by `stallMs` before processing. */
	stallRate?: number;
	/** Stall length in ms (default 1000). */
	stallMs?: number;
}

/** Runtime configuration (`configure()` / `POST /_sandbox/config`). */
export interface SandboxConfig {
	secret: string;
	adminUserIDs: string[];
	/** Lifetime of newly issued tokens (`expireTimeSeconds`). */
	tokenLifetimeSeconds: number;
	/** Remaining authenticated requests until tokens issued before then answer 1501 (null: off). */
	expireTokensAtRequest: number | null;
	faults: FaultConfig;
	/**
	 * v3.8.1's admin token store: at most this many normal admin tokens kept per admin before a new one
	 * kicks the surplus (30 in v3.8.1; null: stateless admin tokens, v3.8.2+).
	 */
	adminTokenCap: number | null;
}

/** What `configure()` accepts. */
export interface SandboxConfigInput {
	/** webhooks.yml `url`: after-callbacks go to `{webhookUrl}/{callbackCommand}` (null: off; sandbox/webhooks.ts). */
	webhookUrl?: string | null;
	/** Enabled after-events by webhooks.yml key, e.g. ['afterSendSingleMsg'] (null: all). */
	webhookEvents?: AfterEvent[] | null;
	/** Per-callback timeout in ms (default 5000, webhooks.yml's `timeout: 5`). */
	webhookTimeoutMs?: number;
	secret?: string;
	tokenLifetimeSeconds?: number;
	/** The Nth authenticated request from now answers 1501 for every token issued before it. */
	expireTokensAtRequest?: number | null;
	/** v3.8.1's admin token cap (lower it to provoke kicks in tests); null: stateless (v3.8.2+). */
	adminTokenCap?: number | null;
	/** Replaces the fault configuration (pass `{}` to switch faults off). */
	faults?: FaultConfig;
	/** How long after a send the message gets its seq (msg-transfer's lag; default 0: at once). */
	seqDelayMs?: number;
}

export interface SandboxOptions {
	/**
	 * Which OpenIM generation to emulate (sandbox/generations.ts, sandbox/v2.ts): 'v3.8' (default, v3.8.2+;
	 * v3.8.1+ routes), 'v3.8.1' ('v3.8' with v3.8.1's stored and capped admin tokens), 'v3.2' (v3.0–v3.8.0 auth, v3.2 text key and routes), 'v3.0' (v3.0–v3.1: v3.2 without get_server_time and
	 * get_group_member_user_id), 'v2' (v2.2+ paths, bodies and errors) or 'v2.0' (v2.0–v2.1: the same with
	 * `/manager/*` routes, sandbox/v20.ts).
	 */
	generation?: 'v3.8' | 'v3.8.1' | 'v3.2' | 'v3.0' | 'v2' | 'v2.0';
	/** v3.8.1's admin token cap; 'v3.8.1' sets 30 (sandbox/token.ts). Default null: stateless admin tokens. */
	adminTokenCap?: number | null;
	host: string;
	/** 0 = a random free port. */
	port: number;
	secret: string;
	adminUserIDs: string[];
	tokenLifetimeSeconds: number;
	/** 'default': the users and group in docs/architecture.md; 'none': only the admin users. */
	seed: 'default' | 'none';
	/** Create missing admin users at start, as the user RPC does (default true; false lets tests reach 1004). */
	createAdmins: boolean;
	faults: FaultConfig;
	/**
	 * Starts the object storage beside the sandbox (s3rver behind a SigV4-checking front,
	 * sandbox/storage.ts) and serves /object/*. Off by default.
	 */
	storage?: boolean;
	/** The storage's minimum part size (S3: 5 MiB); tests lower it to upload small files in several parts. */
	minPartSize?: number;
	/** Receives one line per API request (the CLI prints them with --verbose). Tokens are not included. */
	log?: (line: string) => void;
}

export interface DuplicateEntry {
	key: string;
	path: string;
	count: number;
}

export interface SandboxStats {
	startedAt: number;
	/** OpenIM API requests (the control plane is counted in `controlRequests`). */
	requests: { total: number; byPath: Record<string, number> };
	controlRequests: number;
	httpStatus: Record<string, number>;
	tokensIssued: number;
	/**
	 * Admin token fetches, oldest first (at most 1000): when, and the operationID header of the fetch
	 * (the credential puts a per-process tag in it: `n8n-token-<process tag>-<ms>`).
	 */
	tokenFetches: Array<{ at: number; operationID: string }>;
	/** Admin tokens marked kicked by v3.8.1's cap (`adminTokenCap`). */
	adminTokensKicked: number;
	/** Most OpenIM API requests that started within one second (sliding window; server-side times). */
	peakRequestsPerSecond: number;
	/** Successful /msg/send_msg calls. */
	sendsAccepted: number;
	/** Successful /msg/batch_send_msg calls. */
	batchSendsAccepted: number;
	messagesStored: number;
	/** Envelopes with errCode ≠ 0, by errCode. */
	rejections: { total: number; byErrCode: Record<string, number> };
	inFlight: number;
	maxInFlight: number;
	faults: Record<FaultKind, number>;
	/**
	 * Sends accepted more than once: same operationID header, or an identical body on the same path.
	 * The real server accepts both (it has no idempotency), so this is how tests prove exactly-once.
	 */
	duplicates: {
		total: number;
		byOperationID: DuplicateEntry[];
		byPayload: DuplicateEntry[];
	};
	/** After-callbacks (sandbox/webhooks.ts); always set by the sandbox's stats(). */
	webhooks?: WebhookStats;
}
