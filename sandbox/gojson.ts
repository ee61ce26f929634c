/* eslint-disable @n8n/community-nodes/require-node-api-error -- dev tooling (Go-style errors for the sandbox), not an n8n node and not shipped */
/**
 * Go's encoding/json, as far as OpenIM's answers depend on it (openim-api.md §1.1, §1.3, §5.2):
 * - syntax errors with Go's wording (`unexpected end of JSON input`, `invalid character 'x' …`), in the
 *   two flavours the server uses: json.Unmarshal (a2r handlers) and json.Decoder (gin's BindJSON);
 * - decoding into a typed struct whose shape comes from a zod schema in openim/wire.ts: case-insensitive
 *   key matching, unknown keys ignored, missing fields zero-valued, type mismatches reported as
 *   `json: cannot unmarshal string into Go struct field X.y of type int32`;
 * - marshalling a map the way Go does (sorted keys, HTML-safe escapes), which is how content is stored.
 */
import type { z } from 'zod';

export class GoJsonError extends Error {}

/* ---------- syntax ---------- */

const WS = new Set([' ', '\t', '\n', '\r']);

function quoteChar(c: string): string {
	if (c === "'") return "'\\''";
	if (c === '"') return '\'"\'';
	return `'${JSON.stringify(c).slice(1, -1)}'`;
}

/** Truncated input: json.Unmarshal and json.Decoder word it differently. */
class Eof extends Error {}

class Scanner {
	pos = 0;
	depth = 0;
	constructor(private readonly s: string) {}

	private ch(): string | undefined {
		return this.s[this.pos];
	}

	ws(): void {
		while (this.pos < this.s.length && WS.has(this.s[this.pos])) this.pos++;
	}

	private bad(c: string, where: string): never {
		throw new GoJsonError(`invalid character ${quoteChar(c)} ${where}`);
	}

	private need(): string {
		const c = this.ch();
		if (c === undefined) throw new Eof();
		return c;
	}

	value(): void {
		this.ws();
		const c = this.need();
		if (c === '{') return this.object();
		if (c === '[') return this.array();
		if (c === '"') return this.string();
		if (c === '-' || (c >= '0' && c <= '9')) return this.number();
		if (c === 't') return this.literal('true');
		if (c === 'f') return this.literal('false');
		if (c === 'n') return this.literal('null');
		this.bad(c, 'looking for beginning of value');
	}

	private nest(): void {
		if (++this.depth > 10000) throw new GoJsonError('exceeded max depth');
	}

	private object(): void {
		this.nest();
		this.pos++;
		this.ws();
		if (this.need() === '}') {
			this.pos++;
			this.depth--;
			return;
		}
		for (;;) {
			this.ws();
			const k = this.need();
			if (k !== '"') this.bad(k, 'looking for beginning of object key string');
			this.string();
			this.ws();
			const colon = this.need();
			if (colon !== ':') this.bad(colon, 'after object key');
			this.pos++;
			this.value();
			this.ws();
			const sep = this.need();
			this.pos++;
			if (sep === '}') break;
			if (sep !== ',') this.bad(sep, 'after object key:value pair');
		}
		this.depth--;
	}

	private array(): void {
		this.nest();
		this.pos++;
		this.ws();
		if (this.need() === ']') {
			this.pos++;
			this.depth--;
			return;
		}
		for (;;) {
			this.value();
			this.ws();
			const sep = this.need();
			this.pos++;
			if (sep === ']') break;
			if (sep !== ',') this.bad(sep, 'after array element');
		}
		this.depth--;
	}

	private string(): void {
		this.pos++;
		for (;;) {
			const c = this.need();
			this.pos++;
			if (c === '"') return;
			if (c < ' ') this.bad(c, 'in string literal');
			if (c === '\\') {
				const e = this.need();
				this.pos++;
				if (e === 'u') {
					for (let i = 0; i < 4; i++) {
						const h = this.need();
						if (!/[0-9a-fA-F]/.test(h)) this.bad(h, 'in \\u hexadecimal character escape');
						this.pos++;
					}
				} else if (!'"\\/bfnrt'.includes(e)) {
					this.bad(e, 'in string escape code');
				}
			}
		}
	}

	private digits(): number {
		const start = this.pos;
		while (this.pos < this.s.length && this.s[this.pos] >= '0' && this.s[this.pos] <= '9') this.pos++;
		return this.pos - start;
	}

	private number(): void {
		if (this.ch() === '-') {
			this.pos++;
			const c = this.need();
			if (!(c >= '0' && c <= '9')) this.bad(c, 'in numeric literal');
		}
		if (this.ch() === '0') this.pos++;
		else this.digits();
		if (this.ch() === '.') {
			this.pos++;
			const c = this.need();
			if (!(c >= '0' && c <= '9')) this.bad(c, 'after decimal point in numeric literal');
			this.digits();
		}
		if (this.ch() === 'e' || this.ch() === 'E') {
			this.pos++;
			if (this.ch() === '+' || this.ch() === '-') this.pos++;
			const c = this.need();
			if (!(c >= '0' && c <= '9')) this.bad(c, 'in exponent of numeric literal');
			this.digits();
		}
	}

	private literal(word: string): void {
		for (let i = 0; i < word.length; i++) {
			const c = this.need();
			if (c !== word[i]) this.bad(c, `in literal ${word} (expecting ${quoteChar(word[i])})`);
			this.pos++;
		}
	}
}

/**
 * Parses a request body like Go. `unmarshal` = json.Unmarshal (used by a2r.Call handlers);
 * `decoder` = json.Decoder.Decode (gin's BindJSON), which reads only the first value and says `EOF`
 * for an empty body.
 */
export function parseGoJson(text: string, mode: 'unmarshal' | 'decoder'): unknown {
	const sc = new Scanner(text);
	sc.ws();
	if (sc.pos >= text.length) throw new GoJsonError(mode === 'decoder' ? 'EOF' : 'unexpected end of JSON input');
	const start = sc.pos;
	try {
		sc.value();
	} catch (e) {
		if (e instanceof Eof) {
			throw new GoJsonError(mode === 'decoder' ? 'unexpected EOF' : 'unexpected end of JSON input');
		}
		throw e;
	}
	const end = sc.pos;
	if (mode === 'unmarshal') {
		sc.ws();
		if (sc.pos < text.length) {
			throw new GoJsonError(`invalid character ${quoteChar(text[sc.pos])} after top-level value`);
		}
	}
	return JSON.parse(text.slice(start, end));
}

/* ---------- typed decoding driven by the zod wire schemas ---------- */

/** Fields the Go structs declare as int64; everything else numeric is int32 (error text and range only). */
const INT64_FIELDS = new Set([
	'sendTime',
	'createTime',
	'size',
	'dataSize',
	'videoSize',
	'snapshotSize',
	'fileSize',
	'duration',
	'expireTimeSeconds',
	'serverTime',
	'joinTime',
	'notificationUpdateTime',
]);

type AnySchema = z.ZodType;

interface Def {
	type: string;
	innerType?: AnySchema;
	shape?: Record<string, AnySchema>;
	element?: AnySchema;
}

function defOf(schema: AnySchema): Def {
	return (schema as unknown as { def: Def }).def;
}

/** Strips optional/nullable/default wrappers; `pointer` is true when null is a legal value. */
export function unwrapSchema(schema: AnySchema): { schema: AnySchema; pointer: boolean } {
	let s = schema;
	let pointer = false;
	for (;;) {
		const d = defOf(s);
		if ((d.type === 'optional' || d.type === 'default' || d.type === 'nullable') && d.innerType) {
			if (d.type === 'nullable') pointer = true;
			s = d.innerType;
			continue;
		}
		return { schema: s, pointer };
	}
}

export function objectShape(schema: AnySchema): Record<string, AnySchema> | undefined {
	const d = defOf(unwrapSchema(schema).schema);
	return d.type === 'object' ? d.shape : undefined;
}

function jsonKind(v: unknown): string {
	if (Array.isArray(v)) return 'array';
	if (v === null) return 'null';
	if (typeof v === 'object') return 'object';
	if (typeof v === 'boolean') return 'bool';
	return typeof v;
}

function capitalize(s: string): string {
	return s.charAt(0).toUpperCase() + s.slice(1);
}

function goTypeName(schema: AnySchema, key: string): string {
	const { schema: s, pointer } = unwrapSchema(schema);
	const d = defOf(s);
	switch (d.type) {
		case 'string':
			return 'string';
		case 'number':
			return INT64_FIELDS.has(key) ? 'int64' : 'int32';
		case 'boolean':
			return 'bool';
		case 'array':
			return `[]${d.element ? goTypeName(d.element, key) : 'interface {}'}`;
		case 'record':
			return 'map[string]interface {}';
		case 'object':
			return `${pointer ? '*' : ''}${capitalize(key)}`;
		default:
			return 'interface {}';
	}
}

export interface DecodeTarget {
	/** Go type of the request struct, e.g. `apistruct.SendMsgReq` (only used in error text). */
	goName: string;
	schema: AnySchema;
}

/** The zero value Go leaves in a field the JSON did not set. */
export function zeroValue(schema: AnySchema): unknown {
	const { schema: s, pointer } = unwrapSchema(schema);
	if (pointer) return null;
	const d = defOf(s);
	switch (d.type) {
		case 'string':
			return '';
		case 'number':
			return 0;
		case 'boolean':
			return false;
		case 'object': {
			const out: Record<string, unknown> = {};
			for (const [k, v] of Object.entries(d.shape ?? {})) out[k] = zeroValue(v);
			return out;
		}
		default:
			// slices, maps and interfaces are nil
			return null;
	}
}

/** Finds the struct field for a JSON key: exact name first, then case-insensitive (encoding/json). */
export function matchField(shape: Record<string, unknown>, key: string): string | undefined {
	if (Object.prototype.hasOwnProperty.call(shape, key)) return key;
	const lower = key.toLowerCase();
	return Object.keys(shape).find((k) => k.toLowerCase() === lower);
}

class Decoder {
	constructor(private readonly structName: string) {}

	private fail(value: unknown, path: string[], type: string): never {
		const what = typeof value === 'number' ? `number ${value}` : jsonKind(value);
		const where = path.length ? `Go struct field ${this.structName}.${path.join('.')}` : `Go value`;
		throw new GoJsonError(`json: cannot unmarshal ${what} into ${where} of type ${type}`);
	}

	decode(value: unknown, schema: AnySchema, path: string[], key: string, topName?: string): unknown {
		const { schema: s } = unwrapSchema(schema);
		const d = defOf(s);
		const typeName = topName ?? goTypeName(schema, key);
		if (value === null) return zeroValue(schema);
		switch (d.type) {
			case 'string':
				if (typeof value !== 'string') this.fail(value, path, typeName);
				return value;
			case 'number': {
				if (typeof value !== 'number') this.fail(value, path, typeName);
				const limit = typeName === 'int64' ? 2 ** 63 : 2 ** 31;
				if (!Number.isInteger(value) || value >= limit || value < -limit) this.fail(value, path, typeName);
				return value;
			}
			case 'boolean':
				if (typeof value !== 'boolean') this.fail(value, path, typeName);
				return value;
			case 'array': {
				if (!Array.isArray(value)) this.fail(value, path, typeName);
				return value.map((v) => (d.element ? this.decode(v, d.element, path, key) : v));
			}
			case 'record':
				if (jsonKind(value) !== 'object') this.fail(value, path, typeName);
				return value;
			case 'object': {
				if (jsonKind(value) !== 'object') this.fail(value, path, typeName);
				const shape = d.shape ?? {};
				const out = zeroValue(s) as Record<string, unknown>;
				for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
					const field = matchField(shape, k);
					if (field === undefined) continue;
					out[field] = this.decode(v, shape[field], [...path, field], field);
				}
				return out;
			}
			default:
				return value;
		}
	}
}

/** json.Unmarshal of an already parsed value into the Go struct described by `target`. */
export function decodeInto<T>(value: unknown, target: DecodeTarget): T {
	return new Decoder(target.goName.split('.').pop() ?? target.goName).decode(
		value,
		target.schema,
		[],
		'',
		target.goName,
	) as T;
}

/* ---------- marshalling ---------- */

function goNumber(n: number): string {
	if (!Number.isFinite(n)) return 'null';
	const abs = Math.abs(n);
	if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
		// Go: 1e-07, 1e+21 (two-digit exponent at least)
		return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
	}
	return String(n);
}

function goString(s: string): string {
	return JSON.stringify(s)
		.replace(/</g, '\\u003c')
		.replace(/>/g, '\\u003e')
		.replace(/&/g, '\\u0026')
		.replace(/\u2028/g, '\\u2028')
		.replace(/\u2029/g, '\\u2029');
}

/**
 * json.Marshal of a decoded `map[string]any`: object keys sorted, `<>&` escaped. This is what
 * utils.StructToJsonString produces for the stored content (§2.1, §3.2).
 */
export function goMarshal(value: unknown): string {
	if (value === null || value === undefined) return 'null';
	if (typeof value === 'string') return goString(value);
	if (typeof value === 'number') return goNumber(value);
	if (typeof value === 'boolean') return value ? 'true' : 'false';
	if (Array.isArray(value)) return `[${value.map(goMarshal).join(',')}]`;
	const obj = value as Record<string, unknown>;
	const keys = Object.keys(obj).sort();
	return `{${keys.map((k) => `${goString(k)}:${goMarshal(obj[k])}`).join(',')}}`;
}
