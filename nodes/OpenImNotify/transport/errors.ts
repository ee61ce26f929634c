import { NodeApiError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import { ErrCode, ErrMsg, V2ErrCode } from '../../../openim/constants';

/**
 * What an n8n user should read for each errCode OpenIM answers (openim-api.md §5.1), in words,
 * with the fix. Keyed by errCode; `path` lets one code mean different things per endpoint.
 */
export function explainErrCode(errCode: number, path: string): string | undefined {
	const send = path.endsWith('send_msg');
	switch (errCode) {
		case ErrCode.ServerInternal:
			return send
				? 'OpenIM refused the message content (its validator failed). The detail names the field; check the media fields of the chosen mix type.'
				: 'OpenIM had an internal error (for example an RPC service is down). Check the OpenIM server logs.';
		case ErrCode.Args:
			return 'OpenIM rejected the request arguments.';
		case ErrCode.NoPermission:
			return send
				? 'The sender is not allowed to send this. For OA work notifications (contentType 1400) the sender must be a notification account (appMangerLevel 3 or more) or an admin listed in imAdminUserID in share.yml. Create one with Notification Account → Create, or POST /user/add_notification_account with appMangerLevel 3, and add its ID to the credential\'s sender IDs.'
				: 'The admin user ID of the credential has no permission for this (it must be listed in imAdminUserID in OpenIM\'s share.yml).';
		case ErrCode.RecordNotFound:
			return 'OpenIM could not find the user, group or message the request refers to.';
		case ErrCode.UserIDNotFound:
			return 'The sender ID does not exist in OpenIM. Register it or create it as a notification account first.';
		case ErrCode.RegisteredAlready:
			return 'A user with this ID is already registered.';
		case ErrCode.GroupIDNotFound:
			return 'The group does not exist.';
		case ErrCode.NotInGroupYet:
			return 'The sender is not a member of the group.';
		case ErrCode.DismissedAlready:
			return 'The group has been dismissed.';
		case ErrCode.BlockedByPeer:
			return 'The recipient has blocked the sender.';
		case ErrCode.NotPeersFriend:
			return 'The server requires senders and recipients to be friends (friendVerify in openim-rpc-msg.yml).';
		case ErrCode.MutedInGroup:
		case ErrCode.MutedGroup:
			return 'The sender is muted in this group.';
		case ErrCode.MsgAlreadyRevoke:
			return 'The message has already been recalled.';
		case ErrCode.TokenExpired:
		case ErrCode.TokenInvalid:
		case ErrCode.TokenMalformed:
		case ErrCode.TokenNotValidYet:
		case ErrCode.TokenUnknown:
		case ErrCode.TokenKicked:
		case ErrCode.TokenNotExist:
			return 'OpenIM did not accept the admin token even after fetching a new one. Was the secret in share.yml changed? Re-enter it in the OpenIM API credential.';
		case V2ErrCode.NoAccess:
			return 'OpenIM v2: no permission. The admin user ID must be listed under manager.appManagerUid in OpenIM\'s config/config.yaml.';
		case V2ErrCode.DB:
			return path.startsWith('/group/')
				? 'OpenIM v2 found no such group (it answers "db failed" for unknown groups).'
				: 'OpenIM v2 could not read or write the record (it answers "db failed" for unknown records and database errors).';
		case V2ErrCode.Args:
			return 'OpenIM v2 rejected the request arguments (for example an empty list).';
		default:
			return undefined;
	}
}

/**
 * Removes secrets before text reaches an error, an output item or a log. OpenIM echoes the
 * token in errDlt on token errors ("… jwt parse error, token=<the token>", openim-api.md Findings).
 */
export function redact(text: string, secrets: Array<string | undefined>): string {
	let out = text.replace(/token=[^\s,;"']+/g, 'token=[redacted]');
	out = out.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '[redacted token]');
	for (const secret of secrets) {
		if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
	}
	return out;
}

/** n8n's own wording for network codes, which replaces the original message (errors/node.error). */
const N8N_WORDING: Array<[RegExp, string]> = [
	[/refused the connection/i, 'ECONNREFUSED'],
	[/closed unexpectedly/i, 'ECONNRESET'],
	[/incorrect host/i, 'ENOTFOUND'],
	[/connection timed out/i, 'ETIMEDOUT'],
	[/connection was aborted/i, 'ECONNABORTED'],
	[/host is unreachable/i, 'EHOSTUNREACH'],
	[/DNS server returned an error/i, 'EAI_AGAIN'],
];

/**
 * The network error code behind an error from n8n's HTTP helpers: on the error or its cause, in
 * the original messages n8n keeps, or recognised from the sentence n8n put in its place.
 */
export function networkCode(error: unknown): string | undefined {
	const err = error as { code?: unknown; cause?: { code?: unknown }; message?: string; messages?: unknown };
	for (const code of [err.cause?.code, err.code]) if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
	const texts = [err.message ?? '', ...(Array.isArray(err.messages) ? err.messages.map(String) : [])];
	for (const text of texts) {
		const code = /\b(E[A-Z]{3,}[A-Z_]*)\b/.exec(text)?.[1];
		if (code) return code;
		if (/socket hang up/i.test(text)) return 'ECONNRESET';
		if (/timeout of \d+ms exceeded|timed? ?out/i.test(text)) return 'ETIMEDOUT';
		for (const [pattern, known] of N8N_WORDING) if (pattern.test(text)) return known;
	}
	return undefined;
}

/**
 * A network failure in words. The raw code (ECONNREFUSED…) must stay out of messages: n8n replaces
 * any message containing such a code with its own generic sentence, losing our explanation.
 */
export function networkProblem(error: unknown): string | undefined {
	const words: Record<string, string> = {
		ECONNREFUSED: 'the connection was refused',
		ENOTFOUND: 'the host name was not found',
		EAI_AGAIN: 'the host name could not be resolved',
		EHOSTUNREACH: 'the host is unreachable',
		ENETUNREACH: 'the network is unreachable',
		ECONNRESET: 'the connection was closed unexpectedly',
		EPIPE: 'the connection was closed unexpectedly',
		ETIMEDOUT: 'the request timed out',
		ECONNABORTED: 'the request timed out',
		CERT_HAS_EXPIRED: 'its TLS certificate has expired',
		DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
	};
	const code = networkCode(error);
	return code ? (words[code] ?? `a network error occurred (${code.toLowerCase()})`) : undefined;
}

export interface OpenImFailure {
	path: string;
	errCode?: number;
	errMsg?: string;
	errDlt?: string;
	httpStatus?: number;
	/** What went wrong in words, already redacted. */
	message: string;
	description?: string;
}

/**
 * The single way an OpenIM failure becomes an n8n error: a NodeApiError built from a clean object
 * (never the raw request or response, which carry the token header).
 */
export function toNodeApiError(node: INode, failure: OpenImFailure, itemIndex?: number): NodeApiError {
	const errorResponse: JsonObject = { path: failure.path };
	if (failure.errCode !== undefined) errorResponse.errCode = failure.errCode;
	if (failure.errMsg) errorResponse.errMsg = failure.errMsg;
	if (failure.errDlt) errorResponse.errDlt = failure.errDlt;
	if (failure.httpStatus !== undefined) errorResponse.httpStatus = failure.httpStatus;
	const error = new NodeApiError(node, errorResponse, {
		message: failure.message,
		description: failure.description,
		httpCode: failure.httpStatus !== undefined ? String(failure.httpStatus) : undefined,
		itemIndex,
	});
	// Keep errCode machine-readable for "continue on fail" error items.
	error.context.errCode = failure.errCode;
	return error;
}

export function describeEnvelopeError(
	path: string,
	envelope: { errCode: number; errMsg?: string; errDlt?: string },
	httpStatus: number,
	secrets: Array<string | undefined>,
): OpenImFailure {
	// v2 writes the token itself into errMsg ("… GetUserIDFromToken failed … token:<jwt>").
	const errMsg = redact(envelope.errMsg || ErrMsg[envelope.errCode] || 'Error', secrets);
	const errDlt = envelope.errDlt ? redact(envelope.errDlt, secrets) : '';
	const explanation = explainErrCode(envelope.errCode, path);
	const detail = errDlt ? ` (${errDlt})` : '';
	return {
		path,
		errCode: envelope.errCode,
		errMsg,
		errDlt,
		httpStatus,
		message: `OpenIM ${path} failed with errCode ${envelope.errCode} ${errMsg}${detail}`,
		description: explanation,
	};
}
