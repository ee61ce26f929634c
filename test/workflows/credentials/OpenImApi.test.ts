/**
 * The OpenIM API credential's "Test" button as n8n runs it (declarative test request through n8n-core's
 * RoutingNode, preAuthentication first), against a sandbox of each server generation.
 */
import { OpenImApi } from '../../../credentials/OpenImApi.credentials';
import { startSandbox } from '../../../sandbox/server';
import type { Sandbox } from '../../../sandbox/server';
import { testCredentials } from '../harness';

const GENERATIONS = [
	{ generation: 'v3.8', setting: 'v3.8', secret: 'openIM123' },
	{ generation: 'v3.0', setting: 'v3.0', secret: 'openIM123' },
	{ generation: 'v2', setting: 'v2', secret: 'tuoyun' },
] as const;

describe.each(GENERATIONS)('credential Test against an OpenIM $generation sandbox', ({ generation, setting, secret }) => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 'default', generation, secret });
	});
	afterAll(async () => {
		await sandbox.close();
	});

	const test = async (data: Record<string, string> = {}) =>
		await testCredentials('openImApi', { baseUrl: sandbox.url, adminUserID: 'imAdmin', secret, senderIDs: 'hr_bot', serverVersion: 'auto', ...data }, {
			credentialTypes: [new OpenImApi()],
		});

	it.each(['auto', setting])('succeeds with Server Version %s', async (serverVersion) => {
		expect(await test({ serverVersion })).toMatchObject({ status: 'OK' });
	});

	it('explains a wrong secret and names the detected version', async () => {
		const result = await test({ secret: 'not-the-secret' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/wrong secret/i);
		expect(result.message).toContain(`[Server version: OpenIM ${{ 'v3.8': 'v3.8.1+', 'v3.0': 'v3.0–v3.8.0', v2: 'v2.x' }[generation]} (detected)]`);
	});

	it('refuses an ID that is not an admin', async () => {
		const result = await test({ adminUserID: 'alice' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/not an (OpenIM )?admin|not an OpenIM v2 app manager|not an admin user ID/);
	});
});

describe('credential Test against an OpenIM v2.0 (v2.1) sandbox', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 'default', generation: 'v2.0', secret: 'tuoyun' });
	});
	afterAll(async () => {
		await sandbox.close();
	});

	const test = async (serverVersion: string) =>
		await testCredentials('openImApi', { baseUrl: sandbox.url, adminUserID: 'imAdmin', secret: 'tuoyun', senderIDs: 'imAdmin', serverVersion }, {
			credentialTypes: [new OpenImApi()],
		});

	it('succeeds with Server Version "v2.0 to v2.1" (account check under /manager)', async () => {
		expect(await test('v2.0')).toMatchObject({ status: 'OK' });
	});

	it('with Auto-Detect fails on the missing /user/account_check (n8n resolves the URL before the detection)', async () => {
		expect(await test('auto')).toMatchObject({ status: 'Error', message: 'The resource you are requesting could not be found' });
	});
});
