/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- e2e test tooling, not shipped: spawns n8n and the sandbox (child_process, process, timers) */
/**
 * Child-process helpers for the e2e harness: every child runs in its own process group so that it and
 * anything it spawned (n8n 2.x starts task runners) can be ended by its id, never by name.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';

export interface RunResult {
	command: string;
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	durationMs: number;
	timedOut: boolean;
}

export interface RunOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	timeoutMs?: number;
	/** Called with every chunk of output (stdout and stderr), e.g. to append to a log. */
	onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
}

/** Sends `signal` to the whole process group of `child` (ignores groups that are already gone). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		/* already exited */
	}
}

export function spawnGroup(cmd: string, args: string[], opts: SpawnOptions): ChildProcess {
	return spawn(cmd, args, { ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs a command to completion, collecting its output; never rejects on a non-zero exit (check `code`). */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
	const started = Date.now();
	const command = [cmd, ...args].join(' ');
	return new Promise((resolvePromise, reject) => {
		const child = spawnGroup(cmd, args, { cwd: opts.cwd, env: opts.env });
		let stdout = '';
		let stderr = '';
		let timedOut = false;
		child.stdout!.setEncoding('utf8').on('data', (c: string) => {
			stdout += c;
			opts.onOutput?.('stdout', c);
		});
		child.stderr!.setEncoding('utf8').on('data', (c: string) => {
			stderr += c;
			opts.onOutput?.('stderr', c);
		});
		const timer =
			opts.timeoutMs === undefined
				? undefined
				: setTimeout(() => {
						timedOut = true;
						killGroup(child, 'SIGTERM');
						setTimeout(() => killGroup(child, 'SIGKILL'), 5000).unref();
					}, opts.timeoutMs);
		child.on('error', (err) => {
			if (timer) clearTimeout(timer);
			reject(new Error(`cannot run ${command}: ${err.message}`));
		});
		child.on('close', (code, signal) => {
			if (timer) clearTimeout(timer);
			// Leftovers in the group (e.g. a task runner an n8n CLI command forgot): end them too.
			killGroup(child, 'SIGKILL');
			resolvePromise({ command, code, signal, stdout, stderr, durationMs: Date.now() - started, timedOut });
		});
	});
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
	return new Promise((resolvePromise, reject) => {
		const srv = createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const addr = srv.address();
			const port = typeof addr === 'object' && addr ? addr.port : 0;
			srv.close(() => resolvePromise(port));
		});
	});
}

export function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms));
}

/** Waits for the child to exit, up to `ms`; returns true when it exited. */
export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
	return new Promise((resolvePromise) => {
		const timer = setTimeout(() => resolvePromise(false), ms);
		child.once('exit', () => {
			clearTimeout(timer);
			resolvePromise(true);
		});
	});
}

/** Last `n` lines of a text, for error messages. */
export function tail(text: string, n = 40): string {
	const lines = text.trimEnd().split('\n');
	return lines.slice(-n).join('\n');
}

/** Polls `probe` every 250 ms until it gives a value (not undefined), or fails naming `what`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(250);
	}
}
