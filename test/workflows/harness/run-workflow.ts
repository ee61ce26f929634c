/**
 * `runWorkflow`: executes a workflow with n8n-core's real `WorkflowExecute` and n8n-workflow's
 * real `Workflow`, with real node execution contexts, expressions and HTTP helpers. Only the
 * parts that n8n's CLI owns (database, credential storage, node loading) are replaced.
 */
import { ExecutionLifecycleHooks, ExternalSecretsProxy, WorkflowExecute } from 'n8n-core';
import type {
	ExecutionError,
	ExecutionStatus,
	ICredentialType,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeType,
	IPinData,
	IRun,
	IRunData,
	ITaskData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
	IConnections,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { UnexpectedError, Workflow, deepCopy } from 'n8n-workflow';

import type { CredentialSeed } from './credential-store';
import { CredentialStore } from './credential-store';
import { CredentialTypeRegistry, defaultCredentialTypes } from './credential-types';
import { HarnessCredentialsHelper } from './credentials-helper';
import { prepareEngine } from './engine';
import { HarnessNodeTypes, builtInNodeTypes } from './node-types';
import type { WorkflowJson } from './workflow-file';

/** A node as tests write it: `id`, `typeVersion` and `position` may be left out. */
export type HarnessNode = Omit<INode, 'id' | 'typeVersion' | 'position'> &
	Partial<Pick<INode, 'id' | 'typeVersion' | 'position'>>;

export interface WorkflowInput {
	nodes: HarnessNode[];
	connections: IConnections;
	name?: string;
	id?: string;
	settings?: IWorkflowSettings;
	pinData?: IPinData;
	staticData?: IDataObject | string | null;
}

export interface RunWorkflowOptions {
	/** Credentials by credential id (the id the workflow's nodes reference). Seeds/overwrites the store. */
	credentials?: Record<string, CredentialSeed>;
	/** Reuse a store, e.g. `previous.credentialStore`, to see what an earlier run persisted. */
	credentialStore?: CredentialStore;
	/** Extra node types by full type name, in addition to the built-in helpers. */
	nodeTypes?: Record<string, INodeType | IVersionedNodeType>;
	/** Extra credential types for this run, in addition to `registerCredentialType` ones. */
	credentialTypes?: ICredentialType[];
	/**
	 * n8n execution mode. Default 'manual' (an editor run: the Manual Trigger fires through its
	 * `trigger()`); `n8n execute --id` uses 'cli'.
	 */
	mode?: WorkflowExecuteMode;
	/** Run only up to and including this node. */
	destinationNode?: string;
	/** Pin data; defaults to the workflow's own `pinData`. Pass `false` to ignore it. */
	pinData?: IPinData | false;
	/** `$vars` */
	variables?: IDataObject;
	/** The execution's id (default: a new one per run); reuse one to continue what a waiting run began. */
	executionId?: string;
}

export interface WorkflowRunResult {
	/** 'success' when n8n reports success (node errors handled by continue-on-fail included). */
	status: 'success' | 'error';
	/** n8n's own execution status. */
	executionStatus: ExecutionStatus;
	/** The execution error (the failing node's error, with `.message` and `.node`). */
	error?: ExecutionError;
	runData: IRunData;
	/** Names of the nodes that ran, in order (one entry per node run). */
	executedNodes: string[];
	lastNodeExecuted?: string;
	/** Items a node emitted on an output; throws with a useful message if it did not run or failed. */
	output(nodeName: string, outputIndex?: number, runIndex?: number): INodeExecutionData[];
	/** `output(...).map(i => i.json)` */
	json(nodeName: string, outputIndex?: number, runIndex?: number): IDataObject[];
	/** The error a node run ended with, if any (also set when the engine stopped the workflow there). */
	nodeError(nodeName: string, runIndex?: number): ExecutionError | undefined;
	/** Stored credentials after the run (what n8n would have in its database). */
	credentialStore: CredentialStore;
	/** The credentials helper used (for `reads` / `preAuthenticationCalls`). */
	credentialsHelper: HarnessCredentialsHelper;
	/** The raw `IRun` from `WorkflowExecute`. */
	run: IRun;
}

const HARNESS_BASE_URL = 'http://127.0.0.1:5678';
let executionCounter = 0;

function normalizeNodes(nodes: HarnessNode[]): INode[] {
	return nodes.map((node, index) => ({
		...deepCopy(node as INode),
		id: node.id ?? `harness-node-${index}`,
		typeVersion: node.typeVersion ?? 1,
		position: node.position ?? [index * 220, 0],
		parameters: deepCopy(node.parameters ?? {}),
	}));
}

function parseStaticData(staticData: WorkflowInput['staticData']): IDataObject | undefined {
	if (!staticData) return undefined;
	return typeof staticData === 'string'
		? (JSON.parse(staticData) as IDataObject)
		: deepCopy(staticData);
}

/** The additional data n8n's CLI builds in `WorkflowExecuteAdditionalData.getBase()`, minus the database. */
export function createAdditionalData(
	credentialsHelper: HarnessCredentialsHelper,
	options: {
		executionId: string;
		hooks?: ExecutionLifecycleHooks;
		variables?: IDataObject;
	},
): IWorkflowExecuteAdditionalData {
	const unsupported = (what: string) => async () => {
		throw new UnexpectedError(`${what} is not supported by the in-process workflow harness`);
	};
	return {
		credentialsHelper,
		hooks: options.hooks,
		executionId: options.executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${HARNESS_BASE_URL}/rest`,
		instanceBaseUrl: `${HARNESS_BASE_URL}/`,
		formWaitingBaseUrl: `${HARNESS_BASE_URL}/form-waiting`,
		webhookBaseUrl: `${HARNESS_BASE_URL}/webhook`,
		webhookWaitingBaseUrl: `${HARNESS_BASE_URL}/webhook-waiting`,
		webhookTestBaseUrl: `${HARNESS_BASE_URL}/webhook-test`,
		variables: options.variables ?? {},
		externalSecretsProxy: new ExternalSecretsProxy(),
		executeWorkflow: unsupported('Executing a sub-workflow'),
		getRunExecutionData: async () => undefined,
		logAiEvent: () => undefined,
		startRunnerTask: unsupported('Running a task runner (Code node)'),
	} as IWorkflowExecuteAdditionalData;
}

export async function runWorkflow(
	workflowInput: WorkflowInput | WorkflowJson,
	options: RunWorkflowOptions = {},
): Promise<WorkflowRunResult> {
	prepareEngine();

	const credentialStore = options.credentialStore ?? new CredentialStore();
	if (options.credentials) credentialStore.seed(options.credentials);

	const credentialTypes = new CredentialTypeRegistry();
	for (const name of defaultCredentialTypes.names()) {
		credentialTypes.register(defaultCredentialTypes.getByName(name));
	}
	credentialTypes.register(...(options.credentialTypes ?? []));
	const credentialsHelper = new HarnessCredentialsHelper(credentialStore, credentialTypes);

	const nodeTypes = new HarnessNodeTypes({ ...builtInNodeTypes(), ...(options.nodeTypes ?? {}) });
	const mode = options.mode ?? 'manual';
	const executionId = options.executionId ?? `harness-${++executionCounter}`;

	const nodes = normalizeNodes(workflowInput.nodes as HarnessNode[]);
	const settings: IWorkflowSettings = { executionOrder: 'v1', ...(workflowInput.settings ?? {}) };
	const workflowId = typeof workflowInput.id === 'string' ? workflowInput.id : 'harness-workflow';
	const workflowName =
		typeof workflowInput.name === 'string' ? workflowInput.name : 'Harness workflow';
	const pinData =
		options.pinData === false ? undefined : (options.pinData ?? workflowInput.pinData ?? undefined);

	const workflow = new Workflow({
		id: workflowId,
		name: workflowName,
		nodes,
		connections: deepCopy(workflowInput.connections),
		active: false,
		nodeTypes,
		settings,
		staticData: parseStaticData(workflowInput.staticData as WorkflowInput['staticData']),
		pinData,
	});

	const now = new Date();
	const workflowData: IWorkflowBase = {
		id: workflowId,
		name: workflowName,
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: now,
		updatedAt: now,
		nodes,
		connections: deepCopy(workflowInput.connections),
		settings,
		pinData,
	};
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	const executedNodes: string[] = [];
	hooks.addHandler('nodeExecuteAfter', (nodeName: string) => {
		executedNodes.push(nodeName);
	});

	const additionalData = createAdditionalData(credentialsHelper, {
		executionId,
		hooks,
		variables: options.variables,
	});

	const workflowExecute = new WorkflowExecute(additionalData, mode);
	const run = await workflowExecute.run(
		workflow,
		undefined,
		options.destinationNode ? { nodeName: options.destinationNode, mode: 'inclusive' } : undefined,
		pinData,
	);

	return buildResult(run, executedNodes, credentialStore, credentialsHelper);
}

function buildResult(
	run: IRun,
	executedNodes: string[],
	credentialStore: CredentialStore,
	credentialsHelper: HarnessCredentialsHelper,
): WorkflowRunResult {
	const { runData, error, lastNodeExecuted } = run.data.resultData;

	const describeRun = () => {
		const ran = executedNodes.length ? executedNodes.join(' → ') : '(no node ran)';
		return `Nodes run: ${ran}.${error ? ` Execution error: ${error.message}` : ''}`;
	};

	const taskOf = (nodeName: string, runIndex: number): ITaskData => {
		const runs = runData[nodeName];
		if (!runs) throw new UnexpectedError(`Node "${nodeName}" did not run. ${describeRun()}`);
		const task = runs[runIndex];
		if (!task) {
			throw new UnexpectedError(
				`Node "${nodeName}" has no run ${runIndex} (it ran ${runs.length} time(s)).`,
			);
		}
		return task;
	};

	const output = (nodeName: string, outputIndex = 0, runIndex = 0): INodeExecutionData[] => {
		const task = taskOf(nodeName, runIndex);
		if (task.error && !task.data) {
			throw new UnexpectedError(
				`Node "${nodeName}" failed: ${task.error.message}. ${describeRun()}`,
			);
		}
		return task.data?.main?.[outputIndex] ?? [];
	};

	return {
		status: run.status === 'success' ? 'success' : 'error',
		executionStatus: run.status,
		error: error as ExecutionError | undefined,
		runData,
		executedNodes,
		lastNodeExecuted,
		output,
		json: (nodeName, outputIndex, runIndex) =>
			output(nodeName, outputIndex, runIndex).map((item) => item.json),
		nodeError: (nodeName, runIndex = 0) => runData[nodeName]?.[runIndex]?.error,
		credentialStore,
		credentialsHelper,
		run,
	};
}
