import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { OpenImClient } from '../transport';

/** The credential's sender IDs; the first one is what an empty Sender field means. */
export async function getSenders(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const { senderIDs } = await new OpenImClient(this).settings();
	// '' is the field's default and means "the first sender ID": offer it, so it is never flagged.
	return [{ name: `Default (${senderIDs[0]})`, value: '' }, ...senderIDs.map((id) => ({ name: id, value: id }))];
}
