import { createHash } from 'crypto';
import { sleep } from 'n8n-workflow';

import { isTokenFresh } from './token';

/**
 * What all executions in this n8n process share per OpenIM API credential: the newest admin token
 * known here, the one token fetch in flight, the tokens OpenIM refused, and the credential-level
 * request pacing ("Max Requests Per Second (per n8n Process)"). Nodes get nothing shared between n8n
 * processes except the credential itself (stored in n8n's database), so workers meet only there.
 */
export interface SharedCredential {
	/** The newest token this process fetched or read from the stored credential. */
	token?: string;
	/** What Auto-Detect stored with that token (v3.8 / v3.0 / v2 / v2.0). */
	detectedVersion?: unknown;
	/** When `token` was obtained: token errors of requests sent before then are about an older copy. */
	tokenSince: number;
	/** The token fetch in flight in this process: every execution waits for it instead of fetching. */
	fetching?: Promise<string>;
	/** Tokens OpenIM answered 1501–1507 to, newest last (a few are enough). */
	rejected: string[];
	/** When the last fetch of this process finished (fetches are at least MIN_FETCH_INTERVAL_MS apart). */
	lastFetchAt: number;
	/** Token fetches done by this process for this credential (tests, benchmarks). */
	fetches: number;
	/** Earliest start of the next request under the credential-level limit. */
	nextStartAt: number;
}

const REJECTED_KEPT = 8;

/**
 * A fetch right after another one means the new token failed at once (kicked, a clock far off):
 * fetching faster would only kick more tokens on v3.8.1.
 */
export const MIN_FETCH_INTERVAL_MS = 1000;

/** Workers that see the same token fail at once spread their fetches over this window. */
export const FETCH_JITTER_MS = 250;

const states = new Map<string, SharedCredential>();

/**
 * The identity of a credential in this process: its n8n ID plus what decides which OpenIM account
 * it logs in as. Hashed, so the secret never sits in a map key; a changed secret or URL is another
 * entry (its old tokens do not carry over).
 */
export function credentialKey(credentialID: string, data: Record<string, unknown>): string {
	const identity = JSON.stringify([credentialID, data.baseUrl, data.adminUserID, data.secret, data.serverVersion]);
	return createHash('sha256').update(identity).digest('hex');
}

export function sharedCredential(key: string): SharedCredential {
	let state = states.get(key);
	if (!state) {
		state = { tokenSince: 0, rejected: [], lastFetchAt: 0, fetches: 0, nextStartAt: 0 };
		states.set(key, state);
	}
	return state;
}

/** Fresh by its `exp` and not refused by OpenIM. */
export function isUsable(state: SharedCredential, token: unknown): token is string {
	return typeof token === 'string' && token !== '' && isTokenFresh(token) && !state.rejected.includes(token);
}

export function markRejected(state: SharedCredential, token: string): void {
	if (state.rejected.includes(token)) return;
	state.rejected.push(token);
	if (state.rejected.length > REJECTED_KEPT) state.rejected.shift();
}

/** A token just fetched or read from the store: the one every execution here uses from now on. */
export function adopt(state: SharedCredential, token: string, detectedVersion: unknown, now = Date.now()): void {
	if (state.token !== token || state.rejected.includes(token)) state.tokenSince = now;
	state.token = token;
	if (detectedVersion) state.detectedVersion = detectedVersion;
	// OpenIM issues the same string twice within one second, and a re-issued token is valid again.
	state.rejected = state.rejected.filter((t) => t !== token);
}

/** Full jitter for the wait before a fetch. */
export const fetchJitter = (): number => Math.floor(Math.random() * FETCH_JITTER_MS);

/**
 * Waits for the next request start allowed by `perSecond` across everything that shares `pacer`
 * (0 or less: no limit). Start times are booked in order, 1/perSecond apart.
 */
export async function pace(pacer: { nextStartAt: number }, perSecond: number): Promise<void> {
	if (!(perSecond > 0)) return;
	const now = Date.now();
	const startAt = Math.max(now, pacer.nextStartAt);
	pacer.nextStartAt = startAt + 1000 / perSecond;
	if (startAt > now) await sleep(startAt - now);
}

/** Token fetches done by this process, all credentials (tests and benchmarks read it). */
export function processTokenFetches(): number {
	let total = 0;
	for (const state of states.values()) total += state.fetches;
	return total;
}
