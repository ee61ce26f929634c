/**
 * Real n8n (both pinned versions) runs Manual Trigger → OpenIM Notify (Notification → Send) against the
 * out-of-process sandbox, with a credential imported through `n8n import:credentials`.
 */
import { createN8nInstance, selectedVersions, type N8nInstance } from './n8n';
import { startSandbox, type SandboxProcess } from './sandbox';
import { SANDBOX_SECRET, manualWorkflow, notifyNode, openImCredential } from './fixtures';

describe.each(selectedVersions())('n8n %s: OpenIM Notify → sandbox', (version) => {
	let sandbox: SandboxProcess;
	let n8n: N8nInstance;

	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 'default' });
		n8n = await createN8nInstance(version);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.stop();
	});

	it('sends one OA notification from hr_bot to alice', async () => {
		const cred = openImCredential(sandbox.url);
		await n8n.importCredentials([cred]);
		const workflow = manualWorkflow('openImNotifyE2e1', 'OpenIM Notify e2e', [
			notifyNode(
				{
					sendID: 'hr_bot',
					recvID: 'alice',
					notificationName: 'Onboarding',
					text: `Welcome aboard, Alice! (n8n ${version})`,
					notificationType: 1,
					mixType: 0,
				},
				cred,
			),
		]);
		await n8n.importWorkflow(workflow);

		const result = await n8n.execute(workflow.id);

		expect(result.nodesRun()).toEqual([workflow.nodes[0].name, 'OpenIM Notify']);
		const out = result.output('OpenIM Notify');
		expect(out).toHaveLength(1);
		expect(out[0]).toMatchObject({ sendID: 'hr_bot', recvID: 'alice' });
		expect(typeof out[0].serverMsgID).toBe('string');
		expect(out[0].serverMsgID.length).toBeGreaterThan(0);

		const inbox = await sandbox.inbox('alice');
		expect(inbox).toHaveLength(1);
		expect(inbox[0]).toMatchObject({ sendID: 'hr_bot', recvID: 'alice', contentType: 1400, sessionType: 4 });
		expect(inbox[0].serverMsgID).toBe(out[0].serverMsgID);
		// content: the object exactly as the node sent it
		expect(inbox[0].content).toMatchObject({
			notificationName: 'Onboarding',
			text: `Welcome aboard, Alice! (n8n ${version})`,
			notificationType: 1,
			mixType: 0,
		});
		expect(await sandbox.inbox('bob')).toHaveLength(0);

		// The credential's secret must never reach n8n's output.
		expect(n8n.logs()).not.toContain(SANDBOX_SECRET);
	});
});
