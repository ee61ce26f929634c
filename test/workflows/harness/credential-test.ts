/**
 * `testCredentials`: what n8n's "Test" button on a credential does for credential types with a
 * declarative `test` request (packages/cli/src/services/credentials-tester.service.ts):
 * the request runs through n8n-core's `RoutingNode` on a temporary `n8n-nodes-base.noOp` node
 * whose `temp` parameter is '' — which is how the credentials helper recognises a credential
 * test and always runs `preAuthentication` (persisting its result, as n8n does).
 */
import { ExecuteContext, RoutingNode } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	ICredentialsDecrypted,
	IDataObject,
	IExecuteData,
	INode,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypes,
} from 'n8n-workflow';
import {
	NodeConnectionTypes,
	NodeHelpers,
	UnexpectedError,
	Workflow,
	createRunExecutionData,
	deepCopy,
} from 'n8n-workflow';

import { CredentialStore } from './credential-store';
import { CredentialTypeRegistry, defaultCredentialTypes } from './credential-types';
import { CREDENTIAL_TEST_NODE_TYPE, HarnessCredentialsHelper } from './credentials-helper';
import { prepareEngine } from './engine';
import { createAdditionalData } from './run-workflow';

export interface TestCredentialsOptions {
	/** Id the credential is saved under before the test (n8n tests saved credentials). */
	id?: string;
	name?: string;
	/** Store to save into (and where a preAuthentication result is persisted). */
	credentialStore?: CredentialStore;
	credentialTypes?: ICredentialType[];
}

export interface CredentialTestResult extends INodeCredentialTestResult {
	credentialStore: CredentialStore;
	credentialsHelper: HarnessCredentialsHelper;
}

interface RequestError {
	message?: string;
	cause?: { code?: string; response?: { status: number; statusText?: string } };
}

function valueAtPath(data: unknown, path: string): unknown {
	const keys = path
		.replace(/\[(\w+)\]/g, '.$1')
		.split('.')
		.filter(Boolean);
	let current: unknown = data;
	for (const key of keys) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as IDataObject)[key];
	}
	return current;
}

export async function testCredentials(
	type: string,
	data: ICredentialDataDecryptedObject,
	options: TestCredentialsOptions = {},
): Promise<CredentialTestResult> {
	prepareEngine();
	const id = options.id ?? 'credential-under-test';
	const name = options.name ?? id;
	const credentialStore = options.credentialStore ?? new CredentialStore();
	credentialStore.seed({ [id]: { type, name, data } });

	const credentialTypes = new CredentialTypeRegistry();
	for (const known of defaultCredentialTypes.names()) {
		credentialTypes.register(defaultCredentialTypes.getByName(known));
	}
	credentialTypes.register(...(options.credentialTypes ?? []));
	const credentialsHelper = new HarnessCredentialsHelper(credentialStore, credentialTypes);
	const finish = (result: INodeCredentialTestResult): CredentialTestResult => ({
		...result,
		credentialStore,
		credentialsHelper,
	});

	const { test } = credentialTypes.getByName(type);
	if (!test) {
		return finish({ status: 'Error', message: 'No testing function found for this credential.' });
	}

	const additionalData = createAdditionalData(credentialsHelper, {
		executionId: 'credential-test',
	});

	const credentialsDecrypted: ICredentialsDecrypted = { id, name, type };
	try {
		credentialsDecrypted.data = credentialsHelper.applyDefaultsAndResolve(
			additionalData,
			deepCopy(data),
			type,
			'internal',
		);
	} catch (error) {
		return finish({ status: 'Error', message: String((error as Error).message) });
	}

	const testNodeType: INodeType = {
		description: {
			displayName: 'Temp',
			name: 'noOp',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: type, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: test.request },
					default: '',
				},
			],
		},
	};
	const nodeTypes: INodeTypes = {
		getByName: () => testNodeType,
		getByNameAndVersion: (_type, version) =>
			NodeHelpers.getVersionedNodeType(testNodeType, version),
		getKnownTypes: () => ({}),
	};
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: CREDENTIAL_TEST_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [type]: { id, name } },
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const workflowNode = workflow.getNode(node.name);
	if (!workflowNode) throw new UnexpectedError('Temporary credential test node was not created');

	const executeData: IExecuteData = { node: workflowNode, data: {}, source: null };
	const context = new ExecuteContext(
		workflow,
		workflowNode,
		additionalData,
		'internal',
		createRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		executeData,
		[],
	);

	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await new RoutingNode(context, testNodeType, credentialsDecrypted).runNode();
	} catch (caught) {
		const error = caught as RequestError;
		const httpResponse = error.cause?.response;
		if (httpResponse) {
			for (const rule of test.rules ?? []) {
				if (rule.type === 'responseCode' && httpResponse.status === rule.properties.value) {
					return finish({ status: 'Error', message: String(rule.properties.message) });
				}
			}
			if (httpResponse.status < 199 || httpResponse.status > 299) {
				return finish({
					status: 'Error',
					message: httpResponse.statusText || `Received HTTP status code: ${httpResponse.status}`,
				});
			}
		} else if (error.cause?.code) {
			return finish({ status: 'Error', message: error.cause.code });
		}
		return finish({ status: 'Error', message: String(error.message) });
	}

	for (const rule of test.rules ?? []) {
		if (rule.type !== 'responseSuccessBody') continue;
		const body = response?.[0]?.[0]?.json;
		if (valueAtPath(body, String(rule.properties.key)) === rule.properties.value) {
			return finish({ status: 'Error', message: String(rule.properties.message) });
		}
	}
	return finish({ status: 'OK', message: 'Connection successful!' });
}
