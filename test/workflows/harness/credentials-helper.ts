/**
 * A test `ICredentialsHelper` that follows what n8n's CLI `CredentialsHelper`
 * (packages/cli/src/credentials-helper.ts) does, backed by an in-memory `CredentialStore`
 * instead of the encrypted database table. Written for this harness; see README.md in this
 * folder for the differences from n8n's implementation.
 */
import { getAdditionalKeys } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsEncrypted,
	ICredentialsExpressionResolveValues,
	IExecuteData,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IWorkflowDataProxyAdditionalKeys,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import {
	ICredentials,
	ICredentialsHelper,
	NodeHelpers,
	UnexpectedError,
	UserError,
	Workflow,
	deepCopy,
	isExpression,
	jsonParse,
} from 'n8n-workflow';

import type { CredentialStore, StoredCredential } from './credential-store';
import type { CredentialTypeRegistry } from './credential-types';

/** Node type and parameters n8n's credentials tester gives its temporary node. */
export const CREDENTIAL_TEST_NODE_TYPE = 'n8n-nodes-base.noOp';

/** `ICredentials` holding plain JSON instead of ciphertext (what `getCredentials` returns). */
export class PlainCredentials extends ICredentials {
	getData(): ICredentialDataDecryptedObject {
		return jsonParse<ICredentialDataDecryptedObject>(this.data ?? '{}');
	}

	setData(data: ICredentialDataDecryptedObject): void {
		this.data = JSON.stringify(data);
	}

	getDataToSave(): ICredentialsEncrypted {
		return { id: this.id, name: this.name, type: this.type, data: this.data };
	}
}

const expressionMockNode: INode = {
	id: 'harness-credential-expression-node',
	name: '',
	type: 'mock',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

const expressionMockNodeTypes: INodeTypes = {
	getByName: () => mockNodeType,
	getByNameAndVersion: () => mockNodeType,
	getKnownTypes: () => ({}),
};

const mockNodeType: INodeType = {
	description: {
		displayName: 'Mock',
		name: 'mock',
		group: [],
		version: 1,
		description: '',
		defaults: {},
		inputs: [],
		outputs: [],
		properties: [],
	},
};

export class HarnessCredentialsHelper extends ICredentialsHelper {
	/** Credential reads (`getDecrypted`) by id, for assertions such as "the node read its credential per item". */
	readonly reads: Array<{ id: string; type: string }> = [];

	/** Every `preAuthentication` hook invocation, in order. */
	readonly preAuthenticationCalls: Array<{
		type: string;
		node: string;
		credentialsExpired: boolean;
		testingCredentials: boolean;
	}> = [];

	constructor(
		readonly store: CredentialStore,
		readonly credentialTypes: CredentialTypeRegistry,
	) {
		super();
	}

	getParentTypes(name: string): string[] {
		return this.credentialTypes.getParentTypes(name);
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const properties = this.credentialTypes.getProperties(type);
		if (['oAuth1Api', 'oAuth2Api'].includes(type)) {
			return [
				...properties,
				{ displayName: 'oauthTokenData', name: 'oauthTokenData', type: 'json', default: {} },
			];
		}
		return properties;
	}

	async getCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<PlainCredentials> {
		const row = this.findRow(nodeCredentials, type);
		return new PlainCredentials({ id: row.id, name: row.name }, row.type, JSON.stringify(row.data));
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const row = this.findRow(nodeCredentials, type);
		this.reads.push({ id: row.id, type });
		const stored = row.data; // findRow returns a copy
		if (raw === true) return stored;
		return this.applyDefaultsAndResolve(
			additionalData,
			stored,
			type,
			mode,
			executeData,
			expressionResolveValues,
		);
	}

	/**
	 * Type defaults for missing fields (dropping fields the type does not define, as n8n does),
	 * then credential expressions resolved in the node's context when one is given.
	 */
	applyDefaultsAndResolve(
		additionalData: IWorkflowExecuteAdditionalData,
		stored: ICredentialDataDecryptedObject,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): ICredentialDataDecryptedObject {
		const properties = this.getCredentialsProperties(type);
		let data = NodeHelpers.getNodeParameters(
			properties,
			stored as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		if (stored.oauthTokenData !== undefined) data.oauthTokenData = stored.oauthTokenData;

		const additionalKeys = getAdditionalKeys(additionalData, mode, null, { secretsEnabled: false });

		if (expressionResolveValues) {
			const { workflow, runExecutionData, runIndex, itemIndex, node, connectionInputData } =
				expressionResolveValues;
			try {
				data = workflow.expression.getParameterValue(
					data as INodeParameters,
					runExecutionData,
					runIndex,
					itemIndex,
					node.name,
					connectionInputData,
					mode,
					additionalKeys,
					executeData,
					false,
					data,
				) as ICredentialDataDecryptedObject;
			} catch (error) {
				(error as Error).message += ' [Error resolving credentials]';
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- like n8n: the expression error itself, annotated
				throw error;
			}
			return data;
		}

		const workflow = new Workflow({
			nodes: [expressionMockNode],
			connections: {},
			active: false,
			nodeTypes: expressionMockNodeTypes,
		});
		return workflow.expression.getComplexParameterValue(
			expressionMockNode,
			data as INodeParameters,
			mode,
			additionalKeys,
			undefined,
			undefined,
			data,
		) as ICredentialDataDecryptedObject;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.credentialTypes.getByName(typeName);
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (authenticate?.type === 'generic') {
			const target = requestOptions as unknown as Record<string, Record<string, unknown>>;
			target.headers ??= {};
			for (const [section, entries] of Object.entries(authenticate.properties)) {
				target[section] ??= {};
				for (const [key, value] of Object.entries(entries as Record<string, string>)) {
					const resolvedKey = this.resolveAuthValue(key, credentials, workflow, node);
					target[section][resolvedKey] = this.resolveAuthValue(value, credentials, workflow, node);
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	private resolveAuthValue(
		value: string,
		credentials: ICredentialDataDecryptedObject,
		workflow: Workflow,
		node: INode,
	): string {
		if (!isExpression(value)) return value;
		const additionalKeys = { $credentials: credentials } as IWorkflowDataProxyAdditionalKeys;
		const resolved = workflow.expression.getSimpleParameterValue(
			node,
			value,
			'internal',
			additionalKeys,
			undefined,
			'',
		);
		return resolved ? String(resolved) : '';
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.credentialTypes.getByName(typeName);
		// Only the first hidden property flagged `expirable` drives the hook; without one it never runs.
		const expirable = credentialType.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (expirable === undefined || typeof credentialType.preAuthentication !== 'function') {
			return undefined;
		}

		const testingCredentials =
			node.type === CREDENTIAL_TEST_NODE_TYPE && node.parameters?.temp === '';
		const mustRun = credentials[expirable.name] === '' || credentialsExpired || testingCredentials;
		if (!mustRun) return undefined;

		this.preAuthenticationCalls.push({
			type: typeName,
			node: node.name,
			credentialsExpired,
			testingCredentials,
		});
		const output = await credentialType.preAuthentication.call(helpers, credentials);

		// A result without the expirable field is ignored entirely (n8n: "else the database will not get updated").
		if (output?.[expirable.name] === undefined) return undefined;

		const nodeCredentials = node.credentials?.[credentialType.name];
		if (!nodeCredentials) return undefined;

		// Persist the refreshed value(s) on top of the *stored* data. Stored expressions other than
		// the expirable field stay expressions (the value they resolved to this run is not written).
		const stored = this.findRow(nodeCredentials, credentialType.name).data;
		const toPersist: ICredentialDataDecryptedObject = { ...stored };
		for (const [key, value] of Object.entries(output)) {
			if (key === expirable.name || !isExpression(stored[key])) {
				toPersist[key] = value as ICredentialDataDecryptedObject[string];
			}
		}
		await this.updateCredentials(nodeCredentials, credentialType.name, toPersist);

		return Object.assign(credentials, output);
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const row = this.findRow(nodeCredentials, type);
		this.store.write(row.id, type, data, 'update');
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const row = this.findRow(nodeCredentials, type);
		this.store.write(
			row.id,
			type,
			{
				...row.data,
				oauthTokenData: deepCopy(data.oauthTokenData),
			} as ICredentialDataDecryptedObject,
			'oauthTokenData',
		);
	}

	/** n8n looks credentials up by id *and* type; the name in the workflow is informational. */
	private findRow(nodeCredentials: INodeCredentialsDetails, type: string): StoredCredential {
		if (!nodeCredentials?.id) {
			throw new UnexpectedError(
				`Found credential with no ID. ("${nodeCredentials?.name ?? ''}", type "${type}"; ` +
					'n8n resolves credentials by ID: give the node `credentials: { <type>: { id, name } }`.)',
			);
		}
		const row = this.store.get(nodeCredentials.id);
		if (!row || row.type !== type) {
			throw new UserError(
				`Credential with ID "${nodeCredentials.id}" does not exist for type "${type}".`,
			);
		}
		return row;
	}
}
