/* eslint-disable @n8n/community-nodes/no-restricted-globals -- e2e test tooling, not shipped: jest global setup (process.env, stdout) */
/**
 * Runs once before the e2e tests: checks the n8n runtimes, builds and packs the package (the path
 * reaches the test files through OPENIM_E2E_TGZ) and builds the sandbox CLI when needed.
 */
import { packPackage } from './n8n';
import { assertRuntimeInstalled, selectedVersions } from './runtime';
import { ensureSandboxBuilt } from './sandbox';

export default async function globalSetup(): Promise<void> {
	const versions = selectedVersions();
	for (const v of versions) assertRuntimeInstalled(v);
	let t = Date.now();
	const preset = !!process.env.OPENIM_E2E_TGZ;
	const tgz = await packPackage();
	if (!preset) process.env.OPENIM_E2E_PACKED_BY_SETUP = tgz; // removed by global-teardown.ts
	process.stdout.write(`\n[e2e] n8n versions: ${versions.join(', ')}; package: ${tgz} (${Date.now() - t} ms)\n`);
	t = Date.now();
	await ensureSandboxBuilt();
	process.stdout.write(`[e2e] sandbox CLI ready (${Date.now() - t} ms)\n`);
}
