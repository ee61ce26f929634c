/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test tooling, not shipped: runs npm and the scanner as child processes on scratch copies (child_process, node:fs, process, __dirname) */
/**
 * What `npm pack` (and so `npm publish`) ships: only the built dist/, the READMEs (English and 简体中文), LICENSE and package.json —
 * no tests, sandbox, tools or TypeScript sources. Needs `npm run build` first (scripts/test-all.sh builds
 * before it runs jest).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

interface PackEntry {
	path: string;
}

describe('npm pack content', () => {
	let files: string[];
	const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
		n8n: { nodes: string[]; credentials: string[] };
	};

	beforeAll(() => {
		if (!existsSync(join(ROOT, 'dist/nodes'))) throw new Error('dist/ is missing: run `npm run build` first');
		const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
		files = (JSON.parse(out) as Array<{ files: PackEntry[] }>)[0].files.map((f) => f.path).sort();
	});

	it('holds only dist/, README.md, README.zh-CN.md, LICENSE.md and package.json', () => {
		const outside = files.filter((f) => !f.startsWith('dist/'));
		expect(outside).toEqual(['LICENSE.md', 'README.md', 'README.zh-CN.md', 'package.json']);
	});

	it('ships no tests, sandbox, tools or sources (only compiled JS, declarations, maps, codex JSON and icons)', () => {
		const dist = files.filter((f) => f.startsWith('dist/'));
		expect(dist.filter((f) => !/\.(js|d\.ts|js\.map|node\.json|svg)$/.test(f))).toEqual([]);
		expect(dist.filter((f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f))).toEqual([]);
		expect(dist.filter((f) => /(^|\/)(test|sandbox|tools|bench|examples|scripts|build)\//.test(f))).toEqual([]);
		const topDirs = [...new Set(dist.map((f) => f.split('/')[1]))].sort();
		expect(topDirs).toEqual(['credentials', 'icons', 'nodes', 'openim']);
		// openim/ holds the wire types (zod, dev only) too: only the plain constants ship
		expect(dist.filter((f) => f.startsWith('dist/openim/') && !f.startsWith('dist/openim/constants.'))).toEqual([]);
	});

	it('contains every node and credential package.json registers, with both icons', () => {
		for (const entry of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(files).toContain(entry);
		expect(files).toEqual(expect.arrayContaining(['dist/icons/openim.svg', 'dist/icons/openim.dark.svg']));
	});

	it('source maps carry no embedded sources', () => {
		for (const map of files.filter((f) => f.endsWith('.js.map'))) {
			expect(JSON.parse(readFileSync(join(ROOT, map), 'utf8'))).not.toHaveProperty('sourcesContent');
		}
	});
});
