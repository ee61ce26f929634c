/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- benchmark tooling, not shipped: drives real n8n and the sandbox as child processes (node:*, process), prints its report on the console */
/**
 * npm run bench [-- --quick] [--n8n 1.123.81|2.41.1] [--concurrency 8] [--verify on|off] [--repeat N] [--no-profile]
 *
 * Issue #6, benchmark part. One sandbox process, one real n8n instance, one concurrency, in one run:
 *   (a) raw undici keep-alive client (the wire limit), plus node:http with a new connection per request
 *   (b) OpenIM Notify in real n8n
 *   (c) n8n's HTTP Request node (v4.2, token from a prior node), unbatched and batched
 *   (d) the floor node (bench/floor-node): one this.helpers.httpRequest per item
 * Phase `upload` (issue #12): binary files uploaded through OpenIM's object storage and sent, raw client
 * vs the node (bench/lib/upload.ts), and the floor node only reading the binary (n8n's own copy).
 * Workloads: N single-recipient notifications (recipient from an expression), one notification to
 * 10,000 recipients (per-item fan-out), peak RSS at 50,000 items. Throughput is items / the sending
 * node's `executionTime` from the run data; wall time (n8n boot included) is printed too. Max in-flight
 * comes from the sandbox's statistics, reset before every run. Ends with one JSON line.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { createN8nInstance, packPackage, type N8nInstance, type N8nItem } from '../test/e2e/n8n';
import { ensureSandboxBuilt, startSandbox, type SandboxProcess } from '../test/e2e/sandbox';
import { openImCredential, SANDBOX_ADMIN, SANDBOX_SECRET } from '../test/e2e/fixtures';
import { N8N_VERSIONS, type N8nVersion } from '../test/e2e/runtime';
import type { SandboxStats } from '../sandbox/types';
import { arrayBuffersWindow, cpuWindowMs, executeWorkflow, hwmWindow, removeProbe, rssWindow, type ExecOutcome } from './lib/exec';
import { packFloorNode } from './lib/floor';
import { summariseProfile, type ProfileSummary } from './lib/profile';
import { queueBenchMain } from './lib/queue';
import { rawNewConnection, rawUndici, type RawResult } from './lib/raw';
import { floorReadWorkflow, rawUpload, UPLOAD_NODE, uploadWorkflow, writeUploadFiles, type RawUploadResult, type UploadFiles } from './lib/upload';
import {
	SENDER_NODE,
	floorWorkflow,
	httpRequestWorkflow,
	notifyListWorkflow,
	notifyWorkflow,
	userId,
	USER_PREFIX,
} from './lib/workflows';

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

interface Options {
	quick: boolean;
	version: N8nVersion;
	concurrency: number;
	verify: boolean;
	repeat: number;
	sends: number;
	fanout: number;
	rssItems: number;
	/** Server-side latency added to every /msg/send_msg (sandbox stall fault), ms; 0 = none. */
	serverLatencyMs: number;
	/** More NODE_OPTIONS for every n8n execute (V8 heap flags, for what-if runs). */
	n8nNodeOptions: string;
	/** Also measure the live heap (forced GC) at rssItems for (b) and (d): a diagnostic, slower. */
	liveHeap: boolean;
	/** Which parts to run: a, b, c, d, dauth, fanout, rss, upload, profile. */
	phases: Set<string>;
	/** Phase upload: this many small files of uploadFileKB each, and one file of uploadBigMB. */
	uploadFiles: number;
	uploadFileKB: number;
	uploadBigMB: number;
	/** N8N_DEFAULT_BINARY_DATA_MODE for n8n (default: n8n's own, memory on 1.x, filesystem on 2.x). */
	binaryMode?: 'default' | 'filesystem';
}

const ALL_PHASES = ['a', 'b', 'c', 'd', 'dauth', 'fanout', 'rss', 'upload', 'profile'];

const USAGE =
	'usage: npm run bench -- [--quick] [--n8n 1.123.81|2.41.1] [--concurrency 8] [--verify on|off] [--repeat N] [--no-profile] [--sends N] [--fanout N] [--rss-items N] [--server-latency MS] [--phases a,b,c,d,dauth,fanout,rss,upload,profile] [--upload-files N] [--upload-file-kb N] [--upload-big-mb N] [--binary-mode default|filesystem] [--live-heap] [--n8n-node-options "--max-semi-space-size=32"]';

function parseArgs(argv: string[]): Options {
	const o: Options = {
		quick: false,
		version: '1.123.81',
		concurrency: 8,
		verify: true,
		repeat: 0,
		sends: 0,
		fanout: 0,
		rssItems: 0,
		serverLatencyMs: 0,
		liveHeap: false,
		n8nNodeOptions: '',
		phases: new Set(ALL_PHASES),
		uploadFiles: 0,
		uploadFileKB: 0,
		uploadBigMB: 0,
	};
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].includes('=') ? argv[i].split(/=(.*)/s) : [argv[i], undefined];
		const value = (): string => {
			const v = inline ?? argv[++i];
			if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
			return v;
		};
		const int = (): number => {
			const v = Number(value());
			if (!Number.isInteger(v) || v < 1) throw new Error(`${flag} needs a positive whole number\n${USAGE}`);
			return v;
		};
		switch (flag) {
			case '--quick':
				o.quick = true;
				break;
			case '--n8n': {
				const v = value();
				if (!(N8N_VERSIONS as readonly string[]).includes(v)) throw new Error(`--n8n: one of ${N8N_VERSIONS.join(', ')}`);
				o.version = v as N8nVersion;
				break;
			}
			case '--concurrency':
				o.concurrency = int();
				break;
			case '--verify': {
				const v = value();
				if (v !== 'on' && v !== 'off') throw new Error(`--verify on|off\n${USAGE}`);
				o.verify = v === 'on';
				break;
			}
			case '--repeat':
				o.repeat = int();
				break;
			case '--no-profile':
				o.phases.delete('profile');
				break;
			case '--phases': {
				const list = value().split(',').map((p) => p.trim()).filter(Boolean);
				for (const p of list) if (!ALL_PHASES.includes(p)) throw new Error(`--phases: unknown phase ${p} (known: ${ALL_PHASES.join(',')})`);
				o.phases = new Set(list);
				break;
			}
			case '--sends':
				o.sends = int();
				break;
			case '--fanout':
				o.fanout = int();
				break;
			case '--rss-items':
				o.rssItems = int();
				break;
			case '--upload-files':
				o.uploadFiles = int();
				break;
			case '--upload-file-kb':
				o.uploadFileKB = int();
				break;
			case '--upload-big-mb':
				o.uploadBigMB = int();
				break;
			case '--n8n-node-options':
				o.n8nNodeOptions = value();
				break;
			case '--live-heap':
				o.liveHeap = true;
				break;
			case '--binary-mode': {
				const mode = value();
				if (mode !== 'default' && mode !== 'filesystem') throw new Error(`--binary-mode takes default or filesystem\n${USAGE}`);
				o.binaryMode = mode;
				break;
			}
			case '--server-latency':
				o.serverLatencyMs = int();
				break;
			case '-h':
			case '--help':
				console.log(USAGE);
				process.exit(0);
				break;
			default:
				throw new Error(`unknown argument ${argv[i]}\n${USAGE}`);
		}
	}
	o.sends ||= o.quick ? 500 : 5000;
	o.fanout ||= o.quick ? 1000 : 10000;
	o.rssItems ||= o.quick ? 5000 : 50000;
	o.repeat ||= o.quick ? 1 : 3;
	o.uploadFiles ||= o.quick ? 20 : 200;
	o.uploadFileKB ||= 200;
	o.uploadBigMB ||= o.quick ? 20 : 100;
	return o;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const MB = 1024 * 1024;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const elapsed = (() => {
	const t0 = Date.now();
	return () => `${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s`;
})();
const log = (line: string) => console.log(`[bench ${elapsed()}] ${line}`);

async function seedUsers(sandbox: SandboxProcess, n: number): Promise<void> {
	for (let start = 0; start < n; start += 10000) {
		const users = [];
		for (let i = start; i < Math.min(n, start + 10000); i++) users.push({ userID: userId(i), nickname: `Bench User ${i}` });
		await sandbox.addUsers(users);
	}
}

let serverLatencyMs = 0;
let n8nNodeOptions = '';

/** CPU time (user + system) a process has used so far, from /proc/<pid>/stat, in ms. */
function processCpuMs(pid: number | undefined): number {
	if (!pid) return 0;
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		// fields[0] is field 3 (state): utime is field 14, stime field 15, in clock ticks (USER_HZ = 100 on Linux).
		return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
	} catch {
		return 0;
	}
}

/** Back to the seed state (statistics, messages) with `users` benchmark recipients. */
async function freshSandbox(sandbox: SandboxProcess, users: number): Promise<void> {
	await sandbox.reset();
	await seedUsers(sandbox, users);
	if (serverLatencyMs > 0) {
		await sandbox.configure({ faults: { paths: ['/msg/send_msg'], stallRate: 1, stallMs: serverLatencyMs } });
	}
}

interface RunRecord {
	label: string;
	/** The sending node whose executionTime is timed. */
	nodeName: string;
	items: number;
	nodeMs: number;
	wallMs: number;
	perSec: number;
	/** Most requests in flight as the sandbox saw them (stats.maxInFlight). */
	maxInFlight: number;
	/** Most HTTP requests the n8n process had in flight (client side, diagnostics channels). */
	clientInFlight: number;
	/** CPU time of the n8n process during the sending node's execution, µs per item. */
	n8nCpuUsPerItem: number;
	/** CPU time of the sandbox process during the whole run, µs per item. */
	sandboxCpuUsPerItem: number;
	/** From the node's start to the first send the sandbox stored, and from there to the last, ms. */
	firstSendMs?: number;
	sendPhaseMs?: number;
	/** n8n CPU per item before the first send (reading, checking, verifying) and while sending, µs. */
	prepCpuUsPerItem?: number;
	sendCpuUsPerItem?: number;
	/** RSS of the n8n process just before the node started and its peak while it ran, bytes. */
	rssBeforeNode: number;
	rssPeakInNode: number;
	/** Buffer memory (process.memoryUsage().arrayBuffers) just before the node and its peak while it ran. */
	abBeforeNode: number;
	abPeakInNode: number;
	/** With exposeGc: peak RSS (VmHWM) from the Settle node's GC to the first sample after the node. */
	hwmPeakInNode?: number;
	hwmBeforeNode?: number;
	stats: SandboxStats;
	outcome: ExecOutcome;
}

/** The serverMsgID an output item carries (OpenIM Notify and the floor: json; HTTP Request: json.data). */
function serverMsgID(item: N8nItem): unknown {
	return item.json.serverMsgID ?? item.json.data?.serverMsgID;
}

function checkRun(label: string, rec: RunRecord, expectedSends: number): void {
	const problems: string[] = [];
	const items = rec.outcome.node(rec.nodeName).items;
	if (items.length !== expectedSends) problems.push(`${items.length} output items, expected ${expectedSends}`);
	const missing = items.filter((i) => !serverMsgID(i)).length;
	if (missing) problems.push(`${missing} output items without serverMsgID`);
	checkSandbox(label, rec, expectedSends, problems);
}

function checkSandbox(label: string, rec: RunRecord, expectedSends: number, problems: string[] = []): void {
	if (rec.stats.sendsAccepted !== expectedSends) problems.push(`sandbox accepted ${rec.stats.sendsAccepted} sends, expected ${expectedSends}`);
	if (rec.stats.duplicates.total) problems.push(`${rec.stats.duplicates.total} duplicate sends`);
	if (rec.stats.rejections.total) problems.push(`${rec.stats.rejections.total} rejections ${JSON.stringify(rec.stats.rejections.byErrCode)}`);
	if (problems.length) throw new Error(`${label}: ${problems.join('; ')}`);
}

async function measure(
	n8n: N8nInstance,
	sandbox: SandboxProcess,
	label: string,
	nodeName: string,
	workflowId: string,
	items: number,
	users: number,
	opts: { cpuProfDir?: string; check?: boolean; timeline?: boolean; perItemCheck?: boolean; liveHeap?: boolean; exposeGc?: boolean } = {},
): Promise<RunRecord> {
	await freshSandbox(sandbox, users);
	const sandboxCpu0 = processCpuMs(sandbox.pid);
	const outcome = await executeWorkflow(n8n, workflowId, { cpuProfDir: opts.cpuProfDir, liveHeap: opts.liveHeap, exposeGc: opts.exposeGc, nodeOptions: n8nNodeOptions });
	const sandboxCpuMs = processCpuMs(sandbox.pid) - sandboxCpu0;
	const stats = await sandbox.stats<SandboxStats>();
	const node = outcome.node(nodeName);
	const n8nCpuMs = cpuWindowMs(outcome.probe, node.startTime, node.startTime + node.executionTime);
	const win = rssWindow(outcome.probe, node.startTime, node.startTime + node.executionTime);
	const ab = arrayBuffersWindow(outcome.probe, node.startTime, node.startTime + node.executionTime);
	const hwm = opts.exposeGc ? hwmWindow(outcome.probe, node.startTime, node.startTime + node.executionTime) : undefined;
	let firstSendMs: number | undefined;
	let sendPhaseMs: number | undefined;
	let prepCpuUsPerItem: number | undefined;
	let sendCpuUsPerItem: number | undefined;
	if (opts.timeline) {
		const times = (await sandbox.messages()).map((m) => m.sendTime).sort((x, y) => x - y);
		if (times.length) {
			const first = times[0];
			const last = times[times.length - 1];
			firstSendMs = first - node.startTime;
			sendPhaseMs = last - first;
			prepCpuUsPerItem = (cpuWindowMs(outcome.probe, node.startTime, first) * 1000) / items;
			sendCpuUsPerItem = (cpuWindowMs(outcome.probe, first, last) * 1000) / items;
		}
	}
	const rec: RunRecord = {
		label,
		nodeName,
		items,
		nodeMs: node.executionTime,
		wallMs: outcome.wallMs,
		perSec: items / (node.executionTime / 1000),
		maxInFlight: stats.maxInFlight,
		clientInFlight: outcome.probe.http.maxInFlight,
		n8nCpuUsPerItem: (n8nCpuMs * 1000) / items,
		sandboxCpuUsPerItem: (sandboxCpuMs * 1000) / items,
		firstSendMs,
		sendPhaseMs,
		prepCpuUsPerItem,
		sendCpuUsPerItem,
		rssBeforeNode: win.beforeBytes,
		rssPeakInNode: win.peakBytes,
		abBeforeNode: ab.beforeBytes,
		abPeakInNode: ab.peakBytes,
		hwmBeforeNode: hwm?.beforeBytes,
		hwmPeakInNode: hwm?.peakBytes,
		stats,
		outcome,
	};
	if (opts.check !== false) {
		if (opts.perItemCheck === false) checkSandbox(label, rec, items);
		else checkRun(label, rec, items);
	}
	const other = Object.entries(stats.requests.byPath)
		.filter(([p]) => p !== '/msg/send_msg')
		.map(([p, c]) => `${p}×${c}`)
		.join(', ');
	const cpuText =
		items >= 100 ? `CPU/item n8n ${fmt(rec.n8nCpuUsPerItem).padStart(5)} µs sandbox ${fmt(rec.sandboxCpuUsPerItem).padStart(4)} µs  ` : '';
	const timeline =
		firstSendMs !== undefined && sendPhaseMs !== undefined
			? `  first send after ${secs(firstSendMs)} (${fmt(prepCpuUsPerItem ?? 0)} µs CPU/item), then ${fmt((items - 1) / Math.max(sendPhaseMs / 1000, 0.001))}/s (${fmt(sendCpuUsPerItem ?? 0)} µs CPU/item)`
			: '';
	log(
		`${label.padEnd(34)} ${fmt(items).padStart(6)} items  node ${secs(rec.nodeMs).padStart(7)} ${fmt(rec.perSec).padStart(6)}/s  ` +
			cpuText +
			`wall ${secs(rec.wallMs).padStart(7)}  in flight client ${String(rec.clientInFlight).padStart(4)} / sandbox ${String(rec.maxInFlight).padStart(2)}  ` +
			`RSS ${fmt(win.beforeBytes / MB)} → ${fmt(win.peakBytes / MB)} MB in node, peak ${fmt(outcome.probe.maxRssBytes / MB)} MB` +
			timeline +
			(other ? `  (+ ${other})` : ''),
	);
	return rec;
}

/** Every recipient: exactly one stored notification, and one delivered entry with a serverMsgID in the summary. */
function checkFanOut(rec: RunRecord, messages: Array<{ recvID: string }>, n: number): void {
	const perRecipient = new Map<string, number>();
	for (const m of messages) if (m.recvID.startsWith(USER_PREFIX)) perRecipient.set(m.recvID, (perRecipient.get(m.recvID) ?? 0) + 1);
	const wrong = Array.from({ length: n }, (_, i) => userId(i)).filter((id) => perRecipient.get(id) !== 1);
	const items = rec.outcome.node(rec.nodeName).items;
	const summary = items[0]?.json ?? {};
	const results = (summary.results ?? []) as Array<{ recvID?: string; serverMsgID?: string }>;
	const withIDs = new Set(results.filter((r) => r.serverMsgID).map((r) => r.recvID));
	const problems: string[] = [];
	if (wrong.length) problems.push(`${wrong.length} recipients without exactly one stored notification (e.g. ${wrong.slice(0, 5).join(', ')})`);
	if (items.length !== 1) problems.push(`${items.length} output items, expected one summary`);
	if (summary.recipients !== n || summary.delivered !== n || summary.failed !== 0) {
		problems.push(`summary says recipients ${summary.recipients}, delivered ${summary.delivered}, failed ${summary.failed}`);
	}
	if (withIDs.size !== n) problems.push(`${withIDs.size} distinct recipients with a serverMsgID in the summary`);
	if (problems.length) throw new Error(`fan-out: ${problems.join('; ')}`);
}

/** Every file uploaded (none answered from OpenIM's hash table) and sent once. */
function checkUploads(label: string, stats: SandboxStats, count: number): void {
	const completes = stats.requests.byPath['/object/complete_multipart_upload'] ?? 0;
	const problems: string[] = [];
	if (completes !== count) problems.push(`${completes} completed uploads, expected ${count}`);
	if (stats.sendsAccepted !== count) problems.push(`sandbox accepted ${stats.sendsAccepted} sends, expected ${count}`);
	if (stats.duplicates.total) problems.push(`${stats.duplicates.total} duplicate sends`);
	if (stats.rejections.total) problems.push(`${stats.rejections.total} rejections ${JSON.stringify(stats.rejections.byErrCode)}`);
	if (problems.length) throw new Error(`${label}: ${problems.join('; ')}`);
}

/** The bytes the node uploaded (the sizes it reports per file), in MB per second of its executionTime. */
function mbPerSec(rec: RunRecord): number {
	let bytes = 0;
	for (const item of rec.outcome.node(rec.nodeName).items) {
		for (const file of (item.json.files ?? []) as Array<{ size?: number }>) bytes += file.size ?? 0;
	}
	return bytes / MB / (rec.nodeMs / 1000);
}

/** RSS of the n8n process: peak while the node ran minus just before it started, MB. */
const rssRise = (rec: RunRecord): number => (rec.rssPeakInNode - rec.rssBeforeNode) / MB;
/** Phase upload: the peak (VmHWM) since the Settle GC minus RSS right after it, MB; else the sampled rise. */
const peakRise = (rec: RunRecord): number =>
	rec.hwmPeakInNode !== undefined && rec.hwmBeforeNode !== undefined ? (rec.hwmPeakInNode - rec.hwmBeforeNode) / MB : rssRise(rec);
/** The same for Buffer memory (arrayBuffers), MB. */
const abRise = (rec: RunRecord): number => (rec.abPeakInNode - rec.abBeforeNode) / MB;

const ratioOf = (x: number | undefined, y: number | undefined): string => (x !== undefined && y ? (x / y).toFixed(2) : 'n/a');

const best = (runs: RunRecord[]): RunRecord => runs.reduce((a, b) => (b.perSec > a.perSec ? b : a));
const median = (xs: number[]): number => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function monoUs(probe: ExecOutcome['probe'], epochMs: number): number {
	return probe.t0.monoUs + (epochMs - probe.t0.epochMs) * 1000;
}

interface ProfiledRun {
	items: number;
	all: ProfileSummary;
	/** Before the first send (reading and checking items, verifying recipients) and while sending. */
	prep?: ProfileSummary;
	send?: ProfileSummary;
}

function profileOf(rec: RunRecord): ProfiledRun | undefined {
	const file = rec.outcome.cpuProfile;
	if (!file) return undefined;
	const node = rec.outcome.node(rec.nodeName);
	const at = (epochMs: number) => monoUs(rec.outcome.probe, epochMs);
	const end = node.startTime + node.executionTime;
	const out: ProfiledRun = { items: rec.items, all: summariseProfile(file, at(node.startTime), at(end)) };
	if (rec.firstSendMs !== undefined) {
		const firstSend = node.startTime + rec.firstSendMs;
		out.prep = summariseProfile(file, at(node.startTime), at(firstSend));
		out.send = summariseProfile(file, at(firstSend), at(end));
	}
	return out;
}

/** CPU (not idle) per item by owner, and the biggest inclusive entries, for one phase of a run. */
function printPhase(title: string, p: ProfileSummary, items: number): void {
	const perItem = (ms: number) => (ms * 1000) / items;
	const cpuMs = p.sampledMs - (p.byOwnerMs['idle/program'] ?? 0);
	const owners = Object.entries(p.byOwnerMs)
		.filter(([o]) => o !== 'idle/program')
		.sort((x, y) => y[1] - x[1])
		.map(([o, ms]) => `${o} ${fmt(perItem(ms))}`)
		.join(', ');
	console.log(`    ${title}: ${fmt(p.windowMs)} ms, CPU ${fmt(perItem(cpuMs))} µs/item (${owners})`);
	const entries = [...p.n8nInclusive, ...p.oursInclusive.map((f) => ({ ...f, name: `ours: ${f.name}` }))]
		.sort((x, y) => y.ms - x.ms)
		.filter((f) => perItem(f.ms) >= 5)
		.slice(0, 8);
	for (const f of entries) console.log(`      ${fmt(perItem(f.ms), 1).padStart(7)} µs/item inclusive  ${f.name}  ${f.where}`);
}

function printProfiles(pb: ProfiledRun, pd: ProfiledRun | undefined, cpuProfDir: string): void {
	const perItem = (ms: number, n: number) => (ms * 1000) / n;
	const b = pb.all;
	const d = pd?.all;
	const bItems = pb.items;
	const dItems = pd?.items ?? 1;
	console.log(`\nCPU profile of the sending node's execution window (V8 CPU profiler, profiles in ${cpuProfDir})`);
	console.log(`  (b) OpenIM Notify: ${fmt(b.windowMs)} ms window, ${fmt(b.sampledMs)} ms sampled, ${fmt(bItems)} items` +
		(d ? `;  (d) floor: ${fmt(d.windowMs)} ms window, ${fmt(d.sampledMs)} ms sampled, ${fmt(dItems)} items` : ''));
	const owners = [...new Set([...Object.keys(b.byOwnerMs), ...Object.keys(d?.byOwnerMs ?? {})])].sort(
		(x, y) => (b.byOwnerMs[y] ?? 0) - (b.byOwnerMs[x] ?? 0),
	);
	console.log(`  ${'self time by owner (µs per item)'.padEnd(34)} ${'(b) notify'.padStart(11)} ${d ? '(d) floor'.padStart(11) : ''} ${d ? 'b − d'.padStart(9) : ''}`);
	for (const o of owners) {
		const bv = perItem(b.byOwnerMs[o] ?? 0, bItems);
		const dv = d ? perItem(d.byOwnerMs[o] ?? 0, dItems) : 0;
		console.log(`    ${o.padEnd(32)} ${fmt(bv, 1).padStart(11)} ${d ? fmt(dv, 1).padStart(11) : ''} ${d ? fmt(bv - dv, 1).padStart(9) : ''}`);
	}
	const totB = perItem(b.sampledMs, bItems);
	const totD = d ? perItem(d.sampledMs, dItems) : 0;
	console.log(`    ${'total'.padEnd(32)} ${fmt(totB, 1).padStart(11)} ${d ? fmt(totD, 1).padStart(11) : ''} ${d ? fmt(totB - totD, 1).padStart(9) : ''}`);
	console.log(`  (b) stacks through our code (inclusive, synchronous part): ${fmt(perItem(b.underOursMs, bItems), 1)} µs/item; by leaf owner: ` +
		Object.entries(b.underOursByLeafOwnerMs).sort((x, y) => y[1] - x[1]).map(([o, ms]) => `${o} ${fmt(perItem(ms, bItems), 1)}`).join(', '));
	console.log('  (b) top self-time functions:');
	for (const f of b.topSelf.slice(0, 15)) {
		console.log(`    ${fmt(perItem(f.ms, bItems), 1).padStart(7)} µs/item  ${f.owner.padEnd(27)} ${f.name}  ${f.where}`);
	}
	console.log('  (b) our functions, inclusive:');
	for (const f of b.oursInclusive.slice(0, 12)) {
		console.log(`    ${fmt(perItem(f.ms, bItems), 1).padStart(7)} µs/item  ${f.name}  ${f.where}`);
	}
	console.log('  (b) n8n entry points, inclusive:');
	for (const f of b.n8nInclusive.slice(0, 10)) {
		console.log(`    ${fmt(perItem(f.ms, bItems), 1).padStart(7)} µs/item  ${f.owner.padEnd(27)} ${f.name}  ${f.where}`);
	}
	if (d) {
		console.log('  (d) top self-time functions:');
		for (const f of d.topSelf.slice(0, 10)) {
			console.log(`    ${fmt(perItem(f.ms, dItems), 1).padStart(7)} µs/item  ${f.owner.padEnd(27)} ${f.name}  ${f.where}`);
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

interface RawRecord extends RawResult {
	sandboxMaxInFlight: number;
	benchCpuUsPerItem: number;
	sandboxCpuUsPerItem: number;
}

async function rawRun(
	sandbox: SandboxProcess,
	label: string,
	fn: () => Promise<RawResult>,
	sends: number,
): Promise<RawRecord> {
	await freshSandbox(sandbox, sends);
	const cpu0 = process.cpuUsage();
	const sb0 = processCpuMs(sandbox.pid);
	const r = await fn();
	const cpu = process.cpuUsage(cpu0);
	const sbMs = processCpuMs(sandbox.pid) - sb0;
	const stats = await sandbox.stats<SandboxStats>();
	if (stats.sendsAccepted !== sends || stats.duplicates.total) {
		throw new Error(`${label}: ${stats.sendsAccepted} sends accepted (expected ${sends}), ${stats.duplicates.total} duplicates`);
	}
	const rec: RawRecord = {
		...r,
		sandboxMaxInFlight: stats.maxInFlight,
		benchCpuUsPerItem: (cpu.user + cpu.system) / sends,
		sandboxCpuUsPerItem: (sbMs * 1000) / sends,
	};
	log(
		`${label.padEnd(34)} ${fmt(sends).padStart(6)} sends  time ${secs(r.ms).padStart(7)} ${fmt(r.perSec).padStart(6)}/s  ` +
			`CPU/item client ${fmt(rec.benchCpuUsPerItem).padStart(5)} µs sandbox ${fmt(rec.sandboxCpuUsPerItem).padStart(4)} µs  in flight client ${r.maxInFlight} / sandbox ${stats.maxInFlight}`,
	);
	return rec;
}

async function main(): Promise<void> {
	// Issue #13: through n8n's queue with 1 and 2 workers (bench/lib/queue.ts), a run of its own.
	if (process.argv.includes('--queue')) return queueBenchMain(process.argv.slice(2));
	const o = parseArgs(process.argv.slice(2));
	const c = o.concurrency;
	const has = (p: string) => o.phases.has(p);
	serverLatencyMs = o.serverLatencyMs;
	n8nNodeOptions = o.n8nNodeOptions;
	console.log(
		`OpenIM Notify benchmark (issue #6): n8n ${o.version}, ${cpus().length} cores, Node ${process.version} (bench), ` +
			`concurrency ${c}, Verify Recipient Exists ${o.verify ? 'ON' : 'OFF'}, ${o.sends} sends, fan-out ${o.fanout}, RSS at ${o.rssItems} items, ` +
			`best of ${o.repeat}, server latency ${o.serverLatencyMs} ms${o.n8nNodeOptions ? `, n8n NODE_OPTIONS +${o.n8nNodeOptions}` : ''}, phases ${[...o.phases].join(',')}, ` +
			`binary data mode ${o.binaryMode ?? "n8n's default"}, ` +
			`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}${o.quick ? ' (--quick)' : ''}`,
	);

	const busy = () => loadavg()[0] > cpus().length;
	const busyAtStart = busy();
	if (busyAtStart) {
		console.log(`WARNING: the machine is busy (load ${loadavg()[0].toFixed(1)} on ${cpus().length} cores): rates will be low and noisy; the CPU µs/item columns hold up better.`);
	}

	await ensureSandboxBuilt();
	const packedHere = !process.env.OPENIM_E2E_TGZ;
	const tgz = await packPackage();
	const floorTgz = await packFloorNode();
	log(`packed ${tgz} and the floor node`);

	// One sandbox process for the whole run, no request log (no --verbose), 90-day tokens.
	const sandbox = await startSandbox({ tokenLifetime: 7776000 });
	let n8n: N8nInstance | undefined;
	let files: UploadFiles | undefined;
	try {
		// Phase upload: the files Read/Write Files from Disk reads (n8n 2.x only reads under N8N_RESTRICT_FILE_ACCESS_TO).
		if (has('upload')) {
			files = writeUploadFiles(o.uploadFiles, o.uploadFileKB * 1024, o.uploadBigMB * MB);
			log(`wrote ${fmt(o.uploadFiles)} files of ${fmt(o.uploadFileKB)} KB and one of ${fmt(o.uploadBigMB)} MB into ${files.dir}`);
		}
		n8n = await createN8nInstance(o.version, {
			tgz,
			extraPackages: [floorTgz],
			env: {
				...(files ? { N8N_RESTRICT_FILE_ACCESS_TO: files.dir } : {}),
				...(o.binaryMode ? { N8N_DEFAULT_BINARY_DATA_MODE: o.binaryMode } : {}),
			},
		});
		const cred = openImCredential(sandbox.url);
		const url = sandbox.url;
		const wf = {
			one: notifyWorkflow('benchNotifyOne01', 1, cred, { concurrency: c, verifyRecipient: o.verify }),
			notify: notifyWorkflow('benchNotifySend1', o.sends, cred, { concurrency: c, verifyRecipient: o.verify }),
			fanout: notifyListWorkflow('benchNotifyFan01', o.fanout, cred, { concurrency: c, verifyRecipient: o.verify, fanOut: 'sendMsg' }),
			fanoutBatch: notifyListWorkflow('benchNotifyFanB1', o.fanout, cred, { concurrency: c, verifyRecipient: o.verify, fanOut: 'batchSendMsg' }),
			rss: notifyWorkflow('benchNotifyRss01', o.rssItems, cred, { concurrency: c, verifyRecipient: o.verify }),
			floorRss: floorWorkflow('benchFloorRss01', o.rssItems, url, c),
			http: httpRequestWorkflow('benchHttpPlain01', o.sends, url),
			httpBatched: httpRequestWorkflow('benchHttpBatch01', o.sends, url, { batchSize: c, batchInterval: 1 }),
			floor: floorWorkflow('benchFloorSend01', o.sends, url, c),
			floorAuth: floorWorkflow('benchFloorAuth01', o.sends, url, c, cred),
			...(files
				? {
						uploadSmall: uploadWorkflow('benchUploadSml01', files.small.glob, cred, c),
						uploadBig: uploadWorkflow('benchUploadBig01', files.big.glob, cred, c),
						floorReadBig: floorReadWorkflow('benchFloorRead01', files.big.glob),
					}
				: {}),
		};
		await n8n.importCredentials([cred]);
		await n8n.importWorkflow(Object.values(wf));
		log(`n8n ${o.version} instance ready in ${n8n.userFolder}; sandbox ${url} (pid ${sandbox.pid})`);

		// Warm-up (also fetches and stores the credential's admin token), then the 1-item RSS baseline.
		await measure(n8n, sandbox, 'warm-up (b) 1 item', SENDER_NODE.notify, wf.one.id, 1, 1);
		const baseline = has('rss') ? await measure(n8n, sandbox, 'rss baseline (b) 1 item', SENDER_NODE.notify, wf.one.id, 1, 1) : undefined;

		// (a) the wire: the same sends with the same concurrency from a plain client outside n8n.
		const raws: RawRecord[] = [];
		const rawFresh: RawRecord[] = [];
		if (has('a')) {
			const token = (
				await sandbox.call<{ data: { token: string } }>(
					'POST',
					'/auth/get_admin_token',
					{ secret: SANDBOX_SECRET, userID: SANDBOX_ADMIN },
					{ operationID: 'bench-raw' },
				)
			).data.token;
			for (let r = 0; r < o.repeat; r++) {
				raws.push(await rawRun(sandbox, '(a) raw undici keep-alive', () => rawUndici(url, token, o.sends, c), o.sends));
				rawFresh.push(await rawRun(sandbox, "(a') node:http, new conn. per req", () => rawNewConnection(url, token, o.sends, c), o.sends));
			}
		}

		// (b) (c) (d), interleaved so that background load hits all of them alike.
		const runs: Record<'b' | 'c' | 'cb' | 'd' | 'da', RunRecord[]> = { b: [], c: [], cb: [], d: [], da: [] };
		for (let r = 0; r < o.repeat; r++) {
			if (has('b')) runs.b.push(await measure(n8n, sandbox, '(b) OpenIM Notify', SENDER_NODE.notify, wf.notify.id, o.sends, o.sends, { timeline: true }));
			if (has('c')) {
				runs.c.push(await measure(n8n, sandbox, '(c) HTTP Request, unbatched', SENDER_NODE.httpRequest, wf.http.id, o.sends, o.sends, { timeline: true }));
				runs.cb.push(await measure(n8n, sandbox, `(c) HTTP Request, batch ${c}/1 ms`, SENDER_NODE.httpRequest, wf.httpBatched.id, o.sends, o.sends, { timeline: true }));
			}
			if (has('d')) runs.d.push(await measure(n8n, sandbox, '(d) floor node (httpRequest)', SENDER_NODE.floor, wf.floor.id, o.sends, o.sends, { timeline: true }));
			if (has('dauth')) {
				runs.da.push(await measure(n8n, sandbox, "(d') floor, httpRequestWithAuth.", SENDER_NODE.floor, wf.floorAuth.id, o.sends, o.sends, { timeline: true }));
			}
		}

		// Files (issue #12): many small files and one large one, uploaded and sent, (a) raw and (b) the node;
		// the floor node reading the large binary gives n8n's own copy, which any uploading node pays.
		const up: { rawSmall: RawUploadResult[]; rawBig: RawUploadResult[]; small: RunRecord[]; big: RunRecord[]; floorBig: RunRecord[] } = {
			rawSmall: [],
			rawBig: [],
			small: [],
			big: [],
			floorBig: [],
		};
		if (files && wf.uploadSmall && wf.uploadBig && wf.floorReadBig) {
			const rawRound = async (label: string, data: Buffer[]): Promise<RawUploadResult> => {
				await freshSandbox(sandbox, 1);
				const token = (
					await sandbox.call<{ data: { token: string } }>('POST', '/auth/get_admin_token', { secret: SANDBOX_SECRET, userID: SANDBOX_ADMIN }, { operationID: 'bench-raw-upload' })
				).data.token;
				const r = await rawUpload(url, token, data, c);
				checkUploads(label, await sandbox.stats<SandboxStats>(), data.length);
				log(`${label.padEnd(34)} ${fmt(r.files).padStart(6)} files  time ${secs(r.ms).padStart(7)} ${fmt(r.mbPerSec, 1).padStart(6)} MB/s  part size ${fmt(r.partSize / MB, 1)} MB`);
				return r;
			};
			const nodeRound = async (label: string, id: string, count: number): Promise<RunRecord> => {
				const rec = await measure(n8n!, sandbox, label, UPLOAD_NODE, id, count, 1, { exposeGc: true });
				checkUploads(label, rec.stats, count);
				const notUploaded = rec.outcome.node(UPLOAD_NODE).items.filter((item) => (item.json.files as Array<{ uploaded?: boolean }> | undefined)?.[0]?.uploaded !== true);
				if (notUploaded.length) throw new Error(`${label}: ${notUploaded.length} output items without an uploaded file`);
				log(`${''.padEnd(34)} ${fmt(mbPerSec(rec), 1)} MB/s; peak RSS +${fmt(peakRise(rec), 1)} MB while the node ran (50 ms samples: +${fmt(rssRise(rec), 1)} MB; Buffers +${fmt(abRise(rec), 1)} MB)`);
				return rec;
			};
			for (let r = 0; r < o.repeat; r++) {
				up.rawSmall.push(await rawRound(`(a) raw upload ${fmt(o.uploadFiles)} × ${fmt(o.uploadFileKB)} KB`, files.small.files));
				up.rawBig.push(await rawRound(`(a) raw upload 1 × ${fmt(o.uploadBigMB)} MB`, [files.big.file]));
				up.small.push(await nodeRound(`(b) upload ${fmt(o.uploadFiles)} × ${fmt(o.uploadFileKB)} KB`, wf.uploadSmall.id, o.uploadFiles));
				up.big.push(await nodeRound(`(b) upload 1 × ${fmt(o.uploadBigMB)} MB`, wf.uploadBig.id, 1));
				const floorRec = await measure(n8n, sandbox, `(d) floor reads 1 × ${fmt(o.uploadBigMB)} MB`, SENDER_NODE.floor, wf.floorReadBig.id, 1, 1, { check: false, exposeGc: true });
				log(`${''.padEnd(34)} peak RSS +${fmt(peakRise(floorRec), 1)} MB while the floor read the binary (50 ms samples: +${fmt(rssRise(floorRec), 1)} MB; Buffers +${fmt(abRise(floorRec), 1)} MB)`);
				up.floorBig.push(floorRec);
			}
		}

		// One notification to many recipients: the node's "List of Users" mode, one item with all IDs.
		let fan: RunRecord | undefined;
		let fanBatch: RunRecord | undefined;
		if (has('fanout')) {
			fan = await measure(n8n, sandbox, `fan-out (b) ${fmt(o.fanout)} recipients`, SENDER_NODE.notify, wf.fanout.id, o.fanout, o.fanout, {
				timeline: true,
				perItemCheck: false,
			});
			checkFanOut(fan, await sandbox.messages(), o.fanout);
			log(`fan-out: all ${fmt(o.fanout)} recipients have exactly one notification in their sandbox inbox and a serverMsgID in the summary`);
			fanBatch = await measure(n8n, sandbox, `fan-out (b) batch_send_msg`, SENDER_NODE.notify, wf.fanoutBatch.id, o.fanout, o.fanout, {
				check: false,
			});
			if (fanBatch.stats.batchSendsAccepted !== 1 || fanBatch.stats.messagesStored !== o.fanout) {
				throw new Error(`fan-out batch_send_msg: ${fanBatch.stats.batchSendsAccepted} batch sends, ${fanBatch.stats.messagesStored} messages stored`);
			}
		}

		// Peak RSS at rssItems items vs the 1-item baseline (same workflow shape).
		let big: RunRecord | undefined;
		let bigFloor: RunRecord | undefined;
		let rssGrowthMB: number | undefined;
		let floorRssGrowthMB: number | undefined;
		let nodeWindowGrowthMB: number | undefined;
		if (has('rss') && baseline) {
			big = await measure(n8n, sandbox, `rss (b) ${fmt(o.rssItems)} items`, SENDER_NODE.notify, wf.rss.id, o.rssItems, o.rssItems);
			rssGrowthMB = (big.outcome.probe.maxRssBytes - baseline.outcome.probe.maxRssBytes) / MB;
			const bigNode = big.outcome.node(SENDER_NODE.notify);
			const win = rssWindow(big.outcome.probe, bigNode.startTime, bigNode.startTime + bigNode.executionTime);
			nodeWindowGrowthMB = (win.peakBytes - win.beforeBytes) / MB;
			log(
				`rss: peak (VmHWM) ${fmt(big.outcome.probe.maxRssBytes / MB)} MB at ${fmt(o.rssItems)} items vs ${fmt(baseline.outcome.probe.maxRssBytes / MB)} MB at 1 item → growth ${fmt(rssGrowthMB)} MB; ` +
					`while OpenIM Notify ran: ${fmt(win.beforeBytes / MB)} → ${fmt(win.peakBytes / MB)} MB (+${fmt(nodeWindowGrowthMB)} MB); the rest comes after the node (run data printed as JSON)`,
			);
			if (has('d')) {
				// The same workload through the floor node: what n8n itself needs for this many items.
				bigFloor = await measure(n8n, sandbox, `rss (d) floor ${fmt(o.rssItems)} items`, SENDER_NODE.floor, wf.floorRss.id, o.rssItems, o.rssItems);
				floorRssGrowthMB = (bigFloor.outcome.probe.maxRssBytes - baseline.outcome.probe.maxRssBytes) / MB;
				log(
					`rss: the floor node at ${fmt(o.rssItems)} items peaks at ${fmt(bigFloor.outcome.probe.maxRssBytes / MB)} MB (growth ${fmt(floorRssGrowthMB)} MB; ` +
						`${fmt((bigFloor.rssPeakInNode - bigFloor.rssBeforeNode) / MB)} MB while it ran)`,
				);
			}
		}

		// Diagnostic: live heap (after forced full GCs) while (b) and (d) handle rssItems items.
		if (o.liveHeap) {
			const liveOf = (rec: RunRecord) => {
				const node = rec.outcome.node(rec.nodeName);
				const inNode = rec.outcome.probe.live.filter(([t]) => t >= node.startTime && t <= node.startTime + node.executionTime);
				const before = rec.outcome.probe.live.filter(([t]) => t < node.startTime).pop()?.[1] ?? rec.outcome.probe.live[0]?.[1] ?? 0;
				const peak = Math.max(before, ...inNode.map(([, h]) => h));
				return `${fmt(before / MB)} → ${fmt(peak / MB)} MB (+${fmt((peak - before) / MB)} MB, ${fmt((peak - before) / rec.items)} bytes/item)`;
			};
			const lb = await measure(n8n, sandbox, `live heap (b) ${fmt(o.rssItems)} items`, SENDER_NODE.notify, wf.rss.id, o.rssItems, o.rssItems, { liveHeap: true });
			const ld = await measure(n8n, sandbox, `live heap (d) ${fmt(o.rssItems)} items`, SENDER_NODE.floor, wf.floorRss.id, o.rssItems, o.rssItems, { liveHeap: true });
			log(`live heap after full GC while the node ran: (b) ${liveOf(lb)}; (d) ${liveOf(ld)}`);
		}

		// CPU profiles of (b) and (d).
		let profB: ProfiledRun | undefined;
		let profD: ProfiledRun | undefined;
		let profDir = '';
		if (has('profile')) {
			profDir = mkdtempSync(join(tmpdir(), 'openim-bench-cpuprof-'));
			const pb = await measure(n8n, sandbox, 'profile (b) OpenIM Notify', SENDER_NODE.notify, wf.notify.id, o.sends, o.sends, { cpuProfDir: profDir, timeline: true });
			const pd = await measure(n8n, sandbox, 'profile (d) floor node', SENDER_NODE.floor, wf.floor.id, o.sends, o.sends, { cpuProfDir: profDir, timeline: true });
			profB = profileOf(pb);
			profD = profileOf(pd);
		}

		// ---------------------------------------------------------------------------------------
		// Report
		// ---------------------------------------------------------------------------------------
		const bestRaw = (list: RawRecord[]) => (list.length ? list.reduce((x, y) => (y.perSec > x.perSec ? y : x)) : undefined);
		const raw = bestRaw(raws);
		const rawNew = bestRaw(rawFresh);
		const b = runs.b.length ? best(runs.b) : undefined;
		const cu = runs.c.length ? best(runs.c) : undefined;
		const cb = runs.cb.length ? best(runs.cb) : undefined;
		const d = runs.d.length ? best(runs.d) : undefined;
		const da = runs.da.length ? best(runs.da) : undefined;
		const minCpu = (list: RunRecord[]) => Math.min(...list.map((x) => x.n8nCpuUsPerItem));
		console.log(
			`\nResults: n8n ${o.version}, concurrency ${c}, ${fmt(o.sends)} single-recipient sends, best of ${o.repeat} by rate ` +
				`(rate = items / the sending node's executionTime; CPU/item = the lowest of the runs)`,
		);
		console.log(`  ${''.padEnd(36)} ${'rate'.padStart(9)}  ${'time'.padStart(8)}  ${'CPU µs/item'.padStart(12)}  ${'in flight client/sandbox'.padStart(24)}  ${'wall'.padStart(8)}  all runs`);
		const row = (name: string, perSec: number, ms: number, cpu: number, inFlight: string, wallMs: number | undefined, spread: number[]) =>
			console.log(
				`  ${name.padEnd(36)} ${fmt(perSec).padStart(7)}/s  ${secs(ms).padStart(8)}  ${fmt(cpu).padStart(12)}  ${inFlight.padStart(24)}  ` +
					`${wallMs !== undefined ? secs(wallMs).padStart(8) : ''.padStart(8)}  ${spread.map((x) => fmt(x)).join(', ')}`,
			);
		const inf = (list: RunRecord[]) => `${Math.max(...list.map((x) => x.clientInFlight))} / ${Math.max(...list.map((x) => x.maxInFlight))}`;
		if (raw) row('(a) raw undici keep-alive', raw.perSec, raw.ms, Math.min(...raws.map((x) => x.benchCpuUsPerItem)), `${raw.maxInFlight} / ${Math.max(...raws.map((x) => x.sandboxMaxInFlight))}`, undefined, raws.map((x) => x.perSec));
		if (rawNew) row("(a') node:http, new connection/req", rawNew.perSec, rawNew.ms, Math.min(...rawFresh.map((x) => x.benchCpuUsPerItem)), `${rawNew.maxInFlight} / ${Math.max(...rawFresh.map((x) => x.sandboxMaxInFlight))}`, undefined, rawFresh.map((x) => x.perSec));
		if (b) row('(b) OpenIM Notify', b.perSec, b.nodeMs, minCpu(runs.b), inf(runs.b), b.wallMs, runs.b.map((x) => x.perSec));
		if (cu) row('(c) HTTP Request, unbatched', cu.perSec, cu.nodeMs, minCpu(runs.c), inf(runs.c), cu.wallMs, runs.c.map((x) => x.perSec));
		if (cb) row(`(c) HTTP Request, batched ${c}/1 ms`, cb.perSec, cb.nodeMs, minCpu(runs.cb), inf(runs.cb), cb.wallMs, runs.cb.map((x) => x.perSec));
		if (d) row('(d) floor node', d.perSec, d.nodeMs, minCpu(runs.d), inf(runs.d), d.wallMs, runs.d.map((x) => x.perSec));
		if (da) row("(d') floor via httpRequestWithAuth.", da.perSec, da.nodeMs, minCpu(runs.da), inf(runs.da), da.wallMs, runs.da.map((x) => x.perSec));
		if (fan) {
			row(`fan-out, ${fmt(o.fanout)} recipients`, fan.perSec, fan.nodeMs, fan.n8nCpuUsPerItem, inf([fan]), fan.wallMs, [fan.perSec]);
			console.log(`  ${''.padEnd(36)} (recipients/s: one item, List of Users, one send_msg per recipient; first send after ${secs(fan.firstSendMs ?? 0)})`);
		}
		if (fanBatch) {
			row('fan-out, OpenIM batch_send_msg', fanBatch.perSec, fanBatch.nodeMs, fanBatch.n8nCpuUsPerItem, inf([fanBatch]), fanBatch.wallMs, [fanBatch.perSec]);
		}
		if (big && rssGrowthMB !== undefined) {
			row(`rss (b), ${fmt(o.rssItems)} items`, big.perSec, big.nodeMs, big.n8nCpuUsPerItem, inf([big]), big.wallMs, [big.perSec]);
			console.log(
				`  ${'peak RSS growth (VmHWM)'.padEnd(36)} ${fmt(rssGrowthMB).padStart(7)} MB at ${fmt(o.rssItems)} items vs 1 item ` +
					`(${fmt(nodeWindowGrowthMB ?? 0)} MB of it while the node ran)` +
					(floorRssGrowthMB !== undefined && bigFloor
						? `; floor node: ${fmt(floorRssGrowthMB)} MB (${fmt((bigFloor.rssPeakInNode - bigFloor.rssBeforeNode) / MB)} MB while it ran)`
						: ''),
			);
		}
		// Files: the best rate of each, and the largest RSS rise of the node and of the floor (the conservative pair).
		const bestRawUpload = (list: RawUploadResult[]) => (list.length ? Math.max(...list.map((x) => x.mbPerSec)) : undefined);
		const bestNodeUpload = (list: RunRecord[]) => (list.length ? Math.max(...list.map(mbPerSec)) : undefined);
		const maxRise = (list: RunRecord[]) => (list.length ? Math.max(...list.map(peakRise)) : undefined);
		const upload = {
			rawSmall: bestRawUpload(up.rawSmall),
			rawBig: bestRawUpload(up.rawBig),
			small: bestNodeUpload(up.small),
			big: bestNodeUpload(up.big),
			rss: maxRise(up.big),
			floorRss: maxRise(up.floorBig),
			// The floor's copy counted in the target: its smallest rise (conservative for the node).
			floorRssMin: up.floorBig.length ? Math.min(...up.floorBig.map(peakRise)) : undefined,
			partSizeMB: up.rawBig.length ? up.rawBig[0].partSize / MB : undefined,
		};
		if (upload.big !== undefined || upload.rawBig !== undefined) {
			const mbps = (x: number | undefined) => (x === undefined ? 'n/a' : `${fmt(x, 1)} MB/s`);
			console.log(`\nFiles (issue #12; MB/s = bytes / time, node: its executionTime; raw: from the first request to the last answer)`);
			console.log(`  ${fmt(o.uploadFiles)} × ${fmt(o.uploadFileKB)} KB: (a) raw ${mbps(upload.rawSmall)}, (b) node ${mbps(upload.small)}, (b)/(a) ${ratioOf(upload.small, upload.rawSmall)}; all runs (a) ${up.rawSmall.map((x) => fmt(x.mbPerSec, 1)).join(', ')}, (b) ${up.small.map((x) => fmt(mbPerSec(x), 1)).join(', ')}`);
			console.log(`  1 × ${fmt(o.uploadBigMB)} MB: (a) raw ${mbps(upload.rawBig)}, (b) node ${mbps(upload.big)}, (b)/(a) ${ratioOf(upload.big, upload.rawBig)}; all runs (a) ${up.rawBig.map((x) => fmt(x.mbPerSec, 1)).join(', ')}, (b) ${up.big.map((x) => fmt(mbPerSec(x), 1)).join(', ')}`);
			console.log(
				`  RSS rise while the node uploaded ${fmt(o.uploadBigMB)} MB: +${fmt(upload.rss ?? 0, 1)} MB; the floor reading the same binary: +${fmt(upload.floorRss ?? 0, 1)} MB; ` +
					`part size ${fmt(upload.partSizeMB ?? 0, 1)} MB (node: largest of the runs, floor: smallest; all runs: node ${up.big.map((x) => fmt(peakRise(x), 1)).join(', ')}, floor ${up.floorBig.map((x) => fmt(peakRise(x), 1)).join(', ')}; ` +
					`Buffers: node ${up.big.map((x) => fmt(abRise(x), 1)).join(', ')}, floor ${up.floorBig.map((x) => fmt(abRise(x), 1)).join(', ')})`,
			);
		}
		if (serverLatencyMs === 0) {
			console.log('  (the sandbox counts 1 in flight without --server-latency: it answers each request before it reads the next; the client column is the n8n process\'s own count)');
		}
		console.log(`  (sandbox CPU µs/send: ${[...raws, ...runs.b, ...runs.d].map((x) => fmt(x.sandboxCpuUsPerItem)).join(', ')})`);
		const phaseCpu = (list: RunRecord[], pick: (r: RunRecord) => number | undefined) =>
			list.length ? fmt(Math.min(...list.map((r) => pick(r) ?? Infinity))) : 'n/a';
		console.log(
			`  n8n CPU µs/item before the first send / while sending (lowest): (b) ${phaseCpu(runs.b, (r) => r.prepCpuUsPerItem)} / ${phaseCpu(runs.b, (r) => r.sendCpuUsPerItem)}, ` +
				`(c) ${phaseCpu(runs.c, (r) => r.prepCpuUsPerItem)} / ${phaseCpu(runs.c, (r) => r.sendCpuUsPerItem)}, ` +
				`(d) ${phaseCpu(runs.d, (r) => r.prepCpuUsPerItem)} / ${phaseCpu(runs.d, (r) => r.sendCpuUsPerItem)}, ` +
				`(d') ${phaseCpu(runs.da, (r) => r.prepCpuUsPerItem)} / ${phaseCpu(runs.da, (r) => r.sendCpuUsPerItem)}`,
		);

		const ratio = (x: number | undefined, y: number | undefined) => (x !== undefined && y ? (x / y).toFixed(2) : 'n/a');
		console.log('\nRatios (by rate; in parentheses by CPU per item, less sensitive to other load on the machine)');
		const cpuRatio = (x: RunRecord[], y: RunRecord[]) => (x.length && y.length ? (minCpu(y) / minCpu(x)).toFixed(2) : 'n/a');
		console.log(`  (b)/(d) node / floor          ${ratio(b?.perSec, d?.perSec)}  (${cpuRatio(runs.b, runs.d)})   target ≥ 0.90`);
		console.log(`  (b)/(c) node / HTTP Request   ${ratio(b?.perSec, cu?.perSec)}  (${cpuRatio(runs.b, runs.c)})   target ≥ 1.50`);
		console.log(`  (b)/(c) node / HTTP batched   ${ratio(b?.perSec, cb?.perSec)}  (${cpuRatio(runs.b, runs.cb)})`);
		console.log(`  (d')/(d) auth path / floor    ${ratio(da?.perSec, d?.perSec)}  (${cpuRatio(runs.da, runs.d)})`);
		console.log(`  (d)/(a) floor / wire          ${ratio(d?.perSec, raw?.perSec)}`);
		console.log(`  (b)/(a) node / wire           ${ratio(b?.perSec, raw?.perSec)}`);
		console.log(`  (a')/(a) new conn./keep-alive ${ratio(rawNew?.perSec, raw?.perSec)}`);
		if (runs.b.length > 1) {
			console.log(`  medians: (b) ${fmt(median(runs.b.map((x) => x.perSec)))}/s, (c) ${fmt(median(runs.c.map((x) => x.perSec)))}/s, (d) ${fmt(median(runs.d.map((x) => x.perSec)))}/s`);
		}

		// The node's bound, as both sides saw it: the n8n process's requests in flight and the sandbox's count.
		const bRuns = [...runs.b, ...(fan ? [fan] : []), ...(fanBatch ? [fanBatch] : []), ...(big ? [big] : [])];
		const bInFlightMax = bRuns.length ? Math.max(...bRuns.map((x) => Math.max(x.clientInFlight, x.maxInFlight))) : undefined;
		const targets: Array<[string, boolean | undefined]> = [
			['(b) ≥ 0.9 × (d)', b && d ? b.perSec >= 0.9 * d.perSec : undefined],
			['(b) ≥ 1.5 × (c unbatched)', b && cu ? b.perSec >= 1.5 * cu.perSec : undefined],
			[`(b) never more than ${c} requests in flight`, bInFlightMax !== undefined ? bInFlightMax <= c : undefined],
			[`fan-out ≥ 1,000 recipients/s, every recipient accounted for`, fan ? fan.perSec >= 1000 : undefined],
			[`RSS growth ≤ 150 MB at ${fmt(o.rssItems)} items`, rssGrowthMB !== undefined ? rssGrowthMB <= 150 : undefined],
			[`upload of ${fmt(o.uploadBigMB)} MB: (b) ≥ 0.5 × (a)`, upload.big !== undefined && upload.rawBig ? upload.big >= 0.5 * upload.rawBig : undefined],
			[
				`RSS rise during that upload ≤ 3 × part size + the floor's copy of the binary`,
				upload.rss !== undefined && upload.floorRssMin !== undefined && upload.partSizeMB !== undefined ? upload.rss <= 3 * upload.partSizeMB + upload.floorRssMin : undefined,
			],
		];
		console.log('\nTargets');
		for (const [name, ok] of targets) console.log(`  ${ok === undefined ? 'NOT RUN' : ok ? 'MET    ' : 'MISSED '} ${name}`);
		if (o.quick) console.log('  (--quick: smaller sizes; the targets are stated for the full sizes)');
		const endLoad = loadavg().map((l) => l.toFixed(2)).join(' ');
		if (busyAtStart || busy()) console.log(`  (machine busy during the run: load average now ${endLoad} on ${cpus().length} cores; rates are noisy)`);
		else console.log(`  (load average now ${endLoad} on ${cpus().length} cores)`);

		if (profB) {
			printProfiles(profB, profD, profDir);
			console.log('  by phase (CPU profile split at the first send the sandbox stored):');
			if (profB.prep) printPhase('(b) before the first send', profB.prep, profB.items);
			if (profB.send) printPhase('(b) while sending', profB.send, profB.items);
			if (profD?.prep) printPhase('(d) before the first send', profD.prep, profD.items);
			if (profD?.send) printPhase('(d) while sending', profD.send, profD.items);
		}

		const round = (x: number | undefined) => (x === undefined ? null : Math.round(x));
		console.log(
			JSON.stringify({
				rawPerSec: round(raw?.perSec),
				nodePerSec: round(b?.perSec),
				httpRequestPerSec: round(cu?.perSec),
				httpRequestBatchedPerSec: round(cb?.perSec),
				floorPerSec: round(d?.perSec),
				fanoutRecipientsPerSec: round(fan?.perSec),
				maxInFlight: bInFlightMax ?? null,
				rssGrowthMB: rssGrowthMB === undefined ? null : Math.round(rssGrowthMB * 10) / 10,
				floorWithAuthenticationPerSec: round(da?.perSec),
				n8n: o.version,
				concurrency: c,
				verifyRecipient: o.verify,
				sends: o.sends,
				fanout: { recipients: o.fanout, mode: 'List of Users, one send_msg per recipient', batchSendMsgRecipientsPerSec: round(fanBatch?.perSec) },
				floorRssGrowthMB: floorRssGrowthMB === undefined ? null : Math.round(floorRssGrowthMB * 10) / 10,
				rssItems: o.rssItems,
				cpuUsPerItem: {
					node: runs.b.length ? round(minCpu(runs.b)) : null,
					httpRequest: runs.c.length ? round(minCpu(runs.c)) : null,
					floor: runs.d.length ? round(minCpu(runs.d)) : null,
					floorWithAuthentication: runs.da.length ? round(minCpu(runs.da)) : null,
				},
				uploadMBps: upload.big === undefined ? null : Math.round(upload.big * 10) / 10,
				rawUploadMBps: upload.rawBig === undefined ? null : Math.round(upload.rawBig * 10) / 10,
				uploadRssGrowthMB: upload.rss === undefined ? null : Math.round(upload.rss * 10) / 10,
				upload: {
					files: o.uploadFiles,
					fileKB: o.uploadFileKB,
					bigMB: o.uploadBigMB,
					partSizeMB: upload.partSizeMB ?? null,
					smallMBps: upload.small === undefined ? null : Math.round(upload.small * 10) / 10,
					rawSmallMBps: upload.rawSmall === undefined ? null : Math.round(upload.rawSmall * 10) / 10,
					floorReadRssGrowthMB: upload.floorRssMin === undefined ? null : Math.round(upload.floorRssMin * 10) / 10,
					binaryDataMode: o.binaryMode ?? (o.version.startsWith('1.') ? 'default' : 'filesystem'),
					runs: {
						uploadMBps: up.big.map((x) => Math.round(mbPerSec(x) * 10) / 10),
						rawUploadMBps: up.rawBig.map((x) => Math.round(x.mbPerSec * 10) / 10),
						uploadRssGrowthMB: up.big.map((x) => Math.round(peakRise(x) * 10) / 10),
						floorReadRssGrowthMB: up.floorBig.map((x) => Math.round(peakRise(x) * 10) / 10),
						smallMBps: up.small.map((x) => Math.round(mbPerSec(x) * 10) / 10),
						rawSmallMBps: up.rawSmall.map((x) => Math.round(x.mbPerSec * 10) / 10),
					},
				},
				quick: o.quick,
				targetsMet: targets.every(([, ok]) => ok !== false) && targets.some(([, ok]) => ok !== undefined),
			}),
		);
	} finally {
		await n8n?.dispose();
		await sandbox.stop();
		if (files) rmSync(files.dir, { recursive: true, force: true });
		if (packedHere) rmSync(dirname(tgz), { recursive: true, force: true });
		rmSync(dirname(floorTgz), { recursive: true, force: true });
		removeProbe();
	}
}

main().catch((e: unknown) => {
	console.error(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
	process.exit(1);
});
