/* eslint-disable @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- e2e test tooling, not shipped: a local HTTP server (node:http) answering arbitrary JSON */
/**
 * A small OpenAI-compatible chat model for the agent tests: n8n's OpenAI Chat Model node, with its
 * credential's Base URL pointed here, gets scripted answers (text or tool calls) instead of a real model.
 * Every /v1/chat/completions request is recorded, so a test can read what n8n sent: the messages and the
 * tool definitions (names, descriptions, JSON-schema parameters) a model would see.
 *
 *   GET  /v1/models              one model, SCRIPTED_MODEL
 *   POST /v1/chat/completions    answered by the script (plain JSON, or server-sent events if `stream`)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SCRIPTED_MODEL = 'scripted-tool-caller';

export interface ToolDefinition {
	name: string;
	description: string;
	parameters: any;
}

/** One recorded request, with its tools flattened from OpenAI's `{ type: 'function', function }` form. */
export interface ChatRequest {
	body: any;
	messages: any[];
	tools: ToolDefinition[];
	authorization?: string;
}

export interface ToolCall {
	name: string;
	arguments: Record<string, unknown>;
}

/** What the model answers: text, or tool calls (then n8n runs them and asks again with their results). */
export type Reply = { text: string } | { toolCalls: ToolCall[] };

export type Script = (request: ChatRequest, index: number) => Reply;

export interface ModelServer {
	/** The Base URL for n8n's OpenAI credential (ends in /v1). */
	url: string;
	requests: ChatRequest[];
	setScript(script: Script): void;
	stop(): Promise<void>;
}

/** The results of tool calls n8n sent back (messages with role "tool"), newest last. */
export function toolResults(request: ChatRequest): string[] {
	return request.messages.filter((m) => m.role === 'tool').map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)));
}

/** The user's text in a request (the last user message). */
export function userText(request: ChatRequest): string {
	const last = [...request.messages].reverse().find((m) => m.role === 'user');
	if (!last) return '';
	return typeof last.content === 'string' ? last.content : (last.content as any[]).map((part) => part.text ?? '').join('');
}

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

function json(res: ServerResponse, status: number, body: unknown): void {
	res.writeHead(status, { 'content-type': 'application/json' });
	res.end(JSON.stringify(body));
}

let callCounter = 0;

function completion(reply: Reply, model: string) {
	const id = `chatcmpl-scripted-${++callCounter}`;
	const created = Math.floor(Date.now() / 1000);
	const toolCalls =
		'toolCalls' in reply
			? reply.toolCalls.map((call) => ({
					id: `call_${++callCounter}`,
					type: 'function',
					function: { name: call.name, arguments: JSON.stringify(call.arguments) },
				}))
			: undefined;
	const message = toolCalls ? { role: 'assistant', content: null, tool_calls: toolCalls } : { role: 'assistant', content: (reply as { text: string }).text };
	const finish = toolCalls ? 'tool_calls' : 'stop';
	return { id, created, model, message, toolCalls, finish };
}

function answer(res: ServerResponse, body: any, reply: Reply): void {
	const c = completion(reply, String(body.model ?? SCRIPTED_MODEL));
	const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
	if (!body.stream) {
		json(res, 200, {
			id: c.id,
			object: 'chat.completion',
			created: c.created,
			model: c.model,
			choices: [{ index: 0, message: c.message, finish_reason: c.finish, logprobs: null }],
			usage,
		});
		return;
	}
	res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
	const chunk = (delta: unknown, finish: string | null, extra: object = {}) =>
		res.write(`data: ${JSON.stringify({ id: c.id, object: 'chat.completion.chunk', created: c.created, model: c.model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`);
	if (c.toolCalls) {
		chunk({ role: 'assistant', content: null, tool_calls: c.toolCalls.map((call, index) => ({ index, ...call })) }, null);
	} else {
		chunk({ role: 'assistant', content: c.message.content }, null);
	}
	chunk({}, c.finish);
	if (body.stream_options?.include_usage) res.write(`data: ${JSON.stringify({ id: c.id, object: 'chat.completion.chunk', created: c.created, model: c.model, choices: [], usage })}\n\n`);
	res.write('data: [DONE]\n\n');
	res.end();
}

export async function startModelServer(script: Script = () => ({ text: 'OK' })): Promise<ModelServer> {
	let current = script;
	const requests: ChatRequest[] = [];
	const server: Server = createServer((req, res) => {
		void (async () => {
			const path = (req.url ?? '').split('?')[0].replace(/\/+$/, '');
			if (req.method === 'GET' && path === '/v1/models') {
				json(res, 200, { object: 'list', data: [{ id: SCRIPTED_MODEL, object: 'model', created: 0, owned_by: 'tests' }] });
				return;
			}
			if (req.method === 'POST' && path === '/v1/chat/completions') {
				const body = JSON.parse(await readBody(req));
				const request: ChatRequest = {
					body,
					messages: body.messages ?? [],
					tools: (body.tools ?? []).map((t: any) => ({ name: t.function?.name, description: t.function?.description, parameters: t.function?.parameters })),
					authorization: req.headers.authorization,
				};
				requests.push(request);
				let reply: Reply;
				try {
					reply = current(request, requests.length - 1);
				} catch (error) {
					json(res, 500, { error: { message: `script failed: ${(error as Error).message}`, type: 'server_error' } });
					return;
				}
				answer(res, body, reply);
				return;
			}
			json(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
		})().catch((error) => json(res, 500, { error: { message: String(error), type: 'server_error' } }));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/v1`,
		requests,
		setScript: (next) => {
			current = next;
		},
		stop: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
