/* eslint-disable @typescript-eslint/no-explicit-any -- run data and webhook bodies are arbitrary JSON */
/**
 * OpenIM Trigger → Options → Download Attachments (issue #12): a picture someone sends arrives in the
 * workflow as binary data, fetched through OpenIM's `/object/<name>` redirect from the sandbox's S3
 * storage; a download that fails leaves the item without binary and says why. The messages come from
 * the REST API, so Ignore Own Messages is off.
 */
import { createHash } from 'node:crypto';
import { request } from 'undici';
import type { IConnections } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../../../sandbox/server';
import { pdf, png } from '../../../fixtures/files';
import { Client } from '../../../sandbox/helpers';
import { NO_OP_NODE_TYPE } from '../../harness';
import type { WorkflowInput } from '../../harness';
import { startTriggerServer, TRIGGER_TYPE, type TriggerServer } from './webhook-server';

const WEBHOOK_ID = '5b7e1c2d-8f3a-4e6b-9c1d-2a3b4c5d6e7f';
const TRIGGER = 'OpenIM Trigger';
const RECEIVED = 'Received';
let sandbox: Sandbox;
let client: Client;
let server: TriggerServer;

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

/** Puts a file into OpenIM's object storage as OpenIM's apps do (one part); answers its URL. */
async function upload(data: Buffer, name: string, contentType: string): Promise<string> {
	const partMd5 = md5(data);
	const partSize = (await client.api('/object/part_size', { size: data.length })).body.data.size;
	const init = await client.api('/object/initiate_multipart_upload', { hash: md5(partMd5), size: data.length, partSize, maxParts: 1, cause: 'msg-picture', name, contentType });
	const put = await request(init.body.data.upload.sign.parts[0].url, { method: 'PUT', body: data });
	await put.body.dump();
	expect(put.statusCode).toBe(200);
	const done = await client.api('/object/complete_multipart_upload', { uploadID: init.body.data.upload.uploadID, parts: [partMd5], name, contentType, cause: 'msg-picture' });
	return done.body.data.url as string;
}

beforeAll(async () => {
	sandbox = await startSandbox({ seed: 'default', storage: true });
	client = new Client(sandbox);
	const connections: IConnections = { [TRIGGER]: { main: [[{ node: RECEIVED, type: 'main', index: 0 }]] } };
	const workflow: WorkflowInput = {
		nodes: [
			{ name: TRIGGER, type: TRIGGER_TYPE, webhookId: WEBHOOK_ID, parameters: { events: ['singleMessageSent'], ignoreOwnMessages: false, options: { downloadAttachments: true } } },
			{ name: RECEIVED, type: NO_OP_NODE_TYPE, parameters: {} },
		],
		connections,
	};
	server = await startTriggerServer(workflow);
	await server.activate();
	const shown = server.productionUrl();
	sandbox.configure({ webhookUrl: shown.slice(0, shown.lastIndexOf('/')) });
});
afterAll(async () => {
	await server?.close();
	await sandbox.close();
});

async function received(): Promise<any[]> {
	await sandbox.webhooks.idle();
	await server.idle();
	const run = server.runs[server.runs.length - 1].run;
	return run.data.resultData.runData[RECEIVED][0].data!.main[0]!;
}

describe('OpenIM Trigger: Download Attachments', () => {
	it('hands a received picture to the next node as binary data', async () => {
		const image = png(120, 80);
		const url = await upload(image, 'alice/receipt.png', 'image/png');
		const base = { type: 'image/png', width: 120, height: 80, size: image.length, url };
		const sent = await client.api('/msg/send_msg', {
			sendID: 'alice',
			recvID: 'bob',
			contentType: 102,
			sessionType: 1,
			content: { sourcePicture: base, bigPicture: base, snapshotPicture: base },
		});
		expect(sent.body.errCode).toBe(0);
		const [item] = await received();
		expect(item.json).toMatchObject({ contentType: 102, sendID: 'alice' });
		expect(item.json.attachmentError).toBeUndefined();
		expect(item.binary.data).toMatchObject({ mimeType: 'image/png', fileName: 'receipt.png' });
		expect(Buffer.from(item.binary.data.data, 'base64').equals(image)).toBe(true);
	});

	it('keeps a file message\'s name, and says why when the download fails', async () => {
		const doc = pdf('expense report');
		const url = await upload(doc, 'bob/expenses.pdf', 'application/pdf');
		await client.api('/msg/send_msg', { sendID: 'bob', recvID: 'alice', contentType: 105, sessionType: 1, content: { sourceUrl: url, fileName: 'Expenses November.pdf', fileSize: doc.length } });
		const [file] = await received();
		expect(file.binary.data).toMatchObject({ mimeType: 'application/pdf', fileName: 'Expenses November.pdf' });

		await client.api('/msg/send_msg', { sendID: 'bob', recvID: 'alice', contentType: 105, sessionType: 1, content: { sourceUrl: `${sandbox.url}/object/bob/missing.pdf`, fileName: 'missing.pdf', fileSize: 10 } });
		const [missing] = await received();
		expect(missing.binary).toBeUndefined();
		expect(missing.json.attachmentError).toBe(`OpenIM answered errCode 1004 RecordNotFoundError (object not found) for ${sandbox.url}/object/bob/missing.pdf`);
	});

	it('leaves text messages alone', async () => {
		await client.api('/msg/send_msg', { sendID: 'alice', recvID: 'bob', contentType: 101, sessionType: 1, content: { content: 'hi' } });
		const [text] = await received();
		expect(text.binary).toBeUndefined();
		expect(text.json.attachmentError).toBeUndefined();
	});
});
