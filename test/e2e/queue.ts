/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error, @n8n/community-nodes/no-dangerous-functions -- e2e test tooling, not shipped: runs PostgreSQL, Redis and several n8n processes (node:*, child_process, process, timers), plain errors */
/**
 * n8n in queue mode, for the e2e tests, the demo (`npm run demo -- --queue`) and the benchmark:
 *
 *   const cluster = await createQueueCluster('1.123.81', { workers: 2 });  // PostgreSQL + Redis + 4 n8n folders
 *   await cluster.importCredentials([credential]);     // through the main's CLI (one shared database)
 *   await cluster.importWorkflow(workflow, { activate: true });
 *   await cluster.start();                              // main, then the workers and the webhook processor
 *   await cluster.webhook.webhook('my-path', body);     // production webhooks go to the webhook processor
 *   cluster.workerOf(executionId)                       // which worker ran it ("Worker started execution" lines)
 *   await cluster.dispose();
 *
 * Every n8n process is an N8nInstance (test/e2e/n8n.ts) with its own N8N_USER_FOLDER, like separate machines,
 * and the package installed there with the README's command. They share N8N_ENCRYPTION_KEY, the PostgreSQL
 * database, Redis (EXECUTIONS_MODE=queue) and WEBHOOK_URL (the webhook processor, so Send and Wait links
 * and resume URLs reach it). Binary data: `database` mode where n8n has it (1.123, 2.x), else `filesystem`
 * in one folder all processes share (1.85.4; on separate machines that is a shared volume, or S3).
 *
 * PostgreSQL is a throw-away cluster (initdb into a temp dir; as root it runs as the `postgres` user),
 * Redis a `redis-server` without persistence; both on 127.0.0.1 on free ports, so parallel runs do not collide.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createN8nInstance, packPackage, type CredentialJson, type N8nInstance, type WorkflowJson } from './n8n';
import { freePort, killGroup, run, sleep, spawnGroup, tail, waitForExit } from './proc';
import { isMajor1, type N8nVersion } from './runtime';

// ---------------------------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------------------------

/** The newest /usr/lib/postgresql/<v>/bin (Debian), or OPENIM_PG_BIN. */
export function postgresBinDir(): string {
	const preset = process.env.OPENIM_PG_BIN;
	if (preset) return preset;
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root)
		? readdirSync(root)
				.filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (!versions.length) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install -y postgresql');
	return join(root, versions[0], 'bin');
}

export interface PostgresInstance {
	host: string;
	port: number;
	user: string;
	database: string;
	dataDir: string;
	/** The postmaster's PID, also the process group of every backend (for CPU accounting). */
	pid?: number;
	/** psql -c <sql> -At: rows as lines, columns separated by `|`. */
	query(sql: string): Promise<string[][]>;
	stop(): Promise<void>;
}

/** As root, PostgreSQL refuses to run: its commands then run as the `postgres` user (Debian's package creates it). */
function asPostgresUser(): { uid: number; gid: number } | undefined {
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
	try {
		const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
		const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
		return { uid, gid };
	} catch {
		throw new Error('running as root, but there is no `postgres` user to run PostgreSQL as: apt-get install -y postgresql');
	}
}

/** A throw-away PostgreSQL cluster on 127.0.0.1:<free port>, trust auth, durability off (test data only). */
export async function startPostgres(opts: { database?: string; timeoutMs?: number } = {}): Promise<PostgresInstance> {
	const bin = postgresBinDir();
	const owner = asPostgresUser();
	const base = mkdtempSync(join(tmpdir(), 'openim-pg-'));
	chmodSync(base, 0o755);
	const dataDir = join(base, 'data');
	mkdirSync(dataDir, { mode: 0o700 });
	if (owner) execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, base]);
	const spawnOpts = { uid: owner?.uid, gid: owner?.gid, env: { ...process.env, LC_ALL: 'C' } };
	const initdb = await runAs(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync'], spawnOpts, 120_000);
	if (initdb.code !== 0) {
		rmSync(base, { recursive: true, force: true });
		throw new Error(`initdb failed (exit ${initdb.code}):\n${tail(initdb.stdout + initdb.stderr, 30)}`);
	}
	const port = await freePort();
	const child = spawnGroup(
		join(bin, 'postgres'),
		['-D', dataDir, '-p', String(port), '-k', base, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off',
			'-c', 'full_page_writes=off', '-c', 'max_connections=200', '-c', 'shared_buffers=64MB'],
		spawnOpts,
	);
	let log = '';
	child.stdout!.setEncoding('utf8').on('data', (c: string) => (log += c));
	child.stderr!.setEncoding('utf8').on('data', (c: string) => (log += c));
	const stop = async () => {
		killGroup(child, 'SIGINT'); // fast shutdown
		if (!(await waitForExit(child, 10_000))) {
			killGroup(child, 'SIGKILL');
			await waitForExit(child, 5_000);
		}
		rmSync(base, { recursive: true, force: true });
	};
	const database = opts.database ?? 'n8n';
	const psql = (args: string[]) =>
		run(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', ...args], {
			env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
			timeoutMs: 60_000,
		});
	const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
	for (;;) {
		if (child.exitCode !== null) {
			await stop();
			throw new Error(`postgres exited (${child.exitCode}) before it was ready:\n${tail(log, 30)}`);
		}
		const probe = await psql(['-d', 'postgres', '-Atc', 'select 1']);
		if (probe.code === 0) break;
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`postgres not ready on port ${port}:\n${tail(log + probe.stderr, 30)}`);
		}
		await sleep(200);
	}
	const created = await psql(['-d', 'postgres', '-c', `create database ${database}`]);
	if (created.code !== 0) {
		await stop();
		throw new Error(`create database ${database} failed: ${created.stderr}`);
	}
	return {
		host: '127.0.0.1',
		port,
		user: 'postgres',
		database,
		dataDir,
		pid: child.pid,
		async query(sql: string) {
			const res = await psql(['-d', database, '-At', '-F', '|', '-c', sql]);
			if (res.code !== 0) throw new Error(`psql ${sql}: ${res.stderr}`);
			return res.stdout
				.split('\n')
				.filter((l) => l.length > 0)
				.map((l) => l.split('|'));
		},
		stop,
	};
}

function runAs(
	cmd: string,
	args: string[],
	opts: { uid?: number; gid?: number; env: NodeJS.ProcessEnv },
	timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve) => {
		const child = spawnGroup(cmd, args, { ...opts, cwd: '/' });
		let stdout = '';
		let stderr = '';
		child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
		child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
		const timer = setTimeout(() => killGroup(child, 'SIGKILL'), timeoutMs);
		child.on('error', (err) => {
			clearTimeout(timer);
			resolve({ code: -1, stdout, stderr: stderr + err.message });
		});
		child.on('close', (code) => {
			clearTimeout(timer);
			resolve({ code, stdout, stderr });
		});
	});
}

// ---------------------------------------------------------------------------------------------
// Redis
// ---------------------------------------------------------------------------------------------

export interface RedisInstance {
	host: string;
	port: number;
	/** redis-server's PID (for CPU accounting). */
	pid?: number;
	stop(): Promise<void>;
}

/** `redis-server` on 127.0.0.1:<free port>, no persistence (`--save '' --appendonly no`). */
export async function startRedis(opts: { timeoutMs?: number } = {}): Promise<RedisInstance> {
	const bin = process.env.OPENIM_REDIS_SERVER ?? 'redis-server';
	const port = await freePort();
	const dir = mkdtempSync(join(tmpdir(), 'openim-redis-'));
	const child: ChildProcess = spawnGroup(
		bin,
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
		{ cwd: dir },
	);
	let log = '';
	let failed: string | undefined;
	child.on('error', (err) => (failed = `${err.message} (apt-get install -y redis-server)`));
	child.stdout!.setEncoding('utf8').on('data', (c: string) => (log += c));
	child.stderr!.setEncoding('utf8').on('data', (c: string) => (log += c));
	const stop = async () => {
		killGroup(child, 'SIGTERM');
		if (!(await waitForExit(child, 5_000))) killGroup(child, 'SIGKILL');
		rmSync(dir, { recursive: true, force: true });
	};
	const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
	while (!/Ready to accept connections/.test(log)) {
		if (failed || child.exitCode !== null || Date.now() > deadline) {
			await stop();
			throw new Error(`redis-server did not start on port ${port}: ${failed ?? ''}\n${tail(log, 20)}`);
		}
		await sleep(100);
	}
	return { host: '127.0.0.1', port, pid: child.pid, stop };
}

// ---------------------------------------------------------------------------------------------
// The cluster
// ---------------------------------------------------------------------------------------------

export interface QueueClusterOptions {
	/** Package tarball (default: packPackage()). */
	tgz?: string;
	/** Number of `n8n worker` processes (default 2). */
	workers?: number;
	/** `--concurrency` of each worker (default 10, n8n's default). */
	workerConcurrency?: number;
	/** Extra environment for every process (wins over the cluster's). */
	env?: Record<string, string | undefined>;
	/** A fixed port for the main (the demo); default: free ports everywhere. */
	mainPort?: number;
	/** A fixed port for the webhook processor (the demo). */
	webhookPort?: number;
}

export interface ExecutionRow {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	/** Epoch ms (0 when not set yet). */
	startedAt: number;
	stoppedAt: number;
}

/** How many of these executions ran at the same time at most (from their start and stop times). */
export function maxOverlap(runs: ExecutionRow[]): number {
	const edges = runs.flatMap((r) => [[r.startedAt, 1] as const, [r.stoppedAt, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let now = 0;
	let max = 0;
	for (const [, d] of edges) max = Math.max(max, (now += d));
	return max;
}

export interface WorkerExecution {
	executionId: string;
	worker: number;
}

export class QueueCluster {
	constructor(
		readonly version: N8nVersion,
		/** `n8n start`: editor, REST API, activation; enqueues; also answers webhooks (the tests call the processor). */
		readonly main: N8nInstance,
		/** `n8n worker` processes: they run the executions. */
		readonly workers: N8nInstance[],
		/** `n8n webhook`: the webhook processor (production and waiting webhooks). */
		readonly webhook: N8nInstance,
		readonly postgres: PostgresInstance,
		readonly redis: RedisInstance,
		private readonly workerArgs: string[],
		private readonly sharedBinaryDir: string | undefined,
	) {}

	/** Every n8n process: main, workers, webhook processor. */
	get processes(): N8nInstance[] {
		return [this.main, ...this.workers, this.webhook];
	}

	importCredentials(credentials: CredentialJson[]): Promise<void> {
		return this.main.importCredentials(credentials);
	}

	/**
	 * Imports through the main's CLI. `activate`: also activate them before start(), in as few n8n commands as
	 * possible (each takes 10-30 s): 1.x `update:workflow --all --active=true`, 2.x `publish:workflow` per id
	 * (2.41's `import:workflow --activeState=fromJson` was tried: its webhooks were not registered).
	 */
	async importWorkflow(workflow: WorkflowJson | WorkflowJson[], opts: { activate?: boolean } = {}): Promise<void> {
		const list = Array.isArray(workflow) ? workflow : [workflow];
		await this.main.importWorkflow(list);
		if (opts.activate) await this.activateWorkflows(list.map((w) => w.id));
	}

	/** Before start(): `update:workflow --active=true` (1.x) / `publish:workflow` (2.x) through the main's CLI. */
	activateWorkflow(workflowId: string): Promise<void> {
		return this.main.activateWorkflow(workflowId);
	}

	/**
	 * Before start(): activates every imported workflow with one CLI command on 1.x (`update:workflow --all
	 * --active=true`); 2.x has no --all for `publish:workflow`, so one command per id.
	 */
	async activateWorkflows(workflowIds: string[]): Promise<void> {
		if (isMajor1(this.version)) {
			const res = await this.main.cli(['update:workflow', '--all', '--active=true']);
			if (res.code !== 0) throw new Error(`n8n ${this.version}: update:workflow --all --active=true failed:\n${tail(res.stdout + res.stderr, 30)}`);
			return;
		}
		for (const id of workflowIds) await this.main.activateWorkflow(id);
	}

	/**
	 * The main first (it activates the workflows and registers their webhooks), then the workers and the webhook
	 * processor together. If one fails to start, the others are stopped again.
	 */
	async start(opts: { timeoutMs?: number } = {}): Promise<void> {
		const timeoutMs = opts.timeoutMs ?? 240_000;
		await this.main.start({ timeoutMs });
		const started = await Promise.allSettled([
			...this.workers.map((w) => w.start({ command: 'worker', args: this.workerArgs, timeoutMs })),
			this.webhook.start({ command: 'webhook', timeoutMs }),
		]);
		const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
		if (failed) {
			await this.stop();
			throw failed.reason;
		}
	}

	async stop(): Promise<void> {
		await Promise.all([...this.workers, this.webhook].map((p) => p.stop()));
		await this.main.stop();
	}

	/** Which worker ran which execution, from the workers' "Worker started execution <id>" lines. */
	workerExecutions(): WorkerExecution[] {
		const out: WorkerExecution[] = [];
		this.workers.forEach((w, worker) => {
			for (const m of w.logs().matchAll(/Worker started execution (\d+)/g)) out.push({ executionId: m[1], worker });
		});
		return out;
	}

	/** The worker (index) that started `executionId` last, or undefined. */
	workerOf(executionId: string | number): number | undefined {
		const runs = this.workerExecutions().filter((r) => r.executionId === String(executionId));
		return runs.length ? runs[runs.length - 1].worker : undefined;
	}

	/** Executions as the database holds them: id, workflowId, status, mode, finished. */
	async executions(workflowId?: string): Promise<ExecutionRow[]> {
		const where = workflowId ? ` where "workflowId" = '${workflowId.replace(/'/g, "''")}'` : '';
		const rows = await this.postgres.query(
			`select id, "workflowId", status, mode, coalesce(extract(epoch from "startedAt") * 1000, 0), coalesce(extract(epoch from "stoppedAt") * 1000, 0) from execution_entity${where} order by id`,
		);
		return rows.map(([id, wf, status, mode, started, stopped]) => ({
			id,
			workflowId: wf,
			status,
			mode,
			startedAt: Number(started),
			stoppedAt: Number(stopped),
		}));
	}

	/** Everything every process printed, e.g. to scan for leaked secrets. */
	logs(): string {
		return this.processes.map((p) => p.logs()).join('\n');
	}

	async dispose(): Promise<void> {
		await this.stop().catch(() => undefined);
		await Promise.all(this.processes.map((p) => p.dispose().catch(() => undefined)));
		await this.redis.stop().catch(() => undefined);
		await this.postgres.stop().catch(() => undefined);
		if (this.sharedBinaryDir) rmSync(this.sharedBinaryDir, { recursive: true, force: true });
	}
}

/**
 * PostgreSQL + Redis + n8n main, `workers` workers and one webhook processor, the package installed on each.
 * Nothing n8n runs until `start()`; import and activate workflows first.
 */
export async function createQueueCluster(version: N8nVersion, opts: QueueClusterOptions = {}): Promise<QueueCluster> {
	const tgz = opts.tgz ?? (await packPackage());
	const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
	const processes: N8nInstance[] = [];
	let sharedBinaryDir: string | undefined;
	try {
		const webhookPort = opts.webhookPort ?? (await freePort());
		// database mode stores binary data in PostgreSQL, so every process reads what another wrote (1.123+).
		const hasDatabaseMode = version !== '1.85.4';
		if (!hasDatabaseMode) sharedBinaryDir = mkdtempSync(join(tmpdir(), 'openim-queue-binary-'));
		const env: Record<string, string | undefined> = {
			EXECUTIONS_MODE: 'queue',
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: postgres.host,
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: postgres.database,
			DB_POSTGRESDB_USER: postgres.user,
			DB_POSTGRESDB_PASSWORD: '',
			QUEUE_BULL_REDIS_HOST: redis.host,
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			WEBHOOK_URL: `http://127.0.0.1:${webhookPort}/`,
			N8N_DEFAULT_BINARY_DATA_MODE: hasDatabaseMode ? 'database' : 'filesystem',
			N8N_AVAILABLE_BINARY_DATA_MODES: hasDatabaseMode ? 'filesystem,database' : 'filesystem',
			N8N_BINARY_DATA_STORAGE_PATH: sharedBinaryDir,
			// Keep finished executions' data: the tests read it from the database.
			EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
			N8N_RUNNERS_ENABLED: isMajor1(version) ? undefined : 'true',
			...opts.env,
		};
		const make = async (port?: number, extra: Record<string, string> = {}) => {
			const p = await createN8nInstance(version, { tgz, port, env: { ...env, ...extra } });
			processes.push(p);
			return p;
		};
		// The worker's own HTTP server (health checks) needs a port of its own, too.
		const workerPorts: number[] = [];
		for (let i = 0; i < (opts.workers ?? 2); i++) workerPorts.push(await freePort());
		// Each process gets its own folder and its own `npm install` of the package, in parallel.
		const [main, webhook, ...workers] = await Promise.all([
			make(opts.mainPort),
			make(webhookPort),
			...workerPorts.map((port) => make(port, { QUEUE_HEALTH_CHECK_PORT: String(port), N8N_WORKER_SERVER_PORT: String(port) })),
		]);
		const workerArgs = [`--concurrency=${opts.workerConcurrency ?? 10}`];
		return new QueueCluster(version, main, workers, webhook, postgres, redis, workerArgs, sharedBinaryDir);
	} catch (error) {
		await Promise.all(processes.map((p) => p.dispose().catch(() => undefined)));
		await redis.stop();
		await postgres.stop();
		if (sharedBinaryDir) rmSync(sharedBinaryDir, { recursive: true, force: true });
		throw error;
	}
}
