import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeParameters } from 'n8n-workflow';

/** C0 control characters other than tab, newline and carriage return garble OpenIM clients. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const INT32_MAX = 2147483647;
/** The characters RFC 3986 allows in a URL (percent escapes included). */
const URL_SAFE = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;

export interface TextRules {
	required?: boolean;
	maxLength?: number;
	/** IDs and titles are single-line. */
	singleLine?: boolean;
}

export interface NumberRules {
	required?: boolean;
	min?: number;
	max?: number;
	nonZero?: boolean;
}

/**
 * Reads one item's parameters and checks them before anything is sent. Every failure names
 * the field (as the form shows it) and the item, e.g. `Title is empty [item 2]`.
 */
export class ItemInput {
	constructor(
		readonly ctx: IExecuteFunctions,
		readonly itemIndex: number,
	) {}

	error(label: string, problem: string, hint?: string): NodeOperationError {
		return new NodeOperationError(this.ctx.getNode(), `${label} ${problem} [item ${this.itemIndex}]`, {
			itemIndex: this.itemIndex,
			description: hint,
		});
	}

	fail(label: string, problem: string, hint?: string): never {
		throw this.error(label, problem, hint);
	}

	private readonly values = new Map<string, unknown>();

	/** A parameter's value for this item, read from n8n once (reading resolves expressions: not free). */
	raw(name: string, fallback?: unknown): unknown {
		if (!this.values.has(name)) {
			this.values.set(name, sharedRead(this.ctx, name, () => this.ctx.getNodeParameter(name, this.itemIndex, fallback as never)));
		}
		return this.values.get(name);
	}

	text(name: string, label: string, rules: TextRules = {}, source: IDataObject | undefined = undefined): string {
		return this.checkText(source ? source[name] : this.raw(name, ''), label, rules);
	}

	checkText(value: unknown, label: string, rules: TextRules = {}): string {
		if (value === undefined || value === null) value = '';
		if (typeof value === 'number' || typeof value === 'boolean') value = String(value);
		if (typeof value !== 'string') {
			this.fail(label, `must be text, but the expression gave ${describe(value)}`);
		}
		const text = rules.singleLine ? value.trim() : value;
		if (rules.required && text.trim() === '') this.fail(label, 'is empty');
		if (CONTROL_CHARS.test(text)) this.fail(label, 'contains control characters');
		if (rules.singleLine && /[\r\n]/.test(text)) this.fail(label, 'must be a single line');
		if (rules.maxLength !== undefined && text.length > rules.maxLength) {
			this.fail(label, `is too long (${text.length} characters, at most ${rules.maxLength})`);
		}
		return text;
	}

	/** An absolute http(s) URL, as OpenIM clients open it. Empty is allowed unless required. */
	url(name: string, label: string, required = false, source?: IDataObject): string {
		const text = this.text(name, label, { required, singleLine: true, maxLength: 4096 }, source);
		if (text === '') return text;
		let parsed: URL | undefined;
		try {
			parsed = new URL(text);
		} catch {
			parsed = undefined;
		}
		if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
			this.fail(label, `is not a valid http(s) URL: "${text.slice(0, 200)}"`, 'Use an absolute address such as https://oa.example.com/notice/42.');
		}
		// Apps open what arrives as it is: a space or non-ASCII letter would cut or break the link, so
		// such a URL goes out percent-encoded (as a browser would send it). Others go out unchanged.
		return URL_SAFE.test(text) ? text : parsed.href;
	}

	integer(name: string, label: string, rules: NumberRules = {}, source?: IDataObject): number {
		return this.checkInteger(source ? source[name] : this.raw(name, 0), label, rules);
	}

	checkInteger(value: unknown, label: string, rules: NumberRules = {}): number {
		let n: number;
		if (typeof value === 'number') n = value;
		else if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) n = Number(value);
		else if (value === undefined || value === null || value === '') n = 0;
		else this.fail(label, `must be a whole number, but the expression gave ${describe(value)}`);
		if (!Number.isInteger(n)) this.fail(label, `must be a whole number, not ${n}`);
		const min = rules.min ?? -INT32_MAX - 1;
		const max = rules.max ?? INT32_MAX;
		if (rules.required && n === 0) this.fail(label, 'is required and must not be 0');
		if (rules.nonZero && n === 0) this.fail(label, 'must not be 0');
		if (n < min || n > max) this.fail(label, `must be between ${min} and ${max}, not ${n}`);
		return n;
	}

	boolean(name: string, label: string, fallback: boolean, source?: IDataObject): boolean {
		const value = source ? (source[name] ?? fallback) : this.raw(name, fallback);
		if (typeof value === 'boolean') return value;
		if (value === 'true') return true;
		if (value === 'false') return false;
		return this.fail(label, `must be true or false, but the expression gave ${describe(value)}`);
	}

	/** A resource locator's value (`{ mode, value }`) or a plain string from an expression. */
	locator(name: string, label: string, { required = true }: { required?: boolean } = {}): string {
		const value = sharedRead(this.ctx, `${name}#value`, () => this.ctx.getNodeParameter(name, this.itemIndex, '', { extractValue: true }), name);
		return this.checkText(value, label, { required, singleLine: true, maxLength: 256 });
	}
}

/**
 * Parameters without any expression are the same for every item: read once per execution and
 * shared (n8n resolves and deep-copies a parameter on every read). Callers treat values as read-only.
 */
const executionReads = new WeakMap<IExecuteFunctions, { parameters: INodeParameters; values: Map<string, unknown> }>();

function sharedRead(ctx: IExecuteFunctions, key: string, read: () => unknown, name = key): unknown {
	let execution = executionReads.get(ctx);
	if (!execution) {
		execution = { parameters: ctx.getNode().parameters, values: new Map() };
		executionReads.set(ctx, execution);
	}
	if (execution.values.has(key)) return execution.values.get(key);
	const value = read();
	const stored = execution.parameters[name];
	if (stored !== undefined && !hasExpression(stored)) execution.values.set(key, value);
	return value;
}

function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

function describe(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (value === null) return 'null';
	if (typeof value === 'object') return 'an object';
	return `${typeof value} ${JSON.stringify(value)}`.slice(0, 80);
}
