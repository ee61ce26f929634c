/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error -- browser test tooling, not shipped: drives Chromium (playwright-core), writes screenshots (node:fs/os/path), reads process.env, polls with timers, plain errors (no n8n node context) */
/**
 * The package in the n8n editor, as a user meets it: headless Debian Chromium (playwright-core, no browser
 * download) against a real n8n (1.85.4, 1.123.81 and 2.41.1, started here with the packed package installed) and the
 * OpenIM sandbox (out of process).
 *
 *   nodes panel: "OpenIM" finds OpenIM Notify with its icon → add "Send a work notification" → credential picker
 *   → create the credential in the dialog, n8n tests it on save → each Media (mixType) option shows exactly
 *   its fields → the Recipient picker lists the sandbox users → "Execute step" ("Test step" on 1.85) sends, the output panel shows
 *   the serverMsgID, and alice's sandbox inbox holds that message.
 *
 * Screenshots go to docs/screenshots/<version>/; the 1.123.81 set is also copied to docs/screenshots/*.png
 * (the README embeds those). The steps share one page and run in order; after a failing step the later
 * ones fail fast with "skipped". Failure dumps (PNG + HTML) go to OPENIM_BROWSER_ARTIFACTS (default: a tmp dir).
 * Selectors are data-test-id attributes that exist in all three editor versions (see README.md here); the few 1.85
 * differences are commented where they are handled.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, selectors, type Browser, type Locator, type Page } from 'playwright-core';

import { E2E_OWNER, createN8nInstance, selectedVersions, type N8nInstance, type N8nVersion } from '../e2e/n8n';
import { EDITOR_N8N_VERSIONS, REPO_ROOT } from '../e2e/runtime';
import { startSandbox, type SandboxProcess } from '../e2e/sandbox';
import { SANDBOX_ADMIN, SANDBOX_SECRET } from '../e2e/fixtures';

const CHROMIUM = process.env.OPENIM_CHROMIUM || '/usr/bin/chromium';
const SCREENSHOTS = join(REPO_ROOT, 'docs', 'screenshots');
/** The version whose screenshots the README embeds (copied to docs/screenshots/*.png). */
const README_VERSION: N8nVersion = '1.123.81';
const ARTIFACTS = process.env.OPENIM_BROWSER_ARTIFACTS || join(tmpdir(), 'n8n-nodes-openim-browser');
const VIEWPORT = { width: 1280, height: 800 };
const UI_TIMEOUT = 30_000;

/** Parameters of Notification → Send that every Media option shows (the Options collection aside). */
const BASE_FIELDS = [
	'resource',
	'operation',
	'sendID',
	'recipientMode',
	'recvID',
	'deliveryFormat',
	'notificationName',
	'text',
	'notificationType',
	'externalUrl',
	'mixType',
];
// Each media starts with its source (URL | Binary File, issue #12); URL shows the URL fields.
const PICTURE = ['pictureSource', 'pictureUrl', 'pictureType', 'pictureWidth', 'pictureHeight', 'pictureSize', 'pictureSnapshotUrl'];
const VIDEO = ['videoSource', 'videoUrl', 'videoType', 'videoSize', 'videoDuration', 'videoSnapshotUrl', 'videoSnapshotWidth', 'videoSnapshotHeight'];
const FILE = ['fileSource', 'fileUrl', 'fileName', 'fileSize'];
const VOICE = ['voiceSource', 'voiceUrl', 'voiceDuration', 'voiceSize'];
const ALL_MEDIA = [...PICTURE, ...VIDEO, ...FILE, ...VOICE];

/** Media option → the media fields it must show (and no other), and its screenshot. */
const MEDIA_FORMS: Array<{ option: string; fields: string[]; shot: string }> = [
	{ option: 'Text Only', fields: [], shot: 'form-text' },
	{ option: 'Text and Picture', fields: PICTURE, shot: 'form-picture' },
	{ option: 'Text and Video', fields: VIDEO, shot: 'form-video' },
	{ option: 'Text and File', fields: FILE, shot: 'form-file' },
	{ option: 'Text and Voice', fields: VOICE, shot: 'form-voice' },
	{ option: 'Text, Voice and Picture', fields: [...PICTURE, ...VOICE], shot: 'form-voice-picture' },
];

/** The Recipient picker lists regular users only (seed `default`), not admins or notification accounts. */
const SANDBOX_USERS = ['Alice Chen (alice)', 'Bob Li (bob)', 'Carol Wang (carol)', 'Dave Zhao (dave)'];
const NOT_RECIPIENTS = [SANDBOX_ADMIN, 'hr_bot', 'ops_alerts'];

const NODE_NAME = 'OpenIM Notify';
const ACTION = 'Send a work notification';
const CREDENTIAL_TEST_OK = 'Connection tested successfully';
const ADD_STEP = `adds "${ACTION}" and shows the credential picker`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` (100 ms) until it is true; for states no single locator expresses. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = UI_TIMEOUT): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(100);
	}
}

/** Names of the node parameters the parameter pane renders visibly (`<name>-parameter-input-options-container`). */
async function visibleParameterNames(ndv: Locator): Promise<string[]> {
	const names: string[] = [];
	const containers = ndv.getByTestId('node-parameters').locator('[data-test-id$="-parameter-input-options-container"]');
	for (const el of await containers.filter({ visible: true }).all()) {
		const id = (await el.getAttribute('data-test-id')) ?? '';
		let name = id.replace(/-parameter-input-options-container$/, '');
		// 1.85.x renders the container as "undefined-parameter-input-options-container" (the editor leaves the
		// name out); the same parameter item holds the input, `parameter-input` › `parameter-input-<name>`.
		if (name === 'undefined') {
			const input = await el.evaluate(
				(node) =>
					(node as unknown as { closest(s: string): { querySelector(s: string): { getAttribute(a: string): string | null } | null } | null })
						.closest('[data-test-id="parameter-item"]')
						?.querySelector('[data-test-id="parameter-input"] > [data-test-id^="parameter-input-"]')
						?.getAttribute('data-test-id') ?? '',
			);
			name = input.replace(/^parameter-input-/, '');
		}
		names.push(name);
	}
	return names;
}

const sorted = (list: string[]) => [...list].sort();

interface BrowserProblem {
	kind: 'console' | 'pageerror' | 'http';
	/** The step that was running. */
	step: string;
	text: string;
}

/** A browser problem caused by this package (its node, credential, icons or pickers). */
const OURS = /openim|openImNotify|openImApi|searchUsers|searchSenders|searchGroups|n8n-nodes-openim/i;
/**
 * Not ours although it names the package: the editor looks community packages up on registry.npmjs.org
 * (the "community node" badge), which this offline machine cannot reach.
 */
const NOT_OURS = /registry\.npmjs\.org/;
/**
 * n8n's own way to say "Set up credential to see options": the editor may call a picker's method as soon
 * as the node is added, the server answers 500 "Node does not have any credentials set", and the editor
 * shows that placeholder. Every node with a credentialed picker does this.
 */
const NO_CREDENTIAL_YET = /Node does not have any credentials set/;

describe.each(selectedVersions(EDITOR_N8N_VERSIONS))('n8n %s editor: OpenIM Notify in the browser', (version) => {
	let sandbox: SandboxProcess;
	let n8n: N8nInstance;
	let browser: Browser;
	let page: Page;
	let ndv: Locator;
	const shotDir = join(SCREENSHOTS, version);
	const problems: BrowserProblem[] = [];
	const timings: Array<[string, number]> = [];
	let startedAt = Date.now();
	let broken: string | undefined;
	let current = 'setup';

	/** One step of the flow: they share the page, so after a failure the later ones fail fast. */
	const step = (name: string, fn: () => Promise<void>, timeoutMs?: number) =>
		it(
			name,
			async () => {
				if (broken) throw new Error(`skipped: the earlier step "${broken}" failed`);
				const t = Date.now();
				current = name;
				try {
					await fn();
				} catch (error) {
					broken = name;
					await dumpPage(name);
					throw error;
				} finally {
					timings.push([name, Date.now() - t]);
				}
			},
			timeoutMs,
		);

	async function dumpPage(name: string): Promise<void> {
		if (!page || page.isClosed()) return;
		const base = join(ARTIFACTS, version, name.replace(/[^\w.-]+/g, '_').slice(0, 80));
		try {
			mkdirSync(join(ARTIFACTS, version), { recursive: true });
			await page.screenshot({ path: `${base}.png` });
			writeFileSync(`${base}.html`, await page.content());
			process.stdout.write(`[browser] ${version}: failure dump ${base}.png / .html\n`);
		} catch {
			/* best effort */
		}
	}

	/** Screenshot for the docs: pointer parked (no hover controls), toasts hidden unless `keepToasts`. */
	async function shot(name: string, { keepToasts = false } = {}): Promise<void> {
		mkdirSync(shotDir, { recursive: true });
		const file = join(shotDir, `${name}.png`);
		await page.mouse.move(VIEWPORT.width / 2, 2);
		await page.screenshot({
			path: file,
			animations: 'disabled',
			caret: 'hide',
			style: keepToasts ? undefined : '.el-notification { visibility: hidden !important; }',
		});
		if (version === README_VERSION) copyFileSync(file, join(SCREENSHOTS, `${name}.png`));
	}

	beforeAll(async () => {
		if (!existsSync(CHROMIUM)) {
			throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set OPENIM_CHROMIUM)`);
		}
		selectors.setTestIdAttribute('data-test-id');
		startedAt = Date.now();
		let t = Date.now();
		sandbox = await startSandbox({ seed: 'default' });
		n8n = await createN8nInstance(version);
		await n8n.start();
		await n8n.setupOwner();
		timings.push(['start sandbox + n8n, owner setup', Date.now() - t]);

		t = Date.now();
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			headless: true,
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
			],
		});
		const context = await browser.newContext({ viewport: VIEWPORT, baseURL: n8n.baseUrl });
		page = await context.newPage();
		page.setDefaultTimeout(UI_TIMEOUT);
		page.on('console', (msg) => {
			if (msg.type() === 'error') problems.push({ kind: 'console', step: current, text: `${msg.text()} @ ${msg.location().url}` });
		});
		page.on('pageerror', (err) => problems.push({ kind: 'pageerror', step: current, text: `${err.message}\n${err.stack ?? ''}` }));
		page.on('response', async (res) => {
			if (res.status() < 400) return;
			let text = `${res.status()} ${res.request().method()} ${res.url()}`;
			// Pickers (loadOptions/listSearch) and credential tests: the request names the node and method.
			if (/\/rest\/(dynamic-node-parameters|credentials)\//.test(res.url())) {
				const body = await res.text().catch(() => '');
				text += ` request=${(res.request().postData() ?? '').slice(0, 400)} response=${body.slice(0, 400)}`;
			}
			problems.push({ kind: 'http', step: current, text });
		});
		ndv = page.getByTestId('ndv');

		// The context's request API shares its cookie jar with the page: logging in here logs the page in.
		const login = await page.request.post('/rest/login', {
			data: { emailOrLdapLoginId: E2E_OWNER.email, email: E2E_OWNER.email, password: E2E_OWNER.password },
		});
		if (login.status() !== 200) throw new Error(`login: HTTP ${login.status()} ${await login.text()}`);
		timings.push(['launch Chromium + login', Date.now() - t]);
	}, 240_000);

	afterAll(async () => {
		await browser?.close().catch(() => undefined);
		await n8n?.dispose();
		await sandbox?.stop();
		const total = ((Date.now() - startedAt) / 1000).toFixed(1);
		const lines = timings.map(([name, ms]) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${name}`);
		const seen = [...new Set(problems.map((p) => `${p.kind}: ${p.text.split('\n')[0]}`))];
		process.stdout.write(
			`\n[browser] n8n ${version}: ${total} s in total\n${lines.join('\n')}\n` +
				`[browser] n8n ${version}: ${seen.length} distinct browser console/HTTP problems seen (only unexpected ones naming this package fail the test):\n` +
				seen.map((s) => `  ${s.slice(0, 240)}`).join('\n') +
				'\n',
		);
	});

	step('opens an empty workflow in the editor', async () => {
		const created = await page.request.post('/rest/workflows', {
			data: { name: 'OpenIM browser test', nodes: [], connections: {}, active: false, settings: { executionOrder: 'v1' } },
		});
		expect(created.status()).toBe(200);
		const id = ((await created.json()) as { data: { id: string } }).data.id;
		await page.goto(`/workflow/${id}`);
		await page.getByTestId('node-creator-plus-button').waitFor();
	});

	step('finds OpenIM Notify with its icon when searching "OpenIM" in the nodes panel', async () => {
		await page.getByTestId('node-creator-plus-button').click();
		const search = page.getByTestId('node-creator-search-bar');
		await search.fill('OpenIM');
		const item = page.getByTestId('node-creator').getByTestId('item-iterator-item').filter({ hasText: NODE_NAME });
		await item.waitFor();
		await expect(item.getByTestId('node-creator-item-name').innerText()).resolves.toBe(NODE_NAME);
		const icon = item.locator('img').first();
		await icon.waitFor();
		expect(await icon.getAttribute('src')).toMatch(/\/icons\/n8n-nodes-openim\/.*openim[^/]*\.svg$/);
		// Loaded and rendered, not a broken image.
		await until('the OpenIM icon to load', async () => (await icon.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)) > 0);
		await shot('node-search');
	});

	step(ADD_STEP, async () => {
		await page.getByTestId('node-creator').getByTestId('item-iterator-item').filter({ hasText: NODE_NAME }).click();
		await page.getByTestId('node-creator').getByTestId('item-iterator-item').filter({ hasText: ACTION }).click();
		await ndv.waitFor();
		await ndv.getByTestId('node-parameters').waitFor();
		await ndv.getByTestId('credentials-label').waitFor();
		// 1.x: a "Select Credential" dropdown; 2.x: a "Connect to OpenIM" button while no credential exists.
		const picker = ndv.getByTestId('node-credentials-select').or(ndv.getByTestId('node-credentials-empty-state'));
		await picker.first().waitFor();
		// The editor added a manual trigger in front of it; the node shows on the canvas with our icon. Matched by
		// node type: 1.85.x names the node "OpenIM Notify", later editors after the action ("Send a work notification").
		const canvasNode = page.getByTestId('canvas-node').and(page.locator('[data-node-type="n8n-nodes-openim.openImNotify"]'));
		expect(await canvasNode.locator('img').first().getAttribute('src')).toMatch(/n8n-nodes-openim\/.*openim/);
	});

	step('creates the credential in the dialog; saving runs the credential test and it succeeds', async () => {
		const emptyState = ndv.getByTestId('node-credentials-empty-state');
		if (await emptyState.isVisible()) {
			await emptyState.getByRole('button').first().click();
		} else {
			await ndv.getByTestId('node-credentials-select').click();
			await page.getByTestId('node-credentials-select-item-new').filter({ visible: true }).click();
		}
		const modal = page.getByTestId('editCredential-modal');
		await modal.waitFor();
		await modal.getByText('OpenIM API', { exact: true }).waitFor();
		const field = (name: string) => modal.getByTestId(`parameter-input-${name}`).locator('input');
		await field('baseUrl').fill(sandbox.url);
		await field('adminUserID').fill(SANDBOX_ADMIN);
		await field('secret').fill(SANDBOX_SECRET);
		await field('senderIDs').fill('hr_bot, imAdmin');

		const credentialTest = async (action: () => Promise<void>) => {
			const response = page.waitForResponse((r) => r.url().endsWith('/rest/credentials/test') && r.request().method() === 'POST');
			await action();
			const result = (await (await response).json()) as { data?: { status?: string; message?: string } };
			expect(result.data).toMatchObject({ status: 'OK' });
		};
		await credentialTest(() => modal.getByTestId('credential-save-button').click());

		// 1.x keeps the dialog open with the result; 2.x closes it after a successful test (opening the
		// credential again runs the test again and shows the result).
		const banner = modal.getByText(CREDENTIAL_TEST_OK);
		await until('the credential dialog to show the test result or close', async () => (await banner.isVisible()) || !(await modal.isVisible()));
		if (!(await banner.isVisible())) {
			await credentialTest(() => ndv.getByTestId('credential-edit-button').click());
			await modal.waitFor();
		}
		await banner.waitFor();
		const retry = modal.getByRole('button', { name: 'Retry' });
		// 2.x fades the button's loading spinner out after the re-test; shoot once it is gone.
		await retry.locator('[class*="loading"]').first().waitFor({ state: 'detached' });
		await shot('credential');
		await modal.getByRole('button', { name: 'Close this dialog' }).click();
		await modal.waitFor({ state: 'hidden' });

		// The credential is on the node: the Sender picker lists its Sender IDs, named as OpenIM knows them.
		const sender = ndv.getByTestId('resource-locator-sendID');
		await sender.getByTestId('rlc-input').click();
		const senders = page.getByTestId('rlc-item').filter({ visible: true });
		await senders.filter({ hasText: 'imAdmin' }).waitFor();
		expect((await senders.allInnerTexts()).map((s) => s.trim())).toEqual(['HR Department (hr_bot)', 'imAdmin']);
		await senders.filter({ hasText: 'HR Department (hr_bot)' }).click();
		await senders.first().waitFor({ state: 'hidden' });
		await expect(sender.getByTestId('rlc-input').inputValue()).resolves.toBe('HR Department (hr_bot)');
		expect(await ndv.getByText('is not supported').count()).toBe(0);
	});

	for (const form of MEDIA_FORMS) {
		step(`Media "${form.option}" shows exactly ${form.fields.length ? form.fields.join(', ') : 'no media fields'}`, async () => {
			const mixType = ndv.getByTestId('parameter-input-mixType');
			await mixType.click();
			await page.getByRole('option', { name: form.option, exact: true }).click();
			for (const name of form.fields) await ndv.getByTestId(`parameter-input-${name}`).waitFor();
			for (const name of ALL_MEDIA.filter((n) => !form.fields.includes(n))) {
				await ndv.getByTestId(`parameter-input-${name}`).waitFor({ state: 'hidden' });
			}
			expect(sorted(await visibleParameterNames(ndv))).toEqual(sorted([...BASE_FIELDS, ...form.fields]));
			// Media at the top of the parameter pane, so the screenshot shows its fields.
			await ndv
				.getByTestId('parameter-item')
				.filter({ has: page.getByTestId('parameter-input-mixType') })
				.evaluate((el) => (el as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: 'start' }));
			await shot(form.shot);
		});
	}

	step('the Recipient picker (From List) lists the sandbox users and filters them', async () => {
		// The last form step left Media on "Text, Voice and Picture": back to text only for the send.
		await ndv.getByTestId('parameter-input-mixType').click();
		await page.getByRole('option', { name: 'Text Only', exact: true }).click();
		await ndv.getByTestId('parameter-input-pictureUrl').waitFor({ state: 'hidden' });

		const locator = ndv.getByTestId('resource-locator-recvID');
		await locator.scrollIntoViewIfNeeded();
		await locator.getByTestId('rlc-input').click();
		const items = page.getByTestId('rlc-item').filter({ visible: true });
		await items.filter({ hasText: SANDBOX_USERS[SANDBOX_USERS.length - 1] }).waitFor();
		const listed = await items.allInnerTexts();
		expect(listed.map((s) => s.trim())).toEqual(SANDBOX_USERS);
		for (const id of NOT_RECIPIENTS) expect(listed.join('\n')).not.toContain(`(${id})`);
		await shot('recipient-picker');

		const search = page.getByTestId('rlc-search').filter({ visible: true });
		await search.fill('Carol');
		await items.filter({ hasText: 'Alice Chen (alice)' }).waitFor({ state: 'hidden' });
		await items.filter({ hasText: 'Carol Wang (carol)' }).waitFor();
		expect((await items.allInnerTexts()).map((s) => s.trim())).toEqual(['Carol Wang (carol)']);
		await search.fill('');
		await items.filter({ hasText: 'Alice Chen (alice)' }).click();
		await items.first().waitFor({ state: 'hidden' });
		await expect(locator.getByTestId('rlc-input').inputValue()).resolves.toBe('Alice Chen (alice)');
	});

	step('"Execute step" sends the notification; the output panel shows its serverMsgID', async () => {
		const title = 'Welcome aboard';
		await ndv.getByTestId('parameter-input-notificationName').locator('input').fill(title);
		await ndv.getByTestId('parameter-input-text').locator('textarea').fill('Hi Alice, your onboarding starts Monday at 9:00 in room 301.');
		const execute = ndv.getByTestId('node-execute-button');
		// "Test step" on 1.85.x, "Execute step" on later editors.
		await expect(execute.innerText()).resolves.toMatch(/Execute step|Test step/i);
		await execute.click();

		const output = ndv.getByTestId('output-panel');
		await output.getByText('serverMsgID', { exact: true }).first().waitFor();
		const inbox = await sandbox.inbox('alice');
		expect(inbox).toHaveLength(1);
		expect(inbox[0]).toMatchObject({ sendID: 'hr_bot', recvID: 'alice', contentType: 1400, sessionType: 4 });
		expect(inbox[0].content).toMatchObject({ notificationName: title, mixType: 0 });
		const serverMsgID = String(inbox[0].serverMsgID);
		expect(serverMsgID).toMatch(/\w{8,}/);
		await output.getByText(serverMsgID).first().waitFor();
		// The node's hint above the items names the OpenIM generation that answered.
		await output.getByText('OpenIM server v3.8.1+, detected automatically.').first().waitFor();
		// The JSON view shows the whole item (the table cuts it off) for the docs.
		await output.getByTestId('radio-button-json').click();
		await output.getByText('operationID').first().waitFor();
		await output.getByText(serverMsgID).first().waitFor();
		await shot('output', { keepToasts: true });
	});

	/** The sandbox's page of what alice's apps show, full length, for the docs. */
	async function viewShot(name: string): Promise<string> {
		const view = await page.context().newPage();
		try {
			await view.setViewportSize({ width: 1000, height: 400 });
			await view.goto(`${sandbox.url}/_sandbox/view/alice`);
			await view.getByText('What Alice Chen sees').waitFor();
			mkdirSync(shotDir, { recursive: true });
			const file = join(shotDir, `${name}.png`);
			await view.screenshot({ path: file, fullPage: true, animations: 'disabled' });
			if (version === README_VERSION) copyFileSync(file, join(SCREENSHOTS, `${name}.png`));
			return await view.content();
		} finally {
			await view.close();
		}
	}

	step('what Alice sees of the card: "[Unsupported Message Type]" on the desktop, the OA list in Flutter 3.8.3', async () => {
		const html = await viewShot('view-card');
		expect(html).toContain('[Unsupported Message Type]');
		expect(html).toContain('Welcome aboard');
	});

	step('Delivery Format "Chat Message" sends a text every app shows; what Alice sees of it', async () => {
		await sandbox.reset('default');
		const format = ndv.getByTestId('parameter-input-deliveryFormat');
		await format.scrollIntoViewIfNeeded();
		await format.click();
		// The option's accessible name includes its description.
		await page.getByRole('option', { name: /^Chat Message/ }).click();
		await ndv.getByTestId('node-execute-button').click();
		await until('the chat text in alice\'s inbox', async () => (await sandbox.inbox('alice')).some((m) => m.contentType === 101));
		const inbox = await sandbox.inbox('alice');
		expect(inbox.map((m) => [m.contentType, m.sessionType])).toEqual([[101, 1]]);
		// Only the chat format's output has the chat message's IDs.
		await ndv.getByTestId('output-panel').getByText('clientMsgIDs').first().waitFor();
		const html = await viewShot('view-chat');
		expect(html).toContain('Welcome aboard');
		expect(html).not.toMatch(/unsupported/i);
	});

	step('the browser reported no errors from this package', async () => {
		const ours = problems.filter((p) => OURS.test(p.text) && !NOT_OURS.test(p.text));
		const unexpected = ours.filter((p) => !(p.step === ADD_STEP && NO_CREDENTIAL_YET.test(p.text)));
		expect(unexpected).toEqual([]);
	});
});
