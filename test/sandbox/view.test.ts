/**
 * GET /_sandbox/view/:userID: the inbox as the Electron app and the Flutter demo 3.8.3-patch.3 draw it
 * (openim-clients.md §1–2).
 */
import { request } from 'undici';

import type { Sandbox } from '../../sandbox/server';
import { Client, oaMsg, textMsg, withSandbox } from './helpers';

let sandbox: Sandbox;
let client: Client;

beforeAll(async () => {
	({ sandbox, client } = await withSandbox());
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

async function view(userID: string): Promise<{ status: number; type: string; html: string }> {
	const res = await request(`${sandbox.url}/_sandbox/view/${encodeURIComponent(userID)}`);
	return { status: res.statusCode, type: String(res.headers['content-type']), html: await res.body.text() };
}

/** The two cells (Electron, Flutter) of each message row, tags stripped. */
const rows = (html: string): string[][] =>
	[...html.matchAll(/<tr data-content-type="\d+"[^>]*>(.*?)<\/tr>/g)].map((row) =>
		[...row[1].matchAll(/<td>(.*?)<\/td>/g)].map((cell) => cell[1].replace(/<div class="meta">.*?<\/div>/, '').replace(/<[^>]+>/g, '')),
	);

describe('/_sandbox/view/:userID', () => {
	it('draws a text and a picture in every app, a work notification only in Flutter 3.8.3\'s OA list', async () => {
		await client.api('/msg/send_msg', textMsg('alice', 'Hello https://oa.example.com/x'));
		await client.api('/msg/send_msg', {
			...textMsg('alice'),
			contentType: 102,
			content: {
				sourcePicture: { url: 'https://cdn.example.com/a.png', type: 'image/png', width: 10, height: 10 },
				bigPicture: { url: 'https://cdn.example.com/a.png', type: 'image/png', width: 10, height: 10 },
				snapshotPicture: { url: 'https://cdn.example.com/a.png', type: 'image/png', width: 10, height: 10 },
			},
		});
		await client.api('/msg/send_msg', oaMsg('alice', 0));
		const { status, type, html } = await view('alice');
		expect(status).toBe(200);
		expect(type).toBe('text/html; charset=utf-8');
		expect(html).toContain('What Alice Chen sees');
		expect(html).toContain('<a href="https://oa.example.com/x"');
		expect(html).toContain('<img src="https://cdn.example.com/a.png"');
		const [text, picture, card] = rows(html);
		expect(text).toEqual(['Hello https://oa.example.com/x', 'Hello https://oa.example.com/x']);
		expect(picture.every((cell) => !cell.includes('Unsupported'))).toBe(true);
		expect(card[0]).toBe('[Unsupported Message Type]');
		expect(card[1]).not.toContain('Unsupported');
		expect(html).toContain('sn_alice_imAdmin');
	});

	it('draws a voice (103) and a custom message (110) as unsupported on the desktop, the voice in Flutter 3.8.3, recalls as notices', async () => {
		await client.api('/msg/send_msg', { ...textMsg('bob'), contentType: 103, content: { sourceUrl: 'https://cdn.example.com/v.m4a', duration: 3, dataSize: 0 } });
		await client.api('/msg/send_msg', { ...textMsg('bob'), contentType: 110, content: { data: '{}', description: '', extension: '' } });
		const sent = (await client.api('/msg/send_msg', textMsg('bob', 'oops'))).body.data;
		sandbox.store.messages.find((m) => m.clientMsgID === sent.clientMsgID)!.revoked = { userID: 'imAdmin', nickname: 'imAdmin', role: 0, time: 0, revokerUserID: 'imAdmin' };
		const [voice, custom, recalled] = rows((await view('bob')).html);
		expect(voice[0]).toBe('[Unsupported Message Type]');
		expect(voice[1]).toContain('Voice 3');
		expect(custom).toEqual(['[Unsupported Message Type]', '[Unsupported Message Type]']);
		expect(recalled).toEqual(['imAdmin recalled a message', 'imAdmin recalled a message']);
	});

	it('escapes what it shows and answers an unknown user with an empty page', async () => {
		await client.api('/msg/send_msg', textMsg('carol', '<script>alert(1)</script>'));
		expect((await view('carol')).html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
		const nobody = await view('zoe');
		expect(nobody.status).toBe(200);
		expect(nobody.html).toContain('No messages.');
	});
});
