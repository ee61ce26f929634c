/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test tooling, not shipped: an HTTP server (node:http) */
/**
 * The production-webhook half of n8n, in process, for a workflow that starts with OpenIM Trigger.
 * The in-process harness (../../harness) runs workflows from a manual start; this adds what n8n's
 * CLI does for webhooks, using n8n's own pieces wherever they are public:
 *
 *   activate()  n8n-core HookContext → the node's webhookMethods (checkExists, then create), as on activation
 *   routing     every webhook description's path evaluated by n8n-workflow's expression engine and
 *               turned into the registered path by NodeHelpers.getNodeWebhookPath (what n8n stores);
 *               a request must match one exactly (static paths), else 404 "not registered"
 *   a call      body parsed as JSON, n8n-core WebhookContext over an Express-like request/response,
 *               the node's webhook(); the answer follows n8n's onReceived rules (responseData, then
 *               webhookResponse); then, if the node returned workflowData, the rest of the workflow
 *               runs in n8n-core's WorkflowExecute with the trigger on the execution stack (the
 *               engine passes a webhook node's data through), as n8n's webhook helpers do.
 *
 * Not covered (n8n CLI only): the database, test ("listen") webhooks, dynamic `:param` paths.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ExecutionLifecycleHooks, HookContext, WebhookContext, WorkflowExecute } from 'n8n-core';
import type {
	IDataObject,
	INode,
	INodeType,
	IRun,
	IWebhookData,
	IWebhookDescription,
	IWebhookResponseData,
	IWorkflowBase,
} from 'n8n-workflow';
import { createRunExecutionData, deepCopy, NodeHelpers, Workflow } from 'n8n-workflow';

import { OpenImApi } from '../../../../credentials/OpenImApi.credentials';
import { OpenImNotify } from '../../../../nodes/OpenImNotify/OpenImNotify.node';
import { OpenImTrigger } from '../../../../nodes/OpenImTrigger/OpenImTrigger.node';
import {
	CredentialStore,
	CredentialTypeRegistry,
	HarnessCredentialsHelper,
	HarnessNodeTypes,
	builtInNodeTypes,
	createAdditionalData,
	defaultCredentialTypes,
	packageNodeTypes,
} from '../../harness';
import type { CredentialSeed, WorkflowInput } from '../../harness';
import { prepareEngine } from '../../harness/engine';

export const TRIGGER_TYPE = 'n8n-nodes-openim.openImTrigger';

/** One HTTP call the server answered. */
export interface WebhookCall {
	path: string;
	status: number;
	/** What the caller got back (parsed when JSON). */
	response: unknown;
	/** The node started the workflow. */
	started: boolean;
}

/** One workflow run started by the trigger. */
export interface TriggerRun {
	run: IRun;
	executedNodes: string[];
	/** Items a node emitted (main output 0, run 0). */
	json(nodeName: string): IDataObject[];
}

export interface TriggerServerOptions {
	credentials?: Record<string, CredentialSeed>;
	credentialStore?: CredentialStore;
}

let executionCounter = 0;

export class TriggerServer {
	readonly calls: WebhookCall[] = [];
	readonly runs: TriggerRun[] = [];
	/** Registered path (after /webhook/) → description. */
	readonly routes = new Map<string, IWebhookDescription>();
	readonly workflow: Workflow;
	readonly trigger: INode;
	readonly store: CredentialStore;
	/** http://127.0.0.1:<port>/webhook — n8n's WEBHOOK_URL + "webhook". */
	baseUrl = '';
	private server!: Server;
	private readonly credentialsHelper: HarnessCredentialsHelper;
	private readonly nodeType: INodeType;
	private readonly pending = new Set<Promise<unknown>>();
	private waiters: Array<() => void> = [];

	constructor(
		private readonly input: WorkflowInput,
		options: TriggerServerOptions = {},
	) {
		prepareEngine();
		this.store = options.credentialStore ?? new CredentialStore();
		if (options.credentials) this.store.seed(options.credentials);
		const credentialTypes = new CredentialTypeRegistry();
		for (const name of defaultCredentialTypes.names()) credentialTypes.register(defaultCredentialTypes.getByName(name));
		credentialTypes.register(new OpenImApi());
		this.credentialsHelper = new HarnessCredentialsHelper(this.store, credentialTypes);
		const nodeTypes = new HarnessNodeTypes({
			...builtInNodeTypes(),
			...packageNodeTypes(new OpenImTrigger(), new OpenImNotify()),
		});
		const nodes = input.nodes.map((node, index) => ({
			...deepCopy(node as INode),
			id: node.id ?? `trigger-node-${index}`,
			typeVersion: node.typeVersion ?? 1,
			position: node.position ?? ([index * 220, 0] as [number, number]),
			parameters: deepCopy(node.parameters ?? {}),
		}));
		this.workflow = new Workflow({
			id: typeof input.id === 'string' ? input.id : 'trigger-workflow',
			name: typeof input.name === 'string' ? input.name : 'Trigger workflow',
			nodes,
			connections: deepCopy(input.connections),
			active: true,
			nodeTypes,
			settings: { executionOrder: 'v1', ...(input.settings ?? {}) },
		});
		const trigger = nodes.find((node) => node.type === TRIGGER_TYPE);
		if (!trigger) throw new Error(`the workflow has no ${TRIGGER_TYPE} node`);
		// The Workflow applies parameter defaults to its own copy: use that one.
		this.trigger = this.workflow.getNode(trigger.name)!;
		this.nodeType = nodeTypes.getByNameAndVersion(trigger.type, trigger.typeVersion);
	}

	async start(): Promise<this> {
		this.server = createServer((req, res) => {
			const done = this.handle(req, res).catch((error: unknown) => {
				if (!res.headersSent) {
					res.writeHead(500, { 'content-type': 'application/json' });
					res.end(JSON.stringify({ message: String(error) }));
				}
			});
			this.track(done);
		});
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhook`;
		this.register();
		return this;
	}

	/** What n8n registers for the node: `getNodeWebhooks` → registered path per description. */
	private register(): void {
		this.routes.clear();
		for (const description of this.nodeType.description.webhooks ?? []) {
			let path = String(this.workflow.expression.getSimpleParameterValue(this.trigger, description.path, 'internal', {}));
			path = path.replace(/^\/+|\/+$/g, '');
			const isFullPath = this.workflow.expression.getSimpleParameterValue(
				this.trigger,
				description.isFullPath,
				'internal',
				{},
				undefined,
				false,
			) as boolean;
			this.routes.set(NodeHelpers.getNodeWebhookPath(this.workflow.id, this.trigger, path, isFullPath), description);
		}
	}

	private additionalData() {
		const data = createAdditionalData(this.credentialsHelper, { executionId: `trigger-${++executionCounter}` });
		data.webhookBaseUrl = this.baseUrl;
		return data;
	}

	private hookContext(description?: IWebhookDescription): HookContext {
		const additionalData = this.additionalData();
		const webhook = description ?? this.nodeType.description.webhooks![0];
		const webhookData: IWebhookData = {
			httpMethod: webhook.httpMethod as IWebhookData['httpMethod'],
			node: this.trigger.name,
			path: '',
			webhookDescription: webhook,
			workflowId: this.workflow.id,
			workflowExecuteAdditionalData: additionalData,
		};
		return new HookContext(this.workflow, this.trigger, additionalData, 'trigger', 'activate', webhookData);
	}

	/** n8n's activation: for each webhook, `checkExists`, and `create` when it says false. Throws what create throws. */
	async activate(): Promise<void> {
		for (const description of this.nodeType.description.webhooks ?? []) {
			const methods = this.nodeType.webhookMethods?.[description.name];
			if (!methods) continue;
			const context = this.hookContext(description);
			if (!(await methods.checkExists.call(context))) await methods.create.call(context);
		}
	}

	async deactivate(): Promise<boolean> {
		const methods = this.nodeType.webhookMethods?.default;
		return methods ? await methods.delete.call(this.hookContext()) : true;
	}

	/** The production URL the editor shows for the node's first webhook. */
	productionUrl(): string {
		return this.hookContext().getNodeWebhookUrl('default') ?? '';
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://trigger');
		const path = decodeURIComponent(url.pathname.replace(/^\/webhook\//, ''));
		const text = await new Promise<string>((resolve) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		});
		const call: WebhookCall = { path, status: 0, response: undefined, started: false };
		this.calls.push(call);
		const send = (status: number, body: unknown) => {
			call.status = status;
			call.response = body;
			const isText = typeof body === 'string';
			res.writeHead(status, { 'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8' });
			res.end(isText ? body : JSON.stringify(body));
		};
		const description = req.method === 'POST' ? this.routes.get(path) : undefined;
		if (!description) {
			return send(404, { code: 404, message: `The requested webhook "${req.method} ${path}" is not registered.` });
		}

		// What Express + n8n's body parser hand to the node.
		let body: unknown = {};
		if ((req.headers['content-type'] ?? '').startsWith('application/json') && text !== '') {
			try {
				body = JSON.parse(text);
			} catch {
				return send(400, { message: 'Failed to parse request body' });
			}
		}
		const request = {
			method: req.method,
			url: url.pathname + url.search,
			originalUrl: req.url,
			path: url.pathname,
			headers: req.headers,
			body,
			params: {},
			query: Object.fromEntries(url.searchParams),
			ip: req.socket.remoteAddress,
			socket: req.socket,
		};
		let answered = false;
		const response = {
			statusCode: 200,
			get headersSent() {
				return answered;
			},
			status(code: number) {
				this.statusCode = code;
				return this;
			},
			json(value: unknown) {
				answered = true;
				send(this.statusCode, value);
				return this;
			},
			send(value: unknown) {
				return this.json(value);
			},
			end() {
				answered = true;
				send(this.statusCode, '');
				return this;
			},
			setHeader: (name: string, value: string) => res.setHeader(name, value),
		};
		const additionalData = this.additionalData();
		additionalData.httpRequest = request as unknown as typeof additionalData.httpRequest;
		additionalData.httpResponse = response as unknown as typeof additionalData.httpResponse;
		const webhookData: IWebhookData = {
			httpMethod: 'POST',
			node: this.trigger.name,
			path,
			webhookDescription: description,
			workflowId: this.workflow.id,
			workflowExecuteAdditionalData: additionalData,
		};
		const context = new WebhookContext(this.workflow, this.trigger, additionalData, 'webhook', webhookData, [], null);
		let result: IWebhookResponseData;
		try {
			result = await this.nodeType.webhook!.call(context);
		} catch (error) {
			return send(500, { code: 0, message: 'Workflow Webhook Error: Workflow could not be started!', cause: String(error) });
		}

		// n8n's webhook helpers, in order.
		if (result.noWebhookResponse === true) {
			if (!answered) send(response.statusCode, '');
		} else if (result.workflowData === undefined) {
			send(200, result.webhookResponse ?? { message: 'Webhook call received' });
		} else {
			const responseData = this.workflow.expression.getComplexParameterValue(
				this.trigger,
				description.responseData,
				'webhook',
				{},
				undefined,
				'firstEntryJson',
			);
			if (responseData === 'noData') send(200, '');
			else if (responseData) send(200, responseData);
			else send(200, result.webhookResponse ?? { message: 'Workflow was started' });
		}
		if (result.workflowData === undefined) return;
		call.started = true;
		await this.runWorkflow(result.workflowData);
	}

	private async runWorkflow(workflowData: NonNullable<IWebhookResponseData['workflowData']>): Promise<void> {
		const executionId = `trigger-run-${++executionCounter}`;
		const now = new Date();
		const base: IWorkflowBase = {
			id: this.workflow.id,
			name: this.workflow.name ?? 'Trigger workflow',
			active: true,
			isArchived: false,
			activeVersionId: null,
			createdAt: now,
			updatedAt: now,
			nodes: Object.values(this.workflow.nodes),
			connections: deepCopy(this.input.connections),
			settings: { executionOrder: 'v1' },
		};
		const hooks = new ExecutionLifecycleHooks('webhook', executionId, base);
		const executedNodes: string[] = [];
		hooks.addHandler('nodeExecuteAfter', (nodeName: string) => {
			executedNodes.push(nodeName);
		});
		const additionalData = createAdditionalData(this.credentialsHelper, { executionId, hooks });
		const runExecutionData = createRunExecutionData({
			executionData: { nodeExecutionStack: [{ node: this.trigger, data: { main: workflowData }, source: null }] },
		});
		const run = await new WorkflowExecute(additionalData, 'webhook', runExecutionData).processRunExecutionData(this.workflow);
		this.runs.push({
			run,
			executedNodes,
			json: (nodeName) => {
				const task = run.data.resultData.runData[nodeName]?.[0];
				if (!task) throw new Error(`node "${nodeName}" did not run; ran: ${executedNodes.join(', ') || 'nothing'}`);
				if (task.error) throw new Error(`node "${nodeName}" failed: ${task.error.message}`);
				return (task.data?.main?.[0] ?? []).map((item) => item.json);
			},
		});
	}

	private track(p: Promise<unknown>): void {
		this.pending.add(p);
		void p.finally(() => {
			this.pending.delete(p);
			if (this.pending.size === 0) {
				const waiters = this.waiters;
				this.waiters = [];
				for (const w of waiters) w();
			}
		});
	}

	/** Resolves when every call received so far is answered and its workflow run finished. */
	idle(): Promise<void> {
		if (this.pending.size === 0) return Promise.resolve();
		return new Promise((resolve) => this.waiters.push(resolve));
	}

	close(): Promise<void> {
		this.server.closeAllConnections();
		return new Promise((resolve) => this.server.close(() => resolve()));
	}
}

export async function startTriggerServer(input: WorkflowInput, options: TriggerServerOptions = {}): Promise<TriggerServer> {
	return await new TriggerServer(input, options).start();
}
