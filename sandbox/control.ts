/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- dev tooling (node:http types, plain errors), not an n8n node and not shipped */
/**
 * The control plane under `/_sandbox/*` (docs/architecture.md). Not part of OpenIM: no operationID,
 * no token, plain JSON answers, never subject to fault injection.
 *
 *   GET  /_sandbox/health               {ok, url, users, groups, messages}
 *   GET  /_sandbox/inbox/:userID        {userID, messages}
 *   GET  /_sandbox/messages             {messages}
 *   GET  /_sandbox/view/:userID         HTML: the inbox as the official apps draw it (sandbox/view.ts)
 *   GET  /_sandbox/stats                SandboxStats
 *   GET  /_sandbox/config               the runtime configuration (secret not included)
 *   GET  /_sandbox/users                {users}
 *   POST /_sandbox/reset                {seed?: 'default'|'none'} → back to the seed state
 *   POST /_sandbox/users                {users:[{userID, nickname?, appMangerLevel?, online?: [platformID], …}]} or a bare array
 *   POST /_sandbox/groups               {groups:[{groupID, memberUserIDs, status?, …}]} or a bare array
 *   POST /_sandbox/config               {tokenLifetimeSeconds?, expireTokensAtRequest?, adminTokenCap?, faults?, secret?}
 *   POST /_sandbox/expire-tokens        every token issued so far answers 1501
 *   GET  /_sandbox/webhooks             {config, stats, deliveries} of the after-callbacks (sandbox/webhooks.ts)
 *   POST /_sandbox/webhooks/emit        {event, fields?, operationID?} → fires one after-event → {ok, delivery}
 *                                       (config: {webhookUrl, webhookEvents?, webhookTimeoutMs?} turns them on)
 *   POST /_sandbox/read                 {userID, conversationID} → the user "opens" the conversation as an
 *                                       OpenIM app does → {ok, conversationID, userID, hasReadSeq, seqs}
 *                                       (si_: afterSingleMsgRead fires when seqs is not empty)
 * config also takes `seqDelayMs`: how long after a send the message gets its seq.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';

import { goJsonText, readBody } from './http';
import type { Sandbox } from './server';
import { renderView } from './view';
import { AFTER_EVENT_KEYS, singleMsgReadBody } from './webhooks';

const SeedUserSchema = z.object({
	userID: z.string().min(1),
	nickname: z.string().optional(),
	faceURL: z.string().optional(),
	ex: z.string().optional(),
	createTime: z.number().int().optional(),
	appMangerLevel: z.number().int().optional(),
	globalRecvMsgOpt: z.number().int().optional(),
	/** Platform IDs the user is online from (/user/get_users_online_status); [] = offline. */
	online: z.array(z.number().int().min(1)).optional(),
});

const SeedGroupSchema = z.object({
	groupID: z.string().min(1),
	groupName: z.string().optional(),
	ownerUserID: z.string().optional(),
	memberUserIDs: z.array(z.string()).optional(),
	status: z.number().int().optional(),
	notification: z.string().optional(),
	introduction: z.string().optional(),
	faceURL: z.string().optional(),
	ex: z.string().optional(),
});

const FaultKindSchema = z.enum(['http500', 'http429', 'resetBefore', 'resetAfter', 'stall', 'none']);
const Rate = z.number().min(0).max(1);

export const FaultConfigSchema = z.strictObject({
	seed: z.number().int().optional(),
	paths: z.array(z.string()).optional(),
	script: z.array(FaultKindSchema).optional(),
	http500Rate: Rate.optional(),
	http429Rate: Rate.optional(),
	retryAfterSeconds: z.number().min(0).optional(),
	resetBeforeRate: Rate.optional(),
	resetAfterRate: Rate.optional(),
	stallRate: Rate.optional(),
	stallMs: z.number().min(0).optional(),
});

export const ConfigInputSchema = z.strictObject({
	secret: z.string().min(1).optional(),
	tokenLifetimeSeconds: z.number().int().positive().optional(),
	expireTokensAtRequest: z.number().int().positive().nullable().optional(),
	adminTokenCap: z.number().int().min(0).nullable().optional(),
	faults: FaultConfigSchema.optional(),
	webhookUrl: z.url({ protocol: /^https?$/ }).nullable().optional(),
	webhookEvents: z.array(z.enum(AFTER_EVENT_KEYS)).nullable().optional(),
	webhookTimeoutMs: z.number().int().positive().optional(),
	seqDelayMs: z.number().int().min(0).max(60_000).optional(),
});

const ReadSchema = z.strictObject({
	userID: z.string().min(1),
	conversationID: z.string().regex(/^s[ing]_./, 'must be an si_, sn_ or sg_ conversation ID'),
});

const EmitSchema = z.strictObject({
	event: z.enum(AFTER_EVENT_KEYS),
	fields: z.record(z.string(), z.unknown()).optional(),
	operationID: z.string().min(1).optional(),
});

const ResetSchema = z.object({ seed: z.enum(['default', 'none']).optional() });

class ControlError extends Error {
	constructor(
		readonly status: number,
		message: string,
	) {
		super(message);
	}
}

function send(res: ServerResponse, status: number, body: unknown): void {
	const text = goJsonText(body);
	res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
	res.end(text);
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
	const text = await readBody(req);
	if (text.trim() === '') return {};
	try {
		return JSON.parse(text);
	} catch {
		throw new ControlError(400, 'body is not JSON');
	}
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
	const r = schema.safeParse(value);
	if (!r.success) {
		const i = r.error.issues[0];
		throw new ControlError(400, `${i.path.join('.') || 'body'}: ${i.message}`);
	}
	return r.data;
}

/** Accepts `{key: [...]}` or a bare array. */
function list(body: unknown, key: string): unknown {
	return Array.isArray(body) ? body : (body as Record<string, unknown> | null)?.[key];
}

export async function handleControl(sandbox: Sandbox, req: IncomingMessage, res: ServerResponse, path: string) {
	const method = req.method ?? 'GET';
	try {
		const inbox = /^\/_sandbox\/inbox\/(.+)$/.exec(path);
		if (method === 'GET') {
			if (path === '/_sandbox/health') {
				const s = sandbox.store;
				return send(res, 200, {
					ok: true,
					url: sandbox.url,
					users: s.users.size,
					groups: s.groups.size,
					messages: s.messages.length,
				});
			}
			if (inbox) {
				const userID = decodeURIComponent(inbox[1]);
				return send(res, 200, { userID, messages: sandbox.inbox(userID) });
			}
			const view = /^\/_sandbox\/view\/(.+)$/.exec(path);
			if (view) {
				const html = renderView(sandbox.store, decodeURIComponent(view[1]));
				res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
				res.end(html);
				return;
			}
			if (path === '/_sandbox/messages') return send(res, 200, { messages: sandbox.messages() });
			if (path === '/_sandbox/stats') return send(res, 200, sandbox.stats());
			if (path === '/_sandbox/config') return send(res, 200, sandbox.config());
			if (path === '/_sandbox/users') return send(res, 200, { users: [...sandbox.store.users.values()] });
			if (path === '/_sandbox/webhooks') {
				const w = sandbox.webhooks;
				return send(res, 200, { config: w.config(), stats: w.stats(), deliveries: w.deliveries() });
			}
		} else if (method === 'POST') {
			const body = await jsonBody(req);
			switch (path) {
				case '/_sandbox/reset':
					sandbox.reset(parse(ResetSchema, body).seed);
					return send(res, 200, { ok: true });
				case '/_sandbox/users':
					return send(res, 200, { ok: true, users: sandbox.seedUsers(parse(z.array(SeedUserSchema), list(body, 'users'))) });
				case '/_sandbox/groups':
					return send(res, 200, {
						ok: true,
						groups: sandbox.seedGroups(parse(z.array(SeedGroupSchema), list(body, 'groups'))),
					});
				case '/_sandbox/config':
					return send(res, 200, sandbox.configure(parse(ConfigInputSchema, body)));
				case '/_sandbox/expire-tokens':
					sandbox.expireTokens();
					return send(res, 200, { ok: true });
				case '/_sandbox/read': {
					const { userID, conversationID } = parse(ReadSchema, body);
					if (!sandbox.store.users.has(userID)) throw new ControlError(404, `unknown user ${userID}`);
					const read = sandbox.store.markConversationRead(userID, conversationID);
					// MarkConversationAsRead fires the hook for one-to-one chats only, with the seqs it marked.
					if (conversationID.startsWith('si_') && read.seqs.length > 0) {
						sandbox.webhooks.fire('afterSingleMsgRead', singleMsgReadBody(conversationID, userID, read.seqs), `sandbox-read-${Date.now()}`);
					}
					return send(res, 200, { ok: true, conversationID, userID, ...read });
				}
				case '/_sandbox/webhooks/emit': {
					const { event, fields, operationID } = parse(EmitSchema, body);
					const delivery = sandbox.webhooks.emit(event, fields, operationID, sandbox.store);
					return send(res, 200, { ok: true, delivery: delivery ?? null });
				}
			}
		}
		const known = ['health', 'messages', 'stats', 'config', 'users', 'reset', 'groups', 'expire-tokens', 'webhooks', 'webhooks/emit', 'read'];
		if (inbox || known.some((k) => path === `/_sandbox/${k}`)) {
			throw new ControlError(405, `${method} not allowed on ${path}`);
		}
		throw new ControlError(404, `unknown control path ${path}`);
	} catch (e) {
		if (e instanceof ControlError) return send(res, e.status, { ok: false, error: e.message });
		return send(res, 500, { ok: false, error: e instanceof Error ? e.message : String(e) });
	}
}
