/**
 * Notification → Send and Wait for Response: the send half through the real n8n engine (the run
 * ends "waiting"), and the webhook half (page, bots, decisions) on the node's webhook() handler.
 */
import { createHmac } from 'crypto';
import type { IDataObject, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import { OpenImNotify } from '../../../../../nodes/OpenImNotify/OpenImNotify.node';
import { approvalLink, isLinkPreviewBot, parseResponse, waitUntil } from '../../../../../nodes/OpenImNotify/shared/approval';
import { NOTIFY, useOpenImSandbox } from '../../../openim-fixtures';

const ctx = useOpenImSandbox();

const params = (extra: IDataObject = {}) => ({
	resource: 'notification',
	operation: 'sendAndWait',
	sendID: 'hr_bot',
	recvID: { __rl: true, mode: 'id', value: '={{ $json.userID }}' },
	notificationName: 'Leave request: Bob, 3 days',
	text: 'Bob asks for leave 1–3 May.',
	notificationType: 3,
	...extra,
});

describe('Notification → Send and Wait (execute)', () => {
	it('sends one card whose link is a signed resume URL and leaves the run waiting', async () => {
		const result = await ctx.run([{ userID: 'alice' }, { userID: 'bob' }], params({ limitWaitTime: true, resumeAmount: 2, resumeUnit: 'hours' }));
		expect(result.error).toBeUndefined();
		expect(result.executionStatus).toBe('waiting');
		const run = result.run as unknown as { waitTill?: Date; data: { executionData: { nodeExecutionStack: Array<{ data: { main: Array<Array<{ json: IDataObject }>> } }> } } };
		const waitTill = new Date(run.waitTill as Date).getTime();
		expect(Math.abs(waitTill - (Date.now() + 2 * 3_600_000))).toBeLessThan(60_000);

		// One recipient, from the first item only.
		expect(ctx.sandbox.inbox('bob')).toHaveLength(0);
		const inbox = ctx.sandbox.inbox('alice');
		expect(inbox).toHaveLength(1);
		const content = inbox[0].content as IDataObject;
		expect(content).toMatchObject({ notificationName: 'Leave request: Bob, 3 days', notificationType: 3 });
		const link = new URL(String(content.externalUrl));
		expect(content.url).toBe(content.externalUrl);
		expect(link.pathname).toMatch(/\/webhook-waiting\/[^/]+\/[^/]+$/);
		expect(link.searchParams.get('to')).toBe('alice');
		expect(link.searchParams.get('from')).toBe('hr_bot');
		expect(link.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);

		// On timeout n8n passes the node's stacked input on: it is the timeout result.
		const stacked = run.data.executionData.nodeExecutionStack[0].data.main[0];
		expect(stacked).toHaveLength(1);
		expect(stacked[0].json).toMatchObject({ decision: 'timeout', timedOut: true, approved: null, recipient: 'alice' });
		expect((stacked[0].json.notification as IDataObject).serverMsgID).toBe(inbox[0].serverMsgID);
		// The previous node's output is untouched.
		expect(result.json('Items')).toEqual([{ userID: 'alice' }, { userID: 'bob' }]);
		// The second item was not sent: said above the output.
		expect(result.runData[NOTIFY][0].hints?.[0]?.message).toMatch(/^Send and Wait asked once, with the parameters of the first of the 2 input items/);
	});

	it('Chat Message: the signed link is in the text of a one-to-one chat; Both also sends the card', async () => {
		const result = await ctx.run([{ userID: 'alice' }], params({ deliveryFormat: 'chat' }));
		expect(result.executionStatus).toBe('waiting');
		const [text] = ctx.sandbox.inbox('alice');
		expect(ctx.sandbox.inbox('alice')).toHaveLength(1);
		expect(text).toMatchObject({ contentType: 101, sessionType: 1, conversationID: 'si_alice_hr_bot' });
		const body = String(text.content.content);
		expect(body).toMatch(/^Leave request: Bob, 3 days\n\nBob asks for leave 1–3 May\.\n\nOpen: http/);
		const link = new URL(/Open: (\S+)/.exec(body)?.[1] as string);
		expect(link.pathname).toMatch(/\/webhook-waiting\/[^/]+\/[^/]+$/);
		expect(link.searchParams.get('to')).toBe('alice');

		ctx.sandbox.reset('default');
		await ctx.run([{ userID: 'bob' }], params({ deliveryFormat: 'both' }));
		const [card, chat] = ctx.sandbox.inbox('bob');
		expect([card.contentType, chat.contentType]).toEqual([1400, 101]);
		expect(String(chat.content.content)).toContain(`Open: ${String(card.content.externalUrl)}`);
	});

	it('rejects an unknown recipient before sending', async () => {
		const result = await ctx.run([{ userID: 'nobody' }], params());
		expect(result.status).toBe('error');
		expect(String(result.error?.message)).toMatch(/not a registered OpenIM user/);
		expect(ctx.sandbox.stats().requests.byPath['/msg/send_msg'] ?? 0).toBe(0);
	});

	it('rejects a wait limit in the past', async () => {
		const result = await ctx.run([{ userID: 'alice' }], params({ limitWaitTime: true, limitType: 'atSpecifiedTime', maxDateAndTime: '2001-01-01T00:00:00Z' }));
		expect(String(result.error?.message)).toMatch(/in the past \[item 0\]$/);
		expect(ctx.sandbox.inbox('alice')).toHaveLength(0);
	});

	it('with Continue On Fail, a failure is one error item and nothing waits', async () => {
		const result = await ctx.run([{ userID: 'nobody' }], params(), { onError: 'continueRegularOutput' });
		expect(result.executionStatus).not.toBe('waiting');
		expect(result.json(NOTIFY)).toEqual([expect.objectContaining({ error: expect.stringMatching(/"nobody" is not a registered OpenIM user \[item 0\]/) })]);
		expect(ctx.sandbox.messages()).toHaveLength(0);
	});
});

// ---------------------------------------------------------------------------------------------
// webhook()
// ---------------------------------------------------------------------------------------------

const BROWSER = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 OpenIM';

function hook(opts: { method?: string; query?: IDataObject; body?: IDataObject; ua?: string; parameters?: IDataObject }) {
	const sent: { status: number; body: string; headers: Record<string, string> } = { status: 200, body: '', headers: {} };
	const res = {
		status(code: number) { sent.status = code; return res; },
		setHeader(name: string, value: string) { sent.headers[name.toLowerCase()] = value; },
		end(body: string) { sent.body = body; },
	};
	const parameters: IDataObject = { responseType: 'approval', approvalType: 'double', ...opts.parameters };
	const query = { to: 'alice', from: 'hr_bot', t: 'Leave <request>', signature: 'x', ...opts.query };
	const context = {
		getRequestObject: () => ({ method: opts.method ?? 'GET', headers: opts.ua === undefined ? { 'user-agent': BROWSER } : { 'user-agent': opts.ua } }),
		getResponseObject: () => res,
		getQueryData: () => query,
		getBodyData: () => opts.body ?? {},
		getNodeParameter: (name: string, fallback: unknown) => (name in parameters ? parameters[name] : fallback),
		getSignedResumeUrl: (p: Record<string, string>) => {
			const url = new URL('http://n8n.test/webhook-waiting/7/node1');
			for (const [k, v] of Object.entries(p)) url.searchParams.set(k, v);
			url.searchParams.set('signature', createHmac('sha256', 's').update(url.pathname + url.search).digest('hex'));
			return url.toString();
		},
	} as unknown as IWebhookFunctions;
	return { run: async () => await new OpenImNotify().webhook.call(context), sent };
}

describe('Notification → Send and Wait (webhook)', () => {
	it('GET without a decision shows the page with signed approve and decline links, no resume', async () => {
		const { run, sent } = hook({});
		const out = await run();
		expect(out).toEqual({ noWebhookResponse: true });
		expect(sent.status).toBe(200);
		expect(sent.headers['content-type']).toMatch(/text\/html/);
		expect(sent.body).toContain('Leave &lt;request&gt;');
		expect(sent.body).toMatch(/href="http:\/\/n8n\.test\/webhook-waiting\/7\/node1\?to=alice&amp;from=hr_bot&amp;t=[^"]*&amp;decision=approve&amp;signature=[0-9a-f]{64}"/);
		expect(sent.body).toContain('decision=decline');
	});

	it('GET with decision=approve from a browser resumes with the decision and who it was sent to', async () => {
		const { run, sent } = hook({ query: { decision: 'approve' } });
		const out = await run();
		const json = out.workflowData?.[0][0].json as IDataObject;
		expect(json).toMatchObject({ decision: 'approved', approved: true, timedOut: false, respondedBy: 'alice', userAgent: BROWSER });
		expect(Date.parse(String(json.respondedAt))).toBeGreaterThan(Date.now() - 10_000);
		expect(sent.body).toMatch(/recorded/);
	});

	it('GET with decision=decline resumes declined; decline is refused in approve-only mode', async () => {
		const declined = await hook({ query: { decision: 'decline' } }).run();
		expect(declined.workflowData?.[0][0].json).toMatchObject({ decision: 'declined', approved: false });
		const single = hook({ query: { decision: 'decline' }, parameters: { approvalType: 'single' } });
		expect((await single.run()).workflowData).toBeUndefined();
		expect(single.sent.body).not.toContain('decision=decline');
	});

	it.each([
		'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
		'Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com',
		'TelegramBot (like TwitterBot)',
		'facebookexternalhit/1.1',
		'WhatsApp/2.23.20.0',
		'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)',
		'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36',
		'curl/8.4.0',
		'',
	])('a link-preview bot (%p) gets the page and never resumes, even with a decision', async (ua) => {
		expect(isLinkPreviewBot(ua)).toBe(true);
		const get = hook({ ua, query: { decision: 'approve' } });
		expect((await get.run()).workflowData).toBeUndefined();
		expect(get.sent.body).toContain('<html');
		const post = hook({ ua, method: 'POST', body: { decision: 'approve' } });
		expect((await post.run()).workflowData).toBeUndefined();
	});

	it('browsers are not bots', () => {
		expect(isLinkPreviewBot(BROWSER)).toBe(false);
		expect(isLinkPreviewBot('Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36')).toBe(false);
	});

	it('free text: GET shows the form, an empty POST re-shows it with an error, a POST resumes with the text', async () => {
		const parameters = { responseType: 'freeText' };
		const get = hook({ parameters });
		expect((await get.run()).workflowData).toBeUndefined();
		expect(get.sent.body).toMatch(/<form method="post"><textarea name="text"/);
		const empty = hook({ parameters, method: 'POST', body: { text: '   ' } });
		expect((await empty.run()).workflowData).toBeUndefined();
		expect(empty.sent.status).toBe(400);
		expect(empty.sent.body).toMatch(/Please enter a response/);
		const ok = await hook({ parameters, method: 'POST', body: { text: ' Fine by me\r\nBob ' } }).run();
		expect(ok.workflowData?.[0][0].json).toMatchObject({ decision: 'answered', approved: null, text: 'Fine by me\nBob' });
		// A decision query does not answer a free-text request.
		expect((await hook({ parameters, query: { decision: 'approve' } }).run()).workflowData).toBeUndefined();
	});

	it('parseResponse and waitUntil edge cases', () => {
		expect(parseResponse('POST', {}, { decision: 'approve' }, 'approval', 'single')).toEqual({ kind: 'decision', decision: 'approved' });
		expect(parseResponse('GET', { decision: ['approve', 'decline'] }, undefined, 'approval', 'double')).toEqual({ kind: 'decision', decision: 'approved' });
		expect(parseResponse('GET', { decision: 'maybe' }, undefined, 'approval', 'double')).toEqual({ kind: 'page' });
		const node = { id: 'n', name: 'N', type: 't', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };
		expect(waitUntil(node, { limitWaitTime: false }).getTime()).toBeGreaterThanOrEqual(Date.parse('3000-01-01'));
		expect(waitUntil(node, { limitWaitTime: true, resumeAmount: 30, resumeUnit: 'minutes' }, 0).getTime()).toBe(1_800_000);
		expect(() => waitUntil(node, { limitWaitTime: true, limitType: 'atSpecifiedTime', maxDateAndTime: 'soon' })).toThrow(/not a valid date/);
	});
});

// ---------------------------------------------------------------------------------------------
// n8n 1.85–1.106: no signed resume URLs in n8n, so the node signs the card link itself
// ---------------------------------------------------------------------------------------------

describe('Notification → Send and Wait on n8n without signed resume URLs', () => {
	const secret = 'openIM123';
	const node = { id: 'node1', name: 'Ask', type: 'n8n-nodes-openim.openImNotify', typeVersion: 1, position: [0, 0], parameters: {} };
	const linkFor = async (executionId: string) =>
		new URL(
			await approvalLink(
				{
					evaluateExpression: () => `http://n8n.test/webhook-waiting/${executionId}`,
					getNode: () => node,
					getExecutionId: () => executionId,
					getCredentials: async () => ({ secret }),
				} as unknown as IExecuteFunctions,
				{ to: 'alice', from: 'hr_bot', t: 'Leave request' },
			),
		);

	/** The webhook as n8n 1.85 calls it: no getSignedResumeUrl, the request's own URL. */
	async function open(url: URL, opts: { method?: string; body?: IDataObject } = {}) {
		const sent = { status: 200, body: '' };
		const res = {
			status(code: number) { sent.status = code; return res; },
			setHeader() {},
			end(body: string) { sent.body = body; },
		};
		const context = {
			getRequestObject: () => ({ method: opts.method ?? 'GET', headers: { 'user-agent': BROWSER }, originalUrl: url.pathname + url.search }),
			getResponseObject: () => res,
			getQueryData: () => Object.fromEntries(url.searchParams),
			getBodyData: () => opts.body ?? {},
			getNodeParameter: (name: string, fallback: unknown) => ({ responseType: 'approval', approvalType: 'double' })[name] ?? fallback,
			getNode: () => node,
			getCredentials: async () => ({ secret }),
		} as unknown as IWebhookFunctions;
		const out = await new OpenImNotify().webhook.call(context);
		return { out, sent };
	}

	it('links to n8n\'s resume URL with the node id, signed by the node with the credential secret', async () => {
		const link = await linkFor('42');
		expect(link.pathname).toBe('/webhook-waiting/42/node1');
		expect(link.searchParams.get('osig')).toMatch(/^[0-9a-f]{64}$/);
		expect(link.searchParams.get('signature')).toBeNull();
		expect(link.toString()).not.toContain(secret);
	});

	it('accepts its own link: the page\'s one-tap links keep the signature and resume with the signed recipient', async () => {
		const link = await linkFor('42');
		const shown = await open(link);
		expect(shown.sent.status).toBe(200);
		const approve = /href="([^"]*decision=approve[^"]*)"/.exec(shown.sent.body)?.[1]?.replace(/&amp;/g, '&');
		expect(approve).toMatch(/^\?to=alice&from=hr_bot&t=Leave\+request&osig=[0-9a-f]{64}&decision=approve$/);
		const decided = await open(new URL(approve as string, link));
		expect(decided.out.workflowData?.[0][0].json).toMatchObject({ decision: 'approved', respondedBy: 'alice' });
		const posted = await open(link, { method: 'POST', body: { decision: 'decline' } });
		expect(posted.out.workflowData?.[0][0].json).toMatchObject({ decision: 'declined', respondedBy: 'alice' });
	});

	it.each([
		['an altered recipient', (url: URL) => url.searchParams.set('to', 'mallory')],
		['no signature', (url: URL) => url.searchParams.delete('osig')],
		['a signature from another execution', (url: URL) => { url.pathname = '/webhook-waiting/43/node1'; }],
	])('refuses %s with 401 and never resumes', async (_what, tamper) => {
		const link = await linkFor('42');
		tamper(link);
		link.searchParams.set('decision', 'approve');
		const { out, sent } = await open(link);
		expect(sent.status).toBe(401);
		expect(sent.body).toContain('This link is not valid');
		expect(out.workflowData).toBeUndefined();
	});
});
