/**
 * The webhook half of Send and Wait in-process: the links the sandbox's cards carry, the approval
 * records in OpenIM, and the node's webhook() called as n8n calls it for a link.
 */
import type { IDataObject, INodeParameters, IWebhookFunctions } from 'n8n-workflow';
import { request } from 'undici';

import { OpenImNotify } from '../../../../../nodes/OpenImNotify/OpenImNotify.node';
import { recordPrefix } from '../../../../../nodes/OpenImNotify/shared/approvers';
import { NOTIFY } from '../../../openim-fixtures';
import type { OpenImTestContext } from '../../../openim-fixtures';

const BROWSER = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 OpenIM';

export function approvalHelpers(ctx: OpenImTestContext) {
	/** The card link each approver got. */
	function links(): Map<string, URL> {
		const found = new Map<string, URL>();
		for (const m of ctx.sandbox.messages()) {
			if (m.contentType === 1400) found.set(m.recvID, new URL(String((m.content as IDataObject).externalUrl)));
		}
		return found;
	}

	/** A real admin token of the sandbox, for the webhook's own OpenIM calls. */
	async function adminToken(): Promise<string> {
		const res = await request(`${ctx.sandbox.url}/auth/get_admin_token`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', operationID: 'test-token' },
			body: JSON.stringify({ secret: 'openIM123', userID: 'imAdmin' }),
		});
		const body = (await res.body.json()) as { data: { token: string } };
		return body.data.token;
	}

	/** The conversation records of the sending account for one approval (as the webhook reads them). */
	async function records(link: URL, userIDs: string[] = []): Promise<Array<{ conversationID: string; ownerUserID: string; conversationType: number; ex: string }>> {
		const [executionId, nodeId] = link.pathname.split('/').slice(-2);
		const prefix = recordPrefix(executionId, nodeId);
		const res = await request(`${ctx.sandbox.url}/conversation/get_conversations`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', operationID: 'test-records', token: await adminToken() },
			body: JSON.stringify({ ownerUserID: 'hr_bot', conversationIDs: [prefix, ...userIDs.map((id) => `${prefix}_${id}`)] }),
		});
		const body = (await res.body.json()) as { errCode: number; data: { conversations: Array<{ conversationID: string; ownerUserID: string; conversationType: number; ex: string }> } };
		expect(body.errCode).toBe(0);
		return body.data.conversations;
	}

	/** webhook() as n8n calls it for `url`, with the node's parameters and HTTP to the sandbox. */
	async function open(url: URL, parameters: INodeParameters, opts: { method?: string; body?: IDataObject; ua?: string } = {}) {
		const sent = { status: 200, body: '' };
		const res = {
			status(code: number) { sent.status = code; return res; },
			setHeader() {},
			end(body: string) { sent.body = body; },
		};
		const token = await adminToken();
		const nodeId = url.pathname.split('/').pop() as string;
		parameters = { ...parameters, followUp: parameters.followUp ?? false };
		const context = {
			getRequestObject: () => ({ method: opts.method ?? 'GET', headers: { 'user-agent': opts.ua ?? BROWSER }, originalUrl: url.pathname + url.search }),
			getResponseObject: () => res,
			getQueryData: () => Object.fromEntries(url.searchParams),
			getBodyData: () => opts.body ?? {},
			getNodeParameter: (name: string, fallback: unknown) => (name in parameters ? parameters[name] : fallback),
			getNode: () => ({ id: nodeId, name: NOTIFY, type: 'n8n-nodes-openim.openImNotify', typeVersion: 1, position: [0, 0], parameters, credentials: { openImApi: { id: 'c', name: 'c' } } }),
			getCredentials: async () => ({ baseUrl: ctx.sandbox.url, adminUserID: 'imAdmin', secret: 'openIM123', token }),
			getSignedResumeUrl: (p: Record<string, string>) => {
				const next = new URL(url.pathname, url);
				for (const [k, v] of Object.entries(p)) next.searchParams.set(k, v);
				next.searchParams.set('signature', 'test');
				return next.toString();
			},
			helpers: {
				httpRequestWithAuthentication: async (_type: string, req: { url: string; body: unknown; headers: Record<string, string> }) => {
					const answer = await request(req.url, {
						method: 'POST',
						headers: { 'content-type': 'application/json', ...req.headers, token },
						body: typeof req.body === 'string' ? req.body : JSON.stringify(req.body),
					});
					return { statusCode: answer.statusCode, headers: answer.headers, body: await answer.body.json() };
				},
			},
		} as unknown as IWebhookFunctions;
		const out = await new OpenImNotify().webhook.call(context);
		return { json: out.workflowData?.[0]?.[0]?.json as IDataObject | undefined, sent };
	}

	const decide = (url: URL, decision: string) => {
		const next = new URL(url);
		next.searchParams.set('decision', decision);
		return next;
	};

	return { links, records, open, decide };
}
