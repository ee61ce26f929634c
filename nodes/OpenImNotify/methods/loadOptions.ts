import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { OpenImClient } from '../transport';

/** The credential's sender IDs; the first one is what an empty Sender field means. */
export async function getSenders(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const { senderIDs } = await new OpenImClient(this).settings();
	return senderIDs.map((id, index) => ({
		name: index === 0 ? `${id} (default)` : id,
		value: id,
	}));
}
