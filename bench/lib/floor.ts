/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- benchmark tooling, not shipped: packs the throwaway floor node (node:fs/os/path, tar, __dirname) */
/**
 * Packs bench/floor-node (the (d) floor node, compiled by bench/tsconfig.json into build/bench/floor-node)
 * into a community-package tarball the e2e harness installs next to n8n-nodes-openim.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { run } from '../../test/e2e/proc';
import { REPO_ROOT } from '../../test/e2e/runtime';

const NODE_FILE = join('nodes', 'OpenImBenchFloor', 'OpenImBenchFloor.node.js');

export async function packFloorNode(): Promise<string> {
	const compiled = join(__dirname, '..', 'floor-node', NODE_FILE);
	if (!existsSync(compiled)) {
		throw new Error(`${compiled} is missing: compile the benchmark first (npx tsc -p bench/tsconfig.json)`);
	}
	const root = mkdtempSync(join(tmpdir(), 'openim-bench-floor-'));
	const pkg = join(root, 'package');
	mkdirSync(join(pkg, 'dist', 'nodes', 'OpenImBenchFloor'), { recursive: true });
	copyFileSync(join(REPO_ROOT, 'bench', 'floor-node', 'package.json'), join(pkg, 'package.json'));
	copyFileSync(compiled, join(pkg, 'dist', NODE_FILE));
	const tgz = join(root, 'n8n-nodes-openim-bench-floor-0.0.0.tgz');
	const tar = await run('tar', ['-czf', tgz, '-C', root, 'package'], { timeoutMs: 60_000 });
	if (tar.code !== 0) throw new Error(`tar of the floor node failed: ${tar.stderr}`);
	return tgz;
}
