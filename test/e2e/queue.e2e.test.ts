/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @typescript-eslint/no-explicit-any -- e2e test tooling, not shipped: a loopback proxy (node:http), arbitrary run-data JSON */
/**
 * n8n in queue mode (test/e2e/queue.ts): PostgreSQL, Redis, n8n main + 2 workers + 1 webhook processor, the
 * package installed on every process with the README's command. One cluster per n8n version for this file.
 *
 * - fan-out: 20 executions × 500 recipients started through the webhook processor under injected faults:
 *   every recipient gets exactly one card, and both workers ran executions;
 * - admin tokens expiring mid-run on every worker: no failed item, at most 2 token fetches per worker;
 * - Send and Wait: the link (WEBHOOK_URL = the webhook processor) is answered there and the execution resumes
 *   on a worker (on 1.85.4 the node signs the link itself: a worker signs, the webhook processor verifies);
 * - OpenIM Trigger on the webhook processor behind a reverse proxy (X-Forwarded-For, N8N_PROXY_HOPS=1), with
 *   Secret Path and Allowed IPs.
 * 1.85.4 runs the Send and Wait test only (its self-signed link); 1.123.81 and 2.41.1 run everything.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

import { selectedVersions, type N8nVersion, type WorkflowJson } from './n8n';
import { createQueueCluster, maxOverlap, type QueueCluster } from './queue';
import { startSandbox, type SandboxProcess } from './sandbox';
import { SEND_FAULTS } from '../fixtures/faults';
import { SANDBOX_ADMIN, SANDBOX_SECRET, PACKAGE_NAME, credentialRef, NOTIFY_NODE_TYPE, openImCredential, remindLoopWorkflow, sendAndWaitWorkflow } from './fixtures';
import { until } from './proc';
import { flattedParse } from './runtime';

const VERSIONS = selectedVersions(['1.85.4', '1.123.81', '2.41.1']);
/** Versions that run the whole file (1.85.4: only the node-signed Send and Wait link). */
const FULL: readonly N8nVersion[] = ['1.123.81', '2.41.1'];

const FANOUT = { id: 'openImQueueFan01', hook: 'queue-fanout' };
const ASK = { id: 'openImQueueAsk01', hook: '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c01' };
/** Send and Wait with one reminder, looped back through an IF. */
const REMIND_ASK = { id: 'openImQueueRem01', hook: '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c03' };
const TRIGGER = { id: 'openImQueueTrig1', hook: '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c02' };
const PATH_SEGMENT = 'queue_private_segment';
/** The address OpenIM calls from, as the proxy reports it, and the only one the trigger allows. */
const OPENIM_IP = '203.0.113.7';
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const ACK = { actionCode: 0, errCode: 0, errMsg: '', errDlt: '', nextCode: 0 };
const FAST_RETRIES = { maxConcurrency: 16, maxRetries: 8, maxRetryWait: 0.02 };
/** As in the single-process reliability tests (test/workflows/…/notification/reliability.test.ts). */
const FAULTS = SEND_FAULTS;

const ended = (status: string) => !['new', 'running', 'waiting', 'unknown'].includes(status);

function workflows(cred: ReturnType<typeof openImCredential>): WorkflowJson[] {
	const webhook = (ids: { hook: string }, responseMode = 'onReceived') => ({
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: ids.hook,
		parameters: { httpMethod: 'POST', path: ids.hook, responseMode, options: {} },
	});
	return [
		{
			id: FANOUT.id,
			name: 'Queue fan-out',
			nodes: [
				webhook(FANOUT),
				{
					name: 'Notify',
					type: NOTIFY_NODE_TYPE,
					typeVersion: 1,
					parameters: {
						resource: 'notification',
						operation: 'send',
						sendID: 'hr_bot',
						recipientMode: 'userList',
						recvIDs: '={{ $json.body.recipients }}',
						notificationName: '={{ "Batch " + $json.body.batch }}',
						text: 'Sent through n8n queue mode',
						notificationType: 1,
						mixType: 0,
						outputMode: 'summary',
						options: FAST_RETRIES,
					},
					credentials: credentialRef(cred),
				},
			],
			connections: { Webhook: { main: [[{ node: 'Notify', type: 'main', index: 0 }]] } },
		},
		sendAndWaitWorkflow(ASK, 'Queue send and wait', {
			recvID: { __rl: true, mode: 'id', value: 'alice' },
			notificationName: '={{ "Overtime request " + $json.body.n }}',
			text: 'Bob asks for overtime on Saturday.',
			responseType: 'approval',
			approvalType: 'double',
		}, cred),
		remindLoopWorkflow(REMIND_ASK, {
			recvID: { __rl: true, mode: 'id', value: 'bob' },
			notificationName: 'Queue reminder',
			text: 'Please approve.',
			limitWaitTime: true,
			resumeAmount: 10,
			resumeUnit: 'minutes',
			sendReminders: true,
			remindAmount: 0.05,
			remindUnit: 'minutes',
			maxReminders: 1,
		}, cred),
		{
			id: TRIGGER.id,
			name: 'Queue trigger',
			nodes: [
				{
					name: 'OpenIM Trigger',
					type: `${PACKAGE_NAME}.openImTrigger`,
					typeVersion: 1,
					webhookId: TRIGGER.hook,
					parameters: { events: ['singleMessageSent'], pathSecret: PATH_SEGMENT, options: { allowedIPs: `${OPENIM_IP}, 10.0.0.0/8` } },
					credentials: credentialRef(cred),
				},
				{ name: 'Received', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
			],
			connections: { 'OpenIM Trigger': { main: [[{ node: 'Received', type: 'main', index: 0 }]] } },
		},
	];
}

/** A loopback reverse proxy in front of `target` that adds `X-Forwarded-For: <clientIp>` like nginx does. */
async function startProxy(target: string): Promise<{ url: string; clientIp: string; close(): Promise<void> }> {
	const upstream = new URL(target);
	const state = { clientIp: OPENIM_IP };
	const server: Server = createServer((req, res) => {
		const headers = { ...req.headers, 'x-forwarded-for': state.clientIp, host: upstream.host };
		const out = httpRequest(
			{ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		out.on('error', () => {
			res.writeHead(502);
			res.end();
		});
		req.pipe(out);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		get clientIp() {
			return state.clientIp;
		},
		set clientIp(ip: string) {
			state.clientIp = ip;
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

async function get(url: string): Promise<{ status: number; text: string }> {
	const res = await request(url, { method: 'GET', headers: { 'user-agent': BROWSER } });
	return { status: res.statusCode, text: await res.body.text() };
}

describe.each(VERSIONS)('n8n %s in queue mode (main + 2 workers + webhook processor, PostgreSQL, Redis)', (version) => {
	const full = FULL.includes(version);
	const itFull = full ? it : it.skip;
	let sandbox: SandboxProcess;
	let cluster: QueueCluster;
	let proxy: Awaited<ReturnType<typeof startProxy>>;
	let startedAt = 0;

	beforeAll(async () => {
		startedAt = Date.now();
		sandbox = await startSandbox({ storage: false });
		cluster = await createQueueCluster(version, { env: { N8N_PROXY_HOPS: '1' } });
		const cred = openImCredential(sandbox.url);
		await cluster.importCredentials([cred]);
		const all = workflows(cred).filter((w) => full || w.id === ASK.id);
		await cluster.importWorkflow(all, { activate: true });
		await cluster.start();
		proxy = await startProxy(cluster.webhook.baseUrl);
		process.stdout.write(`[queue ${version}] cluster ready in ${Date.now() - startedAt} ms\n`);
	}, 600_000);

	afterAll(async () => {
		await proxy?.close();
		await cluster?.dispose();
		await sandbox?.stop();
		process.stdout.write(`[queue ${version}] done in ${Date.now() - startedAt} ms\n`);
	});

	/** Waits until `count` executions of `workflowId` newer than `afterId` ended; returns them. */
	async function endedRuns(workflowId: string, count: number, afterId = 0, timeoutMs = 300_000) {
		return await until(
			`${count} finished executions of ${workflowId}`,
			async () => {
				const runs = (await cluster.executions(workflowId)).filter((e) => Number(e.id) > afterId);
				return runs.length >= count && runs.every((e) => ended(e.status)) ? runs : undefined;
			},
			timeoutMs,
		);
	}

	async function lastExecutionId(): Promise<number> {
		const rows = await cluster.postgres.query('select coalesce(max(id), 0) from execution_entity');
		return Number(rows[0][0]);
	}

	async function runData(executionId: string): Promise<any> {
		const rows = await cluster.postgres.query(`select data from execution_data where "executionId" = ${Number(executionId)}`);
		return flattedParse(version, rows.map((r) => r.join('|')).join('\n')).resultData.runData;
	}

	/** `batches` webhook calls of `size` recipients each (users <prefix>NNNNN, created in the sandbox first). */
	async function fanOut(prefix: string, batches: number, size: number): Promise<string[]> {
		const ids = Array.from({ length: batches * size }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);
		await sandbox.addUsers(ids.map((userID) => ({ userID, nickname: userID })));
		const calls = Array.from({ length: batches }, (_, b) =>
			cluster.webhook.webhook(FANOUT.hook, { batch: `${prefix}${b}`, recipients: ids.slice(b * size, (b + 1) * size) }),
		);
		for (const res of await Promise.all(calls)) expect(res.status).toBe(200);
		return ids;
	}

	async function expectExactlyOnce(ids: string[]): Promise<void> {
		const messages = await sandbox.messages();
		const perUser = new Map<string, number>();
		for (const m of messages) perUser.set(m.recvID, (perUser.get(m.recvID) ?? 0) + 1);
		const missing = ids.filter((id) => !perUser.has(id));
		const doubled = [...perUser].filter(([, n]) => n > 1);
		expect({ missing: missing.slice(0, 5), missingCount: missing.length, doubled: doubled.slice(0, 5) }).toEqual({ missing: [], missingCount: 0, doubled: [] });
		expect(messages).toHaveLength(ids.length);
		expect(messages.every((m) => m.contentType === 1400 && m.sendID === 'hr_bot')).toBe(true);
		const stats = await sandbox.stats();
		expect(stats.duplicates.total).toBe(0);
	}

	itFull('20 executions × 500 recipients through the webhook processor, under faults: every recipient gets exactly one card, both workers ran', async () => {
		await sandbox.reset();
		await sandbox.configure({ faults: FAULTS });
		const before = await lastExecutionId();
		const t0 = Date.now();
		const ids = await fanOut('q', 20, 500);
		const runs = await endedRuns(FANOUT.id, 20, before);
		const seconds = (Date.now() - t0) / 1000;
		expect(runs.map((r) => r.status)).toEqual(Array(20).fill('success'));
		await expectExactlyOnce(ids);
		const stats = await sandbox.stats();
		// The faults did happen (and were survived).
		expect(Object.values(stats.faults as Record<string, number>).reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
		const workers = new Set(runs.map((r) => cluster.workerOf(r.id)));
		expect([...workers].sort()).toEqual([0, 1]);
		for (const r of runs) expect(r.mode).toBe('webhook');
		// Each execution's summary: 500 delivered, none failed.
		const [summary] = (await runData(runs[0].id)).Notify[0].data.main[0].map((i: any) => i.json);
		expect(summary).toMatchObject({ recipients: 500, delivered: 500, failed: 0 });
		process.stdout.write(
			`[queue ${version}] fan-out 10,000 cards in ${seconds.toFixed(1)} s (${Math.round(10_000 / seconds)}/s), ` +
				`per worker ${JSON.stringify([0, 1].map((w) => runs.filter((r) => cluster.workerOf(r.id) === w).length))} executions, ` +
				`at most ${maxOverlap(runs)} at once, ` +
				`sandbox max in flight ${stats.maxInFlight}, token fetches ${stats.tokensIssued}, faults ${JSON.stringify(stats.faults)}\n`,
		);
	});

	itFull('admin tokens expire mid-run on every worker: no failed item, at most 2 token fetches per worker', async () => {
		await sandbox.reset();
		const before = await lastExecutionId();
		const ids = await fanOut('t', 10, 300);
		// Mid-run: both workers hold a token and are sending with it.
		await until('a third of the sends', async () => ((await sandbox.stats()).sendsAccepted >= 900 ? true : undefined), 120_000);
		await sandbox.expireTokens();
		const runs = await endedRuns(FANOUT.id, 10, before);
		expect(runs.map((r) => r.status)).toEqual(Array(10).fill('success'));
		await expectExactlyOnce(ids);
		const stats = await sandbox.stats();
		expect(stats.rejections.byErrCode['1501']).toBeGreaterThan(0); // the expiry hit requests in flight
		expect(new Set(runs.map((r) => cluster.workerOf(r.id))).size).toBe(2);
		process.stdout.write(`[queue ${version}] token fetches with 2 workers (expired once mid-run): ${stats.tokensIssued}\n`);
		// Per worker: the first fetch after the reset plus one after the expiry.
		expect(stats.tokensIssued).toBeLessThanOrEqual(2 * cluster.workers.length);
	});

	it('Send and Wait: the link is answered on the webhook processor, the execution resumes on a worker', async () => {
		await sandbox.reset();
		const before = await lastExecutionId();
		expect((await cluster.webhook.webhook(ASK.hook, { n: 1 })).status).toBe(200);
		const card = await until('the card in alice\'s inbox', async () => (await sandbox.inbox('alice')).find((m: any) => m.contentType === 1400));
		const link = String((card as any).content.externalUrl);
		// WEBHOOK_URL is the webhook processor; n8n 1.107+ signs (signature=), older n8n gets the node's osig=.
		expect(link.startsWith(`${cluster.webhook.baseUrl}/webhook-waiting/`)).toBe(true);
		expect(link).toMatch(version === '1.85.4' ? /[?&]osig=/ : /[?&]signature=/);
		const waiting = await until('a waiting execution', async () =>
			(await cluster.executions(ASK.id)).find((e) => Number(e.id) > before && e.status === 'waiting'),
		);
		const askedOn = cluster.workerOf(waiting.id);
		expect(askedOn).toBeDefined();

		const page = await get(link);
		expect(page.status).toBe(200);
		expect(page.text).toContain('Overtime request 1');
		const href = /href="([^"]*decision=approve[^"]*)"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&');
		expect(href).toBeTruthy();
		const approve = new URL(href as string, link).toString();
		expect(approve.startsWith(cluster.webhook.baseUrl)).toBe(true);
		// A tampered link is refused on this process too (the signature was made on a worker).
		expect((await get(approve.replace('to=alice', 'to=mallory'))).status).toBe(401);
		const done = await get(approve);
		expect(done.status).toBe(200);
		expect(done.text).toMatch(/recorded/);

		const [finished] = await endedRuns(ASK.id, 1, before, 120_000);
		expect(finished.status).toBe('success');
		// Resumed on a worker: a second "Worker started execution <id>" line.
		await until('the resumed run on a worker', async () =>
			cluster.workerExecutions().filter((r) => r.executionId === waiting.id).length >= 2 ? true : undefined,
		);
		const [out] = (await runData(waiting.id)).Done[0].data.main[0].map((i: any) => i.json);
		expect(out).toMatchObject({ decision: 'approved', approved: true, respondedBy: 'alice' });
	});

	itFull('Send and Wait reminder: the wait runs out, the reminder round runs on a worker, its link resumes on a worker', async () => {
		await sandbox.reset();
		const before = await lastExecutionId();
		expect((await cluster.webhook.webhook(REMIND_ASK.hook, {})).status).toBe(200);
		const waiting = await until('a waiting execution', async () =>
			(await cluster.executions(REMIND_ASK.id)).find((e) => Number(e.id) > before && e.status === 'waiting'),
		);
		// n8n's wait tracker (on the main) finds the run-out wait within a minute and queues the run: the
		// IF loops the remind item back into the node on a worker, which sends the reminder.
		const cards = await until('the reminder in bob\'s inbox', async () => {
			const found = ((await sandbox.inbox('bob')) as any[]).filter((m) => m.contentType === 1400);
			return found.length === 2 ? found : undefined;
		}, 100_000);
		expect(cards[1].content.notificationName).toBe('Reminder: Queue reminder');
		// The card goes out before the worker has saved the execution as waiting again: until then n8n answers
		// the link with its own page (as for any Send and Wait card opened that fast); open it again.
		const href = await until('the reminder link\'s response page', async () => {
			const page = await get(String(cards[1].content.externalUrl));
			return /href="([^"]*decision=approve[^"]*)"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&');
		});
		expect((await get(new URL(href as string, String(cards[1].content.externalUrl)).toString())).status).toBe(200);
		const [finished] = await endedRuns(REMIND_ASK.id, 1, before, 120_000);
		expect(finished.status).toBe('success');
		// Three runs on workers: the question, the reminder round, the answer.
		await until('three worker runs', async () =>
			cluster.workerExecutions().filter((r) => r.executionId === waiting.id).length >= 3 ? true : undefined,
		);
		const [out] = (await runData(waiting.id)).Done[0].data.main[0].map((i: any) => i.json);
		expect(out).toMatchObject({ decision: 'approved', approved: true, respondedBy: 'bob' });
	});

	itFull('OpenIM Trigger on the webhook processor behind a proxy hop: Secret Path and Allowed IPs (X-Forwarded-For)', async () => {
		await sandbox.reset();
		const login = await sandbox.call('POST', '/auth/get_admin_token', { secret: SANDBOX_SECRET, userID: SANDBOX_ADMIN }, { operationID: 'queue-login' });
		const token = login.data.token as string;
		const send = async (text: string, operationID: string) => {
			const res = await sandbox.call('POST', '/msg/send_msg', { sendID: 'alice', recvID: 'bob', contentType: 101, sessionType: 1, content: { content: text } }, { operationID, token });
			expect(res.errCode).toBe(0);
		};
		const answered = (operationID: string) =>
			until(`the callback of ${operationID}`, async () => {
				const { deliveries } = await sandbox.call('GET', '/_sandbox/webhooks');
				return (deliveries as any[]).find((x) => x.operationID === operationID && x.state !== 'queued' && x.state !== 'sending');
			});
		const base = `${proxy.url}/webhook/${TRIGGER.hook}`;

		// Without the secret segment: n8n knows no such webhook.
		await sandbox.configure({ webhookUrl: base });
		await send('no secret', 'queue-op-1');
		expect(await answered('queue-op-1')).toMatchObject({ httpStatus: 404, acknowledged: false });

		// With it, from the allowed address (the proxy's X-Forwarded-For; N8N_PROXY_HOPS=1): acknowledged, one run.
		await sandbox.configure({ webhookUrl: `${base}/${PATH_SEGMENT}` });
		const before = await lastExecutionId();
		await send('through the proxy', 'queue-op-2');
		expect(await answered('queue-op-2')).toMatchObject({ httpStatus: 200, acknowledged: true, response: ACK });
		const [run] = await endedRuns(TRIGGER.id, 1, before, 60_000);
		expect(run).toMatchObject({ status: 'success', mode: 'webhook' });
		expect(cluster.workerOf(run.id)).toBeDefined();
		const [item] = (await runData(run.id)).Received[0].data.main[0].map((i: any) => i.json);
		expect(item).toMatchObject({ event: 'singleMessageSent', sendID: 'alice', recvID: 'bob', text: 'through the proxy' });

		// Another client address behind the same proxy: refused, nothing runs.
		proxy.clientIp = '198.51.100.9';
		await send('from elsewhere', 'queue-op-3');
		expect(await answered('queue-op-3')).toMatchObject({ httpStatus: 403, acknowledged: false });
		proxy.clientIp = OPENIM_IP;
		// Straight to the webhook processor (no proxy, so 127.0.0.1 is the client): refused as well.
		const direct = await cluster.webhook.webhook(`${TRIGGER.hook}/${PATH_SEGMENT}/callbackAfterSendSingleMsgCommand`, { callbackCommand: 'callbackAfterSendSingleMsgCommand' }, 'POST', { registrationWaitMs: 0 });
		expect(direct.status).toBe(403);
		expect((await cluster.executions(TRIGGER.id)).filter((e) => Number(e.id) > before)).toHaveLength(1);
	});

	it('never writes the secret or a token into any process\'s logs', () => {
		const logs = cluster.logs();
		expect(logs).not.toContain(SANDBOX_SECRET);
		expect(logs).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
	});
});
