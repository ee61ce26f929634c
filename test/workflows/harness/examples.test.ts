/**
 * The harness runs the repository's example workflows — the same files the real-n8n e2e tests
 * import — in-process: loader, Set / Split Out stand-ins, this package's OpenIM Notify node and
 * OpenIM API credential against the in-process sandbox.
 */
import { OpenImApi } from '../../../credentials/OpenImApi.credentials';
import { OpenImNotify } from '../../../nodes/OpenImNotify/OpenImNotify.node';
import { startSandbox } from '../../../sandbox/server';
import type { Sandbox } from '../../../sandbox/server';
import {
	itemsNode,
	linearWorkflow,
	loadWorkflowFile,
	manualTriggerNode,
	packageNodeTypes,
	runWorkflow,
} from './index';
import type { HarnessNode } from './index';

const nodeTypes = packageNodeTypes(new OpenImNotify());

describe('example workflows', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 'default', port: 0 });
	});
	afterAll(async () => await sandbox.close());

	const credentials = () => ({
		openImSandbox01: {
			type: 'openImApi',
			name: 'OpenIM sandbox',
			data: {
				baseUrl: sandbox.url,
				adminUserID: 'imAdmin',
				secret: 'openIM123',
				senderIDs: 'hr_bot,ops_alerts,imAdmin',
			},
		},
	});

	test('holiday announcement: Set (raw) → Split Out → OpenIM Notify, one notification per person', async () => {
		const workflow = loadWorkflowFile('examples/holiday-announcement.workflow.json');
		const result = await runWorkflow(workflow, {
			nodeTypes,
			credentialTypes: [new OpenImApi()],
			credentials: credentials(),
		});

		expect(result.error).toBeUndefined();
		expect(result.json('One item per person')).toEqual(
			['alice', 'bob', 'carol'].map((staff) => ({
				staff,
				holiday: 'New Year',
				dates: '1–3 January',
				noticeUrl: 'https://oa.example.com/notices/new-year',
			})),
		);
		expect(result.json('Notify staff').map((j) => j.recvID)).toEqual(['alice', 'bob', 'carol']);
		for (const user of ['alice', 'bob', 'carol']) {
			expect(sandbox.inbox(user).filter((m) => m.sendID === 'hr_bot')).toHaveLength(1);
		}
		// The admin token preAuthentication fetched is persisted on the credential.
		expect(result.credentialStore.getData('openImSandbox01').token).toEqual(expect.any(String));
	});

	test('ops alert: Message → Send to a group, then Message → Recall with the fields Send output', async () => {
		const result = await runWorkflow(loadWorkflowFile('examples/ops-alert-recall.workflow.json'), {
			nodeTypes,
			credentialTypes: [new OpenImApi()],
			credentials: credentials(),
		});
		expect(result.error).toBeUndefined();
		const [posted] = result.json('Post the alert');
		expect(posted).toMatchObject({ delivered: true, groupID: 'all_staff', sendID: 'imAdmin' });
		expect(result.json('Recall the alert')).toEqual([
			expect.objectContaining({ recalled: true, clientMsgID: posted.clientMsgID, conversationID: 'sg_all_staff' }),
		]);
		const alert = sandbox.store.messages.find((m) => m.clientMsgID === posted.clientMsgID);
		expect(alert?.revoked).toMatchObject({ revokerUserID: 'imAdmin' });
	});

	test('policy update: each person gets the Delivery Format of their app (chat, card, both)', async () => {
		const earlier = sandbox.messages().length;
		const result = await runWorkflow(loadWorkflowFile('examples/policy-update-every-app.workflow.json'), {
			nodeTypes,
			credentialTypes: [new OpenImApi()],
			credentials: credentials(),
		});
		expect(result.error).toBeUndefined();
		expect(result.json('Notify in their format').map((j) => [j.recvID, j.deliveryFormat])).toEqual([
			['alice', 'chat'],
			['bob', 'card'],
			['carol', 'both'],
		]);
		const sent = sandbox.messages().slice(earlier);
		const kinds = (userID: string) => sent.filter((m) => m.recvID === userID).map((m) => m.contentType);
		expect([kinds('alice'), kinds('bob'), kinds('carol')]).toEqual([[101, 102], [1400], [1400, 101, 102]]);
	});

	test('onboarding notification runs up to the Set node with destinationNode', async () => {
		const workflow = loadWorkflowFile('examples/oa-onboarding-notification.workflow.json');
		const result = await runWorkflow(workflow, { nodeTypes, destinationNode: 'New hire from OA' });

		expect(result.status).toBe('success');
		expect(result.executedNodes).toEqual(["When clicking 'Execute workflow'", 'New hire from OA']);
		expect(result.json('New hire from OA')).toEqual([
			expect.objectContaining({ employeeUserID: 'alice', room: 'Room 301' }),
		]);
	});
});

describe('Set and Split Out stand-ins', () => {
	const run = async (...nodes: HarnessNode[]) =>
		await runWorkflow(
			linearWorkflow(
				manualTriggerNode(),
				itemsNode([{ id: 1, name: 'Ann', tags: ['a', 'b'] }]),
				...nodes,
			),
		);

	test('Set manual mode converts types, keeps other fields on request, supports dot notation', async () => {
		const result = await run({
			name: 'Set',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			parameters: {
				assignments: {
					assignments: [
						{ id: '1', name: 'count', value: '42', type: 'number' },
						{
							id: '2',
							name: 'profile.upper',
							value: '={{ $json.name.toUpperCase() }}',
							type: 'string',
						},
						{ id: '3', name: 'flag', value: 'true', type: 'boolean' },
					],
				},
				includeOtherFields: true,
				include: 'except',
				excludeFields: 'tags',
				options: {},
			},
		});
		expect(result.json('Set')).toEqual([
			{ id: 1, name: 'Ann', count: 42, profile: { upper: 'ANN' }, flag: true },
		]);
	});

	test('Set raw mode resolves {{ }} inside the JSON and reports invalid JSON', async () => {
		const ok = await run({
			name: 'Set',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			parameters: {
				mode: 'raw',
				jsonOutput: '={ "who": "{{ $json.name }}", "tags": {{ $json.tags }} }',
				options: {},
			},
		});
		expect(ok.json('Set')).toEqual([{ who: 'Ann', tags: ['a', 'b'] }]);

		const bad = await run({
			name: 'Set',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			parameters: { mode: 'raw', jsonOutput: '{ nope', options: {} },
		});
		expect(bad.status).toBe('error');
		expect(bad.error?.message).toBe('The item 1 contains invalid JSON');
	});

	test('Split Out with destination field and selected other fields', async () => {
		const result = await run({
			name: 'Split',
			type: 'n8n-nodes-base.splitOut',
			parameters: {
				fieldToSplitOut: 'tags',
				include: 'selectedOtherFields',
				fieldsToInclude: 'name',
				options: { destinationFieldName: 'tag' },
			},
		});
		expect(result.json('Split')).toEqual([
			{ tag: 'a', name: 'Ann' },
			{ tag: 'b', name: 'Ann' },
		]);
		expect(result.output('Split').map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
	});

	test('unsupported stand-in options fail loudly', async () => {
		const result = await run({
			name: 'Split',
			type: 'n8n-nodes-base.splitOut',
			parameters: {
				fieldToSplitOut: 'tags',
				include: 'noOtherFields',
				options: { includeBinary: true },
			},
		});
		expect(result.error?.message).toBe(
			'Harness stand-in for n8n-nodes-base.splitOut does not implement option(s): includeBinary',
		);
	});
});
