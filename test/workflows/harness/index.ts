/**
 * In-process workflow test harness: real n8n engine (n8n-core `WorkflowExecute`, n8n-workflow
 * `Workflow`, real expressions and HTTP helpers), test-owned credentials and node types.
 * See README.md in this folder.
 */
export { runWorkflow, createAdditionalData } from './run-workflow';
export type {
	HarnessNode,
	RunWorkflowOptions,
	WorkflowInput,
	WorkflowRunResult,
} from './run-workflow';
export { testCredentials } from './credential-test';
export { listSearch } from './list-search';
export type { ListSearchOptions } from './list-search';
export type { TestCredentialsOptions, CredentialTestResult } from './credential-test';
export { CredentialStore } from './credential-store';
export type { CredentialSeed, CredentialWrite, StoredCredential } from './credential-store';
export {
	CredentialTypeRegistry,
	defaultCredentialTypes,
	registerCredentialType,
} from './credential-types';
export {
	CREDENTIAL_TEST_NODE_TYPE,
	HarnessCredentialsHelper,
	PlainCredentials,
} from './credentials-helper';
export {
	HarnessNodeTypes,
	MANUAL_TRIGGER_NODE_TYPE,
	ManualTrigger,
	NO_OP_NODE_TYPE,
	NoOp,
	PACKAGE_NAME,
	TEST_ITEMS_NODE_TYPE,
	TestItems,
	builtInNodeTypes,
	packageNodeTypes,
} from './node-types';
export { HARNESS_INSTANCE_ID, prepareEngine } from './engine';
export { SET_NODE_TYPE, SPLIT_OUT_NODE_TYPE, SetStandIn, SplitOutStandIn } from './base-nodes';
export { REPO_ROOT, loadCredentialsFile, loadWorkflowFile } from './workflow-file';
export type { WorkflowJson } from './workflow-file';
export { itemsNode, linearWorkflow, manualTriggerNode } from './builders';
