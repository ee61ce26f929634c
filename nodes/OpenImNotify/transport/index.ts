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
import {
	MIN_FETCH_INTERVAL_MS,
	adopt,
	credentialKey,
	fetchJitter,
	isUsable,
	markRejected,
	pace,
	sharedCredential,
} from './credential-state';
import type { SharedCredential } from './credential-state';
import { describeEnvelopeError, networkCode, networkProblem, redact, toNodeApiError } from './errors';
import type { OpenImFailure } from './errors';
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
	/** The token this request carried, and when it was sent (token errors refer to that copy). */
	token?: string;
	sentAt?: number;
}

/**
 * Token fetches one request may cause after OpenIM refused its token (1501–1507): a token fetched by
 * another worker may be kicked again on v3.8.1 before this request got to use it.
 */
const MAX_TOKEN_REFRESHES = 3;

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

	/** What every execution of this credential in this n8n process shares (credential-state.ts). */
	private shared?: SharedCredential;

	/**
	 * The stored credential had no token when this execution read it (new, or its token cleared):
	 * only a token this process obtained since then (and so stored) may stand in for a fetch.
	 */
	private storedBlank = false;

	private loadedAt = 0;

	private readonly seenTokens = new Set<string>();

	/** Request pacing of this execution (Requests Per Second). */
	private readonly pacer = { nextStartAt: 0 };

	private inFlight = 0;

	private readonly waiting: Array<() => void> = [];

	private readonly options: Required<ClientOptions>;

	/** Token fetches done by this client (the process-wide count: credential-state.ts). */
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
		if (creds.serverVersion === undefined || creds.serverVersion === 'auto') await this.ensureToken(creds);
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

	/** One request, with the token refreshes OpenIM's HTTP-200 token errors need. */
	private async attempt(
		path: string,
		body: IDataObject,
		operationID: string,
		itemIndex?: number,
	): Promise<{ data: unknown } | Failure> {
		const creds = await this.loadCredentials();
		try {
			await this.ensureToken(creds);
			const profile = resolveProfile(creds.serverVersion, creds.token, creds.detectedVersion);
			const wire = adaptRequest(profile, path, body, operationID);
			let response = await this.send(wire.path, wire.body as IDataObject, operationID);
			// OpenIM answers token errors with HTTP 200 (v2: 400), so n8n's refresh-on-401 never fires: do it here.
			for (let refreshes = 0; refreshes < MAX_TOKEN_REFRESHES && isTokenError(response, profile); refreshes++) {
				await this.refresh(response.token, response.sentAt);
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
		this.loadedAt ||= Date.now();
		this.credentials ??= this.ctx.getCredentials(CREDENTIAL_TYPE).then((data) => {
			// A private copy: its token field is what this execution's requests carry.
			const copy = { ...data };
			if (typeof copy.secret === 'string') this.seenTokens.add(copy.secret);
			if (typeof copy.token === 'string' && copy.token) this.seenTokens.add(copy.token);
			const credentialID = this.ctx.getNode().credentials?.[CREDENTIAL_TYPE]?.id ?? '';
			this.shared = sharedCredential(credentialKey(credentialID ?? '', copy));
			this.storedBlank = !copy.token;
			return copy;
		});
		return this.credentials;
	}

	/** This execution's requests carry `token` from now on. */
	private use(creds: ICredentialDataDecryptedObject, token: string): void {
		this.storedBlank = false;
		creds.token = token;
		if (this.shared?.detectedVersion) creds.detectedVersion = this.shared.detectedVersion as string;
		this.seenTokens.add(token);
	}

	/**
	 * A usable token before a request: this execution's, else the newest one in this process, else a
	 * fetch (shared by every execution of this process).
	 */
	private async ensureToken(creds: ICredentialDataDecryptedObject): Promise<void> {
		const shared = this.shared as SharedCredential;
		if (isUsable(shared, creds.token)) return;
		if (this.mayAdopt(shared)) return this.use(creds, shared.token as string);
		await this.refresh(undefined);
	}

	/** The process's token may replace this execution's (see storedBlank). */
	private mayAdopt(shared: SharedCredential): boolean {
		return isUsable(shared, shared.token) && (!this.storedBlank || shared.tokenSince >= this.loadedAt);
	}

	/**
	 * After OpenIM refused `failed` (sent at `sentAt`), or when there is no usable token: use a newer
	 * token if this process has one, else wait for the fetch in flight, else fetch one. Never fetches
	 * because of an answer about a copy older than the token this process holds now.
	 */
	private async refresh(failed: string | undefined, sentAt = Date.now()): Promise<void> {
		const creds = await this.loadCredentials();
		const shared = this.shared as SharedCredential;
		if (failed && !(failed === shared.token && sentAt < shared.tokenSince)) markRejected(shared, failed);
		if (creds.token !== failed && isUsable(shared, creds.token)) return;
		if (this.mayAdopt(shared)) return this.use(creds, shared.token as string);
		shared.fetching ??= this.fetchToken(shared, failed).finally(() => {
			shared.fetching = undefined;
		});
		this.use(creds, await shared.fetching);
	}

	/**
	 * The process's one token fetch. Workers that saw the same failure wait a random moment, then look
	 * at the stored credential (n8n reads it from its database on every getCredentials): a token another
	 * process stored meanwhile is used instead of fetching, so kicked tokens do not kick more (v3.8.1).
	 * Blanking the hidden expirable field makes n8n run the credential's preAuthentication and persist
	 * the new token for later executions and the other processes.
	 */
	private async fetchToken(shared: SharedCredential, failed: string | undefined): Promise<string> {
		const creds = await this.loadCredentials();
		await sleep(fetchJitter() + Math.max(0, shared.lastFetchAt + MIN_FETCH_INTERVAL_MS - Date.now()));
		const stored = await this.storedCredential();
		if (stored.token !== failed && isUsable(shared, stored.token)) {
			adopt(shared, stored.token, stored.detectedVersion);
			return stored.token;
		}
		const data: ICredentialDataDecryptedObject = { ...creds, token: '' };
		let response: FullResponse;
		try {
			response = await this.send(Path.GetServerTime, {}, newOperationID(), data);
		} finally {
			shared.lastFetchAt = Date.now();
		}
		const token = typeof data.token === 'string' ? data.token : '';
		if (token) {
			shared.fetches++;
			this.tokenFetches++;
			this.seenTokens.add(token);
			adopt(shared, token, data.detectedVersion);
		}
		// v2 and v3.0–v3.1 have no get_server_time: the 404 after a successful token fetch is expected there.
		const profile = resolveProfile(creds.serverVersion, token, data.detectedVersion);
		if (response.statusCode === 404 && (profile.family === 'v2' || profile.mayLack?.includes(Path.GetServerTime))) return token;
		// Refused already (kicked by another fetch): the request that needed it finds out and asks again.
		if (token && isTokenError(response, profile)) return token;
		const outcome = this.interpret(Path.GetServerTime, response);
		if ('error' in outcome) throw outcome.error;
		return token;
	}

	/** The credential as stored now (another n8n process may have stored a new token). */
	private async storedCredential(): Promise<{ token?: unknown; detectedVersion?: unknown }> {
		try {
			const data = await this.ctx.getCredentials(CREDENTIAL_TYPE);
			if (typeof data.token === 'string' && data.token) this.seenTokens.add(data.token);
			return data;
		} catch {
			return {};
		}
	}

	/**
	 * Spaces request starts: Requests Per Second of this execution, then the credential's Max Requests
	 * Per Second, shared by every execution of this credential in this n8n process.
	 */
	private async throttle(): Promise<void> {
		await pace(this.pacer, this.options.requestsPerSecond);
		const creds = await this.loadCredentials();
		await pace(this.shared as SharedCredential, Number(creds.maxRequestsPerSecond) || 0);
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

	/** `data`: the credential to send with (a token fetch passes one with a blank token). */
	private async send(
		path: string,
		body: IDataObject,
		operationID: string,
		data?: ICredentialDataDecryptedObject,
	): Promise<FullResponse> {
		await this.acquire();
		try {
			return await this.sendNow(path, body, operationID, data);
		} finally {
			this.release();
		}
	}

	private async sendNow(
		path: string,
		body: IDataObject,
		operationID: string,
		data?: ICredentialDataDecryptedObject,
	): Promise<FullResponse> {
		await this.throttle();
		const creds = await this.loadCredentials();
		// The token of this moment: a concurrent refresh may replace creds.token while this one is out.
		const sent = data ?? { ...creds };
		const sentAt = Date.now();
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
		const response = (await this.ctx.helpers.httpRequestWithAuthentication.call(this.ctx, CREDENTIAL_TYPE, request, {
			// Our copy of the credential: with a blank token n8n merges the fetched one into it and persists it.
			credentialsDecrypted: {
				id: credentialRef?.id ?? '',
				name: credentialRef?.name ?? '',
				type: CREDENTIAL_TYPE,
				data: sent,
			},
		})) as FullResponse;
		return { ...response, token: typeof sent.token === 'string' ? sent.token : undefined, sentAt };
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
