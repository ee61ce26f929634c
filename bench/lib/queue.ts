/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- benchmark tooling, not shipped: drives real n8n in queue mode (node:os), its own CPU time (process.cpuUsage), prints its report on the console */
/**
 * `npm run bench -- --queue [--quick] [--n8n 1.123.81|2.41.1]` (issue #13): OpenIM Notify through n8n's queue
 * (test/e2e/queue.ts: PostgreSQL, Redis, main, webhook processor) with 1 worker, then with 2 workers, against
 * one sandbox:
 *   sends   5,000 single-recipient notifications as 50 webhook executions × 100 items (Webhook → Split Out →
 *           OpenIM Notify, one recipient per item), so the queue can spread them over the workers;
 *   fan-out one execution to 10,000 recipients (List of Users): one execution runs on one worker.
 * Rates are items per wall-clock second from the first webhook call until the last execution ended (the
 * database's stoppedAt), so they include n8n's queue overhead. Ends with one JSON line
 * (queue1PerSec, queue2PerSec, queueScaling, fan-out rates, token fetches, the sandbox's in-flight maximum).
 */
import { cpus, loadavg } from 'node:os';

import { openImCredential } from '../../test/e2e/fixtures';
import { createN8nInstance, packPackage, type WorkflowJson } from '../../test/e2e/n8n';
import { sleep } from '../../test/e2e/proc';
import { createQueueCluster, maxOverlap, startPostgres, type ExecutionRow, type PostgresInstance } from '../../test/e2e/queue';
import { N8N_VERSIONS, type N8nVersion } from '../../test/e2e/runtime';
import { ensureSandboxBuilt, startSandbox, type SandboxProcess } from '../../test/e2e/sandbox';
import type { SandboxStats } from '../../sandbox/types';
import { groupCpuMs, machineCpuMs } from './cpu';

const SENDS_WF = { id: 'benchQueueSends1', hook: 'bench-queue-sends' };
const FANOUT_WF = { id: 'benchQueueFanOut', hook: 'bench-queue-fanout' };
const NOTIFY = 'OpenIM Notify';
const OPTIONS = { maxConcurrency: 8 };

export interface QueueRun {
	workers: number;
	sends: number;
	sendSeconds: number;
	sendsPerSec: number;
	/** Executions of the sends phase each worker ran. */
	perWorker: number[];
	/** Sends-phase executions running at the same time, at most. */
	maxConcurrentExecutions: number;
	fanout: number;
	fanoutSeconds: number;
	fanoutPerSec: number;
	tokenFetches: number;
	sandboxMaxInFlight: number;
	startSeconds: number;
	/** The sends phase's CPU per item by process, and the machine's busy share. */
	cpu: CpuReport;
}

function workflows(cred: ReturnType<typeof openImCredential>): WorkflowJson[] {
	const ref = { [cred.type]: { id: cred.id, name: cred.name } };
	const webhook = (hook: string) => ({
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: hook,
		parameters: { httpMethod: 'POST', path: hook, responseMode: 'onReceived', options: {} },
	});
	const notify = { resource: 'notification', operation: 'send', sendID: 'hr_bot', notificationName: 'Bench', text: 'Queue benchmark', notificationType: 1, mixType: 0 };
	return [
		{
			id: SENDS_WF.id,
			name: 'Bench queue sends',
			nodes: [
				webhook(SENDS_WF.hook),
				{ name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, parameters: { fieldToSplitOut: 'body.users', options: {} } },
				{
					name: NOTIFY,
					type: 'n8n-nodes-openim.openImNotify',
					typeVersion: 1,
					parameters: { ...notify, recvID: { __rl: true, mode: 'id', value: '={{ $json.userID }}' }, options: OPTIONS },
					credentials: ref,
				},
			],
			connections: {
				Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
				'Split Out': { main: [[{ node: NOTIFY, type: 'main', index: 0 }]] },
			},
		},
		{
			id: FANOUT_WF.id,
			name: 'Bench queue fan-out',
			nodes: [
				webhook(FANOUT_WF.hook),
				{
					name: NOTIFY,
					type: 'n8n-nodes-openim.openImNotify',
					typeVersion: 1,
					parameters: { ...notify, recipientMode: 'userList', recvIDs: '={{ $json.body.users }}', outputMode: 'summary', options: OPTIONS },
					credentials: ref,
				},
			],
			connections: { Webhook: { main: [[{ node: NOTIFY, type: 'main', index: 0 }]] } },
		},
	];
}

const ended = (status: string) => !['new', 'running', 'waiting', 'unknown'].includes(status);

/** What a phase needs from n8n, queue mode or one process: where to post, where executions are recorded, whose CPU counts. */
interface Target {
	post(hook: string, body: unknown): Promise<{ status: number; text: string }>;
	executions(workflowId: string): Promise<ExecutionRow[]>;
	postgres: PostgresInstance;
	/** Process groups by role ("worker 1", "main", "postgres", ...), for CPU per item. */
	roles: Record<string, number | undefined>;
}

/** Polls the database once a second (each poll is a psql process: more often would add CPU to what is measured). */
async function waitEnded(target: Target, workflowId: string, count: number, afterId: number): Promise<ExecutionRow[]> {
	const deadline = Date.now() + 1_800_000;
	for (;;) {
		const runs = (await target.executions(workflowId)).filter((e) => Number(e.id) > afterId);
		if (runs.length >= count && runs.every((e) => ended(e.status))) return runs;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} executions of ${workflowId}`);
		await sleep(1_000);
	}
}

async function lastId(target: Target): Promise<number> {
	return Number((await target.postgres.query('select coalesce(max(id), 0) from execution_entity'))[0][0]);
}

/** CPU µs per item by role, and how busy the whole machine was (% of all cores), over one phase. */
export interface CpuReport {
	perItemUs: Record<string, number>;
	machineBusyPct: number;
}

function cpuMeter(roles: Record<string, number | undefined>, sandbox: SandboxProcess) {
	const names = [...Object.keys(roles), 'sandbox'];
	const pgids = [...Object.values(roles), sandbox.pid];
	const own0 = process.cpuUsage();
	const g0 = groupCpuMs(pgids);
	const m0 = machineCpuMs();
	return (items: number): CpuReport => {
		const g1 = groupCpuMs(pgids);
		const m1 = machineCpuMs();
		const own = process.cpuUsage(own0);
		const perItemUs: Record<string, number> = {};
		names.forEach((n, i) => (perItemUs[n] = Math.round(((g1[i] - g0[i]) * 1000) / items)));
		perItemUs['bench client'] = Math.round((own.user + own.system) / items);
		return { perItemUs, machineBusyPct: Math.round(((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * 100) };
	};
}

const cpuLine = (c: CpuReport) =>
	`CPU per item (µs): ${Object.entries(c.perItemUs)
		.map(([k, v]) => `${k} ${v}`)
		.join(', ')}; machine busy ${c.machineBusyPct}% of ${cpus().length} cores`;

/** The n8n share of CPU per item: every n8n process (workers, main, webhook processor, or the one process). */
const n8nCpuUs = (c: CpuReport) =>
	Object.entries(c.perItemUs)
		.filter(([k]) => !['postgres', 'redis', 'sandbox', 'bench client'].includes(k))
		.reduce((a, [, v]) => a + v, 0);

/** o.sends single-recipient sends as o.sends / o.batch webhook executions, posted at once. */
async function sendsPhase(target: Target, sandbox: SandboxProcess, users: string[], o: { sends: number; batch: number; serverLatencyMs?: number }) {
	// Warm-up: four executions of a batch first (spread over the workers), so that JIT-compiled n8n, node
	// and sandbox code is what is compared (the sandbox serves all three runs: cold, it made the first look
	// up to 2x as costly).
	const warmUsers = users.slice(0, o.batch).map((userID) => ({ userID }));
	await sandbox.reset();
	await sandbox.addUsers(warmUsers);
	const warm = await lastId(target);
	await Promise.all(Array.from({ length: 4 }, () => target.post(SENDS_WF.hook, { users: warmUsers })));
	await waitEnded(target, SENDS_WF.id, 4, warm);
	const warmTokenFetches = ((await sandbox.stats()) as SandboxStats).tokensIssued;

	const before = await lastId(target);
	await sandbox.reset();
	await sandbox.addUsers(users.map((userID) => ({ userID })));
	// --server-latency: the sandbox holds every send_msg, so requests overlap there and its in-flight
	// maximum shows the bound (without latency it answers each request within one event-loop turn: 1).
	if (o.serverLatencyMs) await sandbox.configure({ faults: { paths: ['/msg/send_msg'], stallRate: 1, stallMs: o.serverLatencyMs } });
	const meter = cpuMeter(target.roles, sandbox);
	const start = Date.now();
	const batches = Math.ceil(o.sends / o.batch);
	const calls = Array.from({ length: batches }, (_, b) =>
		target.post(SENDS_WF.hook, { users: users.slice(b * o.batch, Math.min(o.sends, (b + 1) * o.batch)).map((userID) => ({ userID })) }),
	);
	for (const res of await Promise.all(calls)) if (res.status !== 200) throw new Error(`webhook: HTTP ${res.status} ${res.text.slice(0, 200)}`);
	const sendRuns = await waitEnded(target, SENDS_WF.id, batches, before);
	const cpu = meter(o.sends);
	const sendSeconds = (Math.max(...sendRuns.map((r) => r.stoppedAt)) - start) / 1000;
	const failedRuns = sendRuns.filter((r) => r.status !== 'success').length;
	const stats = (await sandbox.stats()) as SandboxStats;
	if (failedRuns || stats.sendsAccepted < o.sends) {
		throw new Error(`sends: ${failedRuns} executions failed, ${stats.sendsAccepted}/${o.sends} sends accepted`);
	}
	return { sendRuns, sendSeconds, cpu, warmTokenFetches };
}

async function runWith(
	version: N8nVersion,
	tgz: string,
	sandbox: SandboxProcess,
	workers: number,
	o: { sends: number; batch: number; fanout: number; serverLatencyMs?: number },
): Promise<QueueRun> {
	const t0 = Date.now();
	const cluster = await createQueueCluster(version, { tgz, workers });
	try {
		const cred = openImCredential(sandbox.url);
		await cluster.importCredentials([cred]);
		await cluster.importWorkflow(workflows(cred), { activate: true });
		await cluster.start();
		const startSeconds = (Date.now() - t0) / 1000;
		console.log(`[queue bench] ${workers} worker(s) ready after ${startSeconds.toFixed(0)} s`);
		const target: Target = {
			post: (hook, body) => cluster.webhook.webhook(hook, body),
			executions: (id) => cluster.executions(id),
			postgres: cluster.postgres,
			roles: {
				...Object.fromEntries(cluster.workers.map((w, i) => [`worker ${i + 1}`, w.pid])),
				main: cluster.main.pid,
				'webhook processor': cluster.webhook.pid,
				postgres: cluster.postgres.pid,
				redis: cluster.redis.pid,
			},
		};

		const users = Array.from({ length: Math.max(o.sends, o.fanout) }, (_, i) => `qb${String(i).padStart(5, '0')}`);
		// Registration of the webhooks (2.x activates asynchronously) before the clock starts.
		await target.post(SENDS_WF.hook, { users: [] });
		await waitEnded(target, SENDS_WF.id, 1, 0);

		const { sendRuns, sendSeconds, cpu, warmTokenFetches } = await sendsPhase(target, sandbox, users, o);
		const perWorker = cluster.workers.map((_, w) => sendRuns.filter((r) => cluster.workerOf(r.id) === w).length);
		const sendStats = (await sandbox.stats()) as SandboxStats;

		// Fan-out: one execution, o.fanout recipients.
		const before = await lastId(target);
		const start = Date.now();
		const res = await target.post(FANOUT_WF.hook, { users: users.slice(0, o.fanout) });
		if (res.status !== 200) throw new Error(`webhook: HTTP ${res.status} ${res.text.slice(0, 200)}`);
		const [fan] = await waitEnded(target, FANOUT_WF.id, 1, before);
		const fanoutSeconds = (fan.stoppedAt - start) / 1000;
		const stats = (await sandbox.stats()) as SandboxStats;
		if (fan.status !== 'success' || stats.sendsAccepted < o.sends + o.fanout) {
			throw new Error(`fan-out: execution ${fan.status}, ${stats.sendsAccepted - o.sends}/${o.fanout} sends accepted`);
		}
		const run: QueueRun = {
			workers,
			sends: o.sends,
			sendSeconds,
			sendsPerSec: o.sends / sendSeconds,
			perWorker,
			maxConcurrentExecutions: maxOverlap(sendRuns),
			fanout: o.fanout,
			fanoutSeconds,
			fanoutPerSec: o.fanout / fanoutSeconds,
			tokenFetches: warmTokenFetches + stats.tokensIssued,
			sandboxMaxInFlight: Math.max(sendStats.maxInFlight, stats.maxInFlight),
			startSeconds,
			cpu,
		};
		console.log(
			`[queue bench] ${workers} worker(s): ${o.sends} sends in ${sendSeconds.toFixed(1)} s = ${Math.round(run.sendsPerSec)}/s ` +
				`(executions per worker ${JSON.stringify(perWorker)}, at most ${run.maxConcurrentExecutions} at once); ` +
				`fan-out ${o.fanout} in ${fanoutSeconds.toFixed(1)} s = ${Math.round(run.fanoutPerSec)}/s; ` +
				`token fetches ${run.tokenFetches} (warm-up included); sandbox max in flight ${run.sandboxMaxInFlight}; load ${loadavg()[0].toFixed(1)}`,
		);
		console.log(`[queue bench] ${workers} worker(s), sends: ${cpuLine(cpu)}`);
		return run;
	} finally {
		await cluster.dispose();
	}
}

/**
 * The same sends workflow in one regular n8n process (its own PostgreSQL, same settings), for the CPU per item
 * the queue adds: the issue's target is queue mode within 10 % of this.
 */
async function runSingle(version: N8nVersion, tgz: string, sandbox: SandboxProcess, o: { sends: number; batch: number; serverLatencyMs?: number }) {
	const postgres = await startPostgres();
	const n8n = await createN8nInstance(version, {
		tgz,
		env: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: postgres.host,
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: postgres.database,
			DB_POSTGRESDB_USER: postgres.user,
			DB_POSTGRESDB_PASSWORD: '',
			EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		},
	});
	try {
		const cred = openImCredential(sandbox.url);
		await n8n.importCredentials([cred]);
		const [sends] = workflows(cred);
		await n8n.importWorkflow(sends);
		await n8n.activateWorkflow(sends.id);
		await n8n.start({ timeoutMs: 240_000 });
		const target: Target = {
			post: (hook, body) => n8n.webhook(hook, body),
			executions: async (workflowId) => {
				const rows = await postgres.query(
					`select id, "workflowId", status, mode, coalesce(extract(epoch from "startedAt") * 1000, 0), coalesce(extract(epoch from "stoppedAt") * 1000, 0) from execution_entity where "workflowId" = '${workflowId}' order by id`,
				);
				return rows.map(([id, wf, status, mode, started, stopped]) => ({ id, workflowId: wf, status, mode, startedAt: Number(started), stoppedAt: Number(stopped) }));
			},
			postgres,
			roles: { n8n: n8n.pid, postgres: postgres.pid },
		};
		const users = Array.from({ length: o.sends }, (_, i) => `qb${String(i).padStart(5, '0')}`);
		await target.post(SENDS_WF.hook, { users: [] });
		await waitEnded(target, SENDS_WF.id, 1, 0);
		const { sendSeconds, cpu } = await sendsPhase(target, sandbox, users, o);
		console.log(`[queue bench] one regular n8n process: ${o.sends} sends in ${sendSeconds.toFixed(1)} s = ${Math.round(o.sends / sendSeconds)}/s; ${cpuLine(cpu)}`);
		return { sendsPerSec: o.sends / sendSeconds, cpu };
	} finally {
		await n8n.dispose().catch(() => undefined);
		await postgres.stop().catch(() => undefined);
	}
}

export async function queueBenchMain(args: string[]): Promise<void> {
	const quick = args.includes('--quick');
	const v = args[args.indexOf('--n8n') + 1];
	const version: N8nVersion = args.includes('--n8n') && N8N_VERSIONS.includes(v as N8nVersion) ? (v as N8nVersion) : '1.123.81';
	if (version === '1.85.4') throw new Error('--queue: use --n8n 1.123.81 or 2.41.1');
	const latency = args.includes('--server-latency') ? Number(args[args.indexOf('--server-latency') + 1]) : 0;
	const o = { ...(quick ? { sends: 1000, batch: 100, fanout: 2000 } : { sends: 5000, batch: 100, fanout: 10000 }), serverLatencyMs: latency };
	console.log(
		`OpenIM Notify through n8n's queue (issue #13): n8n ${version}, ${cpus().length} cores, ${o.sends} sends as ${o.sends / o.batch} executions × ${o.batch}, ` +
			`fan-out ${o.fanout}, Max Concurrent Requests ${OPTIONS.maxConcurrency}, worker --concurrency=10, server latency ${latency} ms, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}${quick ? ' (--quick)' : ''}`,
	);
	await ensureSandboxBuilt();
	const tgz = await packPackage();
	const sandbox = await startSandbox({ tokenLifetime: 7776000, storage: false });
	try {
		const single = await runSingle(version, tgz, sandbox, o);
		const one = await runWith(version, tgz, sandbox, 1, o);
		const two = await runWith(version, tgz, sandbox, 2, o);
		const round = (n: number) => Math.round(n);
		const cpuRatio = (r: QueueRun) => n8nCpuUs(r.cpu) / Math.max(1, n8nCpuUs(single.cpu));
		const workerRatio = (r: QueueRun) =>
			Object.entries(r.cpu.perItemUs)
				.filter(([k]) => k.startsWith('worker'))
				.reduce((a, [, x]) => a + x, 0) / Math.max(1, n8nCpuUs(single.cpu));
		console.log(
			`scaling 1 → 2 workers: sends ${(two.sendsPerSec / one.sendsPerSec).toFixed(2)}×, fan-out (one execution, one worker) ${(two.fanoutPerSec / one.fanoutPerSec).toFixed(2)}×`,
		);
		console.log(
			`n8n CPU per send, queue mode ÷ one process: 1 worker ${cpuRatio(one).toFixed(2)} (workers alone ${workerRatio(one).toFixed(2)}), ` +
				`2 workers ${cpuRatio(two).toFixed(2)} (workers alone ${workerRatio(two).toFixed(2)}); one process ${n8nCpuUs(single.cpu)} µs`,
		);
		console.log(
			JSON.stringify({
				queue1PerSec: round(one.sendsPerSec),
				queue2PerSec: round(two.sendsPerSec),
				queueScaling: Number((two.sendsPerSec / one.sendsPerSec).toFixed(2)),
				singleProcessPerSec: round(single.sendsPerSec),
				queue1FanoutPerSec: round(one.fanoutPerSec),
				queue2FanoutPerSec: round(two.fanoutPerSec),
				queueTokenFetches: [one.tokenFetches, two.tokenFetches],
				queueMaxInFlight: [one.sandboxMaxInFlight, two.sandboxMaxInFlight],
				// Max Concurrent Requests × executions a worker runs at once (--concurrency 10) × workers.
				queueInFlightBound: [OPTIONS.maxConcurrency * 10, OPTIONS.maxConcurrency * 10 * 2],
				queueExecutionsPerWorker: two.perWorker,
				cpuUsPerSend: { singleProcess: single.cpu.perItemUs, queue1: one.cpu.perItemUs, queue2: two.cpu.perItemUs },
				machineBusyPct: { singleProcess: single.cpu.machineBusyPct, queue1: one.cpu.machineBusyPct, queue2: two.cpu.machineBusyPct },
				queueCpuRatio: [Number(cpuRatio(one).toFixed(2)), Number(cpuRatio(two).toFixed(2))],
			}),
		);
	} finally {
		await sandbox.stop();
	}
}
