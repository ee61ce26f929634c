/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- dev tooling (node:http types, OpenIM error answers), not an n8n node and not shipped */
/**
 * HTTP rules of the OpenIM API (openim-api.md §1.3, §5.2): the `{errCode, errMsg, errDlt, data}`
 * envelope, HTTP 200 for errors except gin's BindJSON 400s, gin's plain-text 404, request bodies read
 * the way a2r.Call (json.Unmarshal) or gin's BindJSON (json.Decoder) read them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';

import { ErrCode, ErrMsg } from '../openim/constants';
import type { Generation } from './generations';
import type { ObjectTable } from './objects';
import { decodeInto, GoJsonError, parseGoJson } from './gojson';
import type { Stats } from './stats';
import type { Store } from './store';
import type { TokenRegistry } from './token';
import type { SandboxConfig } from './types';

/** An OpenIM error answer. errDlt is free text (§1.3); httpStatus is 200 except for bind errors. */
export class ApiError extends Error {
	constructor(
		readonly errCode: number,
		readonly errDlt = '',
		readonly httpStatus = 200,
		readonly errMsg: string = ErrMsg[errCode] ?? 'ServerInternalError',
	) {
		super(`${errCode} ${errMsg} ${errDlt}`.trim());
	}
}

export const argsError = (dlt = '', httpStatus = 200) => new ApiError(ErrCode.Args, dlt, httpStatus);
export const noPermission = (dlt = '') => new ApiError(ErrCode.NoPermission, dlt);
export const notFound = (dlt = '') => new ApiError(ErrCode.RecordNotFound, dlt);

export interface Envelope {
	errCode: number;
	errMsg: string;
	errDlt: string;
	data?: unknown;
}

/** `data` is omitted when there is none (omitempty; data-less responses, §1.3). */
export function success(data?: unknown): Envelope {
	const env: Envelope = { errCode: 0, errMsg: '', errDlt: '' };
	if (data !== undefined) env.data = data;
	return env;
}

export function failure(err: ApiError): Envelope {
	return { errCode: err.errCode, errMsg: err.errMsg, errDlt: err.errDlt };
}

/** Go's json.Marshal escapes <, > and & (HTML-safe); they can only occur inside strings. */
export function goJsonText(value: unknown): string {
	return JSON.stringify(value)
		.replace(/</g, '\\u003c')
		.replace(/>/g, '\\u003e')
		.replace(/&/g, '\\u0026')
		.replace(/\u2028/g, '\\u2028')
		.replace(/\u2029/g, '\\u2029');
}

/**
 * The tools library's CorsHandler runs first for every request (§1.1) and sets these headers,
 * including a bare `content-type: application/json`.
 */
function corsHeaders(res: ServerResponse): void {
	res.setHeader('Access-Control-Allow-Origin', '*');
	res.setHeader('Access-Control-Allow-Methods', '*');
	res.setHeader('Access-Control-Allow-Headers', '*');
	res.setHeader(
		'Access-Control-Expose-Headers',
		'Content-Length, Access-Control-Allow-Origin, Access-Control-Allow-Headers,Cache-Control,Content-Language,Content-Type,Expires,Last-Modified,Pragma,FooBar',
	);
	res.setHeader('Access-Control-Max-Age', '172800');
	res.setHeader('Access-Control-Allow-Credentials', 'false');
	res.setHeader('Content-Type', 'application/json');
}

/**
 * c.JSON sets `application/json; charset=utf-8`, except on the BindJSON 400 path: gin has already
 * written the header there (AbortWithStatus), so the CORS middleware's bare value is what goes out (§5.2).
 */
function envelopeContentType(status: number): string {
	return status === 400 ? 'application/json' : 'application/json; charset=utf-8';
}

export function writeJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	const text = goJsonText(body);
	corsHeaders(res);
	res.writeHead(status, {
		...headers,
		'Content-Type': envelopeContentType(status),
		'Content-Length': Buffer.byteLength(text),
	});
	res.end(text);
}

/** gin's default answer for an unknown route (§5.2). */
export function writeNotFound(res: ServerResponse): void {
	corsHeaders(res);
	res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': 18 });
	res.end('404 page not found');
}

/** `OPTIONS` is answered by the CORS middleware with c.JSON(200, "Options Request!") (§1.1). */
export function writeOptions(res: ServerResponse): void {
	writeJson(res, 200, 'Options Request!');
}

/** Gin's panic recovery: AbortWithStatus(500), an empty body (§5.2). */
export function writeEmpty(res: ServerResponse, status: number): void {
	corsHeaders(res);
	res.writeHead(status, { 'Content-Length': 0 });
	res.end();
}

/** The real server has no body limit (§7); this one stops at 32 MiB to protect the test process. */
const MAX_BODY = 32 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (c: Buffer) => {
			size += c.length;
			if (size > MAX_BODY) {
				reject(new ApiError(ErrCode.ServerInternal, 'request body too large for the sandbox'));
				req.destroy();
				return;
			}
			chunks.push(c);
		});
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

/* ---------- request context ---------- */

/** Everything a route may touch. */
export interface SandboxState {
	/** The OpenIM generation emulated (sandbox/generations.ts); the shared v3.8 routes branch on it. */
	generation: Generation;
	config: SandboxConfig;
	store: Store;
	stats: Stats;
	tokens: TokenRegistry;
	/** Object records and the storage beside the sandbox; absent when started without storage. */
	objects?: ObjectTable;
}

/** The caller, as the token middleware established it. */
export interface AuthInfo {
	userID: string;
	platformID: number;
	token: string;
	/** userID is in imAdminUserID (authverify.IsAppManagerUid). */
	isAdmin: boolean;
}

export interface RouteContext {
	path: string;
	body: string;
	operationID: string;
	auth?: AuthInfo;
	state: SandboxState;
	/** The request's headers (the object routes build URLs from Host / X-Request-Api). */
	headers?: IncomingMessage['headers'];
}

export interface RouteResult {
	/** undefined → no `data` key (data-less response). */
	data?: unknown;
}

export type RouteHandler = (ctx: RouteContext) => RouteResult | Promise<RouteResult>;
export type RouteTable = Record<string, RouteHandler>;

/* ---------- body decoding ---------- */

export interface BodyTarget<S extends z.ZodType> {
	/** Go type name for error text, e.g. `auth.GetAdminTokenReq`. */
	goName: string;
	schema: S;
}

function decodeBody<S extends z.ZodType>(
	text: string,
	target: BodyTarget<S>,
	mode: 'unmarshal' | 'decoder',
	httpStatus: number,
): z.infer<S> {
	let value: z.infer<S>;
	try {
		value = decodeInto<z.infer<S>>(parseGoJson(text, mode), target);
	} catch (e) {
		if (e instanceof GoJsonError) throw argsError(e.message, httpStatus);
		throw e;
	}
	return value;
}

/** The zod wire schema is the last word on the decoded shape (a mismatch is a sandbox bug → 1001). */
function assertShape<S extends z.ZodType>(value: unknown, target: BodyTarget<S>, httpStatus: number): z.infer<S> {
	const parsed = target.schema.safeParse(value);
	if (!parsed.success) {
		const first = parsed.error.issues[0];
		throw argsError(`${target.goName}: ${first?.path.join('.')}: ${first?.message}`, httpStatus);
	}
	return parsed.data;
}

/**
 * a2r.Call handlers: json.Unmarshal into the protobuf struct, then the struct's Check() (§5.1:
 * failures are 1001). `check` returns the Check() error text, if any.
 */
export function a2rBody<S extends z.ZodType>(
	ctx: RouteContext,
	target: BodyTarget<S>,
	check?: (req: z.infer<S>) => string | undefined,
): z.infer<S> {
	const value = decodeBody(ctx.body, target, 'unmarshal', 200);
	const problem = check?.(value);
	if (problem) throw argsError(problem);
	return assertShape(value, target, 200);
}

/**
 * gin's c.BindJSON (§5.2): json.Decoder, then the `binding` tags; any failure aborts with HTTP 400
 * before OpenIM writes its envelope (errCode 1001, the Go error text in errDlt).
 * `binding` returns validator errors, one per line.
 */
export function bindJSON<S extends z.ZodType>(
	ctx: RouteContext,
	target: BodyTarget<S>,
	binding: (req: z.infer<S>) => string[],
): z.infer<S> {
	const value = decodeBody(ctx.body, target, 'decoder', 400);
	const problems = binding(value);
	if (problems.length) throw argsError(problems.join('\n'), 400);
	return assertShape(value, target, 400);
}

/** go-playground/validator's FieldError text. */
export function validatorError(namespace: string, field: string, tag: string): string {
	return `Key: '${namespace}' Error:Field validation for '${field}' failed on the '${tag}' tag`;
}

/* ---------- permission helpers ---------- */

export function requireAuth(ctx: RouteContext): AuthInfo {
	// The token middleware guarantees this for every non-whitelisted route.
	if (!ctx.auth) throw argsError('header must have token');
	return ctx.auth;
}

/** authverify.CheckAdmin: the token's user must be in imAdminUserID. */
export function requireAdmin(ctx: RouteContext, dlt?: string): AuthInfo {
	const auth = requireAuth(ctx);
	if (!auth.isAdmin) throw noPermission(dlt ?? `user ${auth.userID} is not admin userID`);
	return auth;
}

/** RequestPagination / GetAllUserIDReq Check() texts (protocol sdkws.go, user.go). */
export function paginationProblem(p: { pageNumber: number; showNumber: number } | null | undefined): string | undefined {
	if (!p) return 'pagination is empty';
	if (p.pageNumber < 1) return 'pageNumber is invalid';
	return undefined;
}

/** A page the way the Mongo helpers cut it; showNumber ≤ 0 gives an empty page (§4). */
export function paginate<T>(items: T[], p: { pageNumber: number; showNumber: number }): T[] {
	if (p.showNumber <= 0) return [];
	const start = (p.pageNumber - 1) * p.showNumber;
	return items.slice(start, start + p.showNumber);
}
