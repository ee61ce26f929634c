/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/node-usable-as-tool -- test tooling, not shipped: temp folders for n8n's binary data; a helper node type */
/**
 * Files from the workflow (issue #12): Message → Send and Notification → Send with a "Binary File"
 * source, through the real n8n engine, the in-process sandbox and its real S3 storage (s3rver behind
 * the signature-checking front). Binary items come from n8n's own prepareBinaryData.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeParameters, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { BinaryDataService } from 'n8n-core';
import { NodeConnectionTypes } from 'n8n-workflow';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';

import { OpenImApi } from '../../../../credentials/OpenImApi.credentials';
import { OpenImNotify } from '../../../../nodes/OpenImNotify/OpenImNotify.node';
import { pdf, png } from '../../../fixtures/files';
import { linearWorkflow, loadWorkflowFile, manualTriggerNode, packageNodeTypes, prepareEngine, runWorkflow } from '../../harness';
import { coreContainer } from '../../harness/engine';
import type { HarnessNode } from '../../harness';
import { assertNoSecrets, CREDENTIAL_ID, notification, NOTIFY, textMessage, useOpenImSandbox } from '../../openim-fixtures';

const MIN_PART = 64 * 1024;
const ctx = useOpenImSandbox({ storage: true, minPartSize: MIN_PART });

interface FileSpec {
	json?: IDataObject;
	/** binary field name → file (base64 keeps the workflow JSON plain). */
	binary?: Record<string, { base64: string; fileName?: string; mimeType?: string; asIs?: boolean }>;
}

/** Emits items with binary data made by n8n's prepareBinaryData, as Read/Write Files from Disk does. */
class BinaryItems implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Binary Items',
		name: 'binaryItems',
		group: ['transform'],
		version: 1,
		description: 'Outputs items with binary data (test helper)',
		defaults: { name: 'Files' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Files', name: 'files', type: 'json', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const specs = JSON.parse(this.getNodeParameter('files', 0) as string) as FileSpec[];
		const items: INodeExecutionData[] = [];
		for (const spec of specs) {
			const binary: INodeExecutionData['binary'] = {};
			for (const [name, file] of Object.entries(spec.binary ?? {})) {
				// asIs: the base64 text put on the item unchanged, as a Code node can (line breaks and all).
				binary[name] = file.asIs
					? { data: file.base64, mimeType: file.mimeType ?? 'application/octet-stream', fileName: file.fileName }
					: await this.helpers.prepareBinaryData(Buffer.from(file.base64, 'base64'), file.fileName, file.mimeType);
			}
			items.push({ json: spec.json ?? {}, binary, pairedItem: { item: 0 } });
		}
		return [items];
	}
}

const fileItem = (userID: string, data: Buffer, fileName?: string, mimeType?: string, field = 'data'): FileSpec => ({
	json: { userID },
	binary: { [field]: { base64: data.toString('base64'), fileName, mimeType } },
});

async function run(files: FileSpec[], parameters: INodeParameters, node: Partial<HarnessNode> = {}) {
	const filesNode: HarnessNode = { name: 'Files', type: 'test.binaryItems', parameters: { files: JSON.stringify(files) } };
	return await runWorkflow(
		linearWorkflow(manualTriggerNode(), filesNode, {
			name: NOTIFY,
			type: 'n8n-nodes-openim.openImNotify',
			parameters,
			credentials: { openImApi: { id: CREDENTIAL_ID, name: 'OpenIM sandbox' } },
			...node,
		}),
		{
			credentialStore: ctx.store,
			nodeTypes: { ...packageNodeTypes(new OpenImNotify()), 'test.binaryItems': new BinaryItems() },
			credentialTypes: [new OpenImApi()],
		},
	);
}

/** What an app gets from a message URL: OpenIM's 302, then the storage's bytes. */
async function download(url: string): Promise<{ bytes: Buffer; type: string }> {
	const redirect = await request(url);
	await redirect.body.dump();
	expect(redirect.statusCode).toBe(302);
	const file = await request(String(redirect.headers.location));
	expect(file.statusCode).toBe(200);
	return { bytes: Buffer.from(await file.body.arrayBuffer()), type: String(file.headers['content-type']) };
}

const fileMessage = (overrides: INodeParameters = {}) => textMessage({ contentType: 105, fileSource: 'binary', ...overrides });
const pictureMessage = (overrides: INodeParameters = {}) => textMessage({ contentType: 102, pictureSource: 'binary', ...overrides });
const completions = () => ctx.sandbox.stats().requests.byPath['/object/complete_multipart_upload'] ?? 0;

describe('Message → Send with a binary file', () => {
	it('sends a PDF as a file message: uploaded in one part, name and size from the binary', async () => {
		const payslip = pdf('Payslip Alice Chen, November', 30_000);
		const result = await run([fileItem('alice', payslip, 'payslip-alice.pdf', 'application/pdf')], fileMessage());
		expect(result.error).toBeUndefined();
		const [stored] = ctx.sandbox.inbox('alice');
		expect(stored.contentType).toBe(105);
		expect(stored.content).toMatchObject({ fileName: 'payslip-alice.pdf', fileSize: payslip.length });
		const url = (stored.content as IDataObject).sourceUrl as string;
		expect(url).toMatch(new RegExp(`^${ctx.sandbox.url}/object/n8n/\\d{4}-\\d{2}-\\d{2}/[0-9a-f-]{36}/payslip-alice\\.pdf$`));
		const output = result.json(NOTIFY)[0];
		expect(output).toMatchObject({ delivered: true, recvID: 'alice', serverMsgID: stored.serverMsgID });
		expect(output.files).toEqual([{ field: 'File', fileName: 'payslip-alice.pdf', mimeType: 'application/pdf', size: payslip.length, url, uploaded: true }]);
		const downloaded = await download(url);
		expect(downloaded.bytes.equals(payslip)).toBe(true);
		expect(downloaded.type).toBe('application/pdf');
		// OpenIM's 180-day cleanup applies to message files (cause msg-*).
		expect(ctx.sandbox.objects?.byName.get(url.slice(`${ctx.sandbox.url}/object/`.length))?.group).toBe('msg-file');
		assertNoSecrets(ctx.sandbox, result);
	});

	it('uploads nothing the second time the same file is sent (same hash), under a new name', async () => {
		const data = pdf('Handbook', 5000);
		const first = await run([fileItem('bob', data, 'handbook.pdf')], fileMessage());
		const before = completions();
		const second = await run([fileItem('bob', data, 'handbook.pdf')], fileMessage({ options: { keepUploadedFiles: true } }));
		expect(first.json(NOTIFY)[0].files).toMatchObject([{ uploaded: true }]);
		expect(second.json(NOTIFY)[0].files).toMatchObject([{ uploaded: false }]);
		expect(completions()).toBe(before);
		const [a, b] = ctx.sandbox.inbox('bob').map((m) => (m.content as IDataObject).sourceUrl as string);
		expect(a).not.toBe(b);
		expect((await download(b)).bytes.equals(data)).toBe(true);
		expect(ctx.sandbox.objects?.byName.get(b.slice(`${ctx.sandbox.url}/object/`.length))?.group).toBe('n8n');
	});

	it('uploads a file of several parts (part size from /object/part_size) and the parts arrive whole', async () => {
		const big = Buffer.alloc(MIN_PART * 3 + 12345);
		for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251;
		const result = await run([fileItem('carol', big, 'export.bin', 'application/octet-stream')], fileMessage());
		expect(result.error).toBeUndefined();
		const url = result.json(NOTIFY)[0].files as IDataObject[];
		expect((await download(url[0].url as string)).bytes.equals(big)).toBe(true);
		expect(ctx.sandbox.inbox('carol')[0].content).toMatchObject({ fileName: 'export.bin', fileSize: big.length });
	});

	it('reads in-memory base64 part by part at every byte alignment, and hand-made base64 with line breaks whole', async () => {
		const bytes = (n: number) => {
			const data = Buffer.alloc(n);
			for (let i = 0; i < n; i++) data[i] = (i * 11 + 5) % 256;
			return data;
		};
		// The part size (64 KiB) is not a multiple of 3: parts start mid-quantum; sizes end on each remainder.
		const files = [MIN_PART * 2 + 1, MIN_PART * 2 + 2, MIN_PART * 2 + 3].map(bytes);
		const lineBroken = bytes(MIN_PART + 100);
		const result = await run(
			[
				...files.map((data, i) => fileItem('carol', data, `aligned-${i}.bin`)),
				{ json: { userID: 'carol' }, binary: { data: { base64: lineBroken.toString('base64').replace(/.{76}/g, '$&\r\n'), fileName: 'mime.bin', asIs: true } } },
			],
			fileMessage(),
		);
		expect(result.error).toBeUndefined();
		const sent = result.json(NOTIFY).map((item) => (item.files as IDataObject[])[0]);
		for (const [i, data] of [...files, lineBroken].entries()) {
			expect(sent[i]).toMatchObject({ size: data.length, uploaded: true });
			expect((await download(sent[i].url as string)).bytes.equals(data)).toBe(true);
		}
	});

	it('sends a PNG as a picture message with its size read from the file and a thumbnail URL', async () => {
		const image = png(1280, 320);
		const result = await run([fileItem('alice', image, 'chart.png', 'image/png', 'chart')], pictureMessage({ pictureBinaryProperty: 'chart' }));
		expect(result.error).toBeUndefined();
		const content = ctx.sandbox.inbox('alice')[0].content as Record<string, IDataObject>;
		expect(content.sourcePicture).toMatchObject({ type: 'image/png', width: 1280, height: 320, size: image.length });
		expect(content.snapshotPicture).toMatchObject({ width: 640, height: 160, url: `${content.sourcePicture.url as string}?type=image&width=640&height=160` });
		expect((await download(content.sourcePicture.url as string)).bytes.equals(image)).toBe(true);
	});

	it('takes the MIME type from the magic bytes when the binary says application/octet-stream', async () => {
		await run([fileItem('dave', png(10, 10), 'noext', 'application/octet-stream')], pictureMessage());
		expect(ctx.sandbox.inbox('dave')[0].content).toMatchObject({ sourcePicture: { type: 'image/png', width: 10, height: 10 } });
	});
});

describe('Notification → Send with a binary picture on the card', () => {
	it('uploads the picture and sends the card with pictureElem', async () => {
		const image = png(400, 300);
		const result = await run(
			[fileItem('alice', image, 'welcome.png', 'image/png')],
			notification({ mixType: 1, pictureSource: 'binary', pictureBinaryProperty: 'data' }),
		);
		expect(result.error).toBeUndefined();
		const [card] = ctx.sandbox.inbox('alice');
		expect(card.contentType).toBe(1400);
		const elem = (card.content as IDataObject).pictureElem as Record<string, IDataObject>;
		expect(elem.sourcePicture).toMatchObject({ type: 'image/png', width: 400, height: 300 });
		expect(result.json(NOTIFY)[0].files).toMatchObject([{ field: 'Picture', fileName: 'welcome.png', uploaded: true }]);
	});
});

describe('Delivery Format with binary media (the chat text and picture carry the uploaded URLs)', () => {
	it('Chat Message: a binary file is quoted in the text by its uploaded URL', async () => {
		const payslip = pdf('Payslip Dave Zhao', 4000);
		const result = await run(
			[fileItem('dave', payslip, 'payslip-dave.pdf', 'application/pdf')],
			notification({ mixType: 3, fileSource: 'binary', fileBinaryProperty: 'data', deliveryFormat: 'chat' }),
		);
		expect(result.error).toBeUndefined();
		const url = (result.json(NOTIFY)[0].files as IDataObject[])[0].url as string;
		const [text] = ctx.sandbox.inbox('dave');
		expect(text.contentType).toBe(101);
		expect(String((text.content as IDataObject).content)).toContain(`File: payslip-dave.pdf ${url}`);
	});

	it('Both: the card and the chat picture both point at the one upload, with sourcePath set', async () => {
		const image = png(320, 200);
		const result = await run(
			[fileItem('carol', image, 'chart.png', 'image/png')],
			notification({ mixType: 1, pictureSource: 'binary', pictureBinaryProperty: 'data', deliveryFormat: 'both' }),
		);
		expect(result.error).toBeUndefined();
		const url = (result.json(NOTIFY)[0].files as IDataObject[])[0].url as string;
		const inbox = ctx.sandbox.inbox('carol').filter((m) => [1400, 102].includes(m.contentType));
		const card = inbox.find((m) => m.contentType === 1400);
		const picture = inbox.find((m) => m.contentType === 102);
		const cardElem = (card?.content as IDataObject).pictureElem as IDataObject;
		expect(cardElem).toMatchObject({ sourcePath: url, sourcePicture: { url } });
		expect(picture?.content).toMatchObject({ sourcePath: url, sourcePicture: { url } });
	});
});

describe('bad binary input is refused before anything is sent or uploaded', () => {
	it.each([
		['a missing binary field', [fileItem('alice', pdf('x'), 'a.pdf', undefined, 'other')], fileMessage(), 'File Binary Field "data" is not on the input item [item 0]'],
		['an empty file', [fileItem('alice', Buffer.alloc(0), 'empty.pdf')], fileMessage(), 'File (binary field "data", empty.pdf) is an empty file [item 0]'],
		['a picture that is not an image', [fileItem('alice', pdf('x'), 'scan.pdf', 'application/pdf')], pictureMessage(), 'Picture (binary field "data", scan.pdf) is not an image (PNG, JPEG, GIF, WebP or BMP): its type is application/pdf [item 0]'],
		['a picture whose size cannot be read', [fileItem('alice', png(5, 5).subarray(0, 20), 'cut.png')], pictureMessage(), 'Picture (binary field "data", cut.png) is image/png, but its width and height cannot be read from it [item 0]'],
		['a file above Max File Size', [fileItem('alice', Buffer.alloc(1_200_000, 1), 'big.bin')], fileMessage({ options: { maxFileSizeMB: 1 } }), 'File (binary field "data", big.bin) is 1.1 MB, above the limit of 1 MB [item 0]'],
	])('%s', async (_what, files, parameters, message) => {
		const before = completions();
		const result = await run(files, parameters);
		expect(result.error?.message).toBe(message);
		expect(ctx.sandbox.messages()).toHaveLength(0);
		expect(ctx.sandbox.stats().requests.byPath['/object/part_size'] ?? 0).toBe(0);
		expect(completions()).toBe(before);
	});

	it('checks every item first; with Continue On Fail each item says why and the good ones are sent', async () => {
		const result = await run(
			[fileItem('alice', pdf('ok'), 'ok.pdf'), fileItem('bob', Buffer.alloc(0), 'empty.pdf'), fileItem('carol', pdf('ok too'), 'ok2.pdf')],
			fileMessage(),
			{ onError: 'continueRegularOutput' },
		);
		const out = result.json(NOTIFY);
		expect(out).toHaveLength(3);
		expect(out[0]).toMatchObject({ delivered: true });
		expect(out[1]).toMatchObject({ error: 'File (binary field "data", empty.pdf) is an empty file [item 1]' });
		expect(out[2]).toMatchObject({ delivered: true });
		expect(ctx.sandbox.inbox('bob')).toHaveLength(0);
	});

	it('a storage that refuses the upload: its S3 error in words, and nothing is sent', async () => {
		ctx.sandbox.storage?.misconfigureSecret('not-the-storage-secret');
		const result = await run([fileItem('alice', pdf('x'), 'x.pdf')], fileMessage());
		expect(result.error?.message).toMatch(/^File \(binary field "data", x\.pdf\): the storage refused part 1 of 1: SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided\..* \(HTTP 403\) \[item 0\]$/);
		expect(ctx.sandbox.messages()).toHaveLength(0);
		assertNoSecrets(ctx.sandbox, result);

		const continued = await run([fileItem('alice', pdf('x'), 'x.pdf')], fileMessage(), { onError: 'continueRegularOutput' });
		expect(continued.json(NOTIFY)[0].error).toMatch(/SignatureDoesNotMatch/);
		expect(ctx.sandbox.messages()).toHaveLength(0);
	});
});

describe('binary data n8n keeps on disk (filesystem mode): read as a stream, part by part', () => {
	interface ServiceInternals {
		mode: string;
		config: { mode: string; availableModes: string[]; localStoragePath: string };
		init(): Promise<void>;
	}
	let service: ServiceInternals;
	let saved: { mode: string; configMode: string; path: string };
	let folder: string;

	beforeAll(async () => {
		await prepareEngine();
		service = coreContainer.get(BinaryDataService) as unknown as ServiceInternals;
		saved = { mode: service.mode, configMode: service.config.mode, path: service.config.localStoragePath };
		folder = mkdtempSync(join(tmpdir(), 'openim-binary-'));
		Object.assign(service.config, { mode: 'filesystem', localStoragePath: folder });
		if (!service.config.availableModes.includes('filesystem')) service.config.availableModes.push('filesystem');
		await service.init();
	});
	afterAll(() => {
		Object.assign(service.config, { mode: saved.configMode, localStoragePath: saved.path });
		service.mode = saved.mode;
		rmSync(folder, { recursive: true, force: true });
	});

	it('uploads a multi-part file stored on disk and a picture whose header is read from the stream', async () => {
		const big = Buffer.alloc(MIN_PART * 2 + 999);
		for (let i = 0; i < big.length; i++) big[i] = (i * 13) % 253;
		const result = await run([fileItem('alice', big, 'disk.bin')], fileMessage());
		expect(result.error).toBeUndefined();
		expect(result.output('Files')[0].binary?.data.id).toMatch(/^filesystem/);
		const [file] = result.json(NOTIFY)[0].files as IDataObject[];
		expect(file).toMatchObject({ size: big.length, uploaded: true });
		expect((await download(file.url as string)).bytes.equals(big)).toBe(true);

		const picture = await run([fileItem('bob', png(300, 200), 'disk.png')], pictureMessage());
		expect(picture.error).toBeUndefined();
		expect(ctx.sandbox.inbox('bob')[0].content).toMatchObject({ sourcePicture: { width: 300, height: 200, type: 'image/png' } });
	});
});

describe('examples/payslips.workflow.json', () => {
	/** Read/Write Files from Disk is n8n's: in process its output is pinned (the e2e test reads real files). */
	class ReadWriteFilePinned extends BinaryItems {
		description = { ...new BinaryItems().description, name: 'readWriteFile', displayName: 'Read/Write Files from Disk (pinned)' };
	}

	it('sends each employee their own PDF on a card, recipient from the file name', async () => {
		const payslips = { alice: pdf('Alice Chen, November', 4000), bob: pdf('Bob Li, November', 5000) };
		const pinned = Object.entries(payslips).map(([user, data]) => ({
			json: { fileName: `${user}.pdf` },
			binary: { data: { data: data.toString('base64'), mimeType: 'application/pdf', fileName: `${user}.pdf`, fileExtension: 'pdf' } },
		}));
		const result = await runWorkflow(loadWorkflowFile('examples/payslips.workflow.json'), {
			credentialStore: ctx.store,
			credentials: { openImSandbox01: { type: 'openImApi', name: 'OpenIM sandbox', data: ctx.credentialData() } },
			nodeTypes: { ...packageNodeTypes(new OpenImNotify()), 'n8n-nodes-base.readWriteFile': new ReadWriteFilePinned() },
			credentialTypes: [new OpenImApi()],
			pinData: { 'Read payslips': pinned },
		});
		expect(result.error).toBeUndefined();
		for (const [user, data] of Object.entries(payslips)) {
			const [card] = ctx.sandbox.inbox(user);
			expect(card).toMatchObject({ sendID: 'hr_bot', contentType: 1400 });
			const fileElem = (card.content as IDataObject).fileElem as IDataObject;
			expect(fileElem).toMatchObject({ fileName: `Payslip November - ${user}.pdf`, fileSize: data.length });
			expect((await download(fileElem.sourceUrl as string)).bytes.equals(data)).toBe(true);
		}
		expect(result.json('Send payslip').map((out) => out.recvID)).toEqual(['alice', 'bob']);
	});
});
