/**
 * Shared setup for in-process workflow tests of this package: the OpenIM sandbox in-process,
 * the OpenIM API credential, and an "items → OpenIM Notify" workflow runner.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { OpenImApi } from '../../credentials/OpenImApi.credentials';
import { OpenImNotify } from '../../nodes/OpenImNotify/OpenImNotify.node';
import { startSandbox } from '../../sandbox/server';
import type { Sandbox, SandboxOptions } from '../../sandbox/server';
import { CredentialStore, itemsNode, linearWorkflow, manualTriggerNode, packageNodeTypes, runWorkflow } from './harness';
import type { HarnessNode, WorkflowRunResult } from './harness';

export const CREDENTIAL_ID = 'openImCred0001';
export const NOTIFY = 'OpenIM Notify';

export interface OpenImTestContext {
	sandbox: Sandbox;
	store: CredentialStore;
	credentialData(overrides?: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject;
	/** Runs Items → OpenIM Notify with `parameters`; the credential lives in `store` across runs. */
	run(items: IDataObject[], parameters: INodeParameters, node?: Partial<HarnessNode>, executionId?: string): Promise<WorkflowRunResult>;
}

export async function openImTestContext(options: Partial<SandboxOptions> = {}): Promise<OpenImTestContext> {
	const sandbox = await startSandbox({ seed: 'default', ...options });
	const credentialData = (overrides: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject => ({
		baseUrl: sandbox.url,
		adminUserID: 'imAdmin',
		secret: options.secret ?? 'openIM123',
		senderIDs: 'hr_bot, ops_alerts, imAdmin',
		...overrides,
	});
	const store = new CredentialStore({ [CREDENTIAL_ID]: { type: 'openImApi', name: 'OpenIM sandbox', data: credentialData() } });
	const context: OpenImTestContext = {
		sandbox,
		store,
		credentialData,
		run: async (items, parameters, node = {}, executionId = undefined) =>
			await runWorkflow(
				linearWorkflow(manualTriggerNode(), itemsNode(items), {
					name: NOTIFY,
					type: 'n8n-nodes-openim.openImNotify',
					parameters,
					credentials: { openImApi: { id: CREDENTIAL_ID, name: 'OpenIM sandbox' } },
					...node,
				}),
				{
					credentialStore: context.store,
					nodeTypes: packageNodeTypes(new OpenImNotify()),
					credentialTypes: [new OpenImApi()],
					executionId,
				},
			),
	};
	return context;
}

/** One in-process sandbox per test file, back to its seed before each test. */
export function useOpenImSandbox(options: Partial<SandboxOptions> = {}): OpenImTestContext {
	const ctx = {} as OpenImTestContext;
	beforeAll(async () => {
		Object.assign(ctx, await openImTestContext(options));
	});
	afterAll(async () => {
		await ctx.sandbox.close();
	});
	beforeEach(() => {
		ctx.sandbox.reset('default');
	});
	return ctx;
}

/** Notification → Send parameters with the required fields filled. */
export function notification(overrides: INodeParameters = {}): INodeParameters {
	return {
		resource: 'notification',
		operation: 'send',
		sendID: 'hr_bot',
		recvID: { __rl: true, mode: 'id', value: '={{ $json.userID }}' },
		notificationName: 'Welcome aboard',
		text: 'Your first day is Monday.',
		notificationType: 1,
		mixType: 0,
		options: {},
		...overrides,
	};
}

/** Message → Send parameters: a text from imAdmin to the user in `$json.userID`. */
export function textMessage(overrides: INodeParameters = {}): INodeParameters {
	return {
		resource: 'message',
		operation: 'send',
		sendID: 'imAdmin',
		sessionType: 1,
		recipientMode: 'user',
		recvID: { __rl: true, mode: 'id', value: '={{ $json.userID }}' },
		contentType: 101,
		messageText: 'Build #42 failed',
		options: {},
		...overrides,
	};
}

/** Every string an output or error could leak: the secret and every token the sandbox issued. */
export function assertNoSecrets(sandbox: Sandbox, result: WorkflowRunResult, secret = 'openIM123'): void {
	const text = JSON.stringify({ runData: result.runData, error: result.error && { ...result.error, message: result.error.message, description: result.error.description } });
	expect(text).not.toContain(secret);
	expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
	void sandbox;
}
