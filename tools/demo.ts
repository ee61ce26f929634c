/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error, no-console -- the demo launcher, not shipped: a CLI that prints, waits for Ctrl+C and passes plain errors on */
/**
 * `npm run demo [-- --headless] [-- --queue]`: the product on its embedded default (--queue: n8n in queue mode).
 *
 * Starts the OpenIM sandbox and a real n8n (1.123.81 unless --n8n 2.41.1) with this package installed
 * the way a user installs it, the "OpenIM sandbox" credential and the example workflows imported.
 * Interactive: prints the n8n URL and login and runs until Ctrl+C. Headless: runs the example
 * "OA onboarding notification" once and prints what the recipient got.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

import { E2E_OWNER, createN8nInstance, packPackage, type N8nInstance, type WorkflowJson } from '../test/e2e/n8n';
import { N8N_VERSIONS, REPO_ROOT, type N8nVersion } from '../test/e2e/runtime';
import { createQueueCluster, type QueueCluster } from '../test/e2e/queue';
import { startSandbox, type SandboxProcess } from '../test/e2e/sandbox';
import { pdf } from '../test/fixtures/files';

const args = process.argv.slice(2);
const headless = args.includes('--headless');
/** `--queue`: n8n in queue mode (PostgreSQL, Redis, main + 2 workers + a webhook processor; test/e2e/queue.ts). */
const queue = args.includes('--queue');
const versionArg = args[args.indexOf('--n8n') + 1];
const version: N8nVersion = N8N_VERSIONS.includes(versionArg as N8nVersion) ? (versionArg as N8nVersion) : '1.123.81';

const CREDENTIAL = { id: 'openImSandbox01', name: 'OpenIM sandbox', type: 'openImApi' };

function examples(): WorkflowJson[] {
	const dir = join(REPO_ROOT, 'examples');
	return readdirSync(dir)
		.filter((file) => file.endsWith('.workflow.json'))
		.map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as WorkflowJson);
}

/** Where examples/payslips.workflow.json reads its PDFs; the demo puts three there (alice, bob, carol). */
const PAYSLIP_DIR = '/tmp/openim-demo/payslips';

function samplePayslips(): void {
	mkdirSync(PAYSLIP_DIR, { recursive: true });
	for (const [userID, name] of [['alice', 'Alice Chen'], ['bob', 'Bob Li'], ['carol', 'Carol Wang']]) {
		writeFileSync(join(PAYSLIP_DIR, `${userID}.pdf`), pdf(`Payslip November: ${name}`));
	}
}

/** Fails early, naming the override, when a fixed port is taken (e.g. by a real OpenIM or n8n). */
async function assertPortFree(port: number, what: string, envName: string): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		const server = createServer();
		server.once('error', (error: NodeJS.ErrnoException) => {
			if (error.code !== 'EADDRINUSE') return reject(error);
			reject(new Error(`Port ${port} (${what}) is already in use. Stop what uses it, or pick another port: ${envName}=${port + 1} npm run demo`));
		});
		server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
	});
}

/** `npm run demo -- --queue`: the same examples on n8n in queue mode, as the README's "Scaling out" describes. */
async function mainQueue(): Promise<void> {
	const sandboxPort = Number(process.env.OPENIM_SANDBOX_PORT ?? 10002);
	const n8nPort = Number(process.env.N8N_PORT ?? 5678);
	const webhookPort = Number(process.env.OPENIM_DEMO_WEBHOOK_PORT ?? n8nPort + 2);
	await assertPortFree(sandboxPort, 'the OpenIM sandbox', 'OPENIM_SANDBOX_PORT');
	await assertPortFree(n8nPort, 'n8n', 'N8N_PORT');
	await assertPortFree(webhookPort, 'the n8n webhook processor', 'OPENIM_DEMO_WEBHOOK_PORT');
	console.log(`Starting the OpenIM sandbox, PostgreSQL, Redis and n8n ${version} in queue mode (main, 2 workers, webhook processor)…`);
	const sandbox: SandboxProcess = await startSandbox({ seed: 'default', port: sandboxPort });
	samplePayslips();
	const packedHere = !process.env.OPENIM_E2E_TGZ;
	const tgz = await packPackage();
	let cluster: QueueCluster;
	try {
		cluster = await createQueueCluster(version, {
			tgz,
			mainPort: n8nPort,
			webhookPort,
			// "Execute workflow" in the editor runs on a worker too, like production executions.
			env: { N8N_RESTRICT_FILE_ACCESS_TO: PAYSLIP_DIR, OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true' },
		});
	} catch (error) {
		await sandbox.stop();
		throw error;
	} finally {
		if (packedHere) rmSync(dirname(tgz), { recursive: true, force: true });
	}
	try {
		await cluster.importCredentials([
			{
				...CREDENTIAL,
				data: { baseUrl: sandbox.url, adminUserID: 'imAdmin', secret: 'openIM123', senderIDs: 'hr_bot, ops_alerts, imAdmin' },
			},
		]);
		const workflows = examples();
		await cluster.importWorkflow(workflows);
		await cluster.start();
		await cluster.main.setupOwner();
		console.log(`
n8n ${version} is running in queue mode with n8n-nodes-openim installed on every process:
  editor (main)       ${cluster.main.baseUrl}   login ${E2E_OWNER.email} / ${E2E_OWNER.password}
  webhook processor   ${cluster.webhook.baseUrl}/webhook/…   (WEBHOOK_URL of every process)
  workers             ${cluster.workers.length} (n8n worker --concurrency=10), logs in ${cluster.workers.map((w) => w.userFolder).join(', ')}
  PostgreSQL          127.0.0.1:${cluster.postgres.port}/${cluster.postgres.database}    Redis 127.0.0.1:${cluster.redis.port}
  workflows           ${workflows.map((w) => w.name).join(', ')}
OpenIM sandbox:
  API        ${sandbox.url}   (credential "OpenIM sandbox": admin imAdmin, secret openIM123, senders hr_bot, ops_alerts, imAdmin)
  inboxes    ${sandbox.url}/_sandbox/inbox/alice   (users alice, bob, carol, dave)
Press Ctrl+C to stop.`);
		await new Promise<void>((resolve) => {
			process.once('SIGINT', resolve);
			process.once('SIGTERM', resolve);
		});
		console.log('\nStopping…');
	} finally {
		await cluster.dispose();
		await sandbox.stop();
	}
}

async function main(): Promise<void> {
	if (queue) return mainQueue();
	const sandboxPort = Number(process.env.OPENIM_SANDBOX_PORT ?? 10002);
	const n8nPort = Number(process.env.N8N_PORT ?? 5678);
	await assertPortFree(sandboxPort, 'the OpenIM sandbox', 'OPENIM_SANDBOX_PORT');
	// Headless runs `n8n execute` only: no server, no port.
	if (!headless) await assertPortFree(n8nPort, 'n8n', 'N8N_PORT');
	console.log(`Starting the OpenIM sandbox and n8n ${version} with n8n-nodes-openim…`);
	const sandbox: SandboxProcess = await startSandbox({ seed: 'default', port: sandboxPort });
	samplePayslips();
	const packedHere = !process.env.OPENIM_E2E_TGZ;
	const tgz = await packPackage();
	let n8n: N8nInstance;
	try {
		n8n = await createN8nInstance(version, {
			tgz,
			port: n8nPort,
			// Read/Write Files from Disk may read the payslip folder (n8n 2.x restricts file access by default).
			env: { N8N_RESTRICT_FILE_ACCESS_TO: PAYSLIP_DIR },
		});
	} catch (error) {
		await sandbox.stop();
		throw error;
	} finally {
		// npm copied the package into n8n's nodes folder: the tarball and its folder are not needed.
		if (packedHere) rmSync(dirname(tgz), { recursive: true, force: true });
	}
	const stop = async () => {
		await n8n.dispose();
		await sandbox.stop();
	};

	const ready = (async () => {
		await n8n.importCredentials([
			{
				...CREDENTIAL,
				data: { baseUrl: sandbox.url, adminUserID: 'imAdmin', secret: 'openIM123', senderIDs: 'hr_bot, ops_alerts, imAdmin' },
			},
		]);
		const workflows = examples();
		await n8n.importWorkflow(workflows);

		if (headless) {
			const result = await n8n.execute('oaOnboarding0001');
			const [sent] = result.output('Notify new hire');
			const [message] = (await sandbox.inbox(String(sent.recvID))).filter((m) => m.serverMsgID === sent.serverMsgID);
			console.log('\nThe node sent:', JSON.stringify(sent, null, 2));
			console.log(`\n${sent.recvID} received in conversation ${message.conversationID}:`);
			console.log(`  from     ${message.senderNickname} (${message.sendID})`);
			console.log(`  title    ${String(message.content.notificationName)}`);
			console.log(`  text     ${String(message.content.text)}`);
			console.log(`  link     ${String(message.content.externalUrl)}`);
			console.log(`  picture  ${String((message.content.pictureElem as { sourcePicture?: { url?: string } })?.sourcePicture?.url ?? '-')}`);
			console.log(`  push     ${JSON.stringify(message.offlinePushInfo)}`);
			console.log(`\nWhat ${String(sent.recvID)} sees in the OpenIM apps: ${sandbox.url}/_sandbox/view/${String(sent.recvID)}`);
			return;
		}

		await n8n.start();
		await n8n.setupOwner();
		console.log(`
n8n ${version} is running with n8n-nodes-openim:
  URL        ${n8n.baseUrl}
  login      ${E2E_OWNER.email} / ${E2E_OWNER.password}
  workflows  ${workflows.map((w) => w.name).join(', ')}
OpenIM sandbox:
  API        ${sandbox.url}   (credential "OpenIM sandbox": admin imAdmin, secret openIM123, senders hr_bot, ops_alerts, imAdmin)
  inboxes    ${sandbox.url}/_sandbox/inbox/alice   (users alice, bob, carol, dave)
  storage    ${sandbox.storageUrl ?? '(off)'}   (S3 for files sent from binary data: /object/* answers with presigned URLs to it)
  what Alice sees  ${sandbox.url}/_sandbox/view/alice   (her inbox as the desktop and Flutter apps draw it)
Press Ctrl+C to stop.`);
		await new Promise<void>((resolve) => {
			process.once('SIGINT', resolve);
			process.once('SIGTERM', resolve);
		});
		console.log('\nStopping…');
	})();
	// Stop n8n and the sandbox whether the demo ended normally or failed.
	await ready.finally(stop);
}

main().catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
