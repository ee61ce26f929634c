/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- benchmark tooling, not shipped: raw HTTP clients (undici, node:http, node:crypto), process.hrtime */
/**
 * (a) The wire limit: the same sends as the nodes, from a plain Node client outside n8n, with the same
 * concurrency. `rawUndici` keeps `concurrency` connections alive (undici Pool); `rawNewConnection`
 * opens a fresh TCP connection per request (node:http with a new Agent per request, which is what
 * n8n's HTTP helpers do: n8n-core's setAxiosAgents → createHttpProxyAgent → `new http.Agent()` per call).
 */
import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Pool } from 'undici';

import { sendBody, userId } from './workflows';

export interface RawResult {
	sends: number;
	ms: number;
	perSec: number;
	/** Most requests this client had in flight at once. */
	maxInFlight: number;
}

type SendOne = (i: number) => Promise<void>;

async function runBounded(count: number, concurrency: number, sendOne: SendOne): Promise<RawResult> {
	let next = 0;
	let inFlight = 0;
	let maxInFlight = 0;
	const started = process.hrtime.bigint();
	const worker = async () => {
		while (next < count) {
			maxInFlight = Math.max(maxInFlight, ++inFlight);
			try {
				await sendOne(next++);
			} finally {
				inFlight--;
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	return { sends: count, ms, perSec: count / (ms / 1000), maxInFlight };
}

function check(i: number, status: number, text: string): void {
	let errCode: unknown;
	try {
		errCode = (JSON.parse(text) as { errCode?: unknown }).errCode;
	} catch {
		errCode = undefined;
	}
	if (status !== 200 || errCode !== 0) throw new Error(`raw send ${i} failed: HTTP ${status} ${text.slice(0, 300)}`);
}

/** Keep-alive undici Pool with `concurrency` connections. */
export async function rawUndici(baseUrl: string, token: string, count: number, concurrency: number): Promise<RawResult> {
	const pool = new Pool(baseUrl, { connections: concurrency, pipelining: 1 });
	try {
		return await runBounded(count, concurrency, async (i) => {
			const res = await pool.request({
				path: '/msg/send_msg',
				method: 'POST',
				headers: { 'content-type': 'application/json', operationID: `raw-${randomUUID()}`, token },
				body: JSON.stringify(sendBody(userId(i))),
			});
			check(i, res.statusCode, await res.body.text());
		});
	} finally {
		await pool.close();
	}
}

/** node:http, a new Agent (so a new TCP connection) per request, like n8n's helpers. */
export async function rawNewConnection(
	baseUrl: string,
	token: string,
	count: number,
	concurrency: number,
): Promise<RawResult> {
	const url = new URL('/msg/send_msg', baseUrl);
	return await runBounded(count, concurrency, (i) => {
		const body = JSON.stringify(sendBody(userId(i)));
		return new Promise<void>((resolve, reject) => {
			const req = httpRequest(
				url,
				{
					method: 'POST',
					agent: new HttpAgent(),
					headers: {
						'content-type': 'application/json',
						'content-length': Buffer.byteLength(body),
						operationID: `raw-${randomUUID()}`,
						token,
					},
				},
				(res) => {
					let text = '';
					res.setEncoding('utf8');
					res.on('data', (c: string) => (text += c));
					res.on('end', () => {
						try {
							check(i, res.statusCode ?? 0, text);
							resolve();
						} catch (e) {
							reject(e);
						}
					});
					res.on('error', reject);
				},
			);
			req.on('error', reject);
			req.end(body);
		});
	});
}
