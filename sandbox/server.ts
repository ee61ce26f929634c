/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- dev tooling (timers, node:http, plain errors), not an n8n node and not shipped */
/**
 * The OpenIM sandbox: an OpenIM-compatible HTTP server (v3.8.x, ../shared/reference/openim-api.md)
 * for the demo, the tests and the benchmarks. Built on node:http only.
 *
 * Request pipeline, mirroring the gin router (§1.1): control plane (`/_sandbox/*`) → CORS/OPTIONS →
 * non-POST → 404 → faults → operationID check → token check (whitelist by prefix) → route or 404.
 * Like gin, the middlewares run before the 404, so an unknown POST path without a token answers 1001
 * `header must have token` ("Findings": version detection relies on it). That holds from v3.8.0, whose
 * token middleware is global; v3.0 mode (v3.2) has only the operationID middleware globally, the token
 * check sits on the route groups, so there an unknown path is a plain 404 whatever the token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ErrCode, Header } from '../openim/constants';
import { ConfigInputSchema, handleControl } from './control';
import { FaultInjector } from './faults';
import {
	ApiError,
	argsError,
	failure,
	readBody,
	type RouteContext,
	type RouteTable,
	type SandboxState,
	success,
	writeEmpty,
	writeJson,
	writeNotFound,
	writeOptions,
	type Envelope,
} from './http';
import { isV3Legacy, resolveGeneration, rewriteV30Body, routesFor, whitelistFor, type Generation } from './generations';
import { OBJECT_GET_PREFIX, OpenImPath, TOKEN_WHITELIST } from './paths';
import { authRoutes, issueAdminToken, parseToken } from './routes/auth';
import { conversationRoutes } from './routes/conversation';
import { groupRoutes } from './routes/group';
import { msgRoutes } from './routes/msg';
import { handleObjectGet, objectRoutes } from './routes/object';
import { ObjectTable } from './objects';
import { startStorage, type ObjectStorage } from './storage';
import { userRoutes } from './routes/user';
import { applySeed } from './seed';
import { Stats } from './stats';
import { Store } from './store';
import { TokenRegistry } from './token';
import { handleV2, V2_TABLE } from './v2';
import { V20_TABLE, V20_TOKEN_LIFETIME_SECONDS } from './v20';
import { WebhookDispatcher, webhookEventsSince, webhookMark } from './webhooks';
import type {
	SandboxConfig,
	SandboxConfigInput,
	SandboxGroup,
	SandboxMessage,
	SandboxOptions,
	SandboxStats,
	SandboxUser,
	SeedGroup,
	SeedUser,
} from './types';

export type * from './types';

export const DEFAULT_OPTIONS: SandboxOptions = {
	host: '127.0.0.1',
	port: 0,
	secret: 'openIM123',
	adminUserIDs: ['imAdmin'],
	// 90 days, the tokenPolicy.expire default (§1.5)
	tokenLifetimeSeconds: 7776000,
	seed: 'default',
	createAdmins: true,
	faults: {},
};

/** `configure()`'s answer: the runtime configuration without the secret. */
export type SandboxConfigView = Omit<SandboxConfig, 'secret'> & {
	secretLength: number;
	/* webhooks (sandbox/webhooks.ts) */
	webhookUrl: string | null;
	webhookEvents: string[] | null;
	webhookTimeoutMs: number;
	/** msg-transfer's lag before a message gets its seq (sandbox/store.ts). */
	seqDelayMs: number;
};

export interface Sandbox {
	/** http://host:port, no trailing slash: the credential's baseUrl. */
	readonly url: string;
	readonly host: string;
	readonly port: number;
	/** The in-memory database (users, groups, messages). */
	readonly store: Store;
	close(): Promise<void>;
	/** Messages delivered to `userID`, oldest first (copies). */
	inbox(userID: string): SandboxMessage[];
	/** Every message accepted, oldest first (copies). */
	messages(): SandboxMessage[];
	stats(): SandboxStats;
	/** Adds or updates users (no OpenIM rules apply). */
	seedUsers(users: SeedUser[]): SandboxUser[];
	/** Adds or updates groups; members by ID, the first is the owner unless ownerUserID is given. */
	seedGroups(groups: SeedGroup[]): SandboxGroup[];
	/** Every token issued so far answers 1501 from now on; new tokens work. */
	expireTokens(): void;
	/** Back to the seed state: data, tokens, statistics, configuration and faults. */
	reset(seed?: 'default' | 'none'): void;
	/** Changes the runtime configuration (see SandboxConfigInput). */
	configure(partial: SandboxConfigInput): SandboxConfigView;
	config(): SandboxConfigView;
	/** Issues an admin token without HTTP (for tests; counted in stats.tokensIssued). */
	issueAdminToken(userID?: string): string;
	/** OpenIM's after-callbacks (sandbox/webhooks.ts): `configure({webhookUrl})` turns them on. */
	readonly webhooks: WebhookDispatcher;
	/** The object storage (option `storage`): its URL is where presigned uploads go. */
	readonly storage?: ObjectStorage;
	/** OpenIM's object records (option `storage`). */
	readonly objects?: ObjectTable;
}

const ROUTES: RouteTable = { ...authRoutes, ...msgRoutes, ...conversationRoutes, ...userRoutes, ...groupRoutes, ...objectRoutes };

function header(req: IncomingMessage, name: string): string {
	// Go's Header.Get is case-insensitive; Node lower-cases incoming names.
	const v = req.headers[name.toLowerCase()];
	return (Array.isArray(v) ? v[0] : v) ?? '';
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

class SandboxServer implements Sandbox {
	readonly store = new Store();
	private readonly stats_ = new Stats();
	private readonly tokens = new TokenRegistry();
	private readonly faults = new FaultInjector();
	readonly webhooks: WebhookDispatcher;
	private readonly state: SandboxState;
	private cfg: SandboxConfig;
	/** Authenticated requests so far, and the one at which tokens expire (expireTokensAtRequest). */
	private authCount = 0;
	private expireAt: number | null = null;
	private readonly timers = new Set<ReturnType<typeof setTimeout>>();
	private server!: Server;
	url = '';
	host = '';
	port = 0;
	storage?: ObjectStorage;
	objects?: ObjectTable;

	constructor(private readonly options: SandboxOptions) {
		this.cfg = this.initialConfig();
		this.state = {
			generation: (options.generation ?? 'v3.8') as Generation,
			config: this.cfg,
			store: this.store,
			stats: this.stats_,
			tokens: this.tokens,
		};
		this.faults.configure(options.faults);
		this.webhooks = new WebhookDispatcher(options.log);
		applySeed(this.store, options.seed, options.adminUserIDs, options.createAdmins);
	}

	private initialConfig(): SandboxConfig {
		const o = this.options;
		return {
			secret: o.secret,
			adminUserIDs: [...o.adminUserIDs],
			tokenLifetimeSeconds: o.tokenLifetimeSeconds,
			expireTokensAtRequest: null,
			faults: { ...o.faults },
			adminTokenCap: o.adminTokenCap ?? null,
		};
	}

	async listen(): Promise<void> {
		if (this.options.storage) {
			this.storage = await startStorage({ host: this.options.host, minPartSize: this.options.minPartSize });
			this.objects = new ObjectTable(this.storage);
			this.state.objects = this.objects;
		}
		this.server = createServer((req, res) => {
			this.handle(req, res).catch((e: unknown) => {
				// A bug in the sandbox: answer like gin's panic recovery and keep serving.
				this.options.log?.(`sandbox error: ${e instanceof Error ? e.stack : String(e)}`);
				if (!res.headersSent) writeEmpty(res, 500);
				else res.destroy();
			});
		});
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(this.options.port, this.options.host, () => {
				this.server.off('error', reject);
				resolve();
			});
		});
		const addr = this.server.address() as AddressInfo;
		this.host = this.options.host;
		this.port = addr.port;
		const hostForUrl = addr.family === 'IPv6' ? `[${addr.address}]` : this.options.host;
		this.url = `http://${hostForUrl}:${addr.port}`;
	}

	/* ---------- request pipeline ---------- */

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
		if (path === '/_sandbox' || path.startsWith('/_sandbox/')) {
			this.stats_.control();
			return handleControl(this, req, res, path);
		}
		const stats = this.stats_;
		stats.request(path);
		stats.enter();
		let left = false;
		const leave = () => {
			if (!left) {
				left = true;
				stats.leave();
			}
		};
		res.once('close', leave);
		try {
			await this.pipeline(req, res, path);
		} finally {
			if (res.writableEnded || res.destroyed) leave();
		}
	}

	private async pipeline(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
		const stats = this.stats_;
		if (req.method === 'OPTIONS') return writeOptions(res);
		if (req.method === 'GET' && path.startsWith(OBJECT_GET_PREFIX) && this.objects) {
			stats.status(302);
			return handleObjectGet(this.objects, req, res, path);
		}
		if (req.method !== 'POST') {
			// The only GETs of the real API (prometheus, /object/*) are out of scope; the rest is 404.
			req.resume();
			stats.status(404);
			return writeNotFound(res);
		}
		const fault = this.faults.pick(path);
		if (fault) stats.fault(fault);
		if (fault === 'resetBefore') {
			req.socket.destroy();
			return;
		}
		if (fault === 'http500') {
			req.resume();
			stats.status(500);
			return writeEmpty(res, 500);
		}
		if (fault === 'http429') {
			req.resume();
			stats.status(429);
			return writeJson(
				res,
				429,
				{ errCode: 429, errMsg: 'TooManyRequests', errDlt: 'too many requests' },
				{ 'Retry-After': String(this.faults.retryAfterSeconds) },
			);
		}
		if (fault === 'stall') await this.sleep(this.faults.stallMs);
		if (res.destroyed) return;

		let outcome: { status: number; envelope: Envelope } | 'not-found';
		try {
			const body = await readBody(req);
			outcome = await this.process(req, path, body);
		} catch (e) {
			if (!(e instanceof ApiError)) throw e;
			outcome = { status: e.httpStatus, envelope: failure(e) };
		}
		if (fault === 'resetAfter') {
			// Processed (a send is stored), then the connection dies without an answer.
			req.socket.destroy();
			return;
		}
		if (outcome === 'not-found') {
			stats.status(404);
			this.options.log?.(`POST ${path} → 404`);
			return writeNotFound(res);
		}
		const { status, envelope } = outcome;
		stats.status(status);
		if (envelope.errCode !== 0) stats.rejection(envelope.errCode);
		this.options.log?.(`POST ${path} → ${status} errCode ${envelope.errCode}`);
		writeJson(res, status, envelope);
	}

	/** operationID middleware → token middleware → handler (§1.2). */
	private async process(
		req: IncomingMessage,
		path: string,
		body: string,
	): Promise<{ status: number; envelope: Envelope } | 'not-found'> {
		const generation = (this.options.generation ?? 'v3.8') as Generation;
		if (generation === 'v2' || generation === 'v2.0') {
			// v2: no operationID/token middlewares; each handler binds its body (sandbox/v2.ts, v20.ts).
			// v2 envelopes have no errDlt: written as they are.
			const table = generation === 'v2.0' ? V20_TABLE : V2_TABLE;
			const answer = await handleV2(this.state, path, body, header(req, Header.Token), ROUTES[OpenImPath.SendMsg], table);
			return answer as { status: number; envelope: Envelope } | 'not-found';
		}
		const operationID = header(req, Header.OperationID);
		if (!operationID) throw argsError('header must have operationID');
		const ctx: RouteContext = { path, body, operationID, state: this.state, headers: req.headers };
		const handler = routesFor(generation, ROUTES)[path];
		// v3.0–v3.2 (route.go): no global token middleware, so gin's 404 comes before any token check.
		if (!handler && isV3Legacy(generation)) return 'not-found';
		if (!whitelistFor(generation, TOKEN_WHITELIST).some((p) => path.startsWith(p))) {
			const token = header(req, Header.Token);
			if (!token) throw argsError('header must have token');
			this.authCount++;
			if (this.expireAt !== null && this.authCount >= this.expireAt) {
				this.tokens.expireAll();
				this.expireAt = null;
			}
			const claims = parseToken(ctx, token);
			ctx.auth = {
				userID: claims.userID,
				platformID: claims.platformID,
				token,
				isAdmin: this.cfg.adminUserIDs.includes(claims.userID),
			};
		}
		if (!handler) return 'not-found';
		ctx.body = rewriteV30Body(generation, path, body);
		// webhooks: what the handler stored, read synchronously so no other request interleaves.
		const mark = webhookMark(this.store);
		const pending = handler(ctx);
		const hooks = this.webhooks.active ? webhookEventsSince(this.store, mark, path, operationID, body) : [];
		const result = await pending;
		for (const hook of hooks) this.webhooks.fire(hook.event, hook.body, operationID);
		return { status: 200, envelope: success(result.data) };
	}

	private sleep(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const t = setTimeout(() => {
				this.timers.delete(t);
				resolve();
			}, ms);
			this.timers.add(t);
		});
	}

	/* ---------- in-process accessors ---------- */

	inbox(userID: string): SandboxMessage[] {
		return clone(this.store.inbox(userID));
	}

	messages(): SandboxMessage[] {
		return clone(this.store.messages);
	}

	stats(): SandboxStats {
		return { ...this.stats_.snapshot(), webhooks: this.webhooks.stats() };
	}

	seedUsers(users: SeedUser[]): SandboxUser[] {
		return users.map((u) => ({ ...this.store.upsertUser(u) }));
	}

	seedGroups(groups: SeedGroup[]): SandboxGroup[] {
		return groups.map((g) => clone(this.store.upsertGroup(g)));
	}

	expireTokens(): void {
		this.tokens.expireAll();
	}

	reset(seed: 'default' | 'none' = this.options.seed): void {
		this.store.clear();
		applySeed(this.store, seed, this.options.adminUserIDs, this.options.createAdmins);
		this.tokens.reset();
		this.stats_.reset();
		Object.assign(this.cfg, this.initialConfig());
		this.faults.configure(this.cfg.faults);
		this.authCount = 0;
		this.expireAt = null;
		this.webhooks.reset();
		this.objects?.clear();
		this.storage?.misconfigureSecret(undefined);
	}

	configure(partial: SandboxConfigInput): SandboxConfigView {
		const input = ConfigInputSchema.parse(partial);
		if (input.secret !== undefined) this.cfg.secret = input.secret;
		if (input.tokenLifetimeSeconds !== undefined) this.cfg.tokenLifetimeSeconds = input.tokenLifetimeSeconds;
		if (input.expireTokensAtRequest !== undefined) {
			this.expireAt = input.expireTokensAtRequest === null ? null : this.authCount + input.expireTokensAtRequest;
		}
		if (input.adminTokenCap !== undefined) this.cfg.adminTokenCap = input.adminTokenCap;
		if (input.faults !== undefined) {
			this.cfg.faults = { ...input.faults };
			this.faults.configure(this.cfg.faults);
		}
		if (input.webhookUrl !== undefined) this.webhooks.configure({ url: input.webhookUrl });
		if (input.webhookEvents !== undefined) this.webhooks.configure({ events: input.webhookEvents });
		if (input.webhookTimeoutMs !== undefined) this.webhooks.configure({ timeoutMs: input.webhookTimeoutMs });
		if (input.seqDelayMs !== undefined) this.store.seqDelayMs = input.seqDelayMs;
		return this.config();
	}

	config(): SandboxConfigView {
		const { secret, ...rest } = this.cfg;
		return {
			...clone(rest),
			expireTokensAtRequest: this.expireAt === null ? null : this.expireAt - this.authCount,
			faults: this.faults.config,
			secretLength: secret.length,
			webhookUrl: this.webhooks.config().url,
			webhookEvents: this.webhooks.config().events,
			webhookTimeoutMs: this.webhooks.config().timeoutMs,
			seqDelayMs: this.store.seqDelayMs,
		};
	}

	issueAdminToken(userID: string = this.cfg.adminUserIDs[0]): string {
		if (!this.cfg.adminUserIDs.includes(userID)) throw new ApiError(ErrCode.Args, 'userID is error.');
		return issueAdminToken(this.state, userID);
	}

	close(): Promise<void> {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		this.webhooks.close();
		const closed = new Promise<void>((resolve, reject) => {
			if (!this.server?.listening) return resolve();
			this.server.close((err) => (err ? reject(err) : resolve()));
			this.server.closeAllConnections();
		});
		return closed.then(async () => await this.storage?.close());
	}
}

/** Starts a sandbox; `port: 0` (the default) picks a free port. */
export async function startSandbox(options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
	const merged: SandboxOptions = {
		...DEFAULT_OPTIONS,
		...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
	};
	merged.faults = ConfigInputSchema.shape.faults.parse(merged.faults ?? {}) ?? {};
	// v2.0–v2.1 shipped tokenpolicy.accessExpire 3650 (days); an explicit lifetime still wins.
	if (merged.generation === 'v2.0' && options.tokenLifetimeSeconds === undefined) {
		merged.tokenLifetimeSeconds = V20_TOKEN_LIFETIME_SECONDS;
	}
	// 'v3.8.1' = the v3.8 mode with v3.8.1's capped admin token store.
	Object.assign(merged, resolveGeneration(merged.generation, merged.adminTokenCap));
	const sandbox = new SandboxServer(merged);
	await sandbox.listen();
	return sandbox;
}
