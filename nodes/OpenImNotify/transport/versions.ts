/**
 * OpenIM server generations (openim-api.md §1.4, §2.2, §5.2, §8): what differs for the admin send
 * API, as one small table. The credential's "Server Version" picks a row; "Auto-detect" picks it
 * from the admin token itself, so no state is kept between executions:
 *   - v2 tokens carry the claims `UID`/`Platform`, v3 tokens `UserID`/`PlatformID`;
 *   - v3.0–v3.8.0 and v3.8.1+ tokens look alike, and the paths are the same, so auto-detect on v3
 *     sends text as `content` (v3.3+). v3.0–v3.2 servers need the explicit "v3.0 to v3.8.0" setting,
 *     which sends both `content` and `text` (v3.3+ ignores `text` but keeps it in the stored map).
 */
import { Path } from '../../../openim/constants';

export type ServerVersionSetting = 'auto' | 'v3.8' | 'v3.0' | 'v2';

export type Generation = 'v3.8' | 'v3.0' | 'v3' | 'v2';

export interface ServerProfile {
	generation: Generation;
	/** For output and error texts. */
	label: string;
	/** Where a single message goes. */
	sendPath: string;
	/** operationID travels in the JSON body (v2), not only in the header. */
	bodyOperationID: boolean;
	/** /msg/batch_send_msg with `recvIDs` (v3). v2.2+ has one with another shape: sent one by one instead. */
	batchSend: boolean;
	/** /msg/check_msg_is_send_success exists: a send whose answer was lost can be checked, then retried. */
	sendStatusCheck: boolean;
	/** /user/account_check exists (with v3's request and answer). */
	accountCheck: boolean;
	/** Keys a text message (contentType 101) carries its text under. */
	textKeys: ReadonlyArray<'content' | 'text'>;
}

const V3_COMMON = {
	sendPath: Path.SendMsg,
	bodyOperationID: false,
	batchSend: true,
	sendStatusCheck: true,
	accountCheck: true,
} as const;

export const PROFILES: Record<Generation, ServerProfile> = {
	'v3.8': { ...V3_COMMON, generation: 'v3.8', label: 'v3.8.1+', textKeys: ['content'] },
	'v3.0': { ...V3_COMMON, generation: 'v3.0', label: 'v3.0–v3.8.0', textKeys: ['content', 'text'] },
	// Auto-detect cannot tell v3.0–v3.2 from v3.3+ by the token: `content`, as v3.3+ wants (README).
	v3: { ...V3_COMMON, generation: 'v3', label: 'v3 (auto-detected)', textKeys: ['content'] },
	v2: {
		generation: 'v2',
		label: 'v2.x',
		sendPath: '/msg/manage_send_msg',
		bodyOperationID: true,
		batchSend: false,
		sendStatusCheck: false,
		accountCheck: false,
		textKeys: ['text'],
	},
};

export const SERVER_VERSION_SETTINGS: readonly ServerVersionSetting[] = ['auto', 'v3.8', 'v3.0', 'v2'];

export function serverVersionSetting(value: unknown): ServerVersionSetting {
	return SERVER_VERSION_SETTINGS.includes(value as ServerVersionSetting) ? (value as ServerVersionSetting) : 'auto';
}

/** The claim names of a JWT's payload; undefined when it is not a readable JWT. */
function claimNames(token: unknown): string[] | undefined {
	if (typeof token !== 'string') return undefined;
	const parts = token.split('.');
	if (parts.length !== 3) return undefined;
	try {
		const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
		return claims !== null && typeof claims === 'object' ? Object.keys(claims) : undefined;
	} catch {
		return undefined;
	}
}

/** v2 admin tokens: `UID`/`Platform` claims (v3: `UserID`/`PlatformID`). Decoded once per token. */
let lastToken: { token: unknown; v2: boolean } | undefined;
export function isV2Token(token: unknown): boolean {
	if (lastToken === undefined || lastToken.token !== token) {
		lastToken = { token, v2: claimNames(token)?.includes('UID') === true };
	}
	return lastToken.v2;
}

export function resolveProfile(setting: unknown, token: unknown): ServerProfile {
	const chosen = serverVersionSetting(setting);
	if (chosen !== 'auto') return PROFILES[chosen];
	return isV2Token(token) ? PROFILES.v2 : PROFILES.v3;
}

/**
 * The request as this generation wants it: the send path, operationID in the body (v2) and the
 * text key(s) of a text message. Other paths are sent unchanged (a generation without them answers 404).
 */
export function adaptRequest(
	profile: ServerProfile,
	path: string,
	body: Record<string, unknown>,
	operationID: string,
): { path: string; body: Record<string, unknown> } {
	let out = body;
	const send = path === Path.SendMsg || path === Path.BatchSendMsg;
	if (send && out.contentType === 101 && out.content !== null && typeof out.content === 'object') {
		const content = { ...(out.content as Record<string, unknown>) };
		const text = content.content ?? content.text;
		delete content.content;
		delete content.text;
		for (const key of profile.textKeys) content[key] = text;
		out = { ...out, content };
	}
	if (profile.bodyOperationID) out = { ...out, operationID };
	return { path: path === Path.SendMsg ? profile.sendPath : path, body: out };
}
