import { randomUUID } from 'crypto';
import { sleep } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	NodeApiError,
} from 'n8n-workflow';

import { ErrCode, Header, Path, isTokenErrCode } from '../../../openim/constants';
import type { ApiEnvelope, CheckMsgIsSendSuccessResp } from '../../../openim/wire';
import { describeEnvelopeError, networkCode, networkProblem, redact, toNodeApiError } from './errors';
import type { OpenImFailure } from './errors';
import { isTokenFresh } from './token';
import { adaptRequest, adaptResponse, resolveProfile } from './versions';
import type { ServerProfile } from './versions';

export type { ServerProfile } from './versions';

export const CREDENTIAL_TYPE = 'openImApi';

type RequestContext = IExecuteFunctions | ILoadOptionsFunctions;

export interface OpenImSettings {
	baseUrl: string;
	adminUserID: string;
	/** Accounts workflows may send as; the admin ID when the credential lists none. */
	senderIDs: string[];
}

export interface ClientOptions {
	timeoutMs?: number;
	/** Retries after a retryable failure (network, timeout, HTTP 5xx/429, OpenIM "service down"). */
	maxRetries?: number;
	/** Upper bound of one back-off wait, also for Retry-After. */
	maxRetryWaitMs?: number;
	/** Request starts per second across the whole execution; 0 = unlimited. */
	requestsPerSecond?: number;
	/** Requests in flight at once across the whole execution (items and fan-out alike). */
	maxInFlight?: number;
}

export interface CallOptions {
	/** Kept with the item so a retry or a status check refers to the same send. */
	operationID?: string;
	itemIndex?: number;
	/**
	 * A send (`/msg/send_msg`): after an ambiguous failure (the request may have been processed)
	 * ask `/msg/check_msg_is_send_success` with the same operationID before sending again.
	 */
	send?: boolean;
	/** false: a request that must not be repeated when its fate is unknown (batch_send_msg). */
	idempotent?: boolean;
	/**
	 * errCodes that, answering a repeat after an ambiguous failure, mean the first try did the
	 * work (revoke_msg: 1404 already revoked); the call then succeeds without data.
	 */
	doneByFirstTry?: number[];
}

/** A send whose answer was lost but which OpenIM confirmed by operationID: no message IDs known. */
export interface ConfirmedSend {
	confirmedBy: 'check_msg_is_send_success';
}

interface FullResponse {
	body: unknown;
	statusCode: number;
	headers?: Record<string, unknown>;
}

/** How a failed attempt may be retried. */
type Retry = 'no' | 'safe' | 'ambiguous';

interface Failure {
	error: NodeApiError;
	retry: Retry;
	retryAfterMs?: number;
	/** Timed out: the server may still be working on the request. */
	timedOut?: boolean;
}

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/** Says why an ambiguous failure was not retried: the user must check before running it again. */
function notRepeated(error: NodeApiError): NodeApiError {
	const note =
		'The request may have reached OpenIM before the connection failed. It was not repeated, so that nothing happens twice: check in OpenIM whether it took effect before running it again.';
	error.description = error.description ? `${error.description}\n${note}` : note;
	return error;
}

/**
 * 1501–1507 with HTTP 200 (v3). v2 answers a bad token with HTTP 400 and errCode 500, its text
 * saying `GetUserIDFromToken failed` (§8 "Errors").
 */
function isTokenError(response: FullResponse, profile: ServerProfile): boolean {
	const body = response.body;
	if (!isEnvelope(body)) return false;
	if (isTokenErrCode(body.errCode)) return true;
	// v2.2+: HTTP 400; v2.0–v2.1 look-ups: HTTP 500; their admin send says "parse token failed".
	return (
		profile.family === 'v2' &&
		(response.statusCode === 400 || response.statusCode === 500) &&
		/GetUserIDFromToken failed|parse token failed/.test(body.errMsg ?? '')
	);
}

export const newOperationID = (): string => `n8n-${randomUUID()}`;

export function parseSenderIDs(value: unknown): string[] {
	if (typeof value !== 'string') return [];
	return value
		.split(/[\s,;]+/)
		.map((id) => id.trim())
		.filter((id) => id !== '');
}

export function normalizeBaseUrl(value: unknown): string {
	return String(value ?? '')
		.trim()
		.replace(/\/+$/, '');
}

const isEnvelope = (body: unknown): body is ApiEnvelope =>
	typeof body === 'object' && body !== null && typeof (body as ApiEnvelope).errCode === 'number';

/** errCode 500 is also what a down RPC service gives (openim-api.md §5.1); validator text is not retryable. */
const SERVICE_DOWN = /service .*down|unavailable|connection refused|deadline exceeded|no such host|transport is closing/i;

/** Before the request was written nothing can have happened on the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function retryAfterMs(headers: Record<string, unknown> | undefined): number | undefined {
	const value = headers?.['retry-after'];
	const text = Array.isArray(value) ? String(value[0]) : typeof value === 'string' ? value : undefined;
	if (!text) return undefined;
	const seconds = Number(text);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(text);
	return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/**
 * One OpenIM connection per node execution: reads the credential once, keeps the admin token
 * fresh (at most one token fetch at a time, shared by all concurrent requests), sends every
 * request with its own operationID header, retries what is safe to retry and turns OpenIM's
 * envelope into data or an n8n error.
 */
export class OpenImClient {
	private credentials?: Promise<ICredentialDataDecryptedObject>;

	private refreshing?: Promise<void>;

	private readonly seenTokens = new Set<string>();

	private nextStartAt = 0;

	private inFlight = 0;

	private readonly waiting: Array<() => void> = [];

	private readonly options: Required<ClientOptions>;

	/** Token fetches done by this client; exposed for tests and benchmarks. */
	tokenFetches = 0;

	/** Retries done by this client (all kinds). */
	retries = 0;

	constructor(
		private readonly ctx: RequestContext,
		options: ClientOptions = {},
	) {
		this.options = {
			timeoutMs: options.timeoutMs ?? 30000,
			maxRetries: options.maxRetries ?? 3,
			maxRetryWaitMs: options.maxRetryWaitMs ?? 30000,
			requestsPerSecond: options.requestsPerSecond ?? 0,
			maxInFlight: Math.max(1, options.maxInFlight ?? 8),
		};
	}

	async settings(): Promise<OpenImSettings> {
		const creds = await this.loadCredentials();
		const adminUserID = String(creds.adminUserID ?? '').trim() || 'imAdmin';
		const senderIDs = parseSenderIDs(creds.senderIDs);
		return {
			baseUrl: normalizeBaseUrl(creds.baseUrl),
			adminUserID,
			senderIDs: senderIDs.length > 0 ? senderIDs : [adminUserID],
		};
	}

	/**
	 * POST `body` to `path`; resolves with `data` (possibly undefined) when errCode is 0. A send
	 * whose answer was lost but which OpenIM confirms by operationID resolves with ConfirmedSend.
	 */
	async call<T = IDataObject>(path: string, body: IDataObject, options: CallOptions = {}): Promise<T> {
		const operationID = options.operationID ?? newOperationID();
		let ambiguous = false;
		let timedOut = false;
		for (let attempt = 0; ; attempt++) {
			let outcome: { data: unknown } | Failure;
			const status: 'sent' | 'not sent' | Failure | undefined =
				ambiguous && options.send ? await this.sendStatus(operationID, timedOut) : undefined;
			if (status === 'sent') return { confirmedBy: 'check_msg_is_send_success' } as ConfirmedSend as unknown as T;
			if (typeof status === 'object') {
				// Unknown whether the first try arrived: never send again blindly, ask again later.
				outcome = status;
			} else {
				outcome = await this.attempt(path, body, operationID, options.itemIndex);
				if (!('error' in outcome)) return outcome.data as T;
			}
			const failure: Failure = outcome;
			if (ambiguous && options.doneByFirstTry?.includes(failure.error.context.errCode as number)) return undefined as T;
			// Without /msg/check_msg_is_send_success (v2) a send whose fate is unknown is not repeated.
			const uncheckable = options.send === true && !(await this.profileNow()).sendStatusCheck;
			const unsafe = failure.retry === 'ambiguous' && (options.idempotent === false || uncheckable);
			if (unsafe && attempt < this.options.maxRetries && !this.cancelled()) throw notRepeated(failure.error);
			if (failure.retry === 'no' || attempt >= this.options.maxRetries || this.cancelled()) throw failure.error;
			ambiguous ||= failure.retry === 'ambiguous';
			timedOut = failure.timedOut === true;
			this.retries++;
			await sleep(this.backoff(attempt, failure.retryAfterMs));
			if (this.cancelled()) throw failure.error;
		}
	}

	/**
	 * The server generation this client talks to: the credential's "Server Version", or, for
	 * auto-detect, read from the admin token (fetched first when there is none yet).
	 */
	async profile(): Promise<ServerProfile> {
		const creds = await this.loadCredentials();
		if (creds.serverVersion === undefined || creds.serverVersion === 'auto') {
			if (!isTokenFresh(creds.token)) await this.refresh(creds.token as string);
		}
		return resolveProfile(creds.serverVersion, creds.token, creds.detectedVersion);
	}

	/**
	 * Which OpenIM generation answered, for the output pane; undefined before any request was made
	 * (it never fetches a token itself).
	 */
	async serverDescription(): Promise<string | undefined> {
		if (!this.credentials) return undefined;
		const creds = await this.credentials;
		if (!creds.token) return undefined;
		const profile = resolveProfile(creds.serverVersion, creds.token, creds.detectedVersion);
		const auto = creds.serverVersion === undefined || creds.serverVersion === 'auto';
		return `OpenIM server ${profile.label.replace(' (auto-detected)', '')}, ${auto ? 'detected automatically' : 'as set in the credential'}.`;
	}

	/**
	 * Runs `work` in one of the request slots (Max Concurrent Requests) that OpenIM calls use too:
	 * uploads to the storage count against the same bound.
	 */
	async withSlot<T>(work: () => Promise<T>): Promise<T> {
		await this.acquire();
		try {
			return await work();
		} finally {
			this.release();
		}
	}

	/** Retries a transfer may take after a network error or an HTTP 5xx/429 (Max Retries). */
	get maxRetries(): number {
		return this.options.maxRetries;
	}

	/** The timeout of one request (Timeout option), for uploads too. */
	get timeoutMs(): number {
		return this.options.timeoutMs;
	}

	/** Exponential back-off with jitter for the given attempt (also used by uploads). */
	retryWait(attempt: number): number {
		return this.backoff(attempt);
	}

	/** Whether the execution was cancelled: long transfers stop between parts. */
	isCancelled(): boolean {
		return this.cancelled();
	}

	/** Secrets that must never appear in output, errors or logs. */
	secrets(): string[] {
		return [...this.seenTokens];
	}

	private cancelled(): boolean {
		const ctx = this.ctx as IExecuteFunctions;
		return typeof ctx.getExecutionCancelSignal === 'function' && ctx.getExecutionCancelSignal()?.aborted === true;
	}

	/** Exponential back-off with full jitter, at most maxRetryWaitMs; Retry-After wins when given. */
	private backoff(attempt: number, retryAfter?: number): number {
		if (retryAfter !== undefined) return Math.min(retryAfter, this.options.maxRetryWaitMs);
		const ceiling = Math.min(this.options.maxRetryWaitMs, 250 * 2 ** attempt);
		return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
	}

	/**
	 * Did the send with this operationID reach OpenIM? Only successes are recorded (§2.6), under
	 * the same operationID header as the send itself. A failed check is a failure, not a "no".
	 */
	private async sendStatus(operationID: string, afterTimeout: boolean): Promise<'sent' | 'not sent' | Failure> {
		for (let check = 0; ; check++) {
			const outcome = await this.attempt(Path.CheckMsgIsSendSuccess, {}, operationID);
			if ('error' in outcome) return { ...outcome, retry: outcome.retry === 'no' ? 'no' : 'ambiguous' };
			if ((outcome.data as CheckMsgIsSendSuccessResp | undefined)?.status === 2) return 'sent';
			// A send that timed out may still be running on the server, which records success only
			// at the end: "not sent" counts once the server had another timeout's time to finish.
			if (!afterTimeout || check > 0 || this.cancelled()) return 'not sent';
			await sleep(Math.min(this.options.timeoutMs, this.options.maxRetryWaitMs));
		}
	}

	/** One request, with the single token refresh OpenIM's HTTP-200 token errors need. */
	private async attempt(
		path: string,
		body: IDataObject,
		operationID: string,
		itemIndex?: number,
	): Promise<{ data: unknown } | Failure> {
		const creds = await this.loadCredentials();
		try {
			if (!isTokenFresh(creds.token)) await this.refresh(creds.token as string);
			const usedToken = creds.token as string;
			const profile = resolveProfile(creds.serverVersion, creds.token, creds.detectedVersion);
			const wire = adaptRequest(profile, path, body, operationID);
			let response = await this.send(wire.path, wire.body as IDataObject, operationID);
			if (isTokenError(response, profile)) {
				// OpenIM answers token errors with HTTP 200 (v2: 400), so n8n's refresh-on-401 never fires: do it here, once.
				await this.refresh(usedToken);
				response = await this.send(wire.path, wire.body as IDataObject, operationID);
			}
			const outcome = this.interpret(wire.path, response, itemIndex, profile);
			return 'error' in outcome ? outcome : { data: adaptResponse(profile, path, body, outcome.data) };
		} catch (error) {
			return this.transportFailure(path, error, itemIndex);
		}
	}

	/** The profile from what is known now, without fetching a token. */
	private async profileNow(): Promise<ServerProfile> {
		const creds = await this.loadCredentials();
		return resolveProfile(creds.serverVersion, creds.token, creds.detectedVersion);
	}

	private loadCredentials(): Promise<ICredentialDataDecryptedObject> {
		this.credentials ??= this.ctx.getCredentials(CREDENTIAL_TYPE).then((data) => {
			// A private copy: its token field is what this client refreshes and reuses.
			const copy = { ...data };
			if (typeof copy.secret === 'string') this.seenTokens.add(copy.secret);
			if (typeof copy.token === 'string' && copy.token) this.seenTokens.add(copy.token);
			return copy;
		});
		return this.credentials;
	}

	/**
	 * Fetch a new admin token unless someone already replaced `staleToken`. Blanking the hidden
	 * expirable field makes n8n run the credential's preAuthentication, merge the new token into
	 * our copy and persist it for later executions.
	 */
	private async refresh(staleToken: string | undefined): Promise<void> {
		if (this.refreshing) return await this.refreshing;
		const creds = await this.loadCredentials();
		if (creds.token && creds.token !== staleToken && isTokenFresh(creds.token)) return;
		this.refreshing = (async () => {
			creds.token = '';
			const response = await this.send(Path.GetServerTime, {}, newOperationID());
			this.tokenFetches++;
			if (typeof creds.token === 'string' && creds.token) this.seenTokens.add(creds.token);
			// v2 and v3.0–v3.1 have no get_server_time: the 404 after a successful token fetch is expected there.
			const profile = resolveProfile(creds.serverVersion, creds.token, creds.detectedVersion);
			if (response.statusCode === 404 && (profile.family === 'v2' || profile.mayLack?.includes(Path.GetServerTime))) return;
			const outcome = this.interpret(Path.GetServerTime, response);
			if ('error' in outcome) throw outcome.error;
		})();
		try {
			await this.refreshing;
		} finally {
			this.refreshing = undefined;
		}
	}

	/** Spaces request starts when a requests-per-second limit is set. */
	private async throttle(): Promise<void> {
		const rps = this.options.requestsPerSecond;
		if (!rps || rps <= 0) return;
		const now = Date.now();
		const startAt = Math.max(now, this.nextStartAt);
		this.nextStartAt = startAt + 1000 / rps;
		if (startAt > now) await sleep(startAt - now);
	}

	/** Waits for a free request slot: the in-flight bound holds however callers fan out. */
	private async acquire(): Promise<void> {
		if (this.inFlight < this.options.maxInFlight) {
			this.inFlight++;
			return;
		}
		await new Promise<void>((resolve) => this.waiting.push(resolve));
	}

	private release(): void {
		const next = this.waiting.shift();
		// The slot passes straight to the next waiter, so inFlight stays the same.
		if (next) next();
		else this.inFlight--;
	}

	private async send(path: string, body: IDataObject, operationID: string): Promise<FullResponse> {
		await this.acquire();
		try {
			return await this.sendNow(path, body, operationID);
		} finally {
			this.release();
		}
	}

	private async sendNow(path: string, body: IDataObject, operationID: string): Promise<FullResponse> {
		await this.throttle();
		const creds = await this.loadCredentials();
		const credentialRef = this.ctx.getNode().credentials?.[CREDENTIAL_TYPE];
		const request: IHttpRequestOptions = {
			method: 'POST',
			url: `${normalizeBaseUrl(creds.baseUrl)}${path}`,
			headers: { [Header.OperationID]: operationID },
			// n8n drops an empty object body; OpenIM then answers "unexpected end of JSON input".
			body: Object.keys(body).length === 0 ? '{}' : body,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: this.options.timeoutMs,
		};
		return (await this.ctx.helpers.httpRequestWithAuthentication.call(this.ctx, CREDENTIAL_TYPE, request, {
			// Our copy of the credential: n8n merges a refreshed token into it and persists it.
			credentialsDecrypted: {
				id: credentialRef?.id ?? '',
				name: credentialRef?.name ?? '',
				type: CREDENTIAL_TYPE,
				data: creds,
			},
		})) as FullResponse;
	}

	private interpret(
		path: string,
		response: FullResponse,
		itemIndex?: number,
		profile?: ServerProfile,
	): { data: unknown } | Failure {
		const { body, statusCode } = response;
		const node = this.ctx.getNode();
		if (isEnvelope(body)) {
			if (body.errCode === 0) return { data: body.data };
			const failure = describeEnvelopeError(path, body, statusCode, this.secrets());
			let retry: Retry = 'no';
			if (statusCode === 429) retry = 'safe';
			else if (body.errCode === ErrCode.ServerInternal && SERVICE_DOWN.test(body.errDlt ?? '')) retry = 'ambiguous';
			return { error: toNodeApiError(node, failure, itemIndex), retry, retryAfterMs: retryAfterMs(response.headers) };
		}
		let failure: OpenImFailure;
		let retry: Retry = 'no';
		if (statusCode === 404) {
			failure = {
				path,
				httpStatus: statusCode,
				message: `OpenIM has no endpoint ${path} at this URL (HTTP 404)`,
				description:
					profile?.lacks?.(path, profile.label) ??
					'Check the API base URL in the OpenIM API credential: it is the OpenIM API port (10002 by default), not the WebSocket (10001) or Chat (10008/10009) ports, plus any reverse-proxy prefix.',
			};
		} else if (statusCode === 429 || statusCode >= 500) {
			// A proxy or a panic answered: the server may or may not have processed it.
			retry = statusCode === 429 ? 'safe' : 'ambiguous';
			failure = { path, httpStatus: statusCode, message: `OpenIM answered HTTP ${statusCode} on ${path}` };
		} else {
			failure = {
				path,
				httpStatus: statusCode,
				message: `The server did not answer like an OpenIM API server (HTTP ${statusCode} on ${path})`,
				description: 'Check the API base URL in the OpenIM API credential.',
			};
		}
		return { error: toNodeApiError(node, failure, itemIndex), retry, retryAfterMs: retryAfterMs(response.headers) };
	}

	private transportFailure(path: string, error: unknown, itemIndex?: number): Failure {
		const err = error as { message?: string };
		const node = this.ctx.getNode();
		const why = networkProblem(error);
		if (why) {
			const failure: OpenImFailure = {
				path,
				message: `Cannot reach OpenIM for ${path}: ${why}`,
				description: `Check the API base URL in the OpenIM API credential and that the OpenIM API is running and reachable from n8n (timeout ${this.options.timeoutMs} ms).`,
			};
			const code = networkCode(error) ?? '';
			return {
				error: toNodeApiError(node, failure, itemIndex),
				retry: NOT_SENT_CODES.has(code) ? 'safe' : 'ambiguous',
				timedOut: TIMEOUT_CODES.has(code),
			};
		}
		// The credential's token fetch explains its own failures (wrong secret, not an admin…);
		// only "cannot reach" is worth another try, and fetching a token twice is harmless.
		const message = redact(String(err.message ?? error), this.secrets());
		const retry: Retry = /^Cannot reach OpenIM/.test(message) ? 'safe' : 'no';
		return { error: toNodeApiError(node, { path, message }, itemIndex), retry };
	}
}
