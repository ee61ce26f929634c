/* eslint-disable @typescript-eslint/no-explicit-any, @n8n/community-nodes/no-hardcoded-secrets -- e2e test tooling, not shipped: arbitrary run-data and request JSON, a fake test-only API key */
/**
 * OpenIM Notify under n8n's AI Agent, in real n8n (server mode): Webhook (the chat message) → AI Agent,
 * whose chat model is n8n's OpenAI Chat Model pointed (its credential's Base URL) at a scripted local
 * model (model-server.ts). The model calls OpenIM Notify as a tool (n8n's `openImNotifyTool` variant,
 * parameters filled by $fromAI()) to notify the user named in the chat; the test reads what the model was
 * given (tool names, descriptions, parameter schemas) and what OpenIM received.
 * n8n 2.x also offers nodes with a Send and Wait operation as human-review steps for an agent's tools
 * (`openImNotifyHitlTool`): the agent's `message` becomes the reviewer's card text, and only the reviewer's
 * approval lets the gated tool run. n8n 1.123 has tool variants but no human-review tools.
 */
import { request } from 'undici';

import { createN8nInstance, selectedVersions, type N8nInstance, type N8nVersion, type WorkflowJson, type WorkflowNodeJson } from './n8n';
import { startSandbox, type SandboxProcess } from './sandbox';
import { credentialRef, NOTIFY_NODE_TYPE, openImCredential } from './fixtures';
import { startModelServer, toolResults, userText, SCRIPTED_MODEL, type ChatRequest, type ModelServer, type ToolDefinition } from './model-server';
import { sleep, until } from './proc';
import { flattedParse } from './runtime';

/** Versions whose AI Agent (typeVersion 3) runs tools; 1.85.4 predates it. */
const AGENT_VERSIONS: readonly N8nVersion[] = ['1.123.81', '2.41.1'];
const HITL_VERSIONS: readonly N8nVersion[] = ['2.41.1'];

const OPENAI_CRED = { id: 'openAiScripted01', name: 'Scripted model', type: 'openAiApi' };
const OPENAI_KEY = 'sk-scripted-e2e-key-do-not-log';
const TOOL_WF = { id: 'openImAgentWf001', hook: 'f6b9c7d5-0ab1-4c23-9e45-6f7a8b9c0d01' };
const HITL_WF = { id: 'openImAgentWf002', hook: 'a7c0d8e6-1bc2-4d34-8f56-7a8b9c0d1e02' };
const BROWSER = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';

/** The parameters the tool node lets the model fill, as a user sets them up ("Let the model define this parameter"). */
const FROM_AI = {
	recipient: "={{ $fromAI('recipient', 'OpenIM user ID of the person to notify, e.g. alice', 'string') }}",
	title: "={{ $fromAI('title', 'Short title of the notification card', 'string') }}",
	text: "={{ $fromAI('text', 'The notification text', 'string') }}",
};

function notifyTool(cred: ReturnType<typeof openImCredential>): WorkflowNodeJson {
	return {
		name: 'Notify user',
		type: `${NOTIFY_NODE_TYPE}Tool`,
		typeVersion: 1,
		parameters: {
			descriptionType: 'auto',
			resource: 'notification',
			operation: 'send',
			sendID: 'hr_bot',
			recvID: { __rl: true, mode: 'id', value: FROM_AI.recipient },
			notificationName: FROM_AI.title,
			text: FROM_AI.text,
			notificationType: 1,
			mixType: 0,
		},
		credentials: credentialRef(cred),
	};
}

/** Webhook (body.chatInput) → AI Agent with the scripted model and the given tool nodes. */
function agentWorkflow(ids: { id: string; hook: string }, tools: WorkflowNodeJson[], toolConnections: Record<string, unknown>): WorkflowJson {
	return {
		id: ids.id,
		name: `Agent ${ids.id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ name: 'Chat message', type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: ids.hook, parameters: { httpMethod: 'POST', path: ids.hook, responseMode: 'onReceived', options: {} } },
			{
				name: 'AI Agent',
				type: '@n8n/n8n-nodes-langchain.agent',
				typeVersion: 3,
				parameters: {
					promptType: 'define',
					text: '={{ $json.body.chatInput }}',
					options: { systemMessage: 'You are the HR assistant. Notify people through OpenIM when asked.' },
				},
			},
			{
				name: 'OpenAI Chat Model',
				type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
				typeVersion: 1.2,
				parameters: { model: { __rl: true, mode: 'id', value: SCRIPTED_MODEL }, options: {} },
				credentials: { openAiApi: { id: OPENAI_CRED.id, name: OPENAI_CRED.name } },
			},
			...tools,
		],
		connections: {
			'Chat message': { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			...toolConnections,
		},
	};
}

/** The tool the model would pick for "notify someone through OpenIM": by its description. */
function openImTool(req: ChatRequest): ToolDefinition {
	const tool = req.tools.find((t) => /OpenIM/.test(t.description) && /notification/i.test(t.description));
	if (!tool) throw new Error(`no OpenIM notification tool among ${JSON.stringify(req.tools.map((t) => t.name))}`);
	return tool;
}

/** "Tell alice that …": who and what, as a model would read them from the chat. */
function parseChat(text: string): { recipient: string; what: string } {
	const m = /tell (\w+) that (.+?)\.?$/i.exec(text);
	if (!m) throw new Error(`the script cannot read "${text}"`);
	return { recipient: m[1].toLowerCase(), what: m[2] };
}

const ended = (status: string) => !['waiting', 'running', 'new'].includes(status);

describe.each(selectedVersions(AGENT_VERSIONS).filter((v) => AGENT_VERSIONS.includes(v)))('n8n %s: OpenIM Notify as an AI agent tool', (version) => {
	let sandbox: SandboxProcess;
	let model: ModelServer;
	let n8n: N8nInstance;
	const hitl = HITL_VERSIONS.includes(version);

	beforeAll(async () => {
		sandbox = await startSandbox();
		model = await startModelServer();
		n8n = await createN8nInstance(version);
		const cred = openImCredential(sandbox.url);
		await n8n.importCredentials([cred, { ...OPENAI_CRED, data: { apiKey: OPENAI_KEY, url: model.url } }]);
		const workflows = [agentWorkflow(TOOL_WF, [notifyTool(cred)], { 'Notify user': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] } })];
		if (hitl) {
			const review: WorkflowNodeJson = {
				name: 'Review',
				type: `${NOTIFY_NODE_TYPE}HitlTool`,
				typeVersion: 1,
				parameters: {
					resource: 'notification',
					operation: 'sendAndWait',
					sendID: 'hr_bot',
					recvID: { __rl: true, mode: 'id', value: 'carol' },
					notificationName: 'An AI agent asks for approval',
					message: "={{ $fromAI('message', 'One sentence for the reviewer: what you want to send, and to whom', 'string') }}",
					approvalType: 'double',
				},
				credentials: credentialRef(cred),
			};
			workflows.push(
				agentWorkflow(HITL_WF, [notifyTool(cred), review], {
					'Notify user': { ai_tool: [[{ node: 'Review', type: 'ai_tool', index: 0 }]] },
					Review: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
				}),
			);
		}
		await n8n.importWorkflow(workflows);
		for (const wf of workflows) await n8n.activateWorkflow(wf.id);
		await n8n.start();
		await n8n.setupOwner();
	});

	afterAll(async () => {
		await n8n?.dispose();
		await model?.stop();
		await sandbox?.stop();
	});

	beforeEach(async () => {
		await sandbox.reset();
		model.requests.length = 0;
	});

	async function executions(workflowId: string): Promise<Array<{ id: string; status: string }>> {
		const res = await n8n.rest('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=50`);
		const list = res.body?.data?.results ?? res.body?.data ?? [];
		return (list as any[]).map((e) => ({ id: String(e.id), status: String(e.status) }));
	}

	async function runData(id: string): Promise<any> {
		const res = await n8n.rest('GET', `/rest/executions/${id}`);
		return flattedParse(version, res.body.data.data).resultData;
	}

	it('the agent calls OpenIM Notify as a tool and notifies the user named in the chat', async () => {
		model.setScript((req) => {
			const results = toolResults(req);
			if (results.length > 0) return { text: `Done: ${results[results.length - 1].slice(0, 200)}` };
			const { recipient, what } = parseChat(userText(req));
			return { toolCalls: [{ name: openImTool(req).name, arguments: { recipient, title: 'Message from HR', text: what } }] };
		});
		expect((await n8n.webhook(TOOL_WF.hook, { chatInput: 'Please tell alice that her badge is ready at the front desk.' })).status).toBe(200);

		const card = await until('the notification in alice\'s inbox', async () => (await sandbox.inbox('alice')).find((m: any) => m.contentType === 1400), 90_000);
		expect(card.sendID).toBe('hr_bot');
		expect(card.content).toMatchObject({ notificationName: 'Message from HR', text: 'her badge is ready at the front desk' });

		const done = await until('the agent execution to finish', async () => (await executions(TOOL_WF.id)).find((e) => ended(e.status)), 90_000);
		expect(done.status).toBe('success');
		const result = await runData(done.id);
		const [answer] = result.runData['AI Agent'][0].data.main[0].map((item: any) => item.json);
		// The model got the node's output (the message IDs) as the tool result and answered with it.
		expect(answer.output).toMatch(/^Done: .*serverMsgID/);
		expect(answer.output).toContain(card.serverMsgID);

		// What the model was given: one tool, named after the node, described as an OpenIM notification,
		// with the three $fromAI() parameters and their descriptions.
		const first = model.requests[0];
		expect(first.authorization).toBe(`Bearer ${OPENAI_KEY}`);
		expect(first.tools).toHaveLength(1);
		const [tool] = first.tools;
		expect(tool.name).toBe('Notify_user');
		expect(tool.description).toBe('Send a work notification in OpenIM Notify');
		expect(tool.parameters).toMatchObject({
			type: 'object',
			properties: {
				recipient: { type: 'string', description: 'OpenIM user ID of the person to notify, e.g. alice' },
				title: { type: 'string', description: 'Short title of the notification card' },
				text: { type: 'string', description: 'The notification text' },
			},
		});
		expect([...tool.parameters.required].sort()).toEqual(['recipient', 'text', 'title']);
		expect(n8n.logs()).not.toContain(OPENAI_KEY);
	}, 240_000);

	/** The HITL script: the gated tool's parameters under toolParameters, the review's message under hitlParameters. */
	const reviewedCall = (req: ChatRequest) => {
		const results = toolResults(req);
		if (results.length > 0) return { text: `Done: ${results[results.length - 1].slice(0, 300)}` };
		const { recipient, what } = parseChat(userText(req));
		return {
			toolCalls: [
				{
					name: openImTool(req).name,
					arguments: {
						toolParameters: { recipient, title: 'Message from HR', text: what },
						hitlParameters: { message: `Send ${recipient} the notification "${what}"?` },
					},
				},
			],
		};
	};

	/** The reviewer opens the card's link and taps a button. */
	async function answerCard(card: any, decision: 'approve' | 'decline'): Promise<void> {
		const link = String(card.content.externalUrl);
		const page = await request(link, { headers: { 'user-agent': BROWSER } });
		const html = await page.body.text();
		const href = new RegExp(`href="([^"]*decision=${decision}[^"]*)"`).exec(html)?.[1]?.replace(/&amp;/g, '&');
		expect(href).toBeTruthy();
		const answered = await request(new URL(href as string, link).toString(), { headers: { 'user-agent': BROWSER } });
		expect(await answered.body.text()).toMatch(/recorded/);
	}

	(hitl ? it : it.skip)('Send and Wait as the human review of the agent\'s tool: the card carries the agent\'s message, approval lets the tool run', async () => {
		model.setScript(reviewedCall);
		expect((await n8n.webhook(HITL_WF.hook, { chatInput: 'Please tell bob that the server migration is done.' })).status).toBe(200);

		// The reviewer (carol) gets the card with the agent's message; bob gets nothing yet.
		const card = await until('the review card in carol\'s inbox', async () => (await sandbox.inbox('carol')).find((m: any) => m.contentType === 1400), 90_000);
		expect(card.content.notificationName).toBe('An AI agent asks for approval');
		expect(card.content.text).toBe('Send bob the notification "the server migration is done"?');
		const waiting = await until('a waiting agent execution', async () => (await executions(HITL_WF.id)).find((e) => e.status === 'waiting'), 60_000);
		await sleep(1000);
		expect(await sandbox.inbox('bob')).toEqual([]);

		// The gated tool as the model saw it: its own parameters under toolParameters, the review's under hitlParameters.
		const [tool] = model.requests[0].tools;
		expect(tool.name).toBe('Notify_user');
		expect(tool.description).toBe('Send a work notification in OpenIM Notify');
		expect(tool.parameters.properties.toolParameters.properties).toHaveProperty('recipient');
		expect(tool.parameters.properties.hitlParameters.properties.message).toMatchObject({ type: 'string', description: 'One sentence for the reviewer: what you want to send, and to whom' });

		// carol approves: the gated tool runs, bob is notified, the agent answers.
		await answerCard(card, 'approve');

		const note = await until('the notification in bob\'s inbox', async () => (await sandbox.inbox('bob')).find((m: any) => m.contentType === 1400), 90_000);
		expect(note.content).toMatchObject({ notificationName: 'Message from HR', text: 'the server migration is done' });
		const done = await until('the agent execution to finish', async () => (await executions(HITL_WF.id)).find((e) => e.id === waiting.id && ended(e.status)), 90_000);
		expect(done.status).toBe('success');
		const result = await runData(done.id);
		const [answer] = result.runData['AI Agent'].at(-1).data.main[0].map((item: any) => item.json);
		expect(answer.output).toContain(note.serverMsgID);
	}, 300_000);

	(hitl ? it : it.skip)('a declined review stops the tool: nothing is sent, the model is told the call was rejected', async () => {
		model.setScript(reviewedCall);
		expect((await n8n.webhook(HITL_WF.hook, { chatInput: 'Please tell dave that his contract ends tomorrow.' })).status).toBe(200);
		const card = await until('the review card in carol\'s inbox', async () => (await sandbox.inbox('carol')).find((m: any) => m.contentType === 1400), 90_000);
		expect(card.content.text).toBe('Send dave the notification "his contract ends tomorrow"?');
		const waiting = await until('a waiting agent execution', async () => (await executions(HITL_WF.id)).find((e) => e.status === 'waiting'), 60_000);

		await answerCard(card, 'decline');
		const done = await until('the agent execution to finish', async () => (await executions(HITL_WF.id)).find((e) => e.id === waiting.id && ended(e.status)), 90_000);
		expect(done.status).toBe('success');
		expect(await sandbox.inbox('dave')).toEqual([]);
		// n8n tells the model in words that the reviewer refused (processHitlResponses in n8n 2.x).
		const last = model.requests[model.requests.length - 1];
		expect(toolResults(last).join('\n')).toMatch(/rejected the tool call to Notify user/);
	}, 300_000);
});
