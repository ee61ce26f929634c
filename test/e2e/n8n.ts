/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error, @n8n/community-nodes/no-hardcoded-secrets, @typescript-eslint/no-explicit-any -- e2e test tooling, not shipped: runs real n8n as child processes (process, timers, node:*), plain errors, fixed test-only keys, arbitrary run-data JSON */
/**
 * Real-n8n harness for the end-to-end tests.
 *
 *   const tgz = await packPackage();                          // npm run build + npm pack, once per jest run
 *   const n8n = await createN8nInstance('1.123.81', { tgz }); // fresh N8N_USER_FOLDER with the package installed
 *   await n8n.importCredentials([credential]);
 *   await n8n.importWorkflow(workflow);
 *   const result = await n8n.execute(workflow.id);            // parsed run data; throws with n8n's error if a node failed
 *   expect(result.output('OpenIM Notify')[0].serverMsgID).toBeTruthy();
 *   await n8n.dispose();
 *
 * The package under test is installed with the README's manual route, exactly: `mkdir -p
 * <N8N_USER_FOLDER>/.n8n/nodes`, then `npm install --prefix . <tgz>` there, with the Node of that n8n version
 * (20 for 1.x, 24 for 2.x). Its n8n-workflow peer is optional, so npm installs nothing else; n8n
 * resolves n8n-workflow from its own node_modules. Extra packages (`extraPackages`) are unpacked the
 * way n8n's community-package installer lays them out (`installPackage()`).
 *
 * See test/e2e/README.md for how to add a test.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { request } from 'undici';

import { freePort, killGroup, run, sleep, spawnGroup, tail, waitForExit, type RunResult } from './proc';
import {
	REPO_ROOT,
	assertRuntimeInstalled,
	isMajor1,
	n8nBin,
	pathWithNodeFirst,
	type N8nVersion,
} from './runtime';

export { N8N_VERSIONS, selectedVersions, type N8nVersion } from './runtime';

/** Encryption key of every test instance (import:credentials encrypts the plain `data` with it). */
export const E2E_ENCRYPTION_KEY = 'openim-e2e-encryption-key';

/** Owner account created by `setupOwner()` (password policy: 8+ chars, a digit, an uppercase letter). */
export const E2E_OWNER = {
	email: 'owner@example.com',
	firstName: 'E2E',
	lastName: 'Owner',
	password: 'Passw0rd!E2E',
};

// ---------------------------------------------------------------------------------------------
// Packing the package under test
// ---------------------------------------------------------------------------------------------

let packed: string | undefined;

/**
 * Builds (`npm run build`) and packs (`npm pack`) this repository once per jest run and returns the
 * .tgz path. The jest global setup calls it and passes the path to the test files through
 * OPENIM_E2E_TGZ; set OPENIM_E2E_TGZ yourself to test an existing tarball without rebuilding.
 */
export async function packPackage(): Promise<string> {
	const preset = process.env.OPENIM_E2E_TGZ;
	if (preset) {
		if (!existsSync(preset)) throw new Error(`OPENIM_E2E_TGZ=${preset} does not exist`);
		return preset;
	}
	if (packed && existsSync(packed)) return packed;

	const env = { ...process.env };
	delete env.NODE_ENV;
	const build = await run('npm', ['run', 'build'], { cwd: REPO_ROOT, env, timeoutMs: 300_000 });
	if (build.code !== 0) {
		throw new Error(`npm run build failed (exit ${build.code}):\n${tail(build.stdout + build.stderr, 60)}`);
	}
	const dest = mkdtempSync(join(tmpdir(), 'n8n-nodes-openim-pack-'));
	const pack = await run('npm', ['pack', '--json', '--pack-destination', dest], { cwd: REPO_ROOT, env, timeoutMs: 120_000 });
	if (pack.code !== 0) {
		throw new Error(`npm pack failed (exit ${pack.code}):\n${tail(pack.stdout + pack.stderr, 60)}`);
	}
	let filename: string;
	try {
		filename = (JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string }>)[0].filename;
	} catch {
		throw new Error(`cannot read the output of npm pack --json:\n${tail(pack.stdout, 30)}`);
	}
	packed = join(dest, filename);
	if (!existsSync(packed)) throw new Error(`npm pack reported ${filename} but ${packed} does not exist`);
	process.env.OPENIM_E2E_TGZ = packed;
	return packed;
}

// ---------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------

/** Credential as `n8n import:credentials` takes it: plain `data`, encrypted on import. */
export interface CredentialJson {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface WorkflowNodeJson {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position?: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	[key: string]: unknown;
}

export interface WorkflowJson {
	id: string;
	name: string;
	nodes: WorkflowNodeJson[];
	connections: Record<string, unknown>;
	active?: boolean;
	settings?: Record<string, unknown>;
	pinData?: Record<string, unknown>;
	[key: string]: unknown;
}

export interface N8nErrorJson {
	message?: string;
	description?: string | null;
	name?: string;
	node?: { name?: string; type?: string };
	httpCode?: string | null;
	context?: Record<string, unknown>;
	stack?: string;
	[key: string]: unknown;
}

export interface N8nItem {
	json: Record<string, any>;
	binary?: Record<string, unknown>;
	pairedItem?: unknown;
	error?: N8nErrorJson;
}

export interface N8nTaskData {
	startTime?: number;
	executionTime?: number;
	executionStatus?: string;
	data?: { main?: Array<N8nItem[] | null> };
	error?: N8nErrorJson;
	[key: string]: unknown;
}

/** What `n8n execute --rawOutput` prints (an IRun). */
export interface N8nRun {
	status?: string;
	finished?: boolean;
	mode?: string;
	data: {
		resultData: {
			runData: Record<string, N8nTaskData[]>;
			lastNodeExecuted?: string;
			error?: N8nErrorJson;
		};
		[key: string]: unknown;
	};
	[key: string]: unknown;
}

export interface ExecuteResult {
	/** The parsed run data. */
	run: N8nRun;
	/** true when no node failed. */
	ok: boolean;
	/** The workflow error (resultData.error) with the failing node's name, when `ok` is false. */
	error?: { message: string; description?: string | null; node?: string; raw: N8nErrorJson };
	/** The CLI process (exit code, stdout, stderr, duration). */
	process: RunResult;
	/** JSON of the items a node produced (output `outputIndex` of run `runIndex`). Throws if the node did not run. */
	output(nodeName: string, outputIndex?: number, runIndex?: number): Array<Record<string, any>>;
	/** Items with binary/pairedItem, as n8n stores them. */
	items(nodeName: string, outputIndex?: number, runIndex?: number): N8nItem[];
	/** Names of the nodes that ran, in run order. */
	nodesRun(): string[];
}

export interface CreateN8nOptions {
	/** Package tarball to install (default: packPackage()). */
	tgz?: string;
	/** More community-package tarballs to install next to it. */
	extraPackages?: string[];
	/** Extra environment for every n8n command of this instance (wins over the defaults). */
	env?: Record<string, string | undefined>;
	/** Port for `start()` (default: a free one). */
	port?: number;
}

export interface StartOptions {
	timeoutMs?: number;
	/**
	 * The n8n command to run: `start` (main, default), `worker` (queue mode: runs executions from Redis) or
	 * `webhook` (queue mode: the webhook processor). See test/e2e/queue.ts.
	 */
	command?: 'start' | 'worker' | 'webhook';
	/** Extra arguments, e.g. ['--concurrency=10'] for a worker. */
	args?: string[];
}

export interface RestResponse<T = any> {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: T;
	text: string;
}

// ---------------------------------------------------------------------------------------------
// Parsing `n8n execute` output
// ---------------------------------------------------------------------------------------------

/**
 * Finds the run data in the noisy stdout of `n8n execute --rawOutput`: the logger prints it as
 * pretty JSON starting with a line `{` and ending with a line `}` (both at column 0), with migration,
 * task-broker and license lines before it (and sometimes shutdown lines after it).
 */
export function extractRunJson(stdout: string): N8nRun | undefined {
	const lines = stdout.split('\n');
	const starts: number[] = [];
	const ends: number[] = [];
	lines.forEach((l, i) => {
		const t = l.replace(/\r$/, '');
		if (t === '{') starts.push(i);
		if (t === '}') ends.push(i);
	});
	// Prefer the last run-data object (on failure 1.x prints it once, before the error).
	for (let s = starts.length - 1; s >= 0; s--) {
		for (const e of ends) {
			if (e <= starts[s]) continue;
			try {
				const parsed = JSON.parse(lines.slice(starts[s], e + 1).join('\n'));
				if (parsed && typeof parsed === 'object' && parsed.data?.resultData) return parsed as N8nRun;
			} catch {
				/* not a complete object yet, try the next closing brace */
			}
		}
	}
	return undefined;
}

function describeError(err: N8nErrorJson | undefined): string {
	if (!err) return 'unknown error';
	const parts = [err.message ?? err.name ?? 'error'];
	if (err.description) parts.push(String(err.description));
	if (err.httpCode) parts.push(`(httpCode ${err.httpCode})`);
	return parts.join(' - ');
}

function makeResult(run: N8nRun, proc: RunResult): ExecuteResult {
	const { runData, error } = run.data.resultData;
	let failed: ExecuteResult['error'];
	const failedNode = Object.entries(runData).find(([, tasks]) => tasks.some((t) => t.error));
	if (error || run.status === 'error' || run.status === 'crashed' || failedNode) {
		const raw = error ?? failedNode?.[1].find((t) => t.error)?.error ?? {};
		failed = {
			message: raw.message ?? 'workflow failed',
			description: raw.description,
			node: raw.node?.name ?? failedNode?.[0] ?? run.data.resultData.lastNodeExecuted,
			raw,
		};
	}
	const items = (nodeName: string, outputIndex = 0, runIndex = 0): N8nItem[] => {
		const tasks = runData[nodeName];
		if (!tasks) {
			throw new Error(`node "${nodeName}" did not run; nodes that ran: ${Object.keys(runData).join(', ') || 'none'}`);
		}
		const task = tasks[runIndex];
		if (!task) throw new Error(`node "${nodeName}" has no run #${runIndex} (it ran ${tasks.length} time(s))`);
		if (task.error) throw new Error(`node "${nodeName}" failed: ${describeError(task.error)}`);
		return task.data?.main?.[outputIndex] ?? [];
	};
	return {
		run,
		ok: !failed,
		error: failed,
		process: proc,
		items,
		output: (nodeName, outputIndex, runIndex) => items(nodeName, outputIndex, runIndex).map((i) => i.json),
		nodesRun: () =>
			Object.entries(runData)
				.sort(([, a], [, b]) => (a[0]?.startTime ?? 0) - (b[0]?.startTime ?? 0))
				.map(([name]) => name),
	};
}

// ---------------------------------------------------------------------------------------------
// The instance
// ---------------------------------------------------------------------------------------------

/** Environment variables a caller's shell or jest may set that change how n8n behaves. */
function baseEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (v === undefined) continue;
		// NODE_ENV=test (set by jest) makes n8n refuse to load nodes ("Not available in tests") and
		// silences its logger; N8N_*/DB_* from a developer's shell would change the instance.
		if (k === 'NODE_ENV' || k === 'NODE_OPTIONS' || k === 'NODE_PATH' || k === 'WEBHOOK_URL' || k === 'INIT_CWD') continue;
		if (k.startsWith('JEST_') || k.startsWith('N8N_') || k.startsWith('DB_') || k.startsWith('npm_')) continue;
		env[k] = v;
	}
	return env;
}

let instanceCounter = 0;

export class N8nInstance {
	/** Fresh N8N_USER_FOLDER (n8n keeps its sqlite DB and config in <userFolder>/.n8n). */
	readonly userFolder: string;
	/** <userFolder>/.n8n/nodes, where community packages live. */
	readonly nodesDir: string;
	readonly port: number;
	readonly baseUrl: string;
	/** The community packages installed in this instance: name → version. */
	readonly packages: Record<string, string> = {};
	/** `node --version` of the Node that ran `npmInstall()` (the one this n8n version runs on). */
	installedWithNode?: string;

	private readonly id: number;
	private readonly envVars: NodeJS.ProcessEnv;
	private readonly logFile: string;
	private logText = '';
	private server?: ChildProcess;
	private cookie?: string;

	/** The running n8n's PID (its process group: n8n and what it spawns), undefined when stopped. */
	get pid(): number | undefined {
		return this.server?.pid;
	}
	private importCounter = 0;

	constructor(
		readonly version: N8nVersion,
		init: { userFolder: string; port: number; brokerPort: number; env?: Record<string, string | undefined> },
	) {
		this.userFolder = init.userFolder;
		this.nodesDir = join(this.userFolder, '.n8n', 'nodes');
		this.port = init.port;
		this.baseUrl = `http://127.0.0.1:${this.port}`;
		this.logFile = join(this.userFolder, 'e2e-n8n.log');
		const base = baseEnv();
		const env: NodeJS.ProcessEnv = {
			...base,
			PATH: pathWithNodeFirst(version, base.PATH),
			NO_PROXY: [base.NO_PROXY, '127.0.0.1,localhost'].filter(Boolean).join(','),
			no_proxy: [base.no_proxy, '127.0.0.1,localhost'].filter(Boolean).join(','),
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: E2E_ENCRYPTION_KEY,
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			// `execute` prints its result through the logger at info level: never lower this.
			N8N_LOG_LEVEL: 'info',
			DB_TYPE: 'sqlite',
			N8N_PORT: String(this.port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PROTOCOL: 'http',
			N8N_SECURE_COOKIE: 'false',
			WEBHOOK_URL: `${this.baseUrl}/`,
			// The task broker listens on 5679 by default (every `execute` on 2.x starts it): give each
			// instance its own port so tests never collide with a developer's n8n.
			N8N_RUNNERS_BROKER_PORT: String(init.brokerPort),
		};
		// 1.x on Node 20: isolated-vm (the default expression engine's sandbox) cannot load.
		if (isMajor1(version)) env.N8N_EXPRESSION_ENGINE = 'legacy';
		for (const [k, v] of Object.entries(init.env ?? {})) {
			if (v === undefined) delete env[k];
			else env[k] = v;
		}
		this.envVars = env;
		this.id = ++instanceCounter;
	}

	/** The environment every n8n command of this instance runs with (a copy). */
	env(): NodeJS.ProcessEnv {
		return { ...this.envVars };
	}

	/** Everything n8n printed so far (all commands, stdout and stderr), e.g. to scan for leaked secrets. */
	logs(): string {
		return this.logText;
	}

	private log(text: string): void {
		this.logText += text;
		try {
			appendFileSync(this.logFile, text);
		} catch {
			/* the folder may be gone after dispose() */
		}
	}

	/**
	 * The README's "Install into n8n → Manually" route: `npm install --prefix . <tgz>` in <userFolder>/.n8n/nodes,
	 * run with this version's Node and npm. Fails if npm brought anything but the package itself (the
	 * n8n-workflow peer would pull isolated-vm, which does not build on Node 20).
	 */
	async npmInstall(tgz: string): Promise<{ name: string; version: string; dir: string }> {
		if (!existsSync(tgz)) throw new Error(`package tarball not found: ${tgz}`);
		mkdirSync(this.nodesDir, { recursive: true });
		const env = { ...baseEnv(), PATH: this.envVars.PATH };
		this.installedWithNode = (await run('node', ['--version'], { env })).stdout.trim();
		const npm = await run('npm', ['install', '--prefix', '.', tgz], { cwd: this.nodesDir, env, timeoutMs: 300_000 });
		this.log(`=== npm install --prefix . ${tgz} in ${this.nodesDir} (exit ${npm.code}) ===\n${npm.stdout}${npm.stderr}\n`);
		if (npm.code !== 0) throw new Error(`npm install --prefix . ${tgz} in ${this.nodesDir} failed (exit ${npm.code}):\n${tail(npm.stderr, 30)}`);
		const installed = readdirSync(join(this.nodesDir, 'node_modules')).filter((name) => !name.startsWith('.'));
		if (installed.length !== 1) throw new Error(`npm install ${tgz} installed more than the package: ${installed.join(', ')}`);
		const pkg = JSON.parse(readFileSync(join(this.nodesDir, 'node_modules', installed[0], 'package.json'), 'utf8'));
		this.packages[pkg.name] = pkg.version;
		return { name: pkg.name, version: pkg.version, dir: join(this.nodesDir, 'node_modules', pkg.name) };
	}

	/** Installs a community-package tarball like n8n's installer does (without npm-installing peers). */
	async installPackage(tgz: string): Promise<{ name: string; version: string; dir: string }> {
		if (!existsSync(tgz)) throw new Error(`package tarball not found: ${tgz}`);
		const staging = mkdtempSync(join(this.userFolder, '.pkg-'));
		const untar = await run('tar', ['-xzf', tgz, '-C', staging, '--strip-components=1'], { timeoutMs: 60_000 });
		if (untar.code !== 0) throw new Error(`tar -xzf ${tgz} failed: ${untar.stderr}`);
		const pkgJsonPath = join(staging, 'package.json');
		const pkg = JSON.parse(readFileSync(pkgJsonPath, 'utf8'));
		// Like n8n's installer: drop dev/peer/optional dependencies before installing runtime ones.
		const stripped = { ...pkg };
		delete stripped.devDependencies;
		delete stripped.peerDependencies;
		delete stripped.optionalDependencies;
		writeFileSync(pkgJsonPath, JSON.stringify(stripped, null, 2));
		const dir = join(this.nodesDir, 'node_modules', ...String(pkg.name).split('/'));
		mkdirSync(join(dir, '..'), { recursive: true });
		rmSync(dir, { recursive: true, force: true });
		// rename would be enough, but staging may sit on another device if userFolder is a mount
		const mv = await run('mv', [staging, dir]);
		if (mv.code !== 0) throw new Error(`mv ${staging} ${dir} failed: ${mv.stderr}`);
		if (stripped.dependencies && Object.keys(stripped.dependencies).length > 0) {
			// Runtime dependencies (not peers): same flags as n8n's community-package installer.
			const npm = await run(
				'npm',
				['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--omit=dev'],
				{ cwd: dir, env: { ...baseEnv(), PATH: this.envVars.PATH }, timeoutMs: 300_000 },
			);
			this.log(`=== npm install in ${dir} (exit ${npm.code}) ===\n${npm.stdout}${npm.stderr}\n`);
			if (npm.code !== 0) throw new Error(`npm install of ${pkg.name}'s dependencies failed:\n${tail(npm.stderr, 30)}`);
		}
		this.packages[pkg.name] = pkg.version;
		// Keep what npm wrote there (the package under test came in with `npm install`).
		const listPath = join(this.nodesDir, 'package.json');
		const list = existsSync(listPath) ? JSON.parse(readFileSync(listPath, 'utf8')) : { name: 'installed-nodes', private: true };
		list.dependencies = { ...list.dependencies, [pkg.name]: pkg.version };
		writeFileSync(listPath, JSON.stringify(list, null, 2));
		return { name: pkg.name, version: pkg.version, dir };
	}

	/** Runs `n8n <args>` with this instance's environment; never throws on a non-zero exit. */
	async cli(args: string[], opts: { timeoutMs?: number } = {}): Promise<RunResult> {
		const started = new Date().toISOString();
		const header = `\n=== [${started}] n8n ${this.version} ${args.join(' ')} ===\n`;
		this.log(header);
		const res = await run(n8nBin(this.version), args, {
			cwd: this.userFolder,
			env: this.envVars,
			timeoutMs: opts.timeoutMs ?? 180_000,
			onOutput: (_s, chunk) => this.log(chunk),
		});
		this.log(`=== exit ${res.code}${res.signal ? ` signal ${res.signal}` : ''}${res.timedOut ? ' (TIMED OUT)' : ''} after ${res.durationMs} ms ===\n`);
		return res;
	}

	private async cliOk(args: string[], expect: RegExp, what: string, timeoutMs?: number): Promise<RunResult> {
		const res = await this.cli(args, { timeoutMs });
		const out = res.stdout + res.stderr;
		if (res.code !== 0 || res.timedOut || !expect.test(out)) {
			throw new Error(
				`n8n ${this.version}: ${what} failed (exit ${res.code}${res.timedOut ? ', timed out' : ''}):\n${tail(out, 40)}`,
			);
		}
		return res;
	}

	private writeImportFile(kind: string, data: unknown): string {
		const dir = join(this.userFolder, 'import');
		mkdirSync(dir, { recursive: true });
		const file = join(dir, `${kind}-${++this.importCounter}.json`);
		writeFileSync(file, JSON.stringify(data, null, 2));
		return file;
	}

	/** `n8n import:credentials`: `data` is plain JSON, encrypted with the instance's key on import. */
	async importCredentials(credentials: CredentialJson[]): Promise<void> {
		const file = this.writeImportFile('credentials', credentials);
		await this.cliOk(['import:credentials', `--input=${file}`], /Successfully imported \d+ credential/, 'import:credentials');
	}

	/** `n8n import:workflow`. Missing `active`, `settings`, `pinData` are filled in. Imported workflows are inactive. */
	async importWorkflow(workflow: WorkflowJson | WorkflowJson[], opts: { args?: string[] } = {}): Promise<void> {
		const list = (Array.isArray(workflow) ? workflow : [workflow]).map((w) => ({
			active: false,
			settings: { executionOrder: 'v1' },
			pinData: {},
			...w,
			nodes: w.nodes.map((n, i) => ({
				id: `${String(i + 1).padStart(8, '0')}-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
				position: [i * 220, 0] as [number, number],
				...n,
			})),
		}));
		const file = this.writeImportFile('workflow', list);
		await this.cliOk(['import:workflow', `--input=${file}`, ...(opts.args ?? [])], /Successfully imported \d+ workflow/, 'import:workflow');
	}

	/**
	 * Activates an imported workflow so its trigger/webhook runs under `start()`. Call before `start()`:
	 * `update:workflow --active=true` on 1.x, `publish:workflow` on 2.x.
	 */
	async activateWorkflow(workflowId: string): Promise<void> {
		if (isMajor1(this.version)) {
			await this.cliOk(['update:workflow', `--id=${workflowId}`, '--active=true'], /./, 'update:workflow --active=true');
		} else {
			await this.cliOk(['publish:workflow', `--id=${workflowId}`], /./, 'publish:workflow');
		}
	}

	/**
	 * `n8n execute --id=<id> --rawOutput` and the parsed run data. By default throws when a node failed,
	 * with n8n's error message; pass `{ allowFailure: true }` to assert on `result.error` instead.
	 */
	async execute(workflowId: string, opts: { allowFailure?: boolean; timeoutMs?: number } = {}): Promise<ExecuteResult> {
		if (this.server) throw new Error('execute() while start()ed: stop() the server first (both use the same database)');
		const res = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], { timeoutMs: opts.timeoutMs ?? 180_000 });
		const run = extractRunJson(res.stdout);
		if (!run) {
			throw new Error(
				`n8n ${this.version}: execute --id=${workflowId} printed no run data (exit ${res.code}${res.timedOut ? ', timed out' : ''}):\n` +
					`--- stdout (tail) ---\n${tail(res.stdout, 40)}\n--- stderr (tail) ---\n${tail(res.stderr, 20)}`,
			);
		}
		const result = makeResult(run, res);
		if (!result.ok && !opts.allowFailure) {
			const e = result.error!;
			throw new Error(
				`n8n ${this.version}: workflow ${workflowId} failed in node "${e.node ?? '?'}": ${describeError(e.raw)}` +
					`\n--- n8n output (tail) ---\n${tail(res.stdout + res.stderr, 25)}`,
			);
		}
		if (result.ok && res.code !== 0) {
			// Seen once in ~40 runs: the run data says success but the CLI exits non-zero while shutting
			// down. The workflow's outcome is what the tests assert on, so warn (with the evidence) instead.
			const msg = `n8n ${this.version}: execute --id=${workflowId} exited ${res.code}${res.signal ? ` (signal ${res.signal})` : ''} although the run data shows success`;
			this.log(`=== WARNING: ${msg} ===\n`);
			// eslint-disable-next-line no-console
			console.warn(`${msg}\n--- stderr (tail) ---\n${tail(res.stderr, 20)}\n--- stdout after the run data (tail) ---\n${tail(res.stdout, 10)}`);
		}
		return result;
	}

	/**
	 * `n8n start` in the background; resolves once n8n printed "Editor is now accessible via" and both the
	 * health check and the REST API answer for real (while booting n8n answers every path with 200
	 * "n8n is starting up", so the body is checked).
	 */
	async start(opts: StartOptions = {}): Promise<void> {
		if (this.server) throw new Error('already started');
		const timeoutMs = opts.timeoutMs ?? 120_000;
		const command = opts.command ?? 'start';
		this.log(`\n=== [${new Date().toISOString()}] n8n ${this.version} ${command} (port ${this.port}) ===\n`);
		const logStart = this.logText.length;
		const child = spawnGroup(n8nBin(this.version), [command, ...(opts.args ?? [])], { cwd: this.userFolder, env: this.envVars });
		this.server = child;
		child.stdout!.setEncoding('utf8').on('data', (c: string) => this.log(c));
		child.stderr!.setEncoding('utf8').on('data', (c: string) => this.log(c));
		let exited: string | undefined;
		child.once('exit', (code, signal) => {
			exited = `exit ${code}${signal ? ` signal ${signal}` : ''}`;
			this.log(`=== n8n ${command} ended: ${exited} ===\n`);
		});
		const deadline = Date.now() + timeoutMs;
		// A worker serves no HTTP (its log line is the signal); the webhook processor serves /webhook/* only.
		const readyLine =
			command === 'worker' ? /n8n worker is now ready/ : command === 'webhook' ? /Webhook listener waiting for requests/ : /Editor is now accessible via/;
		const ready = async (): Promise<boolean> => {
			if (command !== 'start') return true;
			const health = await this.httpGet('/healthz/readiness');
			if (health?.status !== 200 || !/"ok"/.test(health.text)) return false;
			const settings = await this.httpGet('/rest/settings');
			if (settings?.status !== 200) return false;
			try {
				return typeof JSON.parse(settings.text) === 'object';
			} catch {
				return false; // "n8n is starting up. Please wait"
			}
		};
		while (Date.now() < deadline) {
			if (exited) {
				this.server = undefined;
				throw new Error(`n8n ${this.version} ${command} ended (${exited}) before it was ready:\n${tail(this.logText, 40)}`);
			}
			// "Editor is now accessible via" comes after the active workflows were (1.x) or started to be (2.x) activated.
			if (readyLine.test(this.logText.slice(logStart)) && (await ready())) return;
			await sleep(250);
		}
		await this.stop();
		throw new Error(`n8n ${this.version} was not ready within ${timeoutMs} ms:\n${tail(this.logText, 40)}`);
	}

	/** Stops the server started by `start()` (SIGTERM to its process group, SIGKILL after 20 s). */
	async stop(): Promise<void> {
		const child = this.server;
		if (!child) return;
		this.server = undefined;
		this.cookie = undefined;
		killGroup(child, 'SIGTERM');
		if (!(await waitForExit(child, 20_000))) {
			killGroup(child, 'SIGKILL');
			await waitForExit(child, 5_000);
		}
		killGroup(child, 'SIGKILL'); // leftovers (task runners) of the group
	}

	get running(): boolean {
		return this.server !== undefined;
	}

	private async httpGet(path: string): Promise<{ status: number; text: string } | undefined> {
		try {
			const res = await request(`${this.baseUrl}${path}`, { method: 'GET', headersTimeout: 5_000, bodyTimeout: 5_000 });
			return { status: res.statusCode, text: await res.body.text() };
		} catch {
			return undefined;
		}
	}

	/** Creates the owner account (first call) and logs in; later `rest()` calls carry the auth cookie. */
	async setupOwner(): Promise<void> {
		if (!this.server) throw new Error('setupOwner() needs start() first');
		await this.rest('POST', '/rest/owner/setup', E2E_OWNER, { auth: false }); // 400 when done before
		const login = await this.rest(
			'POST',
			'/rest/login',
			{ emailOrLdapLoginId: E2E_OWNER.email, email: E2E_OWNER.email, password: E2E_OWNER.password },
			{ auth: false },
		);
		if (login.status !== 200) throw new Error(`login failed: HTTP ${login.status} ${login.text.slice(0, 300)}`);
		const setCookie = login.headers['set-cookie'];
		const cookies = (Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []).map((c) => c.split(';')[0]);
		if (!cookies.length) throw new Error('login returned no cookie');
		this.cookie = cookies.join('; ');
	}

	/** A request to the running server (`/rest/...` with the owner's cookie after `setupOwner()`). */
	async rest<T = any>(method: string, path: string, body?: unknown, opts: { auth?: boolean } = {}): Promise<RestResponse<T>> {
		if (!this.server) throw new Error('rest() needs start() first');
		const headers: Record<string, string> = {};
		if (body !== undefined) headers['content-type'] = 'application/json';
		if (opts.auth !== false && this.cookie) headers.cookie = this.cookie;
		const res = await request(`${this.baseUrl}${path}`, {
			method: method as any,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.body.text();
		let parsed: any = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			/* not JSON */
		}
		return { status: res.statusCode, headers: res.headers, body: parsed as T, text };
	}

	/**
	 * Calls a production webhook of an active workflow (`/webhook/<path>`). n8n 2.x registers activated
	 * workflows asynchronously (publication outbox) shortly after it is ready, so a 404 "not registered"
	 * is retried for up to `registrationWaitMs` (default 30 s; 0 to assert on the 404 itself).
	 */
	async webhook<T = any>(
		path: string,
		body?: unknown,
		method = 'POST',
		opts: { registrationWaitMs?: number } = {},
	): Promise<RestResponse<T>> {
		const deadline = Date.now() + (opts.registrationWaitMs ?? 30_000);
		for (;;) {
			const res = await this.rest<T>(method, `/webhook/${path.replace(/^\//, '')}`, body, { auth: false });
			if (res.status !== 404 || !/not registered/i.test(res.text) || Date.now() >= deadline) return res;
			await sleep(200);
		}
	}

	/** Stops the server and deletes the user folder (kept when OPENIM_E2E_KEEP=1, for debugging). */
	async dispose(): Promise<void> {
		await this.stop();
		if (process.env.OPENIM_E2E_KEEP === '1') {
			// eslint-disable-next-line no-console
			console.log(`OPENIM_E2E_KEEP=1: n8n ${this.version} instance #${this.id} kept in ${this.userFolder}`);
			return;
		}
		rmSync(this.userFolder, { recursive: true, force: true });
	}
}

/**
 * A fresh n8n instance of `version` (own N8N_USER_FOLDER, sqlite DB, ports) with the package
 * (`opts.tgz`, default: packPackage()) installed as a community package. Nothing runs until you
 * call a method; call `dispose()` when done.
 */
export async function createN8nInstance(version: N8nVersion, opts: CreateN8nOptions = {}): Promise<N8nInstance> {
	assertRuntimeInstalled(version);
	const tgz = opts.tgz ?? (await packPackage());
	const userFolder = mkdtempSync(join(tmpdir(), `n8n-e2e-${version}-`));
	const port = opts.port ?? (await freePort());
	let brokerPort = await freePort();
	while (brokerPort === port) brokerPort = await freePort();
	const instance = new N8nInstance(version, { userFolder, port, brokerPort, env: opts.env });
	await instance.npmInstall(tgz);
	for (const extra of opts.extraPackages ?? []) await instance.installPackage(extra);
	return instance;
}
