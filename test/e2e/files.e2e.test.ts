/* eslint-disable @n8n/community-nodes/no-restricted-imports -- e2e test tooling, not shipped: writes the files n8n reads */
/**
 * Files from the workflow (issue #12) in real n8n: Read/Write Files from Disk → OpenIM Notify, the
 * packed package against the sandbox with its S3 storage (out of process). n8n 2.x keeps binary data
 * on disk, so there the node streams it part by part. The storage's minimum part is lowered to 64 KiB
 * so that a small file goes up in several parts. Last, in server mode: OpenIM Trigger with Download
 * Attachments hands a received picture to the next node as binary data.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';

import { pdf, png } from '../fixtures/files';
import { createN8nInstance, selectedVersions, type N8nInstance, type WorkflowJson, type WorkflowNodeJson } from './n8n';
import { credentialRef, manualWorkflow, NOTIFY_NODE_TYPE, openImCredential, SANDBOX_SECRET } from './fixtures';
import { until } from './proc';
import { startSandbox, type SandboxProcess } from './sandbox';
import { flattedParse, REPO_ROOT } from './runtime';

const MIN_PART = 64 * 1024;
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;
const EXAMPLE_CREDENTIAL = { id: 'openImSandbox01', name: 'OpenIM sandbox' };

/** What an app does with a message URL: OpenIM's 302, then the bytes from the storage. */
async function download(url: string): Promise<Buffer> {
	const redirect = await request(url);
	await redirect.body.dump();
	expect(redirect.statusCode).toBe(302);
	const file = await request(String(redirect.headers.location));
	expect(file.statusCode).toBe(200);
	return Buffer.from(await file.body.arrayBuffer());
}

describe.each(selectedVersions())('n8n %s: files from Read/Write Files from Disk sent through OpenIM\'s object storage', (version) => {
	let sandbox: SandboxProcess;
	let n8n: N8nInstance;
	let folder: string;
	const cred = openImCredential('', { ...EXAMPLE_CREDENTIAL, data: { senderIDs: 'hr_bot, imAdmin' } });
	const files = {
		report: pdf('Quarterly report', 40_000),
		chart: png(960, 540),
		export: Buffer.alloc(MIN_PART * 4 + 4321),
		payslips: { alice: pdf('Payslip Alice Chen', 6000), bob: pdf('Payslip Bob Li', 7000) },
	};
	for (let i = 0; i < files.export.length; i++) files.export[i] = (i * 31) % 241;

	const readNode = (name: string, path: string): WorkflowNodeJson => ({
		name,
		type: 'n8n-nodes-base.readWriteFile',
		typeVersion: 1,
		parameters: { operation: 'read', fileSelector: path, options: {} },
	});
	const messageNode = (name: string, recvID: string, parameters: Record<string, unknown>): WorkflowNodeJson => ({
		name,
		type: NOTIFY_NODE_TYPE,
		typeVersion: 1,
		parameters: {
			resource: 'message',
			operation: 'send',
			sendID: { __rl: true, mode: 'id', value: 'imAdmin' },
			sessionType: 1,
			recvID: { __rl: true, mode: 'id', value: recvID },
			options: {},
			...parameters,
		},
		credentials: credentialRef(cred),
	});
	const id = (base: string) => `${base}${version.replace(/\D/g, '')}`.slice(0, 16).padEnd(16, '0');

	beforeAll(async () => {
		folder = mkdtempSync(join(tmpdir(), 'openim-e2e-files-'));
		writeFileSync(join(folder, 'report.pdf'), files.report);
		writeFileSync(join(folder, 'chart.png'), files.chart);
		writeFileSync(join(folder, 'export.bin'), files.export);
		mkdirSync(join(folder, 'payslips'));
		for (const [user, data] of Object.entries(files.payslips)) writeFileSync(join(folder, 'payslips', `${user}.pdf`), data);

		sandbox = await startSandbox({ seed: 'default', minPartSize: MIN_PART });
		n8n = await createN8nInstance(version, { env: { N8N_RESTRICT_FILE_ACCESS_TO: folder } });
		cred.data.baseUrl = sandbox.url;
		await n8n.importCredentials([cred]);

		const example = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'payslips.workflow.json'), 'utf8')) as WorkflowJson;
		const reader = example.nodes.find((node) => node.name === 'Read payslips')!;
		reader.parameters = { ...reader.parameters, fileSelector: join(folder, 'payslips', '*.pdf') };
		await n8n.importWorkflow([
			example,
			manualWorkflow(id('filePdf'), 'PDF as a file message', [
				readNode('Read report', join(folder, 'report.pdf')),
				messageNode('Send report', 'alice', { contentType: 105, fileSource: 'binary', fileBinaryProperty: 'data' }),
			]),
			manualWorkflow(id('filePng'), 'PNG as a picture message', [
				readNode('Read chart', join(folder, 'chart.png')),
				messageNode('Send chart', 'bob', { contentType: 102, pictureSource: 'binary', pictureBinaryProperty: 'data' }),
			]),
			manualWorkflow(id('fileCard'), 'PNG on an OA card', [
				readNode('Read chart', join(folder, 'chart.png')),
				{
					name: 'Card with chart',
					type: NOTIFY_NODE_TYPE,
					typeVersion: 1,
					parameters: {
						resource: 'notification',
						operation: 'send',
						sendID: { __rl: true, mode: 'id', value: 'hr_bot' },
						recvID: { __rl: true, mode: 'id', value: 'carol' },
						notificationName: 'Sales this week',
						text: 'The chart is on the card.',
						notificationType: 1,
						mixType: 1,
						pictureSource: 'binary',
						pictureBinaryProperty: 'data',
						options: {},
					},
					credentials: credentialRef(cred),
				},
			]),
			manualWorkflow(id('fileBig'), 'A file in several parts', [
				readNode('Read export', join(folder, 'export.bin')),
				messageNode('Send export', 'dave', { contentType: 105, fileSource: 'binary' }),
			]),
			manualWorkflow(id('fileBad'), 'A PDF as a picture', [
				readNode('Read report', join(folder, 'report.pdf')),
				messageNode('Send as picture', 'alice', { contentType: 102, pictureSource: 'binary' }),
			]),
		]);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.stop();
		if (folder) rmSync(folder, { recursive: true, force: true });
	});

	beforeEach(async () => {
		await sandbox.reset('default');
	});

	it('sends a PDF as a file message; a second send of the same file uploads nothing', async () => {
		const first = await n8n.execute(id('filePdf'));
		const [out] = first.output('Send report');
		expect(out).toMatchObject({ delivered: true, recvID: 'alice' });
		expect(out.files).toEqual([expect.objectContaining({ field: 'File', fileName: 'report.pdf', mimeType: 'application/pdf', size: files.report.length, uploaded: true })]);
		const [message] = await sandbox.inbox('alice');
		expect(message).toMatchObject({ contentType: 105, serverMsgID: out.serverMsgID });
		expect(message.content).toMatchObject({ fileName: 'report.pdf', fileSize: files.report.length });
		expect((await download(String(message.content.sourceUrl))).equals(files.report)).toBe(true);

		const second = await n8n.execute(id('filePdf'));
		expect(second.output('Send report')[0].files).toEqual([expect.objectContaining({ uploaded: false })]);
		const completes = (await sandbox.stats()).requests.byPath['/object/complete_multipart_upload'] ?? 0;
		expect(completes).toBe(1);
	});

	it('sends a PNG as a picture message, its size read from the file', async () => {
		await n8n.execute(id('filePng'));
		const [message] = await sandbox.inbox('bob');
		expect(message.contentType).toBe(102);
		expect(message.content.sourcePicture).toMatchObject({ type: 'image/png', width: 960, height: 540, size: files.chart.length });
		expect(message.content.snapshotPicture).toMatchObject({ width: 640, height: 360 });
		expect((await download(String((message.content.sourcePicture as { url: string }).url))).equals(files.chart)).toBe(true);
	});

	it('sends a PNG as an OA card picture', async () => {
		await n8n.execute(id('fileCard'));
		const [card] = await sandbox.inbox('carol');
		expect(card).toMatchObject({ contentType: 1400, sendID: 'hr_bot' });
		expect((card.content.pictureElem as { sourcePicture: object }).sourcePicture).toMatchObject({ type: 'image/png', width: 960, height: 540 });
	});

	it('uploads a file in several parts that arrives whole', async () => {
		const result = await n8n.execute(id('fileBig'));
		const [file] = result.output('Send export')[0].files as Array<{ url: string; size: number }>;
		expect(file.size).toBe(files.export.length);
		expect((await sandbox.stats()).requests.byPath['/object/part_size']).toBe(1);
		expect((await download(file.url)).equals(files.export)).toBe(true);
	});

	it('runs the "Payslips: one PDF per employee" example: each employee gets their own PDF', async () => {
		const result = await n8n.execute('payslipsPdf00001');
		expect(result.output('Send payslip').map((item) => item.recvID).sort()).toEqual(['alice', 'bob']);
		for (const [user, data] of Object.entries(files.payslips)) {
			const [card] = await sandbox.inbox(user);
			const fileElem = card.content.fileElem as { fileName: string; sourceUrl: string };
			expect(fileElem.fileName).toBe(`Payslip November - ${user}.pdf`);
			expect((await download(fileElem.sourceUrl)).equals(data)).toBe(true);
		}
	});

	it('refuses a PDF as a picture before anything is sent or uploaded', async () => {
		const result = await n8n.execute(id('fileBad'), { allowFailure: true });
		expect(result.ok).toBe(false);
		expect(result.error?.message).toContain('Picture (binary field "data", report.pdf) is not an image');
		expect(await sandbox.messages()).toHaveLength(0);
		expect((await sandbox.stats()).requests.byPath['/object/part_size'] ?? 0).toBe(0);
	});

	describe('OpenIM Trigger with Download Attachments (n8n server, activated workflow)', () => {
		const HOOK = 'c7d1e9a2-3b4f-4a5c-8d6e-7f8091a2b3c4';
		const workflowId = id('fileTrig');
		let token: string;

		beforeAll(async () => {
			await n8n.importWorkflow({
				id: workflowId,
				name: 'Receipts from the chat',
				nodes: [
					{
						name: 'OpenIM Trigger',
						type: `${NOTIFY_NODE_TYPE.replace('openImNotify', 'openImTrigger')}`,
						typeVersion: 1,
						webhookId: HOOK,
						parameters: { events: ['singleMessageSent'], options: { downloadAttachments: true } },
						credentials: credentialRef(cred),
					},
					{ name: 'Received', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
				],
				connections: { 'OpenIM Trigger': { main: [[{ node: 'Received', type: 'main', index: 0 }]] } },
			});
			await n8n.activateWorkflow(workflowId);
			await n8n.start();
			await n8n.setupOwner();
		});

		/** Puts a file into OpenIM's storage the way OpenIM's apps do (one part); answers its URL. */
		async function upload(data: Buffer, name: string, contentType: string): Promise<string> {
			const api = async (path: string, body: unknown) => {
				const answer = await sandbox.call('POST', path, body, { operationID: `e2e-${path.split('/').pop()}`, token });
				expect(answer.errCode).toBe(0);
				return answer.data;
			};
			const partMd5 = createHash('md5').update(data).digest('hex');
			const { size: partSize } = await api('/object/part_size', { size: data.length });
			const init = await api('/object/initiate_multipart_upload', {
				hash: createHash('md5').update(partMd5).digest('hex'),
				size: data.length,
				partSize,
				maxParts: 1,
				cause: 'msg-picture',
				name,
				contentType,
			});
			const put = await request(init.upload.sign.parts[0].url, { method: 'PUT', body: data });
			await put.body.dump();
			expect(put.statusCode).toBe(200);
			return (await api('/object/complete_multipart_upload', { uploadID: init.upload.uploadID, parts: [partMd5], name, contentType, cause: 'msg-picture' })).url;
		}

		it('hands a picture alice sends to the next node as binary data', async () => {
			// After the reset before each test: a fresh admin token, as any REST client of OpenIM has.
			token = (await sandbox.call('POST', '/auth/get_admin_token', { secret: SANDBOX_SECRET, userID: 'imAdmin' }, { operationID: 'e2e-files-login' })).data.token;
			const photo = png(200, 150);
			const url = await upload(photo, 'alice/receipt.png', 'image/png');
			await sandbox.configure({ webhookUrl: `${n8n.baseUrl}/webhook/${HOOK}` });
			const base = { type: 'image/png', width: 200, height: 150, size: photo.length, url };
			const sent = await sandbox.call(
				'POST',
				'/msg/send_msg',
				{ sendID: 'alice', recvID: 'bob', contentType: 102, sessionType: 1, content: { sourcePicture: base, bigPicture: base, snapshotPicture: base } },
				{ operationID: 'e2e-files-receipt', token },
			);
			expect(sent.errCode).toBe(0);

			const execution = await until('the trigger\'s execution', async () => {
				const res = await n8n.rest('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=5`);
				const list = (res.body?.data?.results ?? res.body?.data ?? []) as Array<{ id: string; status: string }>;
				return list.find((e) => !['new', 'running', 'waiting'].includes(String(e.status)));
			});
			const res = await n8n.rest('GET', `/rest/executions/${execution.id}`);
			expect(res.body.data.status).toBe('success');
			const [item] = flattedParse(version, res.body.data.data).resultData.runData.Received[0].data.main[0];
			expect(item.json).toMatchObject({ contentType: 102, sendID: 'alice', recvID: 'bob' });
			expect(item.json.attachmentError).toBeUndefined();
			expect(item.binary.data).toMatchObject({ mimeType: 'image/png', fileName: 'receipt.png' });
		});
	});

	it('never writes the secret or a token into outputs or n8n\'s logs', () => {
		const logs = n8n.logs();
		expect(logs).not.toContain(SANDBOX_SECRET);
		expect(logs).not.toMatch(JWT);
	});
});
