/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- e2e test tooling, not shipped: removes the packed tarball (node:fs/path, process.env) */
/** Removes the tarball the global setup packed (not one passed in with OPENIM_E2E_TGZ). */
import { rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';

export default async function globalTeardown(): Promise<void> {
	const tgz = process.env.OPENIM_E2E_PACKED_BY_SETUP;
	if (!tgz || process.env.OPENIM_E2E_KEEP === '1') return;
	const dir = dirname(tgz);
	if (basename(dir).startsWith('n8n-nodes-openim-pack-')) rmSync(dir, { recursive: true, force: true });
}
