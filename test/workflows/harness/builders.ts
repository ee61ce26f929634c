/** Small builders for workflows written in test code (JSON fixtures need none of this). */
import type { IConnections, IDataObject } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { MANUAL_TRIGGER_NODE_TYPE, TEST_ITEMS_NODE_TYPE } from './node-types';
import type { HarnessNode, WorkflowInput } from './run-workflow';

/** A Manual Trigger node (`n8n-nodes-base.manualTrigger`). */
export function manualTriggerNode(name = 'Manual Trigger'): HarnessNode {
	return { name, type: MANUAL_TRIGGER_NODE_TYPE, parameters: {} };
}

/** A `test.items` node that emits the given items. */
export function itemsNode(items: IDataObject[], name = 'Items'): HarnessNode {
	return { name, type: TEST_ITEMS_NODE_TYPE, parameters: { items: JSON.stringify(items) } };
}

/** Connects the nodes in order, main output 0 → main input 0. */
export function linearWorkflow(...nodes: HarnessNode[]): WorkflowInput {
	const connections: IConnections = {};
	for (let i = 0; i + 1 < nodes.length; i++) {
		connections[nodes[i].name] = {
			[NodeConnectionTypes.Main]: [
				[{ node: nodes[i + 1].name, type: NodeConnectionTypes.Main, index: 0 }],
			],
		};
	}
	return { nodes, connections };
}
