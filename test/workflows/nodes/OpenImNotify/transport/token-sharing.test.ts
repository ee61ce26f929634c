/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test tooling, not shipped: an opt-in figures line on stdout */
/**
 * Admin token sharing under concurrency, as n8n queue mode runs it: several workers (each its own
 * module instance of the node and the credential, as separate processes have) run many executions at
 * once against one stored credential (n8n's database), while OpenIM v3.8.1's admin token cap is set
 * low and every token expires mid-run. Token fetches stay bounded per worker (counted by the node in
 * each worker and, by the per-process tag in the fetch's operationID, by the sandbox), no item fails
 * and no message is stored twice.
 *
 * Before the shared refresh (one OpenImClient per execution, each refreshing on its own, the stored
 * credential never re-read) the same run fetched one token per execution and per expiry: 24–30
 * fetches (8–12 per worker) instead of ≤ 2 per worker; in one of two runs, fetches a second apart made
 * distinct tokens and the cap of 2 kicked 6 of them (14 requests answered 1507, each saved only by its
 * one refresh); after a kick it fetched 7 tokens instead of ≤ 3 (README, "Scaling out").
 */
import { startSandbox } from '../../../../../sandbox/server';
import type { Sandbox } from '../../../../../sandbox/server';
import { CredentialStore } from '../../../harness';
import type { WorkflowRunResult } from '../../../harness';
import { CREDENTIAL_ID, NOTIFY, assertNoSecrets, notification } from '../../../openim-fixtures';
import { runOn, shareN8nWorkflow, startWorker } from './workers';
import type { Worker } from './workers';

const WORKERS = 3;
const EXECUTIONS_PER_WORKER = 4;
const ITEMS = 40;
const USERS = ['alice', 'bob', 'carol', 'dave'];

let sandbox: Sandbox;

shareN8nWorkflow();
beforeAll(async () => {
	sandbox = await startSandbox({ generation: 'v3.8.1', seed: 'default' });
});
afterAll(async () => {
	await sandbox.close();
});

function run(worker: Worker, store: CredentialStore, execution: number): Promise<WorkflowRunResult> {
	const items = Array.from({ length: ITEMS }, (_, n) => ({ userID: USERS[n % USERS.length], n }));
	return runOn(
		worker,
		store,
		items,
		notification({
			notificationName: `=Execution ${execution}, item {{ $json.n }}`,
			options: { maxConcurrency: 4, maxRetries: 4, maxRetryWait: 0.05 },
		}),
	);
}

/** Token fetches the sandbox saw, by the process tag the credential puts in their operationID. */
function fetchesByProcess(): number[] {
	const counts = new Map<string, number>();
	for (const { operationID } of sandbox.stats().tokenFetches) {
		const tag = /^n8n-token-([^-]+)-/.exec(operationID)?.[1] ?? operationID;
		counts.set(tag, (counts.get(tag) ?? 0) + 1);
	}
	return [...counts.values()];
}

describe('admin token sharing across workers (queue mode, in process)', () => {
	it(`${WORKERS} workers × ${EXECUTIONS_PER_WORKER} executions, tokens expiring mid-run, v3.8.1 cap 2: ≤ 2 fetches per worker, no failed item`, async () => {
		sandbox.reset('default');
		sandbox.configure({ adminTokenCap: 2, expireTokensAtRequest: Math.floor((WORKERS * EXECUTIONS_PER_WORKER * ITEMS) / 2) });
		const store = new CredentialStore({
			[CREDENTIAL_ID]: {
				type: 'openImApi',
				name: 'OpenIM sandbox',
				data: { baseUrl: sandbox.url, adminUserID: 'imAdmin', secret: 'openIM123', senderIDs: 'hr_bot' },
			},
		});
		const workers = Array.from({ length: WORKERS }, startWorker);

		const runs = workers.flatMap((worker, w) =>
			Array.from({ length: EXECUTIONS_PER_WORKER }, (_, e) => run(worker, store, w * EXECUTIONS_PER_WORKER + e)),
		);
		const results = await Promise.all(runs);

		const stats = sandbox.stats();
		const perWorker = workers.map((worker) => worker.state.processTokenFetches());
		const failed = results.flatMap((result) => result.json(NOTIFY)).filter((item) => item.delivered !== true);
		if (process.env.TOKEN_SHARING_FIGURES) {
			process.stdout.write(
				`token sharing: fetches per worker ${JSON.stringify(perWorker)} (sandbox by process tag ${JSON.stringify(fetchesByProcess())}), ` +
					`kicked ${stats.adminTokensKicked}, token errors ${JSON.stringify(stats.rejections.byErrCode)}, failed items ${failed.length}\n`,
			);
		}
		// The expiry did happen mid-run, on every worker's token.
		expect(stats.rejections.byErrCode['1501']).toBeGreaterThan(0);
		for (const count of perWorker) expect(count).toBeLessThanOrEqual(2);
		expect(fetchesByProcess().every((count) => count <= 2)).toBe(true);
		expect(stats.tokenFetches.length).toBe(perWorker.reduce((a, b) => a + b, 0));
		expect(stats.adminTokensKicked).toBe(0);

		for (const result of results) {
			expect(result.status).toBe('success');
			const out = result.json(NOTIFY);
			expect(out).toHaveLength(ITEMS);
			expect(out.filter((item) => item.delivered !== true)).toEqual([]);
			assertNoSecrets(sandbox, result);
		}
		expect(sandbox.messages()).toHaveLength(WORKERS * EXECUTIONS_PER_WORKER * ITEMS);
		expect(stats.duplicates.total).toBe(0);
	});

	it('tokens kicked by someone else logging in as the admin: each worker fetches at most once per kick, no failed item', async () => {
		sandbox.reset('default');
		const store = new CredentialStore({
			[CREDENTIAL_ID]: {
				type: 'openImApi',
				name: 'OpenIM sandbox',
				data: { baseUrl: sandbox.url, adminUserID: 'imAdmin', secret: 'openIM123', senderIDs: 'hr_bot' },
			},
		});
		const workers = Array.from({ length: WORKERS }, startWorker);
		// Warm up: every worker has the stored token.
		await Promise.all(workers.map((worker, w) => run(worker, store, 100 + w)));
		const before = workers.map((worker) => worker.state.processTokenFetches());
		const fetchesBefore = sandbox.stats().tokenFetches.length;
		const inUse = store.getData(CREDENTIAL_ID).token as string;

		// Another system logs in as imAdmin with the cap at 0: the node's token is kicked at once.
		sandbox.configure({ adminTokenCap: 0 });
		sandbox.configure({ tokenLifetimeSeconds: 7776001 });
		sandbox.issueAdminToken();
		sandbox.configure({ adminTokenCap: 30 });
		const probe = await fetch(`${sandbox.url}/user/get_users_info`, {
			method: 'POST',
			headers: { operationID: 'probe', token: inUse },
			body: JSON.stringify({ userIDs: ['alice'] }),
		});
		expect(((await probe.json()) as { errCode: number }).errCode).toBe(1506);

		const results = await Promise.all(
			workers.flatMap((worker, w) => Array.from({ length: 2 }, (_, e) => run(worker, store, 200 + w * 2 + e))),
		);
		const after = workers.map((worker, w) => worker.state.processTokenFetches() - before[w]);
		const failed = results.flatMap((result) => result.json(NOTIFY)).filter((item) => item.delivered !== true);
		if (process.env.TOKEN_SHARING_FIGURES) {
			process.stdout.write(
				`after a kick: fetches ${sandbox.stats().tokenFetches.length - fetchesBefore} (per worker ${JSON.stringify(after)}), failed items ${failed.length}\n`,
			);
		}
		for (const count of after) expect(count).toBeLessThanOrEqual(1);
		expect(sandbox.stats().tokenFetches.length - fetchesBefore).toBeLessThanOrEqual(WORKERS);
		expect(sandbox.stats().rejections.byErrCode['1506']).toBeGreaterThan(0);
		for (const result of results) {
			expect(result.json(NOTIFY).filter((item) => item.delivered !== true)).toEqual([]);
			assertNoSecrets(sandbox, result);
		}
	});
});
