/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @typescript-eslint/no-explicit-any -- browser test tooling, not shipped: drives Chromium (playwright-core), writes screenshots (node:fs/path), reads process.env, plain errors */
/**
 * Send and Wait's response pages as an approver's phone shows them (issue #14), in headless Chromium
 * against a real n8n: a request to two approvers (the approval page, and what the first approver sees
 * after answering) and a Custom Form (the form, and the same form refused with the reasons). The pages
 * are the node's own HTML, the same on every n8n version, so by default this runs on the version whose
 * screenshots the README embeds (the e2e suite checks the behaviour on all three).
 * Screenshots: docs/screenshots/<version>/response-*.png, copied to docs/screenshots/.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

import { createN8nInstance, selectedVersions, type N8nInstance, type N8nVersion, type WorkflowJson } from '../e2e/n8n';
import { REPO_ROOT } from '../e2e/runtime';
import { startSandbox, type SandboxProcess } from '../e2e/sandbox';
import { openImCredential, sendAndWaitWorkflow } from '../e2e/fixtures';
import { until } from '../e2e/proc';

const CHROMIUM = process.env.OPENIM_CHROMIUM || '/usr/bin/chromium';
const SCREENSHOTS = join(REPO_ROOT, 'docs', 'screenshots');
const README_VERSION: N8nVersion = '1.123.81';
/** A phone-sized viewport, as the approver opens the link from the card. */
const PHONE = { width: 390, height: 760 };
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';

const APPROVAL = { id: 'openImPages01', hook: 'b7c8d9e0-0001-4a1b-8c2d-3e4f5a6b7c01' };
const FORM = { id: 'openImPages02', hook: 'b7c8d9e0-0002-4a1b-8c2d-3e4f5a6b7c02' };

function ask(ids: { id: string; hook: string }, parameters: Record<string, unknown>, cred: ReturnType<typeof openImCredential>): WorkflowJson {
	return sendAndWaitWorkflow(ids, 'Response page', { recipientMode: 'userList', recvIDs: 'carol, alice', ...parameters }, cred);
}

// Default: the README's version only; OPENIM_E2E_N8N_VERSIONS picks others.
const versions = process.env.OPENIM_E2E_N8N_VERSIONS ? selectedVersions() : [README_VERSION];

describe.each(versions)('n8n %s: Send and Wait response pages in the browser', (version) => {
	let sandbox: SandboxProcess;
	let n8n: N8nInstance;
	let browser: Browser;
	let page: Page;
	const shotDir = join(SCREENSHOTS, version);

	async function shot(name: string): Promise<void> {
		mkdirSync(shotDir, { recursive: true });
		const file = join(shotDir, `${name}.png`);
		await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
		if (version === README_VERSION) copyFileSync(file, join(SCREENSHOTS, `${name}.png`));
	}

	const linkOf = async (userID: string, title: string): Promise<string> => {
		const card = await until(`the card "${title}" in ${userID}'s inbox`, async () =>
			(await sandbox.inbox(userID)).find((m: any) => m.contentType === 1400 && m.content.notificationName === title),
		);
		return String((card as any).content.externalUrl);
	};

	beforeAll(async () => {
		if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set OPENIM_CHROMIUM)`);
		sandbox = await startSandbox();
		n8n = await createN8nInstance(version);
		const cred = openImCredential(sandbox.url);
		await n8n.importCredentials([cred]);
		await n8n.importWorkflow([
			ask(APPROVAL, {
				notificationName: 'Leave request: Dave Zhao, 2 days',
				text: 'From 1 to 2 May. Reason: family.',
				pageMessage: 'Dave Zhao asks for leave from 1 to 2 May (family). Both the manager and HR must approve.',
				approvalMode: 'all',
			}, cred),
			ask(FORM, {
				notificationName: 'Plan your team\'s leave',
				text: 'Tell HR the days.',
				pageMessage: 'Fill in the form; HR books the days.',
				responseType: 'customForm',
				approveLabel: 'Submit',
				approvalMode: 'first',
				formFields: {
					values: [
						{ fieldLabel: 'Days', fieldType: 'number', requiredField: true, placeholder: 'e.g. 3' },
						{ fieldLabel: 'First day', fieldType: 'date', requiredField: true },
						{ fieldLabel: 'Reason', fieldType: 'dropdown', fieldOptions: { values: [{ option: 'Holiday' }, { option: 'Sick' }, { option: 'Family' }] }, requiredField: true },
						{ fieldLabel: 'Cover', fieldType: 'checkbox', fieldOptions: { values: [{ option: 'Bob' }, { option: 'Carol' }] } },
						{ fieldLabel: 'Contact while away', fieldType: 'email' },
						{ fieldLabel: 'Note', fieldType: 'textarea' },
					],
				},
			}, cred),
		]);
		for (const id of [APPROVAL.id, FORM.id]) await n8n.activateWorkflow(id);
		await n8n.start();
		await n8n.setupOwner();
		browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
		page = await (await browser.newContext({ viewport: PHONE, userAgent: IPHONE })).newPage();
	}, 240_000);

	afterAll(async () => {
		await browser?.close().catch(() => undefined);
		await n8n?.dispose();
		await sandbox?.stop();
	});

	it('two approvers: the approval page, then "waiting for 1 other approver" and "You already answered"', async () => {
		expect((await n8n.webhook(APPROVAL.hook, {})).status).toBe(200);
		const link = await linkOf('carol', 'Leave request: Dave Zhao, 2 days');
		await page.goto(link);
		await page.getByText('Several people were asked; your answer counts once.').waitFor();
		await shot('response-approvers');
		await page.getByRole('link', { name: 'Approve' }).click();
		await page.getByText('Waiting for 1 other approver.').waitFor();
		await shot('response-approvers-recorded');
		await page.goto(link);
		await page.getByText('You already answered').waitFor();
	});

	it('custom form: the form, then the same form refused with the reasons', async () => {
		expect((await n8n.webhook(FORM.hook, {})).status).toBe(200);
		await page.goto(await linkOf('alice', 'Plan your team\'s leave'));
		await page.getByLabel('Days').waitFor();
		await shot('response-form');
		// The browser's own checks would stop a wrong answer before it is sent; the server's are shown here.
		await page.locator('form').evaluate((form) => form.setAttribute('novalidate', ''));
		await page.getByLabel('Days').fill('2');
		await page.getByLabel('Contact while away').fill('not-an-address');
		await page.getByRole('button', { name: 'Submit' }).click();
		await page.getByText('"First day" is required.', { exact: false }).waitFor();
		expect(await page.content()).toContain('"Reason" is required.');
		await shot('response-form-errors');
	});
});
