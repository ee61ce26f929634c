/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/node-usable-as-tool -- test tooling, not shipped: local HTTP server, process.env check, test-only node */
/**
 * Proves the in-process harness runs workflows through the real n8n engine: expressions per
 * item, real `httpRequestWithAuthentication` against a local server, preAuthentication with a
 * hidden expirable token (fetched once, persisted, force-refreshed, refreshed on 401),
 * continue-on-fail, workflow/credential JSON fixtures and the credential test.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IAuthenticateGeneric,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestHelper,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	JsonObject,
} from 'n8n-workflow';
import { Expression, NodeApiError, NodeConnectionTypes } from 'n8n-workflow';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	CredentialStore,
	HARNESS_INSTANCE_ID,
	itemsNode,
	linearWorkflow,
	loadCredentialsFile,
	loadWorkflowFile,
	manualTriggerNode,
	registerCredentialType,
	runWorkflow,
	testCredentials,
} from './index';
import type { HarnessNode } from './index';

// ---------------------------------------------------------------- local API server

const SECRET = 'harness-secret';

interface ApiCall {
	path: string;
	token?: string;
	user?: string;
}

class LocalApi {
	private server?: Server;

	url = '';

	tokensIssued = 0;

	readonly validTokens = new Set<string>();

	readonly calls: ApiCall[] = [];

	async start(): Promise<void> {
		this.server = createServer((req, res) => {
			void this.handle(req, res);
		});
		await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
		const { port } = this.server.address() as AddressInfo;
		this.url = `http://127.0.0.1:${port}`;
	}

	async stop(): Promise<void> {
		// n8n's HTTP client keeps connections alive; end them so Jest can exit.
		this.server?.closeAllConnections();
		await new Promise<void>((resolve) => this.server?.close(() => resolve()));
	}

	reset(): void {
		this.tokensIssued = 0;
		this.validTokens.clear();
		this.calls.length = 0;
	}

	/** Like a server restart / token expiry: every issued token becomes invalid. */
	revokeTokens(): void {
		this.validTokens.clear();
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const body = chunks.length
			? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as IDataObject)
			: {};
		const url = new URL(req.url ?? '/', this.url);
		const send = (status: number, payload: unknown) => {
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(payload));
		};

		if (req.method === 'POST' && url.pathname === '/auth/token') {
			this.calls.push({ path: url.pathname });
			if (body.secret !== SECRET) return send(403, { message: 'bad secret' });
			const token = `tok-${++this.tokensIssued}`;
			this.validTokens.add(token);
			return send(200, { token });
		}

		const token = req.headers['x-token'] as string | undefined;
		const match = /^\/users\/([^/]+)$/.exec(url.pathname);
		const user = match ? decodeURIComponent(match[1]) : undefined;
		this.calls.push({ path: url.pathname, token, user });
		if (!token || !this.validTokens.has(token)) return send(401, { message: 'invalid token' });
		if (url.pathname === '/whoami')
			return send(200, { ok: true, client: url.searchParams.get('client') });
		if (!user) return send(404, { message: 'not found' });
		if (user === 'nobody') return send(404, { message: `user ${user} not found` });
		return send(200, { user, token, client: url.searchParams.get('client') });
	}
}

// ---------------------------------------------------------------- test credential + node types

class HarnessTestApi implements ICredentialType {
	name = 'harnessTestApi';

	displayName = 'Harness Test API';

	properties: INodeProperties[] = [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
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

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const { token } = (await this.helpers.httpRequest({
			method: 'POST',
			url: `${credentials.baseUrl as string}/auth/token`,
			body: { secret: credentials.secret },
			json: true,
		})) as { token: string };
		return { token };
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { 'X-Token': '={{$credentials.token}}' },
			qs: { client: 'harness' },
		},
	};

	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.baseUrl}}', url: '/whoami' },
		rules: [
			{
				type: 'responseSuccessBody',
				properties: { key: 'ok', value: false, message: 'Server said not ok' },
			},
		],
	};
}

/** Calls GET /users/:userId for every item, optionally forcing a token refresh first. */
class HarnessEcho implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Echo',
		name: 'harnessEcho',
		group: ['transform'],
		version: 1,
		description: 'Test-only node',
		defaults: { name: 'Echo' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'harnessTestApi', required: true }],
		properties: [
			{ displayName: 'User ID', name: 'userId', type: 'string', default: '' },
			{ displayName: 'Force Refresh', name: 'forceRefresh', type: 'boolean', default: false },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const returnData: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const userId = this.getNodeParameter('userId', i) as string;
				const credentials = await this.getCredentials('harnessTestApi', i);
				const options = {
					method: 'GET' as const,
					url: `${credentials.baseUrl as string}/users/${encodeURIComponent(userId)}`,
					json: true,
				};
				let response: IDataObject;
				if (this.getNodeParameter('forceRefresh', i) === true) {
					// n8n-conventions.md §3.5: blank the expirable field so preAuthentication runs and persists.
					const saved = this.getNode().credentials?.harnessTestApi;
					response = (await this.helpers.httpRequestWithAuthentication.call(
						this,
						'harnessTestApi',
						options,
						{
							credentialsDecrypted: {
								id: saved?.id ?? '',
								name: saved?.name ?? '',
								type: 'harnessTestApi',
								data: { ...credentials, token: '' },
							},
						},
					)) as IDataObject;
				} else {
					response = (await this.helpers.httpRequestWithAuthentication.call(
						this,
						'harnessTestApi',
						options,
					)) as IDataObject;
				}
				returnData.push({ json: response, pairedItem: { item: i } });
			} catch (error) {
				if (this.continueOnFail()) {
					returnData.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				// Returns `error` itself when it already is a NodeApiError (what the HTTP helpers throw).
				throw new NodeApiError(this.getNode(), error as JsonObject, { itemIndex: i });
			}
		}
		return [returnData];
	}
}

/** Reports what n8n-core gave the execution context (proves the harness's DI setup is used). */
class InstanceInfo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Instance Info',
		name: 'instanceInfo',
		group: ['transform'],
		version: 1,
		description: 'Test-only node',
		defaults: { name: 'Instance Info' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [
			[
				{
					json: {
						instanceId: this.getInstanceId(),
						executionId: this.getExecutionId(),
						mode: this.getMode(),
						vars: this.evaluateExpression('{{ $vars.greeting }}', 0) as string,
					},
					pairedItem: { item: 0 },
				},
			],
		];
	}
}

const ECHO_TYPE = 'n8n-nodes-harness.harnessEcho';
const nodeTypes = {
	[ECHO_TYPE]: new HarnessEcho(),
	'n8n-nodes-harness.instanceInfo': new InstanceInfo(),
};

registerCredentialType(new HarnessTestApi());

// ---------------------------------------------------------------- tests

const api = new LocalApi();
beforeAll(async () => await api.start());
afterAll(async () => await api.stop());
beforeEach(() => api.reset());

const CREDENTIAL_ID = 'cred-1';

function credentials(data: ICredentialDataDecryptedObject = {}) {
	return {
		[CREDENTIAL_ID]: {
			type: 'harnessTestApi',
			name: 'Harness account',
			data: { baseUrl: api.url, secret: SECRET, ...data },
		},
	};
}

function echoNode(parameters: IDataObject = {}, extra: Partial<HarnessNode> = {}): HarnessNode {
	return {
		name: 'Echo',
		type: ECHO_TYPE,
		parameters: { userId: '={{ $json.userId }}', ...parameters },
		credentials: { harnessTestApi: { id: CREDENTIAL_ID, name: 'Harness account' } },
		...extra,
	};
}

const usersWorkflow = (users: IDataObject[], echo: HarnessNode = echoNode()) =>
	linearWorkflow(manualTriggerNode(), itemsNode(users), echo);

describe('in-process workflow harness', () => {
	test('uses the legacy expression engine (isolated-vm cannot load on Node 20)', () => {
		expect(process.env.N8N_EXPRESSION_ENGINE).toBe('legacy');
		expect(Expression.getActiveImplementation()).toBe('legacy');
	});

	test('node contexts get the harness InstanceSettings, execution id, mode and $vars', async () => {
		const result = await runWorkflow(
			linearWorkflow(manualTriggerNode(), {
				name: 'Info',
				type: 'n8n-nodes-harness.instanceInfo',
				parameters: {},
			}),
			{ nodeTypes, variables: { greeting: 'hi' } },
		);
		expect(result.json('Info')).toEqual([
			{
				instanceId: HARNESS_INSTANCE_ID,
				executionId: expect.stringMatching(/^harness-\d+$/),
				mode: 'manual',
				vars: 'hi',
			},
		]);
	});

	test('resolves expressions per item and fetches the token once for 3 items, persisting it', async () => {
		const result = await runWorkflow(
			usersWorkflow([{ userId: 'alice' }, { userId: 'bob' }, { userId: 'carol' }]),
			{ credentials: credentials(), nodeTypes },
		);

		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		expect(result.executedNodes).toEqual(['Manual Trigger', 'Items', 'Echo']);
		expect(result.json('Echo')).toEqual([
			{ user: 'alice', token: 'tok-1', client: 'harness' },
			{ user: 'bob', token: 'tok-1', client: 'harness' },
			{ user: 'carol', token: 'tok-1', client: 'harness' },
		]);
		expect(result.output('Echo').map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(api.tokensIssued).toBe(1);
		expect(result.credentialStore.getData(CREDENTIAL_ID)).toEqual({
			baseUrl: api.url,
			secret: SECRET,
			token: 'tok-1',
		});
		expect(result.credentialStore.writes(CREDENTIAL_ID)).toHaveLength(1);
		expect(result.credentialsHelper.preAuthenticationCalls).toEqual([
			{
				type: 'harnessTestApi',
				node: 'Echo',
				credentialsExpired: false,
				testingCredentials: false,
			},
		]);

		// A later run with the same store reuses the persisted token.
		const again = await runWorkflow(usersWorkflow([{ userId: 'dave' }]), {
			credentialStore: result.credentialStore,
			nodeTypes,
		});
		expect(again.json('Echo')).toEqual([{ user: 'dave', token: 'tok-1', client: 'harness' }]);
		expect(api.tokensIssued).toBe(1);
	});

	test('a forced refresh (credentialsDecrypted with the token blanked) fetches and persists a new token', async () => {
		const result = await runWorkflow(
			usersWorkflow(
				[{ userId: 'alice' }, { userId: 'bob', refresh: true }, { userId: 'carol' }],
				echoNode({ forceRefresh: '={{ $json.refresh === true }}' }),
			),
			{ credentials: credentials({ token: 'tok-stale' }), nodeTypes },
		);

		// The stored token is not valid on this server: the first request gets 401 and n8n-core
		// re-runs preAuthentication (credentialsExpired) and retries; item 2 forces a refresh.
		expect(result.status).toBe('success');
		expect(result.json('Echo').map((j) => j.token)).toEqual(['tok-1', 'tok-2', 'tok-2']);
		expect(api.tokensIssued).toBe(2);
		expect(result.credentialStore.getData(CREDENTIAL_ID).token).toBe('tok-2');
		expect(result.credentialStore.writes(CREDENTIAL_ID).map((w) => w.data.token)).toEqual([
			'tok-1',
			'tok-2',
		]);
		expect(
			result.credentialsHelper.preAuthenticationCalls.map((c) => c.credentialsExpired),
		).toEqual([true, false]);
		expect(api.calls.filter((c) => c.user).map((c) => `${c.user}:${c.token}`)).toEqual([
			'alice:tok-stale',
			'alice:tok-1',
			'bob:tok-2',
			'carol:tok-2',
		]);
	});

	test('continue on fail yields an error item and keeps the other items', async () => {
		const result = await runWorkflow(
			usersWorkflow(
				[{ userId: 'alice' }, { userId: 'nobody' }, { userId: 'carol' }],
				echoNode({}, { onError: 'continueRegularOutput' }),
			),
			{ credentials: credentials(), nodeTypes },
		);

		expect(result.status).toBe('success');
		const [alice, nobody, carol] = result.json('Echo');
		expect(alice).toMatchObject({ user: 'alice' });
		// NodeApiError's message for HTTP 404, as n8n shows it.
		expect(nobody.error).toBe('The resource you are requesting could not be found');
		expect(carol).toMatchObject({ user: 'carol' });
		expect(result.nodeError('Echo')).toBeUndefined();
	});

	test('without continue on fail the node error stops the workflow with its message', async () => {
		const result = await runWorkflow(
			linearWorkflow(
				manualTriggerNode(),
				itemsNode([{ userId: 'alice' }, { userId: 'nobody' }]),
				echoNode(),
				{ name: 'After', type: 'n8n-nodes-base.noOp', parameters: {} },
			),
			{ credentials: credentials(), nodeTypes },
		);

		expect(result.status).toBe('error');
		// Like n8n, the engine stores errors as plain copies (own fields + message + stack).
		expect(result.error).toMatchObject({ name: 'NodeApiError', node: { name: 'Echo' } });
		expect(result.error?.message).toBe('The resource you are requesting could not be found');
		expect((result.error as NodeApiError).httpCode).toBe('404');
		expect(result.lastNodeExecuted).toBe('Echo');
		expect(result.nodeError('Echo')?.message).toBe(result.error?.message);
		expect(result.executedNodes).toEqual(['Manual Trigger', 'Items', 'Echo']);
		expect(() => result.output('Echo')).toThrow(
			/Node "Echo" failed: The resource you are requesting/,
		);
		expect(() => result.output('After')).toThrow(/Node "After" did not run/);
	});

	test('reports a missing credential the way n8n does', async () => {
		const result = await runWorkflow(usersWorkflow([{ userId: 'alice' }]), { nodeTypes });
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain(
			`Credential with ID "${CREDENTIAL_ID}" does not exist for type "harnessTestApi".`,
		);
	});

	test('runs workflow and credential JSON fixtures (the files the real-n8n e2e tests import)', async () => {
		const workflow = loadWorkflowFile('test/workflows/harness/fixtures/echo.workflow.json');
		const seeds = loadCredentialsFile('test/workflows/harness/fixtures/credentials.json', {
			[CREDENTIAL_ID]: { baseUrl: api.url },
		});
		const store = new CredentialStore(seeds);

		const result = await runWorkflow(workflow, { credentialStore: store, nodeTypes });

		expect(result.status).toBe('success');
		expect(result.json('Echo')).toEqual([
			{ user: 'alice', token: 'tok-1', client: 'harness' },
			{ user: 'bob', token: 'tok-1', client: 'harness' },
		]);
		expect(store.getData(CREDENTIAL_ID).token).toBe('tok-1');
	});

	test('credential test runs the test request and always runs preAuthentication', async () => {
		const ok = await testCredentials('harnessTestApi', {
			baseUrl: api.url,
			secret: SECRET,
			token: 'tok-stale',
		});
		expect(ok).toMatchObject({ status: 'OK', message: 'Connection successful!' });
		expect(ok.credentialsHelper.preAuthenticationCalls).toEqual([
			expect.objectContaining({ testingCredentials: true }),
		]);
		expect(ok.credentialStore.getData('credential-under-test').token).toBe('tok-1');

		const bad = await testCredentials('harnessTestApi', { baseUrl: api.url, secret: 'wrong' });
		expect(bad.status).toBe('Error');
		expect(bad.message).toBe('Forbidden - perhaps check your credentials?');
	});
});
