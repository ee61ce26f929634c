/* eslint-disable @n8n/community-nodes/node-usable-as-tool, @n8n/community-nodes/icon-validation, @n8n/community-nodes/require-node-description-fields, @n8n/community-nodes/no-credential-reuse, @n8n/community-nodes/no-restricted-globals -- benchmark-only throwaway node (bench/floor-node), never published or shown in an editor: no icon, subtitle or AI-tool use; its Settle operation calls the GC the benchmark probe puts on globalThis; it borrows n8n-nodes-openim's openImApi credential in the benchmark's own n8n to time the httpRequestWithAuthentication path */
/**
 * The floor of issue #6 (benchmark (d)): the least any node can do to send one OpenIM notification per
 * item through n8n's HTTP stack. Per item: one expression (the recipient) and one
 * `this.helpers.httpRequest` with the same JSON body, headers and concurrency bound as OpenIM Notify.
 * No validation, no token refresh: the token comes from a prior node (read once).
 * Transport "With Authentication" sends the same request through `httpRequestWithAuthentication` with
 * the openImApi credential (as OpenIM Notify does), to measure what that path costs per request.
 * Operation "Read Binary" (issue #12) only reads each item's binary with `getBinaryDataBuffer` and
 * holds it until the node ends: n8n's own copy of a file, the memory floor of any node that uploads it.
 * Operation "Settle" passes its items on after a full GC (the benchmark probe's __openimBenchGc, when
 * exposed), so the measured node after it starts without the garbage of the nodes before it;
 * operation "Mark", right after the measured node, has the probe take a sample (its peak RSS) and
 * passes the items' JSON on (no binary: the run data n8n prints stays smaller).
 * Packed and installed into the benchmark's n8n by bench/lib/floor.ts; never part of the package.
 */
import { randomUUID } from 'crypto';
import { NodeConnectionTypes } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

export class OpenImBenchFloor implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OpenIM Bench Floor',
		name: 'openImBenchFloor',
		group: ['output'],
		version: 1,
		description: 'Benchmark only: one httpRequest per item to /msg/send_msg',
		defaults: { name: 'OpenIM Bench Floor' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'openImApi', required: false }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Read Binary', value: 'readBinary', action: 'Read each item binary' },
					{ name: 'Send', value: 'send', action: 'Send one request per item' },
					{ name: 'Settle', value: 'settle', action: 'Collect garbage and pass the items on' },
					{ name: 'Mark', value: 'mark', action: 'Sample memory and pass the items on' },
				],
				default: 'send',
			},
			{
				displayName: 'Binary Field',
				name: 'binaryProperty',
				type: 'string',
				default: 'data',
				description: 'Input binary field to read',
				displayOptions: { show: { operation: ['readBinary'] } },
			},
			{
				displayName: 'Transport',
				name: 'transport',
				type: 'options',
				options: [
					{ name: 'httpRequest', value: 'httpRequest' },
					{ name: 'With Authentication (openImApi)', value: 'withAuthentication' },
				],
				default: 'httpRequest',
			},
			{
				displayName: 'URL',
				name: 'url',
				type: 'string',
				default: '',
				description: 'Full URL of /msg/send_msg',
			},
			{
				displayName: 'Token',
				name: 'token',
				type: 'string',
				typeOptions: { password: true },
				default: '',
				description: 'Admin token (read from the first item only)',
			},
			{
				displayName: 'Recipient',
				name: 'recvID',
				type: 'string',
				default: '',
				description: 'Recipient user ID (evaluated per item)',
			},
			{
				displayName: 'Body (JSON)',
				name: 'body',
				type: 'string',
				default: '{}',
				description: 'The send_msg body without recvID (read from the first item only)',
			},
			{
				displayName: 'Max Concurrent Requests',
				name: 'maxConcurrency',
				type: 'number',
				default: 8,
				description: 'How many requests may be in flight at once',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0, 'send');
		if (operation === 'readBinary') return [await readBinaries(this)];
		if (operation === 'settle') {
			const gc = (globalThis as { __openimBenchGc?: () => void }).__openimBenchGc;
			// Twice: the first pass finalises ArrayBuffers whose memory the second one frees for good.
			gc?.();
			gc?.();
			return [this.getInputData()];
		}
		if (operation === 'mark') {
			(globalThis as { __openimBenchMark?: () => void }).__openimBenchMark?.();
			return [this.getInputData().map((item, i) => ({ json: item.json, pairedItem: { item: i } }))];
		}
		const count = this.getInputData().length;
		const url = this.getNodeParameter('url', 0) as string;
		const token = this.getNodeParameter('token', 0) as string;
		const template = JSON.parse(this.getNodeParameter('body', 0) as string) as IDataObject;
		const concurrency = Math.max(1, Number(this.getNodeParameter('maxConcurrency', 0)) || 8);
		const withAuth = this.getNodeParameter('transport', 0) === 'withAuthentication';
		const credentialRef = this.getNode().credentials?.openImApi;
		const creds = withAuth ? { ...(await this.getCredentials('openImApi')) } : undefined;
		const out: INodeExecutionData[] = new Array(count);
		let next = 0;
		const worker = async () => {
			while (next < count) {
				const i = next++;
				const recvID = this.getNodeParameter('recvID', i) as string;
				const request = {
					method: 'POST' as const,
					url,
					headers: withAuth ? { operationID: `n8n-${randomUUID()}` } : { operationID: `n8n-${randomUUID()}`, token },
					body: { ...template, recvID },
					json: true,
				};
				const res = (
					creds
						? await this.helpers.httpRequestWithAuthentication.call(this, 'openImApi', request, {
								credentialsDecrypted: { id: credentialRef?.id ?? '', name: credentialRef?.name ?? '', type: 'openImApi', data: creds },
							})
						: await this.helpers.httpRequest(request)
				) as { errCode: number; errMsg?: string; data?: IDataObject };
				if (res.errCode !== 0) throw new Error(`send_msg failed for item ${i}: errCode ${res.errCode} ${res.errMsg ?? ''}`);
				out[i] = { json: res.data ?? {}, pairedItem: { item: i } };
			}
		};
		await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
		return [out];
	}
}

/** Every item's binary as one Buffer, all held to the end (as a node holding its files until sent). */
async function readBinaries(ctx: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const property = ctx.getNodeParameter('binaryProperty', 0, 'data') as string;
	const held: Buffer[] = [];
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < ctx.getInputData().length; i++) {
		const data = await ctx.helpers.getBinaryDataBuffer(i, property);
		held.push(data);
		out.push({ json: { bytes: data.length }, pairedItem: { item: i } });
	}
	return out;
}
