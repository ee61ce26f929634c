/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @typescript-eslint/no-explicit-any -- e2e test tooling, not shipped: runs the sandbox CLI (node:*, process, timers), arbitrary control-plane JSON */
/**
 * The OpenIM sandbox, out of process, for the real-n8n tests:
 *
 *   const sandbox = await startSandbox();          // node build/sandbox/cli.js --port 0 --seed default
 *   await startSandbox({ generation: 'v2' })       // … --generation v2 (OpenIM v2.3.3's routes)
 *   sandbox.url                                    // http://127.0.0.1:<port>  (the credential's baseUrl)
 *   await sandbox.inbox('alice')                   // messages delivered to alice
 *   await sandbox.stop();
 *
 * Control plane: `/_sandbox/*` (not part of OpenIM, no token). The CLI is built by
 * `npx tsc -p tsconfig.dev.json` (the jest global setup does it when build/ is missing or stale);
 * OPENIM_SANDBOX_CLI=/path/to/cli.js runs another one.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { request } from 'undici';

import type { SandboxMessage } from '../../sandbox/types';
import { killGroup, run, spawnGroup, tail, waitForExit } from './proc';
import { REPO_ROOT } from './runtime';

export const SANDBOX_CLI = join(REPO_ROOT, 'build', 'sandbox', 'cli.js');

export interface SandboxOptions {
	/** Default seed: imAdmin, hr_bot, ops_alerts, alice, bob, carol, dave. */
	seed?: 'default' | 'none';
	secret?: string;
	/** OpenIM generation the sandbox emulates (`--generation`; default v3.8). */
	generation?: 'v3.8' | 'v3.2' | 'v3.0' | 'v2' | 'v2.0';
	/** Admin-token lifetime in seconds. */
	tokenLifetime?: number;
	port?: number;
	host?: string;
	/** The object storage beside it (`--storage`; on unless false): uploads of binary data. */
	storage?: boolean;
	/** The storage's minimum part size (`--min-part-size`), to upload small files in several parts. */
	minPartSize?: number;
	/** Extra CLI arguments. */
	args?: string[];
	/** CLI path (default: OPENIM_SANDBOX_CLI or build/sandbox/cli.js). */
	cli?: string;
	startTimeoutMs?: number;
}

/** A message as the control plane reports it (owned by sandbox/types.ts). */
export type { SandboxMessage } from '../../sandbox/types';

function sandboxCli(opts: SandboxOptions): string {
	return opts.cli ?? process.env.OPENIM_SANDBOX_CLI ?? SANDBOX_CLI;
}

function newestMtime(dir: string): number {
	let newest = 0;
	if (!existsSync(dir)) return newest;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const p = join(dir, entry.name);
		if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
		else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
	}
	return newest;
}

/**
 * Compiles the sandbox (`npx tsc -p tsconfig.dev.json` → build/) when build/sandbox/cli.js is missing or
 * older than the TypeScript it is built from (sandbox/, openim/). No-op with OPENIM_SANDBOX_CLI.
 */
export async function ensureSandboxBuilt(): Promise<void> {
	if (process.env.OPENIM_SANDBOX_CLI) return;
	const sources = Math.max(newestMtime(join(REPO_ROOT, 'sandbox')), newestMtime(join(REPO_ROOT, 'openim')));
	if (existsSync(SANDBOX_CLI) && statSync(SANDBOX_CLI).mtimeMs >= sources) return;
	const env = { ...process.env };
	delete env.NODE_ENV;
	const startedAt = Date.now();
	const res = await run('npx', ['tsc', '-p', 'tsconfig.dev.json'], { cwd: REPO_ROOT, env, timeoutMs: 600_000 });
	const fresh = existsSync(SANDBOX_CLI) && statSync(SANDBOX_CLI).mtimeMs >= startedAt - 1000;
	if (!fresh) {
		throw new Error(
			`npx tsc -p tsconfig.dev.json did not produce ${SANDBOX_CLI} (exit ${res.code}):\n${tail(res.stdout + res.stderr, 60)}`,
		);
	}
	if (res.code !== 0) {
		// tsc still emits on type errors elsewhere (tests, tools); those are the unit run's business.
		process.stdout.write(`[e2e] warning: npx tsc -p tsconfig.dev.json reported errors (build/ emitted anyway):\n${tail(res.stdout, 20)}\n`);
	}
}

export class SandboxProcess {
	private logText = '';
	private exited?: string;
	/** The object storage's URL (started with the sandbox unless `storage: false`). */
	storageUrl?: string;

	constructor(
		private readonly child: ChildProcess,
		/** Base URL, e.g. http://127.0.0.1:41234 (use it as the credential's baseUrl). */
		readonly url: string,
		initialLog: string,
	) {
		this.logText = initialLog;
		child.stdout!.on('data', (c: string) => (this.logText += c));
		child.stderr!.on('data', (c: string) => (this.logText += c));
		child.once('exit', (code, signal) => (this.exited = `exit ${code}${signal ? ` signal ${signal}` : ''}`));
	}

	get pid(): number | undefined {
		return this.child.pid;
	}

	/** Everything the sandbox printed (e.g. to check that no secret was logged). */
	logs(): string {
		return this.logText;
	}

	/** A control-plane (or OpenIM API) call; throws on a non-2xx answer. */
	async call<T = any>(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
		if (this.exited) throw new Error(`sandbox is not running (${this.exited}):\n${tail(this.logText, 20)}`);
		const res = await request(`${this.url}${path}`, {
			method,
			headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.body.text();
		if (res.statusCode < 200 || res.statusCode >= 300) {
			throw new Error(`sandbox ${method} ${path}: HTTP ${res.statusCode} ${text.slice(0, 500)}`);
		}
		try {
			return JSON.parse(text) as T;
		} catch {
			return text as unknown as T;
		}
	}

	/** `GET /_sandbox/health`. */
	health<T = any>(): Promise<T> {
		return this.call<T>('GET', '/_sandbox/health');
	}

	/** Messages delivered to `userID` (`GET /_sandbox/inbox/:userID`), oldest first. */
	async inbox(userID: string): Promise<SandboxMessage[]> {
		return asMessageList(await this.call('GET', `/_sandbox/inbox/${encodeURIComponent(userID)}`), 'inbox');
	}

	/** Every message the sandbox accepted (`GET /_sandbox/messages`). */
	async messages(): Promise<SandboxMessage[]> {
		return asMessageList(await this.call('GET', '/_sandbox/messages'), 'messages');
	}

	/** Request statistics (`GET /_sandbox/stats`). */
	stats<T = any>(): Promise<T> {
		return this.call<T>('GET', '/_sandbox/stats');
	}

	/** Back to the seed state (`POST /_sandbox/reset`, optionally with another seed). */
	reset<T = any>(seed?: 'default' | 'none'): Promise<T> {
		return this.call<T>('POST', '/_sandbox/reset', seed ? { seed } : {});
	}

	/** The runtime configuration, secret left out (`GET /_sandbox/config`). */
	config<T = any>(): Promise<T> {
		return this.call<T>('GET', '/_sandbox/config');
	}

	/** Changes the runtime configuration: {tokenLifetimeSeconds?, expireTokensAtRequest?, faults?, secret?} (`POST /_sandbox/config`). */
	configure<T = any>(config: Record<string, unknown>): Promise<T> {
		return this.call<T>('POST', '/_sandbox/config', config);
	}

	/** Expires every issued admin token (`POST /_sandbox/expire-tokens`): the next call answers 1501. */
	expireTokens<T = any>(): Promise<T> {
		return this.call<T>('POST', '/_sandbox/expire-tokens', {});
	}

	/** The users (`GET /_sandbox/users`). */
	users<T = any>(): Promise<T> {
		return this.call<T>('GET', '/_sandbox/users');
	}

	/** Adds users: [{userID, nickname?, appMangerLevel?, …}] (`POST /_sandbox/users`). */
	addUsers<T = any>(users: Array<Record<string, unknown>>): Promise<T> {
		return this.call<T>('POST', '/_sandbox/users', { users });
	}

	/** Adds groups: [{groupID, memberUserIDs, status?, …}] (`POST /_sandbox/groups`). */
	addGroups<T = any>(groups: Array<Record<string, unknown>>): Promise<T> {
		return this.call<T>('POST', '/_sandbox/groups', { groups });
	}

	/** SIGTERM (SIGKILL after 5 s) to the sandbox's process group. */
	async stop(): Promise<void> {
		if (this.exited) return;
		killGroup(this.child, 'SIGTERM');
		if (!(await waitForExit(this.child, 5_000))) {
			killGroup(this.child, 'SIGKILL');
			await waitForExit(this.child, 5_000);
		}
	}
}

/** The control plane answers `{messages:[...]}` (inbox: `{userID, messages}`). */
function asMessageList(body: any, what: string): SandboxMessage[] {
	if (Array.isArray(body?.messages)) return body.messages as SandboxMessage[];
	throw new Error(`sandbox ${what}: expected a list of messages, got ${JSON.stringify(body).slice(0, 300)}`);
}

const READY_LINE = /OpenIM sandbox ready at (http:\/\/\S+)/;
const STORAGE_LINE = /Object storage \(S3\) at (http:\/\/\S+)/;

/** Starts `node build/sandbox/cli.js --port 0 --seed default` and waits for "OpenIM sandbox ready at <url>". */
export async function startSandbox(opts: SandboxOptions = {}): Promise<SandboxProcess> {
	const cli = sandboxCli(opts);
	if (!existsSync(cli)) {
		throw new Error(`sandbox CLI not found at ${cli}; build it with: npx tsc -p tsconfig.dev.json`);
	}
	const args = [cli, '--port', String(opts.port ?? 0), '--seed', opts.seed ?? 'default'];
	if (opts.host) args.push('--host', opts.host);
	if (opts.secret) args.push('--secret', opts.secret);
	if (opts.generation) args.push('--generation', opts.generation);
	if (opts.tokenLifetime !== undefined) args.push('--token-lifetime', String(opts.tokenLifetime));
	if (opts.storage !== false) args.push('--storage');
	if (opts.minPartSize !== undefined) args.push('--min-part-size', String(opts.minPartSize));
	args.push(...(opts.args ?? []));
	const env = { ...process.env };
	delete env.NODE_OPTIONS;
	const child = spawnGroup(process.execPath, args, { cwd: REPO_ROOT, env });
	child.stdout!.setEncoding('utf8');
	child.stderr!.setEncoding('utf8');
	const timeoutMs = opts.startTimeoutMs ?? 30_000;
	let out = '';
	const url = await new Promise<string>((resolvePromise, reject) => {
		const onData = (c: string) => {
			out += c;
			const m = READY_LINE.exec(out);
			if (m) {
				cleanup();
				resolvePromise(m[1].replace(/\/$/, ''));
			}
		};
		const onExit = (code: number | null, signal: string | null) => {
			cleanup();
			reject(new Error(`sandbox exited (code ${code}, signal ${signal}) before it was ready:\n${tail(out, 30)}`));
		};
		const timer = setTimeout(() => {
			cleanup();
			killGroup(child, 'SIGKILL');
			reject(new Error(`sandbox not ready within ${timeoutMs} ms:\n${tail(out, 30)}`));
		}, timeoutMs);
		const cleanup = () => {
			clearTimeout(timer);
			child.stdout!.off('data', onData);
			child.stderr!.off('data', onData);
			child.off('exit', onExit);
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.once('exit', onExit);
		child.once('error', (err) => {
			cleanup();
			reject(err);
		});
	});
	const sandbox = new SandboxProcess(child, url, out);
	sandbox.storageUrl = STORAGE_LINE.exec(out)?.[1];
	return sandbox;
}
