/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test tooling, not shipped: runs npm and the scanner as child processes on scratch copies (child_process, node:fs, process, __dirname) */
/**
 * tools/scan-package.mjs (n8n's @n8n/scan-community-package on a local tree) must catch what n8n's
 * verification would: a `console.log` planted in a scratch copy of nodes/ (source leg) and in a
 * scratch unpacked package's compiled JS (tarball leg). The real tree is scanned clean by
 * scripts/test-all.sh's own step.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

describe('tools/scan-package.mjs', () => {
	let scratch: string;
	beforeAll(() => {
		scratch = mkdtempSync(join(tmpdir(), 'openim-scan-test-'));
	});
	afterAll(() => rmSync(scratch, { recursive: true, force: true }));

	it('fails on a console.log planted in nodes/ and in the packed JS, naming rule and file on each leg', () => {
		const source = join(scratch, 'source');
		for (const part of ['package.json', 'nodes', 'credentials']) {
			cpSync(join(ROOT, part), join(source, part), { recursive: true });
		}
		appendFileSync(join(source, 'nodes/OpenImNotify/shared/input.ts'), '\nconsole.log("planted");\n');

		const pkg = join(scratch, 'package');
		mkdirSync(join(pkg, 'dist/nodes/OpenImNotify'), { recursive: true });
		cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
		writeFileSync(
			join(pkg, 'dist/nodes/OpenImNotify/planted.js'),
			'"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nconsole.log("planted");\n',
		);

		const run = spawnSync(process.execPath, ['tools/scan-package.mjs', '--source', source, '--package', pkg], {
			cwd: ROOT,
			encoding: 'utf8',
			timeout: 120_000,
		});
		const out = run.stdout + run.stderr;
		expect(run.status).toBe(1);
		const [sourceLeg, tarballLeg] = out.split(/^scan tarball: /m);
		expect(sourceLeg).toMatch(/^scan source: FINDINGS/m);
		expect(sourceLeg).toContain('nodes/OpenImNotify/shared/input.ts');
		expect(sourceLeg).toMatch(/no-console/);
		expect(tarballLeg).toMatch(/^FINDINGS/);
		expect(tarballLeg).toContain('dist/nodes/OpenImNotify/planted.js');
		expect(tarballLeg).toMatch(/no-console/);
	}, 180_000);
});
