/**
 * Proves the harness itself on every pinned n8n, with n8n's built-in nodes only (independent of the
 * OpenIM node): run data parsing, failure reporting, server mode (activate → start → webhook → REST).
 */
import { createN8nInstance, selectedVersions, type N8nInstance, type WorkflowJson } from './n8n';
import { manualWorkflow } from './fixtures';

const setNode = (name: string, fields: Record<string, string>) => ({
	name,
	type: 'n8n-nodes-base.set',
	typeVersion: 3.4,
	parameters: {
		assignments: {
			assignments: Object.entries(fields).map(([k, v], i) => ({ id: `a${i}`, name: k, value: v, type: 'string' })),
		},
		options: {},
	},
});

describe.each(selectedVersions())('n8n %s: e2e harness', (version) => {
	let n8n: N8nInstance;

	beforeAll(async () => {
		n8n = await createN8nInstance(version);
	});

	afterAll(async () => {
		await n8n?.dispose();
	});

	it('executes a workflow and returns each node output; reports a failing node with its message', async () => {
		const okWf = manualWorkflow('harnessOkWf00001', 'Harness ok', [setNode('Set', { greeting: 'hello from e2e' })]);
		const failWf = manualWorkflow('harnessFailWf001', 'Harness fail', [
			{ name: 'Stop and Error', type: 'n8n-nodes-base.stopAndError', typeVersion: 1, parameters: { errorMessage: 'boom from e2e' } },
		]);
		await n8n.importWorkflow([okWf, failWf]);

		const ok = await n8n.execute(okWf.id);
		expect(ok.ok).toBe(true);
		expect(ok.output('Set')).toEqual([{ greeting: 'hello from e2e' }]);
		expect(ok.nodesRun()).toEqual([okWf.nodes[0].name, 'Set']);

		const failed = await n8n.execute(failWf.id, { allowFailure: true });
		expect(failed.ok).toBe(false);
		expect(failed.error).toMatchObject({ message: 'boom from e2e', node: 'Stop and Error' });
		await expect(n8n.execute(failWf.id)).rejects.toThrow(/failed in node "Stop and Error": boom from e2e/);
	});

	it('serves an activated webhook workflow and the REST API in server mode', async () => {
		const hookWf: WorkflowJson = {
			id: 'harnessHookWf001',
			name: 'Harness webhook',
			nodes: [
				{
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					webhookId: '6f1d2d8e-3b7a-4c55-9a51-2d1c9e0b7a10',
					parameters: { httpMethod: 'POST', path: 'harness-hook', responseMode: 'lastNode', options: {} },
				},
				setNode('Reply', { echoed: '={{ $json.body.message }}' }),
			],
			connections: { Webhook: { main: [[{ node: 'Reply', type: 'main', index: 0 }]] } },
		};
		await n8n.importWorkflow(hookWf);
		await n8n.activateWorkflow(hookWf.id);
		await n8n.start();
		try {
			const res = await n8n.webhook('harness-hook', { message: 'ping' });
			expect(res.status).toBe(200);
			expect(res.body).toEqual({ echoed: 'ping' });

			await n8n.setupOwner();
			const wfs = await n8n.rest('GET', '/rest/workflows');
			expect(wfs.status).toBe(200);
			expect(JSON.stringify(wfs.body)).toContain('harnessHookWf001');
		} finally {
			await n8n.stop();
		}
		expect(n8n.running).toBe(false);
	});
});
