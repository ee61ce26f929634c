/**
 * Counters the tests and benchmarks read (`stats()` / `GET /_sandbox/stats`). Duplicate tracking
 * exists because the real server has no idempotency (openim-api.md §2.1, §2.6): a client that
 * retries blindly after a lost response stores the message twice, and tests must be able to see it.
 */
import { createHash } from 'node:crypto';

import { goMarshal } from './gojson';
import type { DuplicateEntry, FaultKind, SandboxStats } from './types';

function emptyFaults(): Record<FaultKind, number> {
	return { http500: 0, http429: 0, resetBefore: 0, resetAfter: 0, stall: 0 };
}

const MAX_STARTS = 200_000;
const MAX_FETCH_LOG = 1000;

export class Stats {
	private startedAt = Date.now();
	private total = 0;
	private byPath: Record<string, number> = {};
	private controlRequests = 0;
	private httpStatus: Record<string, number> = {};
	private tokensIssued = 0;
	/** Admin token fetches (/auth/get_admin_token and the v3.0 login) with their operationID, oldest first. */
	private tokenFetchLog: Array<{ at: number; operationID: string }> = [];
	private kicked = 0;
	/** Start times of OpenIM API requests (ms), for the busiest-second figure. */
	private starts: number[] = [];
	private sendsAccepted = 0;
	private batchSendsAccepted = 0;
	private messagesStored = 0;
	private rejectionsTotal = 0;
	private byErrCode: Record<string, number> = {};
	private inFlight = 0;
	private maxInFlight = 0;
	private faults = emptyFaults();
	private opIDs = new Map<string, DuplicateEntry>();
	private payloads = new Map<string, DuplicateEntry>();

	request(path: string): void {
		this.total++;
		if (this.starts.length >= MAX_STARTS) this.starts.splice(0, MAX_STARTS / 2);
		this.starts.push(Date.now());
		this.byPath[path] = (this.byPath[path] ?? 0) + 1;
	}

	control(): void {
		this.controlRequests++;
	}

	enter(): void {
		this.inFlight++;
		if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
	}

	leave(): void {
		this.inFlight--;
	}

	status(code: number): void {
		this.httpStatus[code] = (this.httpStatus[code] ?? 0) + 1;
	}

	rejection(errCode: number): void {
		this.rejectionsTotal++;
		this.byErrCode[errCode] = (this.byErrCode[errCode] ?? 0) + 1;
	}

	fault(kind: FaultKind): void {
		this.faults[kind]++;
	}

	/** `operationID` given: an admin token fetch (kept in tokenFetches, at most MAX_FETCH_LOG). */
	tokenIssued(operationID?: string): void {
		this.tokensIssued++;
		if (operationID === undefined) return;
		if (this.tokenFetchLog.length >= MAX_FETCH_LOG) this.tokenFetchLog.shift();
		this.tokenFetchLog.push({ at: Date.now(), operationID });
	}

	/** Admin tokens v3.8.1's cap marked kicked (sandbox/token.ts). */
	adminTokensKicked(count: number): void {
		this.kicked += count;
	}

	/** Most request starts within any `windowMs` (half-open windows starting at a request). */
	peakStarts(windowMs: number): number {
		let peak = 0;
		for (let first = 0, last = 0; last < this.starts.length; last++) {
			while (this.starts[last] - this.starts[first] >= windowMs) first++;
			peak = Math.max(peak, last - first + 1);
		}
		return peak;
	}

	messageStored(): void {
		this.messagesStored++;
	}

	/** An accepted send (send_msg or batch): counts it and remembers its operationID and payload. */
	sendAccepted(path: string, operationID: string, body: unknown): void {
		if (path.endsWith('batch_send_msg')) this.batchSendsAccepted++;
		else this.sendsAccepted++;
		const bump = (map: Map<string, DuplicateEntry>, key: string) => {
			const k = `${path} ${key}`;
			const e = map.get(k) ?? { key, path, count: 0 };
			e.count++;
			map.set(k, e);
		};
		bump(this.opIDs, operationID);
		bump(this.payloads, createHash('sha256').update(goMarshal(body)).digest('hex').slice(0, 16));
	}

	snapshot(): SandboxStats {
		const dups = (map: Map<string, DuplicateEntry>) =>
			[...map.values()].filter((e) => e.count > 1).map((e) => ({ ...e }));
		const byOperationID = dups(this.opIDs);
		const byPayload = dups(this.payloads);
		const extra = (list: DuplicateEntry[]) => list.reduce((n, e) => n + e.count - 1, 0);
		return {
			startedAt: this.startedAt,
			requests: { total: this.total, byPath: { ...this.byPath } },
			controlRequests: this.controlRequests,
			httpStatus: { ...this.httpStatus },
			tokensIssued: this.tokensIssued,
			tokenFetches: this.tokenFetchLog.map((f) => ({ ...f })),
			adminTokensKicked: this.kicked,
			peakRequestsPerSecond: this.peakStarts(1000),
			sendsAccepted: this.sendsAccepted,
			batchSendsAccepted: this.batchSendsAccepted,
			messagesStored: this.messagesStored,
			rejections: { total: this.rejectionsTotal, byErrCode: { ...this.byErrCode } },
			inFlight: this.inFlight,
			maxInFlight: this.maxInFlight,
			faults: { ...this.faults },
			duplicates: {
				total: Math.max(extra(byOperationID), extra(byPayload)),
				byOperationID,
				byPayload,
			},
		};
	}

	/** Everything back to zero except requests currently in flight. */
	reset(): void {
		const inFlight = this.inFlight;
		Object.assign(this, new Stats());
		this.inFlight = inFlight;
		this.maxInFlight = inFlight;
	}
}
