/**
 * `content` of /msg/send_msg, checked the way getSendMsgReq does it (openim-api.md §2.1 step 4, §2.2,
 * §3.1): mapstructure.WeakDecode into the element struct, then go-playground/validator. Either failure
 * is a plain Go error, so the API answers errCode 500 with the Go text in errDlt.
 *
 * The element shapes and rules are the zod schemas of openim/wire.ts; this module only adds the Go
 * names (for the error text) and the weak coercions ("12" → 12, 1 → "1", true → "1", …).
 */
import { z } from 'zod';

import { ContentType, ErrCode } from '../openim/constants';
import * as wire from '../openim/wire';
import { isV3Legacy, type Generation } from './generations';
import { matchField, objectShape, unwrapSchema, zeroValue } from './gojson';
import { ApiError, argsError, validatorError } from './http';

type AnySchema = z.ZodType;

export interface Element {
	goName: string;
	schema: AnySchema;
	/** mapstructure names fields by their `mapstructure` tag; TextElem has none, so Go names are used. */
	goFieldNames?: boolean;
}

/** contentType → element struct (v3.8 getSendMsgReq's switch; §2.1 step 3). */
export const ELEMENTS: Record<number, Element> = {
	[ContentType.Text]: { goName: 'TextElem', schema: wire.TextElem, goFieldNames: true },
	[ContentType.Picture]: { goName: 'PictureElem', schema: wire.PictureElem },
	[ContentType.Voice]: { goName: 'SoundElem', schema: wire.SoundElem },
	[ContentType.Video]: { goName: 'VideoElem', schema: wire.VideoElem },
	[ContentType.File]: { goName: 'FileElem', schema: wire.FileElem },
	[ContentType.AtText]: { goName: 'AtElem', schema: wire.AtElem },
	[ContentType.Custom]: { goName: 'CustomElem', schema: wire.CustomElem },
	[ContentType.OANotification]: { goName: 'OANotificationElem', schema: wire.OANotificationElem },
};

/** v2/v3.0–v3.3 contentTypes v3.8 dropped: 111 Revoke, 119 CustomNotTriggerConversation, 120 CustomOnlineOnly. */
export const LegacyContentType = { Revoke: 111, AdvancedRevoke: 118, CustomNotTriggerConversation: 119, CustomOnlineOnly: 120 } as const;

/** v3.2.2 pkg/apistruct/msg.go RevokeElem. */
const RevokeElem = z.object({ revokeMsgClientID: z.string().min(1) });

/**
 * The contentTypes each generation's send handler takes (openim-api.md §8 "Accepted contentTypes"); anything
 * else fails the switch:
 * - v3.8: getSendMsgReq of v3.8.x;
 * - v3.2, v3.0: getSendMsgReq of v3.2.2 (internal/api/msg.go; 106 AtText has no case there, it came back by v3.7.1);
 * - v2: ManagementSendMsg of v2.3.3 (internal/api/manage/management_chat.go; `//case constant.AtText` is
 *   commented out);
 * - v2.0: ManagementSendMsg of v2.1.0 (sandbox/v20.ts ELEMENTS_V21).
 */
export const SEND_CONTENT_TYPES: Readonly<Record<Generation, readonly number[]>> = {
	'v3.8': [101, 102, 103, 104, 105, 106, 110, 1400],
	'v3.2': [101, 102, 103, 104, 105, 110, 111, 1400, 119, 120],
	'v3.0': [101, 102, 103, 104, 105, 110, 111, 1400, 119, 120],
	v2: [101, 102, 103, 104, 105, 110, 111, 118, 1400, 119, 120],
	'v2.0': [101, 102, 103, 104, 105, 110, 111, 1400],
};

/**
 * Elements of the legacy contentTypes the shared pipeline models, per generation. v3.2.2 decodes 111 into
 * RevokeElem and 119/120 into CustomElem and stores the content map as JSON like the others. v2's 111 is
 * stored as the bare revokeMsgClientID string and 118 as MessageRevoked: not modelled (see elementFor).
 */
const V32_ELEMENTS: Record<number, Element> = {
	[LegacyContentType.Revoke]: { goName: 'RevokeElem', schema: RevokeElem },
	[LegacyContentType.CustomNotTriggerConversation]: { goName: 'CustomElem', schema: wire.CustomElem },
	[LegacyContentType.CustomOnlineOnly]: { goName: 'CustomElem', schema: wire.CustomElem },
};
const LEGACY_ELEMENTS: Partial<Record<Generation, Record<number, Element>>> = {
	'v3.2': V32_ELEMENTS,
	'v3.0': V32_ELEMENTS,
	v2: {
		[LegacyContentType.CustomNotTriggerConversation]: { goName: 'CustomElem', schema: wire.CustomElem },
		[LegacyContentType.CustomOnlineOnly]: { goName: 'CustomElem', schema: wire.CustomElem },
	},
};

/**
 * The element getSendMsgReq's switch picks for `contentType` in `generation`. Throws 1001 when the switch
 * has no case: v3.8 wraps the text (`unsupported content type`), so errDlt is empty; v3.2's
 * `ErrArgs.WithDetail("not support err contentType")` puts it into errDlt. (v2/v2.0 answer their own
 * `contentType err` before getting here.) A contentType the generation takes but the sandbox does not
 * model is refused with a `sandbox:` text rather than accepted half-way.
 */
export function elementFor(generation: Generation, contentType: number): Element {
	if (!SEND_CONTENT_TYPES[generation].includes(contentType)) {
		throw argsError(isV3Legacy(generation) ? 'not support err contentType' : '');
	}
	const el = ELEMENTS[contentType] ?? LEGACY_ELEMENTS[generation]?.[contentType];
	if (!el) {
		throw argsError(`sandbox: contentType ${contentType} is accepted by OpenIM ${generation} but not modelled by the sandbox`);
	}
	return el;
}

/** Go field names that are not simply the JSON key capitalised (pkg/apistruct/msg.go). */
const GO_FIELD: Record<string, string> = {
	uuid: 'UUID',
	url: 'Url',
	sourceUrl: 'SourceURL',
	videoUrl: 'VideoURL',
	snapshotUrl: 'SnapshotURL',
	videoUUID: 'VideoUUID',
	snapshotUUID: 'SnapshotUUID',
	notificationFaceURL: 'NotificationFaceURL',
};

export function goField(key: string): string {
	return GO_FIELD[key] ?? key.charAt(0).toUpperCase() + key.slice(1);
}

/* ---------- mapstructure.WeakDecode ---------- */

function goKind(v: unknown): string {
	if (Array.isArray(v)) return '[]interface {}';
	if (v !== null && typeof v === 'object') return 'map[string]interface {}';
	if (typeof v === 'number') return 'float64';
	if (typeof v === 'boolean') return 'bool';
	return 'string';
}

/** fmt's %v of a decoded JSON value. */
function goFmt(v: unknown): string {
	if (v === null || v === undefined) return '<nil>';
	if (Array.isArray(v)) return `[${v.map(goFmt).join(' ')}]`;
	if (typeof v === 'object') {
		const o = v as Record<string, unknown>;
		return `map[${Object.keys(o)
			.sort()
			.map((k) => `${k}:${goFmt(o[k])}`)
			.join(' ')}]`;
	}
	if (typeof v === 'number') return goFloat(v);
	return String(v);
}

/** strconv.FormatFloat(f, 'f', -1, 64). */
function goFloat(n: number): string {
	if (Number.isInteger(n) && Math.abs(n) >= 1e21) return BigInt(n).toString();
	const s = String(n);
	if (!s.includes('e')) return s;
	return n.toFixed(20).replace(/\.?0+$/, '');
}

/** strconv.ParseInt(s, 0, bits) as WeakDecode calls it (an empty string is 0). */
function parseGoInt(s: string, bits: number): number | string {
	if (s === '') return 0;
	const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(s);
	if (!m || /__|_$|^[+-]?_/.test(s)) return `strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`;
	let body = m[2].replace(/_/g, '');
	if (/^0[0-7]+$/.test(body)) body = `0o${body.slice(1)}`;
	const big = BigInt(body) * (m[1] === '-' ? -1n : 1n);
	const limit = 1n << BigInt(bits - 1);
	if (big >= limit || big < -limit) return `strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`;
	return Number(big);
}

const INT64_KEYS = new Set(['size', 'dataSize', 'videoSize', 'snapshotSize', 'fileSize', 'duration']);

class WeakDecoder {
	readonly errors: string[] = [];
	constructor(private readonly goNames: boolean) {}

	private unconvertible(name: string, type: string, v: unknown): void {
		this.errors.push(`'${name}' expected type '${type}', got unconvertible type '${goKind(v)}', value: '${goFmt(v)}'`);
	}

	decode(name: string, key: string, input: unknown, schema: AnySchema): unknown {
		const { schema: s, pointer } = unwrapSchema(schema);
		const type = (s as unknown as { def: { type: string; element?: AnySchema } }).def;
		if (input === null || input === undefined) return zeroValue(schema);
		switch (type.type) {
			case 'string':
				if (typeof input === 'string') return input;
				if (typeof input === 'boolean') return input ? '1' : '0';
				if (typeof input === 'number') return goFloat(input);
				this.unconvertible(name, 'string', input);
				return '';
			case 'number': {
				const bits = INT64_KEYS.has(key) ? 64 : 32;
				if (typeof input === 'number') return Math.trunc(input);
				if (typeof input === 'boolean') return input ? 1 : 0;
				if (typeof input === 'string') {
					const r = parseGoInt(input, bits);
					if (typeof r === 'number') return r;
					this.errors.push(`cannot parse '${name}' as int: ${r}`);
					return 0;
				}
				this.unconvertible(name, `int${bits}`, input);
				return 0;
			}
			case 'boolean':
				if (typeof input === 'boolean') return input;
				if (typeof input === 'number') return input !== 0;
				if (typeof input === 'string') {
					if (input === '') return false;
					if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(input)) return true;
					if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(input)) return false;
					this.errors.push(`cannot parse '${name}' as bool: strconv.ParseBool: parsing ${JSON.stringify(input)}: invalid syntax`);
					return false;
				}
				this.unconvertible(name, 'bool', input);
				return false;
			case 'array': {
				const el = type.element;
				let items: unknown[];
				if (Array.isArray(input)) items = input;
				else if (typeof input === 'object' && Object.keys(input as object).length === 0) items = [];
				else if (typeof input === 'object') {
					this.errors.push(`'${name}': source data must be an array or slice, got map`);
					return null;
				} else items = [input]; // weak: a single value becomes a one-element slice
				return items.map((v, i) => (el ? this.decode(`${name}[${i}]`, key, v, el) : v));
			}
			case 'object': {
				if (typeof input !== 'object' || Array.isArray(input)) {
					this.errors.push(`'${name}' expected a map, got '${Array.isArray(input) ? 'slice' : goKind(input)}'`);
					return pointer ? null : zeroValue(s);
				}
				return this.struct(name, input as Record<string, unknown>, s);
			}
			default:
				return input;
		}
	}

	struct(prefix: string, input: Record<string, unknown>, schema: AnySchema): Record<string, unknown> {
		const shape = objectShape(schema) ?? {};
		const out = zeroValue(schema) as Record<string, unknown>;
		for (const field of Object.keys(shape)) {
			// mapstructure looks the field up by its name, exact first, then case-insensitively.
			const key = Object.prototype.hasOwnProperty.call(input, field)
				? field
				: Object.keys(input).find((k) => matchField({ [field]: true }, k) === field);
			if (key === undefined) continue;
			const label = this.goNames && !prefix ? goField(field) : field;
			out[field] = this.decode(prefix ? `${prefix}.${label}` : label, field, input[key], shape[field]);
		}
		return out;
	}
}

/* ---------- go-playground/validator ---------- */

type Issue = z.core.$ZodIssue;

function tagFor(issue: Issue, value: unknown): string {
	switch (issue.code) {
		case 'too_small':
			if (issue.origin === 'string') return 'required';
			if (issue.origin === 'number') {
				if (Number(issue.minimum) === 0) return 'gte';
				return value === 0 ? 'required' : 'min';
			}
			return 'min';
		case 'too_big':
			return issue.origin === 'number' ? 'lte' : 'max';
		default:
			return 'required';
	}
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
	let cur = root;
	for (const p of path) cur = (cur as Record<PropertyKey, unknown> | null | undefined)?.[p];
	return cur;
}

function validatorText(el: Element, decoded: unknown, issues: Issue[]): string {
	const lines: string[] = [];
	const seen = new Set<string>();
	for (const issue of issues) {
		const names = issue.path.filter((p) => typeof p === 'string').map((p) => goField(p));
		const ns = [el.goName, ...names].join('.');
		if (seen.has(ns)) continue; // one error per field, like validator
		seen.add(ns);
		lines.push(validatorError(ns, names[names.length - 1] ?? el.goName, tagFor(issue, valueAt(decoded, issue.path))));
	}
	return lines.join('\n');
}

/**
 * mapstructure.WeakDecode of `content` into `el`, then validator.Struct: the decoded element, or which
 * step failed with Go's text (v2's /manager/send_msg answers the two with different codes).
 */
export function decodeElement(
	el: Element,
	content: Record<string, unknown>,
): { decoded: Record<string, unknown> } | { failed: 'decode' | 'validate'; text: string } {
	const dec = new WeakDecoder(Boolean(el.goFieldNames));
	const decoded = dec.struct('', content, el.schema);
	if (dec.errors.length) {
		const points = dec.errors.map((e) => `* ${e}`).sort();
		return { failed: 'decode', text: `${dec.errors.length} error(s) decoding:\n\n${points.join('\n')}` };
	}
	const parsed = el.schema.safeParse(decoded);
	if (!parsed.success) return { failed: 'validate', text: validatorText(el, decoded, parsed.error.issues) };
	return { decoded };
}

/**
 * Weak-decodes and validates `content` into `el` (elementFor). Returns the decoded element (the stored
 * content is still the raw map, §2.1 "Other quirks"); throws ApiError 500 with the Go text.
 */
export function checkContent(el: Element, content: Record<string, unknown>): Record<string, unknown> {
	const result = decodeElement(el, content);
	if ('failed' in result) throw new ApiError(ErrCode.ServerInternal, result.text);
	return result.decoded;
}
