/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test tooling, not shipped: reaches n8n-core's own DI container */
/**
 * One-time process setup n8n-core needs before `WorkflowExecute` can run outside the n8n CLI.
 *
 * - Expressions: n8n-workflow can evaluate expressions in an isolated-vm sandbox ("vm") or in
 *   process ("legacy"). isolated-vm has no native build for Node 20 here, and only the CLI ever
 *   initialises the vm engine, so the harness pins the legacy engine (test/setup-env.ts also
 *   sets N8N_EXPRESSION_ENGINE=legacy for anything that reads @n8n/config).
 * - DI: n8n-core resolves services from `Container` of *its own* copy of `@n8n/di` (it pins a
 *   different version than the one hoisted to node_modules/@n8n/di), so the container is loaded
 *   relative to n8n-core. Every node execution context eagerly gets `InstanceSettings`, whose
 *   real constructor reads or creates `~/.n8n/config`; the harness registers an in-memory one.
 */
import { InstanceSettings } from 'n8n-core';
import { Expression } from 'n8n-workflow';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

interface DiContainer {
	get<T>(type: abstract new (...args: never[]) => T): T;
	set<T>(type: abstract new (...args: never[]) => T, instance: T): void;
}

/**
 * The DI container n8n-core itself uses: `@n8n/di` resolved from n8n-core's directory, loaded
 * with this module's `require` so that under Jest it is the same module instance n8n-core got
 * from Jest's module registry (a `createRequire` require would bypass the registry).
 */
const diPath = require.resolve('@n8n/di', { paths: [dirname(require.resolve('n8n-core'))] });
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const coreContainer = (require(diPath) as { Container: DiContainer }).Container;

/** Fixed, test-only seed for the in-memory InstanceSettings (nothing is encrypted with it). */
const HARNESS_INSTANCE_SEED = 'n8n-nodes-openim-workflow-harness';

/** What `this.getInstanceId()` returns inside nodes run by the harness. */
export const HARNESS_INSTANCE_ID = createHash('sha256').update(HARNESS_INSTANCE_SEED).digest('hex');

function harnessInstanceSettings(): InstanceSettings {
	const n8nFolder = join(tmpdir(), 'n8n-nodes-openim-harness', '.n8n');
	const settings = Object.create(InstanceSettings.prototype) as InstanceSettings;
	Object.assign(settings, {
		n8nFolder,
		staticCacheDir: join(n8nFolder, 'cache'),
		customExtensionDir: join(n8nFolder, 'custom'),
		nodesDownloadDir: join(n8nFolder, 'nodes'),
		settingsFile: join(n8nFolder, 'config'),
		enforceSettingsFilePermissions: { enforce: false, warning: false },
		instanceRole: 'unset',
		instanceType: 'main',
		isMultiMainEnabled: false,
		isMultiMainLicensed: false,
		hostId: 'main-workflow-harness',
		settings: { encryptionKey: HARNESS_INSTANCE_SEED },
		instanceId: HARNESS_INSTANCE_ID,
		hmacSignatureSecret: createHash('sha256')
			.update(`hmac-signature:${HARNESS_INSTANCE_SEED}`)
			.digest('hex'),
	});
	return settings;
}

let prepared = false;

/** Idempotent; called by `runWorkflow` and `testCredentials`. */
export function prepareEngine(): void {
	Expression.setExpressionEngine('legacy');
	if (prepared) return;
	prepared = true;
	// (`Container.has` only says a class is decorated with @Service, not that an instance exists.)
	coreContainer.set(InstanceSettings, harnessInstanceSettings());
	// Trigger contexts create the SSH client manager, whose 60-second cleanup interval would keep
	// Jest alive after the tests; no test uses SSH, so stop it up front.
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { SSHClientsManager } = require('n8n-core/dist/execution-engine/ssh-clients-manager') as {
		SSHClientsManager: abstract new (...args: never[]) => { onShutdown(): void };
	};
	coreContainer.get(SSHClientsManager).onShutdown();
}
