/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test tooling: spawns the sandbox CLI (child_process, process, __dirname), not shipped */
/**
 * The sandbox CLI (docs/architecture.md "Sandbox CLI and control plane"): built with tsconfig.dev.json's
 * options, run out of process: ready line, options, clean stop on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';
import { request } from 'undici';

import { parseArgs } from '../../sandbox/cli';

const ROOT = join(__dirname, '..', '..');
const OUT = mkdtempSync(join(tmpdir(), 'openim-sandbox-cli-'));

/**
 * Transpiles the sandbox (and openim/, which it imports) with tsconfig.dev.json's compiler options into
 * OUT, keeping the layout build/ has. Type checking is left to `npx tsc -p tsconfig.dev.json` and lint;
 * transpiling keeps this suite fast.
 */
function compileCli(): string {
	const { config } = ts.readConfigFile(join(ROOT, 'tsconfig.dev.json'), ts.sys.readFile);
	const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
	const files = ['sandbox', 'openim'].flatMap((dir) =>
		ts.sys.readDirectory(join(ROOT, dir), ['.ts'], ['**/*.d.ts'], undefined),
	);
	for (const file of files) {
		const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
			compilerOptions: { ...options, sourceMap: false, incremental: false, declaration: false },
			fileName: file,
		});
		const target = join(OUT, relative(ROOT, file)).replace(/\.ts$/, '.js');
		mkdirSync(dirname(target), { recursive: true });
		writeFileSync(target, outputText);
	}
	return join(OUT, 'sandbox', 'cli.js');
}

function waitForReady(child: ChildProcess): Promise<string> {
	return new Promise((resolve, reject) => {
		let out = '';
		child.stdout!.on('data', (c: Buffer) => {
			out += c.toString();
			const m = /OpenIM sandbox ready at (http:\/\/\S+)/.exec(out);
			if (m) resolve(m[1]);
		});
		child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
		child.once('exit', (code) => reject(new Error(`exited with ${code} before ready:\n${out}`)));
	});
}

describe('sandbox CLI', () => {
	let cli: string;
	beforeAll(() => {
		cli = compileCli();
	});
	afterAll(() => rmSync(OUT, { recursive: true, force: true }));

	it('starts, prints the ready line, serves the options it was given and stops on SIGTERM', async () => {
		const child = spawn(
			process.execPath,
			[cli, '--port', '0', '--seed', 'none', '--secret', 'cli-secret', '--token-lifetime', '120'],
			// compiled outside the repo: resolve zod from the repo's node_modules
			{ stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') } },
		);
		try {
			const url = await waitForReady(child);
			expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
			const res = await request(`${url}/auth/get_admin_token`, {
				method: 'POST',
				headers: { operationID: 'cli' },
				body: JSON.stringify({ secret: 'cli-secret', userID: 'imAdmin' }),
			});
			const body = (await res.body.json()) as { errCode: number; data: { expireTimeSeconds: number } };
			expect(body.errCode).toBe(0);
			expect(body.data.expireTimeSeconds).toBe(120);
			const health = await request(`${url}/_sandbox/health`);
			expect(((await health.body.json()) as { users: number }).users).toBe(1);
			const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
			child.kill('SIGTERM');
			expect(await exited).toBe(0);
		} finally {
			if (child.exitCode === null) child.kill('SIGKILL');
		}
	});

	it('parses its arguments', () => {
		expect(parseArgs([])).toEqual({ port: 10002 });
		expect(parseArgs(['--host', '0.0.0.0', '--port=0', '--seed', 'none', '--token-lifetime', '30', '--verbose'])).toEqual({
			host: '0.0.0.0',
			port: 0,
			seed: 'none',
			tokenLifetimeSeconds: 30,
			verbose: true,
		});
		expect(() => parseArgs(['--seed', 'all'])).toThrow('--seed must be default or none');
		expect(() => parseArgs(['--port', 'x'])).toThrow('not a valid number');
		expect(() => parseArgs(['--token-lifetime', '0'])).toThrow('not a valid number');
		expect(() => parseArgs(['--what'])).toThrow('unknown argument');
		expect(parseArgs(['--generation', 'v2.0'])).toEqual({ port: 10002, generation: 'v2.0' });
		expect(parseArgs(['--generation', 'v3.2'])).toEqual({ port: 10002, generation: 'v3.2' });
		expect(parseArgs(['--generation', 'v3.8.1', '--admin-token-cap', '3'])).toEqual({ port: 10002, generation: 'v3.8.1', adminTokenCap: 3 });
		expect(() => parseArgs(['--generation', 'v2.1'])).toThrow('--generation must be v3.8, v3.8.1, v3.2, v3.0, v2, v2.0, got v2.1');
	});
});
