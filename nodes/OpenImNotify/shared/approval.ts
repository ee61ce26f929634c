import { createHmac, timingSafeEqual } from 'crypto';

import { NodeOperationError, WAIT_INDEFINITELY } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INode,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { ContentType, PlatformID, Path, SessionType } from '../../../openim/constants';
import { OpenImClient, newOperationID } from '../transport';
import { decide, readAnswers, readOwn, recordPrefix, summary, writeAnswer } from './approvers';
import type { Answer } from './approvers';
import { formHtml, postedFields, readFormFields, validateForm } from './form';
import type { FormField } from './form';

/**
 * Send and Wait: the n8n side of an approval card. The card's link is a signed resume URL of the
 * waiting execution (`getSignedResumeUrl`, n8n 1.107+); n8n checks the signature before it calls
 * `webhook()`. Older n8n (1.85–1.106) has unsigned, guessable resume URLs: there the node signs the
 * link itself with the credential's secret (`osig`) and `webhook()` checks it.
 * GET shows a small page, a decision arrives as GET `?decision=approve|decline` (signed links from
 * that page) or as POST (the free-text form). Link-preview bots get the page and never resume.
 */

export const SEND_AND_WAIT = 'sendAndWait';

/** Both methods on the node's own id, only while an execution waits (restartWebhook). */
export const approvalWebhooks: IWebhookDescription[] = ['GET', 'POST'].map((httpMethod) => ({
	name: 'default',
	httpMethod,
	responseMode: 'onReceived',
	responseData: '',
	path: '={{ $nodeId }}',
	restartWebhook: true,
	isFullPath: true,
}));

export type ResponseType = 'approval' | 'freeText' | 'customForm';
export type ApprovalType = 'single' | 'double';
export type Decision = 'approved' | 'declined' | 'answered';

/** Query parameters signed into the card's link (tamper-proof: n8n checks the signature). */
export const LinkParam = { recipient: 'to', sender: 'from', title: 't', multi: 'm', decision: 'decision', ownSignature: 'osig' } as const;

/** `m=1`: one of several approvers, whose answers are recorded in OpenIM (shared/approvers.ts). */
type LinkParams = Partial<Record<'to' | 'from' | 't' | 'm', string>>;

/** n8n 1.107+ signs and checks resume URLs itself. */
export function n8nSignsResumeUrls(ctx: object): boolean {
	return typeof (ctx as { getSignedResumeUrl?: unknown }).getSignedResumeUrl === 'function';
}

type Signer = { getSignedResumeUrl: (params: Record<string, string>) => string };

/** The node's own signature of a card link, for n8n versions that do not sign: bound to the execution. */
function ownSignature(secret: string, executionId: string, params: LinkParams): string {
	return createHmac('sha256', secret)
		.update(
			['n8n-nodes-openim approval link', executionId, params.to ?? '', params.from ?? '', params.t ?? '', ...(params.m ? [`m=${params.m}`] : [])].join('\n'),
		)
		.digest('hex');
}

async function credentialSecret(ctx: IExecuteFunctions | IWebhookFunctions): Promise<string> {
	const credentials = await ctx.getCredentials('openImApi');
	return String(credentials.secret ?? '');
}

/** The card's link: n8n's signed resume URL, or on n8n before 1.107 the resume URL signed by the node. */
export async function approvalLink(ctx: IExecuteFunctions, params: LinkParams): Promise<string> {
	if (n8nSignsResumeUrls(ctx)) return (ctx as unknown as Signer).getSignedResumeUrl(params as Record<string, string>);
	const resumeUrl = String(ctx.evaluateExpression('{{ $execution.resumeUrl }}', 0));
	const url = new URL(`${resumeUrl}/${ctx.getNode().id}`);
	for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
	url.searchParams.set(LinkParam.ownSignature, ownSignature(await credentialSecret(ctx), ctx.getExecutionId(), params));
	return url.toString();
}

/** The waiting execution's id: the path segment before the node id (`…/webhook-waiting/<id>/<nodeId>`). */
export function waitingExecutionId(ctx: IWebhookFunctions): string {
	const req = ctx.getRequestObject() as { originalUrl?: string; url?: string; path?: string };
	const path = String(req.originalUrl ?? req.url ?? req.path ?? '').split('?')[0].split('/');
	const at = path.lastIndexOf(ctx.getNode().id);
	if (at > 0 && path[at - 1]) return decodeURIComponent(path[at - 1]);
	const getId = (ctx as { getExecutionId?: () => string }).getExecutionId;
	return typeof getId === 'function' ? String(getId.call(ctx)) : '';
}

/** On n8n versions that do not sign, only links the node signed for this execution count. */
async function ownSignatureValid(ctx: IWebhookFunctions, query: IDataObject): Promise<boolean> {
	const given = queryText(query, LinkParam.ownSignature);
	if (!given || !/^[0-9a-f]{64}$/.test(given)) return false;
	const params: LinkParams = {
		to: queryText(query, LinkParam.recipient) ?? undefined,
		from: queryText(query, LinkParam.sender) ?? undefined,
		t: queryText(query, LinkParam.title) ?? undefined,
		m: queryText(query, LinkParam.multi) ?? undefined,
	};
	const expected = ownSignature(await credentialSecret(ctx), waitingExecutionId(ctx), params);
	return timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(expected, 'hex'));
}

/**
 * Crawlers and link unfurlers that fetch a URL when it is pasted or sent: chat apps (Slack, Teams,
 * Skype, Discord, Telegram, WhatsApp, WeChat/WeCom, DingTalk, Feishu/Lark, Line, Viber, Signal),
 * social sites, search engines, HTTP libraries and headless browsers. A missing user agent counts too.
 */
const BOT_UA =
	/bot\b|bots\b|crawl|spider|slurp|preview|unfurl|embed|facebookexternalhit|facebot|meta-externalagent|twitterbot|linkedinbot|pinterest|slackbot|slack-imgproxy|discordbot|telegrambot|whatsapp|skypeuripreview|teams|skype|microsoftpreview|bingpreview|msnbot|googlebot|google-inspectiontool|adsbot|mediapartners|feedfetcher|applebot|yandex|baiduspider|duckduckbot|sogou|bytespider|petalbot|semrush|ahrefs|mj12bot|dotbot|quora link preview|redditbot|embedly|iframely|outbrain|vkshare|w3c_validator|line\/|viber|signal|micromessenger.*(crawler|spider)|dingtalkbot|lark.*bot|feishu.*bot|headlesschrome|phantomjs|curl\/|wget\/|python-requests|python-urllib|aiohttp|httpx|go-http-client|java\/|okhttp|axios\/|node-fetch|undici|libwww|apache-httpclient|scrapy|postmanruntime|insomnia/i;

export function isLinkPreviewBot(userAgent: string | string[] | undefined): boolean {
	const ua = Array.isArray(userAgent) ? userAgent.join(' ') : (userAgent ?? '');
	return ua.trim() === '' || BOT_UA.test(ua);
}

// -------------------------------------------------------------------------------------------
// Wait limit
// -------------------------------------------------------------------------------------------

export interface WaitLimit {
	limitWaitTime: boolean;
	limitType?: 'afterTimeInterval' | 'atSpecifiedTime';
	resumeAmount?: number;
	resumeUnit?: 'minutes' | 'hours' | 'days';
	maxDateAndTime?: string;
}

export const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

/** The units of a wait interval (Limit Wait Time, Remind After). */
export const UNIT_OPTIONS = [
	{ name: 'Minutes', value: 'minutes' },
	{ name: 'Hours', value: 'hours' },
	{ name: 'Days', value: 'days' },
];

/** When the execution stops waiting without an answer; WAIT_INDEFINITELY without a limit. */
export function waitUntil(node: INode, limit: WaitLimit, now = Date.now()): Date {
	if (!limit.limitWaitTime) return WAIT_INDEFINITELY;
	if (limit.limitType === 'atSpecifiedTime') {
		const at = new Date(String(limit.maxDateAndTime ?? ''));
		if (!limit.maxDateAndTime || Number.isNaN(at.getTime())) {
			throw new NodeOperationError(node, `Max Date and Time is not a valid date: "${String(limit.maxDateAndTime ?? '')}" [item 0]`, {
				itemIndex: 0,
				description: 'Use an ISO date such as 2026-05-01T18:00:00+08:00, or pick one in the date picker.',
			});
		}
		if (at.getTime() <= now) {
			throw new NodeOperationError(node, `Max Date and Time ${at.toISOString()} is in the past [item 0]`, {
				itemIndex: 0,
				description: 'The response link would expire before anyone could answer.',
			});
		}
		return at;
	}
	const amount = Number(limit.resumeAmount ?? 1);
	const unit = UNIT_MS[limit.resumeUnit ?? 'hours'] ?? UNIT_MS.hours;
	if (!Number.isFinite(amount) || amount <= 0) {
		throw new NodeOperationError(node, `Amount must be a positive number, not ${String(limit.resumeAmount)} [item 0]`, { itemIndex: 0 });
	}
	return new Date(now + amount * unit);
}

// -------------------------------------------------------------------------------------------
// Results
// -------------------------------------------------------------------------------------------

export interface Responder {
	/** The OpenIM user the card (and so the link) was sent to. */
	recipient: string | null;
	userAgent: string | null;
}

export function decisionResult(decision: Decision, responder: Responder, text?: string, now = new Date(), fields?: IDataObject): IDataObject {
	return {
		decision,
		approved: decision === 'approved' ? true : decision === 'declined' ? false : null,
		...(text !== undefined ? { text } : {}),
		...(fields !== undefined ? { fields } : {}),
		timedOut: false,
		respondedAt: now.toISOString(),
		respondedBy: responder.recipient,
		userAgent: responder.userAgent,
	};
}

export function timeoutResult(recipient: string, waitTill: Date, notification: IDataObject, multi?: IDataObject): IDataObject {
	return {
		...multi,
		decision: 'timeout',
		approved: null,
		timedOut: true,
		respondedAt: null,
		respondedBy: null,
		waitedUntil: waitTill.toISOString(),
		recipient,
		notification,
	};
}

// -------------------------------------------------------------------------------------------
// The response page
// -------------------------------------------------------------------------------------------

const escapeHtml = (text: string): string =>
	text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export interface PageOptions {
	title: string;
	message?: string;
	responseType: ResponseType;
	approvalType: ApprovalType;
	approveLabel: string;
	declineLabel: string;
	/** Signed GET links; when absent the buttons post to the page's own (signed) address. */
	approveUrl?: string;
	declineUrl?: string;
	error?: string;
	/** customForm: the fields, and what was posted when the page comes back with errors. */
	form?: FormField[];
	posted?: IDataObject;
	/** Several approvers: a line saying so. */
	note?: string;
}

const STYLE =
	'body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"PingFang SC","Microsoft YaHei",sans-serif;background:#f4f5f7;margin:0;padding:24px;color:#1f2329}' +
	'main{max-width:480px;margin:40px auto;background:#fff;border-radius:12px;padding:28px;box-shadow:0 2px 12px rgba(0,0,0,.08)}' +
	'h1{font-size:20px;margin:0 0 12px}p{line-height:1.5;white-space:pre-wrap}.row{display:flex;gap:12px;margin-top:20px}' +
	'a.btn,button{flex:1;display:block;text-align:center;padding:12px;border-radius:8px;border:0;font-size:16px;text-decoration:none;cursor:pointer}' +
	'.approve{background:#0089ff;color:#fff}.decline{background:#f0f1f3;color:#1f2329}textarea{width:100%;box-sizing:border-box;min-height:120px;padding:10px;font:inherit;border:1px solid #d0d3d6;border-radius:8px}' +
	'.error{color:#d83931}.note{color:#646a73;font-size:14px}' +
	'.form label{display:block;margin:14px 0 6px;font-weight:600}.form input:not([type=radio]):not([type=checkbox]),.form select{width:100%;box-sizing:border-box;padding:10px;font:inherit;border:1px solid #d0d3d6;border-radius:8px}' +
	'fieldset{border:0;padding:0;margin:14px 0 0}legend{font-weight:600;margin-bottom:6px}.form label.choice{font-weight:400;margin:6px 0}.req{color:#d83931}';

function page(title: string, body: string): string {
	return (
		'<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
		`<meta name="robots" content="noindex,nofollow"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
		`<body><main>${body}</main></body></html>`
	);
}

function button(kind: 'approve' | 'decline', label: string, url?: string): string {
	if (url) return `<a class="btn ${kind}" href="${escapeHtml(url)}">${escapeHtml(label)}</a>`;
	return `<form method="post" style="flex:1;display:flex"><input type="hidden" name="decision" value="${kind}"><button class="${kind}" type="submit">${escapeHtml(label)}</button></form>`;
}

export function responsePage(options: PageOptions): string {
	const head =
		`<h1>${escapeHtml(options.title)}</h1>` +
		(options.message ? `<p>${escapeHtml(options.message)}</p>` : '') +
		(options.note ? `<p class="note">${escapeHtml(options.note)}</p>` : '') +
		(options.error ? `<p class="error">${escapeHtml(options.error)}</p>` : '');
	if (options.responseType === 'customForm' && options.form) {
		return page(options.title, head + formHtml(options.form, options.approveLabel, options.posted));
	}
	if (options.responseType === 'freeText') {
		return page(
			options.title,
			head +
				'<form method="post"><textarea name="text" required maxlength="10000" placeholder="Your answer"></textarea>' +
				`<div class="row"><button class="approve" type="submit">${escapeHtml(options.approveLabel)}</button></div></form>`,
		);
	}
	const buttons =
		button('approve', options.approveLabel, options.approveUrl) +
		(options.approvalType === 'double' ? button('decline', options.declineLabel, options.declineUrl) : '');
	return page(options.title, `${head}<div class="row">${buttons}</div>`);
}

export function recordedPage(decision: Decision, pending?: string): string {
	const word = decision === 'approved' ? 'approved' : decision === 'declined' ? 'declined' : 'sent';
	const more = pending ? `</p><p class="note">${escapeHtml(pending)}` : '';
	return page('Response recorded', `<h1>Thank you</h1><p>Your response (${word}) was recorded. You can close this page.${more}</p>`);
}

/** A second answer through the same approver's link. */
export function answeredPage(answer: Answer): string {
	const word = answer.decision === 'approved' ? 'approved' : answer.decision === 'declined' ? 'declined' : 'sent a response';
	return page(
		'Already answered',
		`<h1>You already answered</h1><p>You ${word} at ${escapeHtml(answer.respondedAt)}. Each link counts once; your first answer stands.</p>`,
	);
}

function closedPage(): string {
	return page('Request closed', '<h1>This request is no longer open</h1><p>It was decided or withdrawn. You can close this page.</p>');
}

// -------------------------------------------------------------------------------------------
// Reading a response
// -------------------------------------------------------------------------------------------

export const MAX_TEXT = 10_000;

export type Parsed =
	| { kind: 'page'; error?: string; posted?: IDataObject }
	| { kind: 'decision'; decision: Decision; text?: string; fields?: IDataObject };

/** What a request means, before the bot check: show the page, or a decision. */
export function parseResponse(
	method: string,
	query: IDataObject,
	body: IDataObject | undefined,
	responseType: ResponseType,
	approvalType: ApprovalType,
	form?: FormField[],
): Parsed {
	const pick = (value: unknown) => (Array.isArray(value) ? value[0] : value);
	const choice = (value: unknown): Decision | undefined => {
		const text = String(pick(value) ?? '').toLowerCase();
		if (text === 'approve' || text === 'approved' || text === 'true') return 'approved';
		if ((text === 'decline' || text === 'declined' || text === 'false') && approvalType === 'double') return 'declined';
		return undefined;
	};
	if (responseType === 'customForm') {
		if (method !== 'POST' || !form) return { kind: 'page' };
		const posted = postedFields(body);
		const answer = validateForm(form, posted);
		if (!answer.ok) return { kind: 'page', error: answer.errors.join(' '), posted };
		return { kind: 'decision', decision: 'answered', fields: answer.fields };
	}
	if (responseType === 'freeText') {
		if (method !== 'POST') return { kind: 'page' };
		const raw = pick(body?.text);
		const text = typeof raw === 'string' ? raw.replace(/\r\n/g, '\n').trim() : '';
		if (text === '') return { kind: 'page', error: 'Please enter a response.' };
		if (text.length > MAX_TEXT) return { kind: 'page', error: `The response is too long (at most ${MAX_TEXT} characters).` };
		return { kind: 'decision', decision: 'answered', text };
	}
	const decision = choice(method === 'POST' ? (body?.decision ?? query[LinkParam.decision]) : query[LinkParam.decision]);
	return decision ? { kind: 'decision', decision } : { kind: 'page' };
}

// -------------------------------------------------------------------------------------------
// webhook()
// -------------------------------------------------------------------------------------------

function param<T>(ctx: IWebhookFunctions, name: string, fallback: T): T {
	try {
		const value = ctx.getNodeParameter(name, fallback) as T;
		return value === undefined || value === null || value === '' ? fallback : value;
	} catch {
		// An expression that needs item data cannot be resolved while answering a link.
		return fallback;
	}
}

function queryText(query: IDataObject, name: string): string | null {
	const value = Array.isArray(query[name]) ? (query[name] as unknown[])[0] : query[name];
	return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * The page's signed links for one tap: n8n's, or this page's own address (its signature does not
 * cover the decision) where the node signs. Undefined if neither works: then the buttons post.
 */
function signedLink(ctx: IWebhookFunctions, query: IDataObject, decision: string): string | undefined {
	try {
		const params: Record<string, string> = {};
		for (const key of [LinkParam.recipient, LinkParam.sender, LinkParam.title, LinkParam.multi]) {
			const value = queryText(query, key);
			if (value !== null) params[key] = value;
		}
		if (!n8nSignsResumeUrls(ctx)) {
			const own = queryText(query, LinkParam.ownSignature);
			if (!own) return undefined;
			return `?${new URLSearchParams({ ...params, [LinkParam.ownSignature]: own, [LinkParam.decision]: decision }).toString()}`;
		}
		params[LinkParam.decision] = decision;
		return (ctx as unknown as Signer).getSignedResumeUrl(params);
	} catch {
		return undefined;
	}
}

const FOLLOW_UP_WORDS: Record<Decision, string> = { approved: 'Approved', declined: 'Declined', answered: 'Response received' };

/** The optional follow-up card: best effort, its outcome goes into the output, never into the page. */
async function sendFollowUp(ctx: IWebhookFunctions, query: IDataObject, decision: Decision, text?: string): Promise<IDataObject> {
	const recvID = queryText(query, LinkParam.recipient);
	const sendID = queryText(query, LinkParam.sender);
	if (!recvID || !sendID) return { sent: false, error: 'recipient unknown' };
	const title = queryText(query, LinkParam.title) ?? 'Request';
	const custom = param<string>(ctx, 'followUpText', '');
	const body =
		custom ||
		(decision === 'answered' ? `Your response was recorded:\n${text ?? ''}` : `You ${decision} this request.`);
	const operationID = newOperationID();
	const name = `${FOLLOW_UP_WORDS[decision]}: ${title}`.slice(0, 1000);
	const push = { title: name.slice(0, 200), desc: body.slice(0, 200) };
	// The follow-up goes out in the format the question went out in.
	const format = param<string>(ctx, 'deliveryFormat', 'card');
	const common = { sendID, recvID, senderPlatformID: PlatformID.Admin, offlinePushInfo: push };
	const messages: IDataObject[] = [];
	if (format !== 'chat') {
		messages.push({
			...common,
			contentType: ContentType.OANotification,
			sessionType: SessionType.Notification,
			content: {
				notificationName: name,
				notificationType: Number(param<number>(ctx, 'notificationType', 1)) || 1,
				text: body,
				// Flutter 3.8.3 reads externalUrl with `url!`: present, even empty.
				url: '',
				externalUrl: '',
				mixType: 0,
			},
		});
	}
	if (format === 'chat' || format === 'both') {
		messages.push({ ...common, contentType: ContentType.Text, sessionType: SessionType.Single, content: { content: `${name}\n\n${body}` } });
	}
	try {
		const client = new OpenImClient(ctx as unknown as IExecuteFunctions, { maxRetries: 2, timeoutMs: 15_000 });
		let first: IDataObject | undefined;
		for (const [index, message] of messages.entries()) {
			const data = await client.call<IDataObject>(Path.SendMsg, message, { operationID: index === 0 ? operationID : newOperationID(), send: true });
			first ??= data;
		}
		return { sent: true, serverMsgID: (first?.serverMsgID as string) ?? null, operationID };
	} catch (error) {
		return { sent: false, error: (error as Error).message, operationID };
	}
}

function sendHtml(ctx: IWebhookFunctions, status: number, html: string): IWebhookResponseData {
	const res = ctx.getResponseObject();
	res.status(status);
	res.setHeader('Content-Type', 'text/html; charset=utf-8');
	res.end(html);
	return { noWebhookResponse: true };
}

/** The custom form as the node defines it; a definition that cannot be shown is an error page. */
function readForm(ctx: IWebhookFunctions): FormField[] {
	return readFormFields(param(ctx, 'defineForm', 'fields'), param(ctx, 'formFields', {}), param(ctx, 'jsonOutput', '[]'), (label, problem) => {
		throw new NodeOperationError(ctx.getNode(), `${label} ${problem}`);
	});
}

function recordsClient(ctx: IWebhookFunctions): OpenImClient {
	return new OpenImClient(ctx as unknown as IExecuteFunctions, { maxRetries: 2, timeoutMs: 15_000 });
}

/**
 * One of several approvers answered: record it in OpenIM (shared/approvers.ts), then count. Resume
 * only when the answers decide; otherwise thank them and keep waiting for the others.
 */
async function multiApproverAnswer(
	ctx: IWebhookFunctions,
	query: IDataObject,
	answer: Answer,
	userAgent: string | null,
): Promise<IWebhookResponseData> {
	const owner = queryText(query, LinkParam.sender) ?? '';
	const prefix = recordPrefix(waitingExecutionId(ctx), ctx.getNode().id);
	const client = recordsClient(ctx);
	let decided: IDataObject | undefined;
	try {
		const own = await readOwn(client, owner, prefix, answer.userID);
		if (!own.manifest) return sendHtml(ctx, 410, closedPage());
		if (own.answer) return sendHtml(ctx, 409, answeredPage(own.answer));
		await writeAnswer(client, owner, prefix, answer);
		const answers = await readAnswers(client, owner, prefix, own.manifest.approvers);
		const decision = decide(own.manifest, answers, answer);
		if (!decision) {
			const waiting = own.manifest.approvers.length - answers.length;
			return sendHtml(ctx, 200, recordedPage(answer.decision, `Waiting for ${waiting} other approver${waiting === 1 ? '' : 's'}.`));
		}
		decided = { ...summary(own.manifest, answers, decision, answer), userAgent };
	} catch {
		// OpenIM unreachable: nothing counted, the link still works.
		return sendHtml(ctx, 503, page('Try again', '<h1>Your answer could not be recorded</h1><p>Please open the link again in a moment.</p>'));
	}
	if (param<boolean>(ctx, 'followUp', false)) {
		decided.followUp = await sendFollowUp(ctx, query, answer.decision, typeof answer.text === 'string' ? answer.text : undefined);
	}
	sendHtml(ctx, 200, recordedPage(answer.decision));
	return { noWebhookResponse: true, workflowData: [[{ json: decided }]] };
}

export async function approvalWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const req = this.getRequestObject();
	const res = this.getResponseObject();
	const method = String(req.method ?? 'GET').toUpperCase();
	const query = (this.getQueryData() ?? {}) as IDataObject;
	const userAgent = req.headers?.['user-agent'];
	const responseType = param<ResponseType>(this, 'responseType', 'approval');
	const approvalType = param<ApprovalType>(this, 'approvalType', 'double');
	const approveLabel = param<string>(this, 'approveLabel', responseType === 'approval' ? 'Approve' : 'Send');
	const declineLabel = param<string>(this, 'declineLabel', 'Decline');
	const multi = queryText(query, LinkParam.multi) === '1';

	res.setHeader('Cache-Control', 'no-store');
	res.setHeader('X-Robots-Tag', 'noindex, nofollow');
	if (!n8nSignsResumeUrls(this) && !(await ownSignatureValid(this, query))) {
		// A guessed or altered link (this n8n does not check resume URLs itself).
		return sendHtml(this, 401, page('Invalid link', '<h1>This link is not valid</h1><p>Open the link from the notification card again.</p>'));
	}
	let form: FormField[] | undefined;
	if (responseType === 'customForm') {
		try {
			form = readForm(this);
		} catch (error) {
			const problem = error instanceof NodeOperationError ? error.message : 'The form definition cannot be read.';
			return sendHtml(this, 500, page('Form unavailable', `<h1>This form cannot be shown</h1><p>${escapeHtml(problem)}</p>`));
		}
	}

	let body: IDataObject | undefined;
	if (method === 'POST') {
		try {
			body = this.getBodyData() as IDataObject;
		} catch {
			body = undefined;
		}
	}
	const parsed = parseResponse(method, query, body, responseType, approvalType, form);
	const bot = isLinkPreviewBot(userAgent);
	const recipient = queryText(query, LinkParam.recipient);

	if (parsed.kind === 'page' || bot) {
		if (multi && !bot && recipient) {
			// An approver who already answered sees that, not the buttons again.
			try {
				const own = await readOwn(recordsClient(this), queryText(query, LinkParam.sender) ?? '', recordPrefix(waitingExecutionId(this), this.getNode().id), recipient);
				if (own.answer) return sendHtml(this, 409, answeredPage(own.answer));
			} catch {
				// Show the page; the answer itself is checked again.
			}
		}
		const html = responsePage({
			title: queryText(query, LinkParam.title) ?? 'Your response is requested',
			message: param<string>(this, 'pageMessage', ''),
			responseType,
			approvalType,
			approveLabel,
			declineLabel,
			approveUrl: responseType === 'approval' ? signedLink(this, query, 'approve') : undefined,
			declineUrl: responseType === 'approval' && approvalType === 'double' ? signedLink(this, query, 'decline') : undefined,
			error: parsed.kind === 'page' ? parsed.error : undefined,
			form,
			posted: parsed.kind === 'page' ? parsed.posted : undefined,
			note: multi ? 'Several people were asked; your answer counts once.' : undefined,
		});
		return sendHtml(this, parsed.kind === 'page' && parsed.error ? 400 : 200, html);
	}

	const agent = Array.isArray(userAgent) ? userAgent.join(' ') : (userAgent ?? null);
	if (multi && recipient) {
		const answer: Answer = {
			userID: recipient,
			decision: parsed.decision,
			...(parsed.text !== undefined ? { text: parsed.text } : {}),
			...(parsed.fields !== undefined ? { fields: parsed.fields } : {}),
			respondedAt: new Date().toISOString(),
		};
		return await multiApproverAnswer(this, query, answer, agent);
	}

	const result = decisionResult(parsed.decision, { recipient, userAgent: agent }, parsed.text, new Date(), parsed.fields);
	if (param<boolean>(this, 'followUp', false)) {
		result.followUp = await sendFollowUp(this, query, parsed.decision, parsed.text);
	}
	sendHtml(this, 200, recordedPage(parsed.decision));
	return { noWebhookResponse: true, workflowData: [[{ json: result }]] };
}
