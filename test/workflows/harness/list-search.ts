/**
 * `listSearch`: what the editor does to fill a resource locator's "From List" mode
 * (packages/cli's DynamicNodeParametersService): n8n-core's `LoadOptionsContext` on the node,
 * with its credentials, calling the node type's `methods.listSearch[method]`.
 */
import { LoadOptionsContext } from 'n8n-core';
import type { ICredentialType, INodeListSearchResult, INodeParameters, INodeType } from 'n8n-workflow';
import { UnexpectedError, Workflow } from 'n8n-workflow';

import type { CredentialStore } from './credential-store';
import { CredentialTypeRegistry, defaultCredentialTypes } from './credential-types';
import { HarnessCredentialsHelper } from './credentials-helper';
import { prepareEngine } from './engine';
import { createAdditionalData } from './run-workflow';

export interface ListSearchOptions {
	nodeType: INodeType;
	credentialStore: CredentialStore;
	credentialTypes?: ICredentialType[];
	/** The node's credentials, e.g. `{ openImApi: { id, name } }`. */
	credentials: Record<string, { id: string; name: string }>;
	parameters?: INodeParameters;
}

export async function listSearch(
	method: string,
	options: ListSearchOptions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	prepareEngine();
	const search = options.nodeType.methods?.listSearch?.[method];
	if (!search) throw new UnexpectedError(`The node has no listSearch method "${method}"`);
	const credentialTypes = new CredentialTypeRegistry();
	for (const known of defaultCredentialTypes.names()) credentialTypes.register(defaultCredentialTypes.getByName(known));
	credentialTypes.register(...(options.credentialTypes ?? []));
	const helper = new HarnessCredentialsHelper(options.credentialStore, credentialTypes);
	const { description } = options.nodeType;
	const node = {
		id: 'list-search',
		name: description.defaults.name ?? description.displayName,
		type: description.name,
		typeVersion: Array.isArray(description.version) ? description.version[description.version.length - 1] : description.version,
		position: [0, 0] as [number, number],
		parameters: options.parameters ?? {},
		credentials: options.credentials,
	};
	const nodeTypes = {
		getByName: () => options.nodeType,
		getByNameAndVersion: () => options.nodeType,
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const additionalData = createAdditionalData(helper, { executionId: 'list-search' });
	const context = new LoadOptionsContext(workflow, node, additionalData, 'parameters');
	return await search.call(context, filter, paginationToken);
}
