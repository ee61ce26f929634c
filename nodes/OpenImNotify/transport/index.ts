import { randomUUID } from 'crypto';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';

import { Header, Path, isTokenErrCode } from '../../../openim/constants';
import type { ApiEnvelope } from '../../../openim/wire';
import { describeEnvelopeError, networkProblem, redact, toNodeApiError } from './errors';
import type { OpenImFailure } from './errors';
import { isTokenFresh } from './token';

export const CREDENTIAL_TYPE = 'openImApi';

type RequestContext = IExecuteFunctions | ILoadOptionsFunctions;

export interface OpenImSettings {
	baseUrl: string;
	adminUserID: string;
	/** Accounts workflows may send as; the admin ID when the credential lists none. */
	senderIDs: string[];
}

export interface CallOptions {
	/** Kept with the item so a retry or a status check refers to the same send. */
	operationID?: string;
	itemIndex?: number;
}

interface FullResponse {
	body: unknown;
	statusCode: number;
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

/**
 * One OpenIM connection per node execution: reads the credential once, keeps the admin token
 * fresh (at most one token fetch at a time, shared by all concurrent requests), sends every
 * request with its own operationID header and turns OpenIM's envelope into data or an n8n error.
 */
export class OpenImClient {
	private credentials?: Promise<ICredentialDataDecryptedObject>;

	private refreshing?: Promise<void>;

	private readonly seenTokens = new Set<string>();

	/** Token fetches done by this client; exposed for tests and benchmarks. */
	tokenFetches = 0;

	constructor(
		private readonly ctx: RequestContext,
		private readonly timeoutMs = 30000,
	) {}

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

	/** POST `body` to `path`; resolves with `data` (possibly undefined) when errCode is 0. */
	async call<T = IDataObject>(path: string, body: IDataObject, options: CallOptions = {}): Promise<T> {
		const creds = await this.loadCredentials();
		const operationID = options.operationID ?? newOperationID();
		if (!isTokenFresh(creds.token)) await this.refresh(creds.token as string);

		let usedToken = creds.token as string;
		let response = await this.send(path, body, operationID, options.itemIndex);
		if (isEnvelope(response.body) && isTokenErrCode(response.body.errCode)) {
			// OpenIM answers token errors with HTTP 200, so n8n's refresh-on-401 never fires: do it here, once.
			await this.refresh(usedToken);
			usedToken = creds.token as string;
			response = await this.send(path, body, operationID, options.itemIndex);
		}
		return this.unwrap<T>(path, response, options.itemIndex);
	}

	/** Secrets that must never appear in output, errors or logs. */
	secrets(): string[] {
		return [...this.seenTokens];
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
			this.unwrap(Path.GetServerTime, response);
		})();
		try {
			await this.refreshing;
		} finally {
			this.refreshing = undefined;
		}
	}

	private async send(
		path: string,
		body: IDataObject,
		operationID: string,
		itemIndex?: number,
	): Promise<FullResponse> {
		const creds = await this.loadCredentials();
		const node = this.ctx.getNode();
		const credentialRef = node.credentials?.[CREDENTIAL_TYPE];
		const request: IHttpRequestOptions = {
			method: 'POST',
			url: `${normalizeBaseUrl(creds.baseUrl)}${path}`,
			headers: { [Header.OperationID]: operationID },
			// n8n drops an empty object body; OpenIM then answers "unexpected end of JSON input".
			body: Object.keys(body).length === 0 ? '{}' : body,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: this.timeoutMs,
		};
		try {
			return (await this.ctx.helpers.httpRequestWithAuthentication.call(
				this.ctx,
				CREDENTIAL_TYPE,
				request,
				{
					credentialsDecrypted: {
						id: credentialRef?.id ?? '',
						name: credentialRef?.name ?? '',
						type: CREDENTIAL_TYPE,
						data: creds,
					},
				},
			)) as FullResponse;
		} catch (error) {
			throw toNodeApiError(node, this.describeTransportError(path, error), itemIndex);
		}
	}

	private unwrap<T>(path: string, response: FullResponse, itemIndex?: number): T {
		const { body, statusCode } = response;
		if (isEnvelope(body)) {
			if (body.errCode === 0) return body.data as T;
			throw toNodeApiError(
				this.ctx.getNode(),
				describeEnvelopeError(path, body, statusCode, this.secrets()),
				itemIndex,
			);
		}
		const failure: OpenImFailure =
			statusCode === 404
				? {
						path,
						httpStatus: statusCode,
						message: `OpenIM has no endpoint ${path} at this URL (HTTP 404)`,
						description:
							'Check the API base URL in the OpenIM API credential: it is the OpenIM API port (10002 by default), not the WebSocket (10001) or Chat (10008/10009) ports, plus any reverse-proxy prefix.',
					}
				: {
						path,
						httpStatus: statusCode,
						message: `The server did not answer like an OpenIM API server (HTTP ${statusCode} on ${path})`,
						description: 'Check the API base URL in the OpenIM API credential.',
					};
		throw toNodeApiError(this.ctx.getNode(), failure, itemIndex);
	}

	private describeTransportError(path: string, error: unknown): OpenImFailure {
		const why = networkProblem(error);
		if (why) {
			return {
				path,
				message: `Cannot reach OpenIM for ${path}: ${why}`,
				description: `Check the API base URL in the OpenIM API credential and that the OpenIM API is running and reachable from n8n (timeout ${this.timeoutMs} ms).`,
			};
		}
		return { path, message: redact(String((error as Error).message ?? error), this.secrets()) };
	}
}
