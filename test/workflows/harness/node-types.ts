/* eslint-disable @n8n/community-nodes/node-usable-as-tool -- harness helper nodes, never offered to AI agents or shipped */
/**
 * Node types for the harness: a small `INodeTypes` registry plus built-in helper nodes so
 * tests need no n8n-nodes-base.
 *
 * Type names are the full names n8n uses in workflow JSON (`<package>.<name>`), e.g.
 * `n8n-nodes-base.manualTrigger`, `n8n-nodes-openim.openImNotify`.
 */
import { DirectoryLoader } from 'n8n-core';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	ITriggerFunctions,
	ITriggerResponse,
	IVersionedNodeType,
} from 'n8n-workflow';
import {
	NodeConnectionTypes,
	NodeHelpers,
	NodeOperationError,
	UnexpectedError,
	jsonParse,
} from 'n8n-workflow';

import { SET_NODE_TYPE, SPLIT_OUT_NODE_TYPE, SetStandIn, SplitOutStandIn } from './base-nodes';

/** npm package name of this repository; n8n prefixes its node type names with it. */
export const PACKAGE_NAME = 'n8n-nodes-openim';

export const MANUAL_TRIGGER_NODE_TYPE = 'n8n-nodes-base.manualTrigger';
export const NO_OP_NODE_TYPE = 'n8n-nodes-base.noOp';
export const TEST_ITEMS_NODE_TYPE = 'test.items';

/** Same behaviour as n8n's Manual Trigger: one empty item when the workflow is run. */
export class ManualTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		icon: 'fa:mouse-pointer',
		group: ['trigger'],
		version: 1,
		description: 'Runs the flow on clicking a button in n8n',
		maxNodes: 1,
		defaults: { name: 'When clicking ‘Execute workflow’' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const manualTriggerFunction = async () => {
			this.emit([this.helpers.returnJsonArray([{}])]);
		};
		return { manualTriggerFunction };
	}
}

/** Passes its input through unchanged, like n8n's No Operation node. */
export class NoOp implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'No Operation, do nothing',
		name: 'noOp',
		icon: 'fa:arrow-right',
		group: ['organization'],
		version: 1,
		description: 'No Operation',
		defaults: { name: 'No Operation, do nothing' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

/**
 * Emits fixed items: parameter `items` is a JSON array of objects (a string, or an expression
 * such as `={{ [{ "userId": "alice" }] }}`). Every emitted item is paired with input item 0,
 * so downstream `$('Node').item` lookups work as they would after a Code node.
 */
export class TestItems implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Test Items',
		name: 'items',
		icon: 'fa:list',
		group: ['transform'],
		version: 1,
		description: 'Outputs the items given as JSON (harness helper)',
		defaults: { name: 'Items' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'Items (JSON Array)',
				name: 'items',
				type: 'json',
				default: '[]',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as string | IDataObject | IDataObject[];
		const parsed: unknown =
			typeof raw === 'string'
				? jsonParse(raw, { errorMessage: 'Parameter "items" is not valid JSON' })
				: raw;
		const list = Array.isArray(parsed) ? parsed : [parsed];
		return [
			list.map((json, index) => {
				if (json === null || typeof json !== 'object' || Array.isArray(json)) {
					throw new NodeOperationError(
						this.getNode(),
						`Item ${index} of parameter "items" must be a JSON object`,
					);
				}
				return { json: json as IDataObject, pairedItem: { item: 0 } };
			}),
		];
	}
}

/** Fresh instances of every built-in node type, keyed by full type name. */
export function builtInNodeTypes(): Record<string, INodeType> {
	return {
		[MANUAL_TRIGGER_NODE_TYPE]: new ManualTrigger(),
		[NO_OP_NODE_TYPE]: new NoOp(),
		[TEST_ITEMS_NODE_TYPE]: new TestItems(),
		[SET_NODE_TYPE]: new SetStandIn(),
		[SPLIT_OUT_NODE_TYPE]: new SplitOutStandIn(),
	};
}

/** `{ 'n8n-nodes-openim.<description.name>': instance }` for this package's node classes. */
export function packageNodeTypes(
	...nodes: Array<INodeType | IVersionedNodeType>
): Record<string, INodeType | IVersionedNodeType> {
	return Object.fromEntries(
		nodes.map((node) => [`${PACKAGE_NAME}.${node.description.name}`, node]),
	);
}

const prepared = new WeakSet<object>();

/**
 * What n8n's loader does to a node class once at load time that matters for execution:
 * declarative (routing) nodes get the common `requestOptions` parameters.
 */
function prepareForExecution(type: INodeType | IVersionedNodeType): void {
	if (prepared.has(type)) return;
	prepared.add(type);
	const versions = 'nodeVersions' in type ? Object.values(type.nodeVersions) : [type];
	for (const version of versions) DirectoryLoader.applyDeclarativeNodeOptionParameters(version);
}

export class HarnessNodeTypes implements INodeTypes {
	private readonly types: Record<string, INodeType | IVersionedNodeType>;

	constructor(types: Record<string, INodeType | IVersionedNodeType>) {
		this.types = { ...types };
		Object.values(this.types).forEach(prepareForExecution);
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types[nodeType];
		if (!type) {
			throw new UnexpectedError(
				`Unrecognized node type: ${nodeType}. Pass it in runWorkflow({ nodeTypes: { '${nodeType}': new MyNode() } }).` +
					` Known: ${Object.keys(this.types).join(', ')}`,
			);
		}
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return Object.fromEntries(
			Object.keys(this.types).map((name) => [name, { className: name, sourcePath: '' }]),
		);
	}
}
