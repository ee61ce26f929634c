/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test tooling, not shipped: an opt-in figures line on stdout */
/**
 * The credential's Max Requests Per Second (per n8n Process): one limit for every execution of the
 * credential in one n8n process, measured from the sandbox's own request start times (its busiest
 * second), not from wall-clock time in the test. Two simulated workers show the queue-mode formula:
 * OpenIM sees at most workers × the limit.
 */
import { startSandbox } from '../../../../../sandbox/server';
import type { Sandbox } from '../../../../../sandbox/server';
import { CredentialStore } from '../../../harness';
import { CREDENTIAL_ID, NOTIFY, notification } from '../../../openim-fixtures';
import { runOn, shareN8nWorkflow, startWorker } from './workers';

const LIMIT = 10;
const ITEMS = 20;
/**
 * The token fetch n8n makes inside the first paced request (preAuthentication's get_admin_token shares
 * its slot), plus server-side arrival times jittering around the paced start times.
 */
const TOLERANCE = 3;

let sandbox: Sandbox;

shareN8nWorkflow();
beforeAll(async () => {
	sandbox = await startSandbox({ seed: 'default' });
});
afterAll(async () => {
	await sandbox.close();
});

function storeWith(maxRequestsPerSecond: number): CredentialStore {
	const data = { baseUrl: sandbox.url, adminUserID: 'imAdmin', secret: 'openIM123', senderIDs: 'hr_bot', maxRequestsPerSecond };
	return new CredentialStore({ [CREDENTIAL_ID]: { type: 'openImApi', name: 'OpenIM sandbox', data } });
}

const items = (execution: number) =>
	Array.from({ length: ITEMS }, (_, n) => ({ userID: ['alice', 'bob', 'carol', 'dave'][n % 4], n, execution }));
const parameters = notification({ notificationName: '=Run {{ $json.execution }} #{{ $json.n }}', options: { maxConcurrency: 8 } });

async function sendConcurrently(executions: Array<{ worker: ReturnType<typeof startWorker>; store: CredentialStore }>) {
	sandbox.reset('default');
	const results = await Promise.all(executions.map(({ worker, store }, i) => runOn(worker, store, items(i), parameters)));
	for (const result of results) expect(result.json(NOTIFY).every((item) => item.delivered === true)).toBe(true);
	const stats = sandbox.stats();
	if (process.env.RATE_LIMIT_FIGURES) {
		process.stdout.write(`busiest second: ${stats.peakRequestsPerSecond} requests (${stats.requests.total} in all, max in flight ${stats.maxInFlight})\n`);
	}
	return stats;
}

describe('Max Requests Per Second (per n8n Process) on the credential', () => {
	it(`two concurrent executions in one process share the limit: busiest second ≤ ${LIMIT} (+${TOLERANCE})`, async () => {
		const worker = startWorker();
		const store = storeWith(LIMIT);
		const stats = await sendConcurrently([
			{ worker, store },
			{ worker, store },
		]);
		expect(stats.sendsAccepted).toBe(2 * ITEMS);
		expect(stats.peakRequestsPerSecond).toBeLessThanOrEqual(LIMIT + TOLERANCE);
	});

	it('without it the same two executions go well beyond (the measure is not trivially met)', async () => {
		const worker = startWorker();
		const stats = await sendConcurrently([
			{ worker, store: storeWith(0) },
			{ worker, store: storeWith(0) },
		]);
		expect(stats.peakRequestsPerSecond).toBeGreaterThan(2 * LIMIT + TOLERANCE);
	});

	it('in queue mode each worker has its own: two workers, OpenIM sees ≤ 2 × the limit', async () => {
		const store = storeWith(LIMIT);
		const stats = await sendConcurrently([
			{ worker: startWorker(), store },
			{ worker: startWorker(), store },
		]);
		expect(stats.sendsAccepted).toBe(2 * ITEMS);
		expect(stats.peakRequestsPerSecond).toBeLessThanOrEqual(2 * LIMIT + TOLERANCE);
		expect(stats.peakRequestsPerSecond).toBeGreaterThan(LIMIT + TOLERANCE);
	});
});
