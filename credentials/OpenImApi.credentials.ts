import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { randomUUID } from 'crypto';

import { networkProblem } from '../nodes/OpenImNotify/transport/errors';
import { ErrCode, Header, Path, PlatformID, V2ErrCode } from '../openim/constants';

interface Answer {
	statusCode: number;
	body: unknown;
}

interface Envelope {
	errCode: number;
	errMsg?: string;
	errDlt?: string;
	data?: { token?: string };
}

/**
 * Tells this n8n process's token fetches apart from other processes' in OpenIM's logs (and the
 * sandbox's tokenFetches): `n8n-token-<process tag>-<ms>`.
 */
const PROCESS_TAG = randomUUID().slice(0, 8);

const isEnvelope = (body: unknown): body is Envelope =>
	typeof body === 'object' && body !== null && typeof (body as Envelope).errCode === 'number';

/** The failures the "Test" button and the first request of a workflow explain in words. */
function explain(baseUrl: string, userID: string, path: string, answer: Answer, version: string): string {
	const { statusCode, body } = answer;
	if ((version === 'v2' || version === 'v2.0') && isEnvelope(body) && statusCode !== 200) {
		// v2 errors: HTTP 400/500 with ad-hoc codes (openim-api.md §8).
		if (body.errCode === 401 || /secret/i.test(body.errMsg ?? '')) {
			return 'OpenIM v2: wrong secret (errCode 401). The secret is `secret` in OpenIM\'s config/config.yaml (default tuoyun).';
		}
		return `OpenIM v2 refused the token request on ${path} with HTTP ${statusCode}, errCode ${body.errCode}: ${body.errMsg ?? ''}`.trim();
	}
	if (!isEnvelope(body)) {
		return `${baseUrl} is not an OpenIM API server: ${path} answered HTTP ${statusCode} without OpenIM's JSON envelope. Use the OpenIM API address (port 10002 by default), not the web, WebSocket (10001) or Chat (10008/10009) ports.`;
	}
	if (body.errCode === ErrCode.NoPermission) {
		return 'Wrong secret: OpenIM rejected it (errCode 1002). The secret is `secret` in OpenIM\'s config/share.yml (default openIM123; OPENIM_SECRET in openim-docker).';
	}
	if (body.errCode === ErrCode.Args) {
		return `"${userID}" is not an admin user ID of this OpenIM server (errCode 1001). Admin IDs are listed under imAdminUserID in config/share.yml (default imAdmin).`;
	}
	if (body.errCode === ErrCode.RecordNotFound) {
		return `The admin user "${userID}" is configured but does not exist in OpenIM's database yet (errCode 1004). OpenIM creates it when the user service starts; restart it and try again.`;
	}
	return `OpenIM refused the admin token request with errCode ${body.errCode} ${body.errMsg ?? ''}`.trim();
}

function unreachable(baseUrl: string, error: unknown): string {
	const why = networkProblem(error) ?? 'no answer';
	return `Cannot reach OpenIM at ${baseUrl}: ${why}. Check the API base URL and that n8n can reach the OpenIM API (port 10002 by default).`;
}

/** A v2 server answers a v3 body on /auth/user_token with HTTP 400 (binding: platform, operationID). */
const looksLikeV2 = (answer: Answer): boolean => answer.statusCode === 400 && isEnvelope(answer.body) && answer.body.errCode === 400;

const VERSION_LABEL: Record<string, string> = { 'v3.8': 'v3.8.1+', 'v3.0': 'v3.0–v3.8.0', v2: 'v2.x', 'v2.0': 'v2.0–v2.1' };

/**
 * v2.0–v2.1 still route the admin send at /manager/send_msg (v2.2+ answer 404 there). A body without
 * the required fields fails gin's binding with HTTP 400 before anything else runs: no side effects.
 */
const isManagerSendRoute = (answer: Answer): boolean =>
	answer.statusCode === 400 && isEnvelope(answer.body) && answer.body.errCode === 400;

/** v3.8.1+ answers "header must have token" on the old route and vice versa (openim-api.md Findings). */
const routeMissing = (answer: Answer): boolean =>
	answer.statusCode === 404 ||
	(isEnvelope(answer.body) &&
		answer.body.errCode === ErrCode.Args &&
		/header must have token/.test(answer.body.errDlt ?? ''));

export class OpenImApi implements ICredentialType {
	name = 'openImApi';

	displayName = 'OpenIM API';

	icon: Icon = { light: 'file:../icons/openim.svg', dark: 'file:../icons/openim.dark.svg' };

	documentationUrl = 'https://github.com/openim-n8n/n8n-nodes-openim#the-openim-api-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'http://openim.example.com:10002',
			description:
				'Address of the OpenIM API server (port 10002 by default), including any reverse-proxy path prefix',
		},
		{
			displayName: 'Admin User ID',
			name: 'adminUserID',
			type: 'string',
			default: 'imAdmin',
			required: true,
			description:
				'One of the IDs listed under imAdminUserID in OpenIM\'s config/share.yml (v3.7 and later). On OpenIM v3.0–v3.6: manager.userID in config/config.yaml (defaults openIM123456, openIM654321, openIMAdmin).',
		},
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The secret from OpenIM\'s config/share.yml (default openIM123; OPENIM_SECRET in openim-docker). On OpenIM v3.0–v3.6: secret in config/config.yaml (v3.0\'s default: tuoyun).',
		},
		{
			displayName: 'Sender IDs',
			name: 'senderIDs',
			type: 'string',
			default: '',
			placeholder: 'hr_bot, ops_alerts',
			description:
				'Comma-separated accounts workflows may send as: notification accounts (appMangerLevel 3 or more) or admins. The node offers them in its Sender list and uses the first by default. Empty means the admin user ID.',
		},
		{
			displayName: 'Server Version',
			name: 'serverVersion',
			type: 'options',
			default: 'auto',
			options: [
				{ name: 'Auto-Detect', value: 'auto', description: 'Tries the v3.8.1+, v3.0–v3.8.0 and v2 token routes in turn' },
				{ name: 'v3.8.1 or Later', value: 'v3.8' },
				{ name: 'v3.0 to v3.8.0', value: 'v3.0', description: 'Token route /auth/user_token; also fits v3.0–v3.1, which lack /msg/get_server_time and /group/get_group_member_user_id' },
				{ name: 'v2.2 to v2.3', value: 'v2', description: 'Send path /msg/manage_send_msg; no exactly-once check after a lost answer' },
				{ name: 'v2.0 to v2.1', value: 'v2.0', description: 'Send path /manager/send_msg (work notifications from v2.0.6); no exactly-once check after a lost answer' },
			],
			description:
				'OpenIM server generation; the token route, send path, text key and error shapes differ (README, "Server versions")',
		},
		{
			displayName: 'Max Requests Per Second (per n8n Process)',
			name: 'maxRequestsPerSecond',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 1 },
			default: 0,
			description:
				'Upper limit on OpenIM API requests started per second by all executions that use this credential in one n8n process, on top of each node\'s own Requests Per Second. In queue mode every worker has its own limit, so OpenIM sees at most workers × this (README, "Scaling out"). 0 means no limit.',
		},
		{
			// What Auto-Detect found (v3.8 / v3.0 / v2 / v2.0), fetched and kept with the token.
			displayName: 'Detected Version',
			name: 'detectedVersion',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	/**
	 * Fetches an admin token; n8n stores it in the hidden `token` field and reuses it until the
	 * node finds it close to its `exp` or OpenIM answers 1501–1507, then blanks it to come back here.
	 */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const baseUrl = String(credentials.baseUrl ?? '')
			.trim()
			.replace(/\/+$/, '');
		const userID = String(credentials.adminUserID ?? '').trim() || 'imAdmin';
		const secret = String(credentials.secret ?? '');

		const post = async (path: string, body: IDataObject): Promise<Answer> => {
			try {
				return (await this.helpers.httpRequest({
					method: 'POST',
					url: `${baseUrl}${path}`,
					headers: { [Header.OperationID]: `n8n-token-${PROCESS_TAG}-${Date.now()}` },
					body,
					json: true,
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
					timeout: 15000,
				})) as Answer;
			} catch (error) {
				throw new Error(unreachable(baseUrl, error));
			}
		};

		// v3.8.1+: /auth/get_admin_token. v3.0–v3.8.0: /auth/user_token with platformID 10 (§1.4).
		// v2: /auth/user_token with `platform` and operationID in the body (§8).
		const routes: Record<string, () => Promise<Answer>> = {
			'v3.8': async () => await post(Path.AdminSession, { secret, userID }),
			'v3.0': async () => await post(Path.UserSession, { secret, platformID: PlatformID.Admin, userID }),
			// v2 has no admin platform (10): its binding allows 1–8 (v2.0–v2.2) or 1–9 (v2.3). Linux (7) is
			// the platform an admin account is least likely to be logged in on.
			v2: async () =>
				await post(Path.UserSession, { secret, platform: PlatformID.Linux, userID, operationID: `n8n-token-${PROCESS_TAG}-${Date.now()}` }),
		};
		routes['v2.0'] = routes.v2;
		const setting = String(credentials.serverVersion ?? 'auto');
		let version = setting in routes ? setting : 'v3.8';
		let answer = await routes[version]();
		if (!(setting in routes)) {
			// Auto-detect: each generation answers the newer route in a recognisable way.
			if (routeMissing(answer)) {
				version = 'v3.0';
				answer = await routes[version]();
			}
			if (version === 'v3.0' && (answer.statusCode === 404 || looksLikeV2(answer))) {
				version = 'v2';
				answer = await routes[version]();
			}
		}
		if (isEnvelope(answer.body) && answer.body.errCode === 0 && answer.body.data?.token) {
			if (version === 'v2' && !(setting in routes) && isManagerSendRoute(await post('/manager/send_msg', { operationID: 'n8n-version-probe' }))) {
				version = 'v2.0';
			}
			return { token: answer.body.data.token, detectedVersion: version };
		}
		const path = version === 'v3.8' ? Path.AdminSession : Path.UserSession;
		const detected = setting in routes ? `OpenIM ${VERSION_LABEL[version]} (as set)` : `OpenIM ${VERSION_LABEL[version]} (detected)`;
		throw new Error(`${explain(baseUrl, userID, path, answer, version)} [Server version: ${detected}]`);
	}

	/**
	 * OpenIM's literal `token` header (§1.2). A function rather than a generic `={{$credentials.token}}`
	 * header: n8n would evaluate that expression on every request, a large share of a send's cost.
	 */
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		return { ...requestOptions, headers: { ...requestOptions.headers, token: String(credentials.token ?? '') } };
	}

	// The token fetch above already proved URL and secret (and the admin ID on v3.8.1+); this proves
	// the token works for an admin-only route. /user/account_check exists in v2.2+ and v3 with other
	// field names: each generation reads its own and ignores the others'.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.trim().replace(/\\/+$/, "")}}',
			// v2.0–v2.1 had it under /manager. The URL is resolved before the token fetch detects the
			// version, so on those servers the Test needs the explicit setting (README).
			url: '={{$credentials.serverVersion === "v2.0" ? "/manager/account_check" : "' + Path.AccountCheck + '"}}',
			method: 'POST',
			headers: { operationID: 'n8n-credential-test' },
			body: {
				checkUserIDs: ['={{$credentials.adminUserID}}'],
				checkUserIDList: ['={{$credentials.adminUserID}}'],
				operationID: 'n8n-credential-test',
			},
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errCode',
					value: ErrCode.NoPermission,
					message: 'The admin user ID is not an OpenIM admin (errCode 1002): list it under imAdminUserID in share.yml.',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errCode',
					value: V2ErrCode.NoAccess,
					message: 'The admin user ID is not an OpenIM v2 app manager (errCode 801): list it under manager.appManagerUid in config/config.yaml.',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'data',
					value: undefined,
					message: 'OpenIM did not accept the admin token. Check the secret and the admin user ID.',
				},
			},
		],
	};
}
