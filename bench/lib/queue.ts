/* eslint-disable @n8n/community-nodes/no-restricted-imports, no-console -- benchmark tooling, not shipped: drives real n8n in queue mode (node:os), prints its report on the console */
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
import { packPackage, type WorkflowJson } from '../../test/e2e/n8n';
import { until } from '../../test/e2e/proc';
import { createQueueCluster, maxOverlap, type QueueCluster } from '../../test/e2e/queue';
import { N8N_VERSIONS, type N8nVersion } from '../../test/e2e/runtime';
import { ensureSandboxBuilt, startSandbox, type SandboxProcess } from '../../test/e2e/sandbox';
import type { SandboxStats } from '../../sandbox/types';

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

async function waitEnded(cluster: QueueCluster, workflowId: string, count: number, afterId: number) {
	return await until(
		`${count} executions of ${workflowId}`,
		async () => {
			const runs = (await cluster.executions(workflowId)).filter((e) => Number(e.id) > afterId);
			return runs.length >= count && runs.every((e) => ended(e.status)) ? runs : undefined;
		},
		1_800_000,
	);
}

async function lastId(cluster: QueueCluster): Promise<number> {
	return Number((await cluster.postgres.query('select coalesce(max(id), 0) from execution_entity'))[0][0]);
}

async function runWith(
	version: N8nVersion,
	tgz: string,
	sandbox: SandboxProcess,
	workers: number,
	o: { sends: number; batch: number; fanout: number },
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

		const users = Array.from({ length: Math.max(o.sends, o.fanout) }, (_, i) => `qb${String(i).padStart(5, '0')}`);
		// Registration of the webhooks (2.x activates asynchronously) before the clock starts.
		await cluster.webhook.webhook(SENDS_WF.hook, { users: [] });
		await waitEnded(cluster, SENDS_WF.id, 1, 0);

		// Sends: o.sends / o.batch executions, posted at once.
		let before = await lastId(cluster);
		await sandbox.reset();
		await sandbox.addUsers(users.map((userID) => ({ userID })));
		let start = Date.now();
		const batches = Math.ceil(o.sends / o.batch);
		const calls = Array.from({ length: batches }, (_, b) =>
			cluster.webhook.webhook(SENDS_WF.hook, { users: users.slice(b * o.batch, Math.min(o.sends, (b + 1) * o.batch)).map((userID) => ({ userID })) }),
		);
		for (const res of await Promise.all(calls)) if (res.status !== 200) throw new Error(`webhook: HTTP ${res.status} ${res.text.slice(0, 200)}`);
		const sendRuns = await waitEnded(cluster, SENDS_WF.id, batches, before);
		const sendSeconds = (Math.max(...sendRuns.map((r) => r.stoppedAt)) - start) / 1000;
		const failedRuns = sendRuns.filter((r) => r.status !== 'success').length;
		const sendStats = (await sandbox.stats()) as SandboxStats;
		if (failedRuns || sendStats.sendsAccepted < o.sends) {
			throw new Error(`sends: ${failedRuns} executions failed, ${sendStats.sendsAccepted}/${o.sends} sends accepted`);
		}
		const perWorker = cluster.workers.map((_, w) => sendRuns.filter((r) => cluster.workerOf(r.id) === w).length);

		// Fan-out: one execution, o.fanout recipients.
		before = await lastId(cluster);
		start = Date.now();
		const res = await cluster.webhook.webhook(FANOUT_WF.hook, { users: users.slice(0, o.fanout) });
		if (res.status !== 200) throw new Error(`webhook: HTTP ${res.status} ${res.text.slice(0, 200)}`);
		const [fan] = await waitEnded(cluster, FANOUT_WF.id, 1, before);
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
			tokenFetches: stats.tokensIssued,
			sandboxMaxInFlight: stats.maxInFlight,
			startSeconds,
		};
		console.log(
			`[queue bench] ${workers} worker(s): ${o.sends} sends in ${sendSeconds.toFixed(1)} s = ${Math.round(run.sendsPerSec)}/s ` +
				`(executions per worker ${JSON.stringify(perWorker)}, at most ${run.maxConcurrentExecutions} at once); ` +
				`fan-out ${o.fanout} in ${fanoutSeconds.toFixed(1)} s = ${Math.round(run.fanoutPerSec)}/s; ` +
				`token fetches ${stats.tokensIssued}; sandbox max in flight ${stats.maxInFlight}; load ${loadavg()[0].toFixed(1)}`,
		);
		return run;
	} finally {
		await cluster.dispose();
	}
}

export async function queueBenchMain(args: string[]): Promise<void> {
	const quick = args.includes('--quick');
	const v = args[args.indexOf('--n8n') + 1];
	const version: N8nVersion = args.includes('--n8n') && N8N_VERSIONS.includes(v as N8nVersion) ? (v as N8nVersion) : '1.123.81';
	if (version === '1.85.4') throw new Error('--queue: use --n8n 1.123.81 or 2.41.1');
	const o = quick ? { sends: 1000, batch: 100, fanout: 2000 } : { sends: 5000, batch: 100, fanout: 10000 };
	console.log(
		`OpenIM Notify through n8n's queue (issue #13): n8n ${version}, ${cpus().length} cores, ${o.sends} sends as ${o.sends / o.batch} executions × ${o.batch}, ` +
			`fan-out ${o.fanout}, Max Concurrent Requests ${OPTIONS.maxConcurrency}, worker --concurrency=10, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}${quick ? ' (--quick)' : ''}`,
	);
	await ensureSandboxBuilt();
	const tgz = await packPackage();
	const sandbox = await startSandbox({ tokenLifetime: 7776000, storage: false });
	try {
		const one = await runWith(version, tgz, sandbox, 1, o);
		const two = await runWith(version, tgz, sandbox, 2, o);
		const round = (n: number) => Math.round(n);
		console.log(
			`scaling 1 → 2 workers: sends ${(two.sendsPerSec / one.sendsPerSec).toFixed(2)}×, fan-out (one execution, one worker) ${(two.fanoutPerSec / one.fanoutPerSec).toFixed(2)}×`,
		);
		console.log(
			JSON.stringify({
				queue1PerSec: round(one.sendsPerSec),
				queue2PerSec: round(two.sendsPerSec),
				queueScaling: Number((two.sendsPerSec / one.sendsPerSec).toFixed(2)),
				queue1FanoutPerSec: round(one.fanoutPerSec),
				queue2FanoutPerSec: round(two.fanoutPerSec),
				queueTokenFetches: [one.tokenFetches, two.tokenFetches],
				queueMaxInFlight: [one.sandboxMaxInFlight, two.sandboxMaxInFlight],
				queueExecutionsPerWorker: two.perWorker,
			}),
		);
	} finally {
		await sandbox.stop();
	}
}
