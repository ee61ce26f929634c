import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { networkProblem } from '../nodes/OpenImNotify/transport/errors';
import { ErrCode, Header, Path, PlatformID } from '../openim/constants';

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

const isEnvelope = (body: unknown): body is Envelope =>
	typeof body === 'object' && body !== null && typeof (body as Envelope).errCode === 'number';

/** The failures the "Test" button and the first request of a workflow explain in words. */
function explain(baseUrl: string, userID: string, path: string, answer: Answer): string {
	const { statusCode, body } = answer;
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
			description: 'One of the IDs listed under imAdminUserID in OpenIM\'s config/share.yml',
		},
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The secret from OpenIM\'s config/share.yml (default openIM123; OPENIM_SECRET in openim-docker)',
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
					headers: { [Header.OperationID]: `n8n-token-${Date.now()}` },
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
		let path: string = Path.AdminSession;
		let answer = await post(path, { secret, userID });
		if (routeMissing(answer)) {
			path = Path.UserSession;
			answer = await post(path, { secret, platformID: PlatformID.Admin, userID });
		}
		if (isEnvelope(answer.body) && answer.body.errCode === 0 && answer.body.data?.token) {
			return { token: answer.body.data.token };
		}
		throw new Error(explain(baseUrl, userID, path, answer));
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { token: '={{$credentials.token}}' },
		},
	};

	// The token fetch above already proved URL, secret and admin ID; this proves the token works
	// for an admin-only route.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.trim().replace(/\\/+$/, "")}}',
			url: '/user/account_check',
			method: 'POST',
			headers: { operationID: 'n8n-credential-test' },
			body: { checkUserIDs: ['={{$credentials.adminUserID}}'] },
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
					key: 'data',
					value: undefined,
					message: 'OpenIM did not accept the admin token. Check the secret and the admin user ID.',
				},
			},
		],
	};
}
