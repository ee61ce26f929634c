import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { Path } from '../../../openim/constants';
import type { SendMsgReq, SendMsgResp } from '../../../openim/wire';
import { OpenImClient, newOperationID } from '../transport';
import type { ConfirmedSend, OpenImSettings } from '../transport';
import type { FileUpload } from './binary';
import { clientOptions } from './fields';
import { formatFields } from './format';
import type { DeliveredPart, DeliveryFormat, SendPart } from './format';
import { ItemInput } from './input';
import { messageIDs, recipientGate, sendToMany, STORED_FOR_NOBODY, storedForNobody } from './recipients';
import type { Recipients } from './recipients';
import { asNodeError, runPerItem } from './run';
import { UserDirectory } from './users';

/** OpenIM's message queue takes about 1 MB per message (openim-api.md §7); stay well below it. */
const MAX_REQUEST_BYTES = 900_000;

export interface BuiltSend {
	request: SendMsgReq;
	/** Absent for a group message (one request to the group). */
	recipients?: Recipients;
	/** Files from binary data, uploaded just before the send; their URLs complete the request. */
	uploads?: FileUpload[];
	/** A notification's Delivery Format and its messages in sending order (the first is `request`). */
	format?: DeliveryFormat;
	/** Built again after the uploads, which write their URLs into the content (a chat text quotes them). */
	parts?: () => SendPart[];
}

/** Says which messages had gone out when a later one of the same send failed: they are not undone. */
export function noteDelivered(error: unknown, done: DeliveredPart[]): void {
	if (done.length === 0 || error === null || typeof error !== 'object') return;
	const sent = done.map((part) => `${part.role} (clientMsgID ${String(part.ids.clientMsgID)})`).join(', ');
	const target = error as { description?: string | null };
	target.description = `${target.description ? `${target.description} ` : ''}Already delivered before this failure: ${sent}.`;
}

const V2_NOTE =
	'OpenIM v2: a send whose answer is lost is not retried, since v2 cannot be asked whether it arrived (no /msg/check_msg_is_send_success).';

/** The output item of one send to one user or group. */
export function sendResult(data: SendMsgResp | ConfirmedSend, request: SendMsgReq, operationID: string): IDataObject {
	const target = request.groupID ? { groupID: request.groupID } : { recvID: request.recvID ?? null };
	return { delivered: true, ...messageIDs(data), sendID: request.sendID, ...target, operationID };
}

/**
 * One send to one user or group: its messages in order (a chat text before its picture), the first
 * with the prepared operationID. The output is the first message's IDs plus the format's fields.
 */
export async function sendParts(
	ctx: IExecuteFunctions,
	client: OpenImClient,
	parts: SendPart[],
	operationID: string,
	itemIndex: number,
	what: string,
	format?: DeliveryFormat,
): Promise<IDataObject> {
	const done: DeliveredPart[] = [];
	let first: IDataObject | undefined;
	for (const part of parts) {
		const partOperationID = done.length === 0 ? operationID : newOperationID();
		let data: SendMsgResp | ConfirmedSend;
		try {
			data = await client.call<SendMsgResp | ConfirmedSend>(Path.SendMsg, part.request as unknown as IDataObject, {
				operationID: partOperationID,
				itemIndex,
				send: true,
			});
		} catch (error) {
			noteDelivered(error, done);
			throw asNodeError(ctx, error, itemIndex);
		}
		if (storedForNobody(data)) {
			const to = part.request.recvID ?? part.request.groupID ?? '';
			const error = new NodeOperationError(ctx.getNode(), `The ${what} to "${to}" reached nobody [item ${itemIndex}]`, { itemIndex, description: `${STORED_FOR_NOBODY}.` });
			noteDelivered(error, done);
			throw error;
		}
		first ??= sendResult(data, part.request, partOperationID);
		done.push({ role: part.role, ids: { ...messageIDs(data), operationID: partOperationID } });
	}
	const request = parts[0].request;
	return { ...(first as IDataObject), ...(format ? formatFields(format, request.sendID, request.recvID ?? '', done) : {}) };
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
			if ((built.parts?.() ?? [built]).some((part) => Buffer.byteLength(JSON.stringify(part.request)) > MAX_REQUEST_BYTES)) {
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
		send: async ({ request, recipients, operationID, uploads, format, parts }, itemIndex) => {
			// An upload that fails fails the item: nothing is sent without its file.
			const files: IDataObject[] = [];
			for (const upload of uploads ?? []) files.push(await upload(client));
			const withFiles = (output: IDataObject | IDataObject[]) =>
				files.length === 0 ? output : Array.isArray(output) ? output.map((item) => ({ ...item, files })) : { ...output, files };
			let output: IDataObject | IDataObject[];
			const all: SendPart[] = parts?.() ?? [{ role: 'card', request }];
			if (recipients && recipients.mode !== 'user') {
				output = await sendToMany(ctx, client, all, recipients, itemIndex, what, format);
			} else {
				output = await sendParts(ctx, client, all, operationID, itemIndex, what, format);
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
