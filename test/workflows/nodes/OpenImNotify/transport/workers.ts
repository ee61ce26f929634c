/**
 * Simulated n8n worker processes for in-process tests of what queue mode shares and what it does not:
 * each worker gets its own module instances of the node and the credential (module-level state such as
 * the process-wide token guard and request pacing is per worker, as in separate processes), while
 * n8n-workflow stays the engine's one copy and all workers use one CredentialStore (n8n's database).
 * Call `shareN8nWorkflow()` in the test file (beforeAll) before starting workers.
 */
import * as n8nWorkflow from 'n8n-workflow';
import type { IDataObject, INodeParameters, INodeType } from 'n8n-workflow';

import type * as CredentialModule from '../../../../../credentials/OpenImApi.credentials';
import type * as NodeModule from '../../../../../nodes/OpenImNotify/OpenImNotify.node';
import type * as StateModule from '../../../../../nodes/OpenImNotify/transport/credential-state';
import { itemsNode, linearWorkflow, manualTriggerNode, packageNodeTypes, runWorkflow } from '../../../harness';
import type { CredentialStore, WorkflowRunResult } from '../../../harness';
import { CREDENTIAL_ID, NOTIFY } from '../../../openim-fixtures';

export interface Worker {
	notify: INodeType;
	credentialType: CredentialModule.OpenImApi;
	/** This worker's credential-state module (processTokenFetches()). */
	state: typeof StateModule;
}

/** Node modules loaded from now on use the test's n8n-workflow, as a worker's nodes use n8n's. */
export function shareN8nWorkflow(): void {
	beforeAll(() => {
		jest.doMock('n8n-workflow', () => n8nWorkflow);
	});
	afterAll(() => {
		jest.dontMock('n8n-workflow');
	});
}

export function startWorker(): Worker {
	let worker!: Worker;
	jest.isolateModules(() => {
		/* eslint-disable @typescript-eslint/no-require-imports -- a module instance per simulated worker */
		const node = require('../../../../../nodes/OpenImNotify/OpenImNotify.node') as typeof NodeModule;
		const credential = require('../../../../../credentials/OpenImApi.credentials') as typeof CredentialModule;
		const state = require('../../../../../nodes/OpenImNotify/transport/credential-state') as typeof StateModule;
		/* eslint-enable @typescript-eslint/no-require-imports */
		worker = { notify: new node.OpenImNotify(), credentialType: new credential.OpenImApi(), state };
	});
	return worker;
}

/** One execution of Items → OpenIM Notify on `worker`, the credential from `store`. */
export async function runOn(
	worker: Worker,
	store: CredentialStore,
	items: IDataObject[],
	parameters: INodeParameters,
): Promise<WorkflowRunResult> {
	return await runWorkflow(
		linearWorkflow(manualTriggerNode(), itemsNode(items), {
			name: NOTIFY,
			type: 'n8n-nodes-openim.openImNotify',
			parameters,
			credentials: { openImApi: { id: CREDENTIAL_ID, name: 'OpenIM sandbox' } },
			onError: 'continueRegularOutput',
		}),
		{ credentialStore: store, nodeTypes: packageNodeTypes(worker.notify), credentialTypes: [worker.credentialType] },
	);
}
