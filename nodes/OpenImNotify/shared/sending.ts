import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { Path } from '../../../openim/constants';
import type { SendMsgReq, SendMsgResp } from '../../../openim/wire';
import { OpenImClient, newOperationID } from '../transport';
import type { ConfirmedSend, OpenImSettings } from '../transport';
import type { FileUpload } from './binary';
import { clientOptions } from './fields';
import { ItemInput } from './input';
import { messageIDs, recipientGate, sendToMany, STORED_FOR_NOBODY, storedForNobody } from './recipients';
import type { Recipients } from './recipients';
import { runPerItem } from './run';
import { UserDirectory } from './users';

/** OpenIM's message queue takes about 1 MB per message (openim-api.md §7); stay well below it. */
const MAX_REQUEST_BYTES = 900_000;

export interface BuiltSend {
	request: SendMsgReq;
	/** Absent for a group message (one request to the group). */
	recipients?: Recipients;
	/** Files from binary data, uploaded just before the send; their URLs complete the request. */
	uploads?: FileUpload[];
}

const V2_NOTE =
	'OpenIM v2: a send whose answer is lost is not retried, since v2 cannot be asked whether it arrived (no /msg/check_msg_is_send_success).';

/** The output item of one send to one user or group. */
export function sendResult(data: SendMsgResp | ConfirmedSend, request: SendMsgReq, operationID: string): IDataObject {
	const target = request.groupID ? { groupID: request.groupID } : { recvID: request.recvID ?? null };
	return { delivered: true, ...messageIDs(data), sendID: request.sendID, ...target, operationID };
}

/**
 * Every send operation: build one request per item (field checks, nothing sent), then send — to
 * one user or group, or fanned out to many users — each item once its explicit recipients are
 * known to exist (checked alongside the sends).
 */
export async function runSends(
	ctx: IExecuteFunctions,
	what: 'notification' | 'message',
	build: (input: ItemInput, settings: OpenImSettings, directory: UserDirectory, client: OpenImClient) => Promise<BuiltSend>,
): Promise<INodeExecutionData[]> {
	const { concurrency, ...transport } = clientOptions(ctx);
	const client = new OpenImClient(ctx, transport);
	const directory = new UserDirectory(client);
	const settings = await client.settings();

	return await runPerItem<BuiltSend & { operationID: string }>(ctx, {
		concurrency,
		server: client,
		prepare: async (itemIndex) => {
			const input = new ItemInput(ctx, itemIndex);
			const built = await build(input, settings, directory, client);
			if (Buffer.byteLength(JSON.stringify(built.request)) > MAX_REQUEST_BYTES) {
				input.fail('Text', `makes the ${what} too large (over ${MAX_REQUEST_BYTES} bytes)`, 'OpenIM\'s message queue takes about 1 MB per message. Send long content as a link.');
			}
			return { ...built, operationID: newOperationID() };
		},
		gate: (jobs) => recipientGate(ctx, directory, jobs, what),
		identify: ({ request, operationID }) => ({
			...(request.groupID ? { groupID: request.groupID } : { recvID: request.recvID ?? null }),
			sendID: request.sendID,
			operationID,
		}),
		send: async ({ request, recipients, operationID, uploads }, itemIndex) => {
			// An upload that fails fails the item: nothing is sent without its file.
			const files: IDataObject[] = [];
			for (const upload of uploads ?? []) files.push(await upload(client));
			const withFiles = (output: IDataObject | IDataObject[]) =>
				files.length === 0 ? output : Array.isArray(output) ? output.map((item) => ({ ...item, files })) : { ...output, files };
			let output: IDataObject | IDataObject[];
			if (recipients && recipients.mode !== 'user') {
				output = await sendToMany(ctx, client, request as unknown as IDataObject, recipients, itemIndex, what);
			} else {
				const data = await client.call<SendMsgResp | ConfirmedSend>(Path.SendMsg, request as unknown as IDataObject, { operationID, itemIndex, send: true });
				if (storedForNobody(data)) {
					throw new NodeOperationError(ctx.getNode(), `The ${what} to "${request.recvID ?? request.groupID ?? ''}" reached nobody [item ${itemIndex}]`, { itemIndex, description: `${STORED_FOR_NOBODY}.` });
				}
				output = sendResult(data, request, operationID);
			}
			output = withFiles(output);
			const profile = await client.profile();
			if (profile.family !== 'v2') return output;
			// v2 gives weaker guarantees: say so on every item it produced.
			const marks = { serverVersion: profile.label, note: V2_NOTE };
			return Array.isArray(output) ? output.map((item) => ({ ...item, ...marks })) : { ...output, ...marks };
		},
	});
}
