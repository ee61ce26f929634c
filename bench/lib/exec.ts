/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions, @typescript-eslint/no-explicit-any -- benchmark tooling, not shipped: runs `n8n execute` as a child process (node:child_process spawn, node:fs), arbitrary run-data JSON */
/**
 * `n8n execute` for the benchmark, with a probe preloaded into the n8n process (NODE_OPTIONS --require):
 * at exit it writes the process's peak RSS (getrusage maxRSS = /proc VmHWM), CPU time, and an RSS
 * sample every 50 ms, so memory can be read for the whole run and for the sending node's time window,
 * and the most HTTP requests it had in flight at once (node:http diagnostics channels
 * `http.client.request.start` → `http.client.response.finish`: the client's view, which the sandbox
 * cannot see when it answers each request before reading the next).
 * Optionally with a CPU profile (the inspector's Profiler, the same data as `--cpu-prof`, which Node 20
 * does not accept in NODE_OPTIONS). Uses the e2e harness's instance (env, user folder, installed packages)
 * and its run-data parser; only the environment of this one command differs.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { extractRunJson, type N8nInstance, type N8nItem, type N8nRun } from '../../test/e2e/n8n';
import { killGroup, tail, waitForExit } from '../../test/e2e/proc';
import { n8nBin } from '../../test/e2e/runtime';

const PROBE_SOURCE = `'use strict';
// Benchmark probe (bench/lib/exec.ts): only in \`n8n execute\`; writes peak RSS, CPU and RSS samples at exit.
const fs = require('fs');
const path = require('path');
const dir = process.env.BENCH_PROBE_DIR;
if (dir && process.argv.includes('execute')) {
  const t0 = { epochMs: Date.now(), monoUs: Number(process.hrtime.bigint() / 1000n) };
  const samples = [];
  // Client-side HTTP requests in flight in this process (request created → response received).
  const http = { started: 0, inFlight: 0, maxInFlight: 0 };
  const dc = require('diagnostics_channel');
  dc.subscribe('http.client.request.start', () => { http.started++; if (++http.inFlight > http.maxInFlight) http.maxInFlight = http.inFlight; });
  dc.subscribe('http.client.response.finish', () => { http.inFlight--; });
  dc.subscribe('http.client.request.error', () => { http.inFlight--; });
  // [time, rss, cpu, arrayBuffers, VmHWM]: arrayBuffers (Buffer memory) shows copies that RSS can hide
  // when freed garbage is reused; VmHWM (only with BENCH_EXPOSE_GC) is the peak RSS since the last
  // Settle, which also sees peaks between two samples (the timer cannot fire during synchronous work).
  const exposeGc = process.env.BENCH_EXPOSE_GC === '1';
  const hwm = () => { try { return Number(/VmHWM:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) * 1024; } catch { return 0; } };
  const sample = () => { const c = process.cpuUsage(); const m = process.memoryUsage(); samples.push([Date.now(), m.rss, c.user + c.system, m.arrayBuffers, exposeGc ? hwm() : 0]); };
  const timer = setInterval(sample, 50);
  // Optional: the live heap (heapUsed right after a forced full GC) every 2 s. Changes the RSS, so
  // only for a diagnostic run (--live-heap), never for the timed or RSS runs.
  const live = [];
  // Phase upload: the floor node's "Settle" operation calls this (a full GC) right before the measured
  // node, so garbage left by the node before it (Read/Write Files) does not blur the RSS window.
  // Settle: after the GCs, reset VmHWM to the current RSS (clear_refs 5) and sample, so the measured node's
  // window starts from this sample and its peak is VmHWM at the first sample after it.
  if (exposeGc) {
    require('v8').setFlagsFromString('--expose-gc');
    const gc = require('vm').runInNewContext('gc');
    globalThis.__openimBenchGc = () => {
      gc();
      gc();
      try { fs.writeFileSync('/proc/self/clear_refs', '5'); } catch {}
      sample();
    };
    // The Mark operation right after the measured node: a sample (VmHWM = its peak) before n8n goes
    // on to print the run data, whose JSON would otherwise be the next sample's peak.
    globalThis.__openimBenchMark = sample;
  }
  if (process.env.BENCH_LIVE_HEAP === '1') {
    require('v8').setFlagsFromString('--expose-gc');
    const gc = require('vm').runInNewContext('gc');
    setInterval(() => { gc(); live.push([Date.now(), process.memoryUsage().heapUsed]); }, 2000).unref();
  }
  // CPU profile (NODE_OPTIONS may not carry --cpu-prof on Node 20): the inspector, stopped and written at exit.
  const profDir = process.env.BENCH_CPU_PROF_DIR;
  let session;
  if (profDir) {
    const inspector = require('inspector');
    session = new inspector.Session();
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 1000 });
    session.post('Profiler.start');
  }
  timer.unref();
  process.on('exit', () => {
    sample();
    if (session) {
      // Same-thread inspector sessions answer synchronously, so this completes inside the exit handler.
      session.post('Profiler.stop', (err, res) => {
        if (!err && res && res.profile) fs.writeFileSync(path.join(profDir, 'n8n-' + process.pid + '.cpuprofile'), JSON.stringify(res.profile));
      });
    }
    const ru = process.resourceUsage();
    fs.writeFileSync(path.join(dir, 'probe-' + process.pid + '.json'), JSON.stringify({
      pid: process.pid, argv: process.argv.slice(2), t0,
      maxRssBytes: ru.maxRSS * 1024, userCpuUs: ru.userCPUTime, systemCpuUs: ru.systemCPUTime, http, samples, live,
    }));
  });
}
`;

let probeFile: string | undefined;

function probePreload(): string {
	if (probeFile && existsSync(probeFile)) return probeFile;
	const dir = mkdtempSync(join(tmpdir(), 'openim-bench-probe-'));
	probeFile = join(dir, 'probe.cjs');
	writeFileSync(probeFile, PROBE_SOURCE);
	return probeFile;
}

/** Removes the probe's temporary directory (end of the benchmark). */
export function removeProbe(): void {
	if (probeFile) rmSync(dirname(probeFile), { recursive: true, force: true });
	probeFile = undefined;
}

export interface Probe {
	pid: number;
	argv: string[];
	/** Date.now() and the monotonic clock (µs) at process start, to place CPU-profile samples in time. */
	t0: { epochMs: number; monoUs: number };
	maxRssBytes: number;
	userCpuUs: number;
	systemCpuUs: number;
	/** HTTP requests this process made (node:http diagnostics channels), and the most in flight at once. */
	http: { started: number; inFlight: number; maxInFlight: number };
	/** [Date.now(), rss bytes, process CPU time µs, arrayBuffers bytes, VmHWM bytes (0 unless exposeGc)] every 50 ms. */
	samples: Array<[number, number, number, number, number]>;
	/** With liveHeap: [Date.now(), heapUsed bytes right after a full GC] every 2 s. */
	live: Array<[number, number]>;
}

export interface NodeTiming {
	startTime: number;
	executionTime: number;
	items: N8nItem[];
}

export interface ExecOutcome {
	run: N8nRun;
	wallMs: number;
	probe: Probe;
	/** The .cpuprofile written by --cpu-prof, if asked for. */
	cpuProfile?: string;
	node(name: string): NodeTiming;
}

export interface ExecOptions {
	/** Write a V8 CPU profile of the n8n process into this directory. */
	cpuProfDir?: string;
	/** Force a full GC every 2 s and record the live heap (diagnostic only: changes RSS and timing). */
	liveHeap?: boolean;
	/** Let the floor node's Settle operation force a full GC (globalThis.__openimBenchGc). */
	exposeGc?: boolean;
	/** More NODE_OPTIONS for the n8n process (e.g. --max-semi-space-size=32). */
	nodeOptions?: string;
	timeoutMs?: number;
}

interface FileRunResult {
	code: number | null;
	stdout: string;
	stderr: string;
	durationMs: number;
	timedOut: boolean;
}

/**
 * Runs a command with stdout/stderr going to files, not pipes. `n8n execute --rawOutput` prints the
 * whole run data (tens of MB at 50,000 items) and then calls process.exit(): into a pipe, whatever the
 * reader has not drained yet is lost (seen: the JSON cut off mid-item); into a file the writes are synchronous.
 */
async function runToFiles(
	cmd: string,
	args: string[],
	opts: { cwd: string; env: NodeJS.ProcessEnv; dir: string; timeoutMs: number },
): Promise<FileRunResult> {
	const outFile = join(opts.dir, 'stdout.txt');
	const errFile = join(opts.dir, 'stderr.txt');
	const out = openSync(outFile, 'w');
	const err = openSync(errFile, 'w');
	const started = Date.now();
	let timedOut = false;
	let code: number | null = null;
	try {
		const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', out, err] });
		const exited = new Promise<number | null>((resolve, reject) => {
			child.once('error', reject);
			child.once('exit', (c) => resolve(c));
		});
		if (!(await waitForExit(child, opts.timeoutMs))) {
			timedOut = true;
			killGroup(child, 'SIGTERM');
			if (!(await waitForExit(child, 10_000))) killGroup(child, 'SIGKILL');
		}
		code = await exited;
		killGroup(child, 'SIGKILL'); // leftovers of the group (task runners on 2.x)
	} finally {
		closeSync(out);
		closeSync(err);
	}
	return {
		code,
		stdout: readFileSync(outFile, 'utf8'),
		stderr: readFileSync(errFile, 'utf8'),
		durationMs: Date.now() - started,
		timedOut,
	};
}

export async function executeWorkflow(n8n: N8nInstance, workflowId: string, opts: ExecOptions = {}): Promise<ExecOutcome> {
	const probeDir = mkdtempSync(join(tmpdir(), 'openim-bench-run-'));
	try {
		const nodeOptions = `--require ${probePreload()}${opts.nodeOptions ? ` ${opts.nodeOptions}` : ''}`;
		if (opts.cpuProfDir) mkdirSync(opts.cpuProfDir, { recursive: true });
		const before = opts.cpuProfDir ? new Set(readdirSync(opts.cpuProfDir)) : new Set<string>();
		const res = await runToFiles(n8nBin(n8n.version), ['execute', `--id=${workflowId}`, '--rawOutput'], {
			cwd: n8n.userFolder,
			env: {
				...n8n.env(),
				NODE_OPTIONS: nodeOptions,
				BENCH_PROBE_DIR: probeDir,
				...(opts.cpuProfDir ? { BENCH_CPU_PROF_DIR: opts.cpuProfDir } : {}),
				...(opts.liveHeap ? { BENCH_LIVE_HEAP: '1' } : {}),
				...(opts.exposeGc ? { BENCH_EXPOSE_GC: '1' } : {}),
			},
			dir: probeDir,
			timeoutMs: opts.timeoutMs ?? 600_000,
		});
		const runData = extractRunJson(res.stdout);
		if (!runData) {
			throw new Error(
				`n8n execute --id=${workflowId} printed no run data (exit ${res.code}${res.timedOut ? ', timed out' : ''}):\n` +
					`${tail(res.stdout, 30)}\n--- stderr ---\n${tail(res.stderr, 20)}`,
			);
		}
		const { runData: nodes, error } = runData.data.resultData;
		const failed = Object.entries(nodes).find(([, tasks]) => tasks.some((t) => t.error));
		if (error || failed) {
			const e: any = error ?? failed?.[1].find((t) => t.error)?.error;
			throw new Error(
				`workflow ${workflowId} failed in node "${e?.node?.name ?? failed?.[0] ?? '?'}": ${e?.message ?? 'error'} ${e?.description ?? ''}`,
			);
		}
		const probes = readdirSync(probeDir)
			.filter((f) => f.startsWith('probe-'))
			.map((f) => JSON.parse(readFileSync(join(probeDir, f), 'utf8')) as Probe)
			.filter((p) => p.argv.includes('execute'));
		if (probes.length === 0) throw new Error(`the benchmark probe wrote nothing for ${workflowId} (NODE_OPTIONS ignored?)`);
		const probe = probes.sort((a, b) => a.t0.epochMs - b.t0.epochMs)[0];
		let cpuProfile: string | undefined;
		if (opts.cpuProfDir) {
			const fresh = readdirSync(opts.cpuProfDir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
			const mine = fresh.find((f) => f === `n8n-${probe.pid}.cpuprofile`) ?? fresh[0];
			if (mine) cpuProfile = join(opts.cpuProfDir, mine);
		}
		return {
			run: runData,
			wallMs: res.durationMs,
			probe,
			cpuProfile,
			node(name: string): NodeTiming {
				const task = nodes[name]?.[0];
				if (!task) throw new Error(`node "${name}" did not run in ${workflowId}`);
				return {
					startTime: task.startTime ?? 0,
					executionTime: task.executionTime ?? 0,
					items: task.data?.main?.[0] ?? [],
				};
			},
		};
	} finally {
		rmSync(probeDir, { recursive: true, force: true });
	}
}

/** CPU time (ms) the process used between the samples that bracket [fromMs, toMs]. */
export function cpuWindowMs(probe: Probe, fromMs: number, toMs: number): number {
	let start = probe.samples[0];
	let end = probe.samples[probe.samples.length - 1];
	for (const s of probe.samples) {
		if (s[0] <= fromMs) start = s;
		if (s[0] >= toMs) {
			end = s;
			break;
		}
	}
	return (end[2] - start[2]) / 1000;
}

/** Peak RSS sampled inside [fromMs, toMs] (epoch ms), and the last sample before fromMs. */
export function rssWindow(probe: Probe, fromMs: number, toMs: number, column = 1): { beforeBytes: number; peakBytes: number } {
	let beforeBytes = probe.samples[0]?.[column] ?? 0;
	let peakBytes = 0;
	for (const sample of probe.samples) {
		const [t] = sample;
		const value = sample[column] ?? 0;
		if (t < fromMs) beforeBytes = value;
		else if (t <= toMs + 100) peakBytes = Math.max(peakBytes, value);
	}
	return { beforeBytes, peakBytes: Math.max(peakBytes, beforeBytes) };
}

/**
 * With exposeGc: RSS at the last sample before fromMs (the Settle node's, right after its GC and the
 * VmHWM reset) and the peak RSS from then to the first sample at or after toMs (VmHWM there).
 */
export function hwmWindow(probe: Probe, fromMs: number, toMs: number): { beforeBytes: number; peakBytes: number } | undefined {
	let beforeBytes: number | undefined;
	let peakBytes = 0;
	for (const sample of probe.samples) {
		const [t, rss, , , hwm] = sample;
		if (t < fromMs) {
			beforeBytes = rss;
			continue;
		}
		peakBytes = Math.max(peakBytes, hwm ?? 0);
		if (t >= toMs) break;
	}
	if (beforeBytes === undefined || peakBytes === 0) return undefined;
	return { beforeBytes, peakBytes: Math.max(peakBytes, beforeBytes) };
}

/** The same window over the arrayBuffers column (Buffer memory). */
export const arrayBuffersWindow = (probe: Probe, fromMs: number, toMs: number) => rssWindow(probe, fromMs, toMs, 3);
