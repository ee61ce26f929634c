import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IDisplayOptions, IExecuteFunctions, INode, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ItemInput } from '../../shared/input';
import { addRunHints, asNodeError, errorItem } from '../../shared/run';
import type { ErrorWithContext, ServerDescriber } from '../../shared/run';
import { toNodeApiError } from '../../transport/errors';
import type { OpenImFailure } from '../../transport/errors';

/**
 * Helpers for operations that give several output items per input item (lists, look-ups of many
 * IDs). Used by User → Get Many / Get Online Status and Notification Account → Search.
 */

/** OpenIM's list endpoints take any page size; 100 keeps answers small. */
export const PAGE_SIZE = 100;
/** A server that never stops paging would loop forever: a million rows is the ceiling. */
const MAX_PAGES = 10_000;

/** The standard n8n Return All / Limit pair. */
export function returnAllFields(show: IDisplayOptions['show']): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: { show },
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { ...show, returnAll: [false] } },
		},
	];
}

/** undefined: everything. */
export function readLimit(input: ItemInput): number | undefined {
	if (input.boolean('returnAll', 'Return All', false)) return undefined;
	return input.integer('limit', 'Limit', { min: 1 });
}

export interface Page<T> {
	items: T[];
	total: number;
}

/**
 * Pages through a `{pagination:{pageNumber, showNumber}}` endpoint until `limit` rows (undefined:
 * all) or the last page. `keep` filters rows on our side (counted towards the limit after filtering).
 */
export async function collectPages<T>(
	fetchPage: (pageNumber: number, showNumber: number) => Promise<Page<T>>,
	limit: number | undefined,
	keep: (row: T) => boolean = () => true,
): Promise<T[]> {
	const showNumber = limit === undefined ? PAGE_SIZE : Math.min(PAGE_SIZE, limit);
	const rows: T[] = [];
	for (let pageNumber = 1; pageNumber <= MAX_PAGES; pageNumber++) {
		const page = await fetchPage(pageNumber, showNumber);
		rows.push(...page.items.filter(keep));
		if (limit !== undefined && rows.length >= limit) return rows.slice(0, limit);
		if (page.items.length < showNumber || pageNumber * showNumber >= page.total) break;
	}
	return rows;
}

/**
 * Runs `list` for every input item, one after the other; each row becomes an output item paired with
 * its input item. With "Continue On Fail" a failed item gives one `{error, errCode?}` item instead.
 */
export async function listPerItem(
	ctx: IExecuteFunctions,
	list: (input: ItemInput) => Promise<IDataObject[]>,
	server?: ServerDescriber,
): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	const count = ctx.getInputData().length;
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			const rows = await list(new ItemInput(ctx, itemIndex));
			for (const json of rows) out.push({ json, pairedItem: { item: itemIndex } });
		} catch (caught) {
			const error = caught as ErrorWithContext;
			if (!ctx.continueOnFail()) throw asNodeError(ctx, error, itemIndex);
			out.push(errorItem(error, itemIndex));
		}
	}
	await addRunHints(ctx, count, out, server);
	return out;
}

/**
 * A caught error as an n8n error to throw. `explain` may put a clearer failure in place of an OpenIM
 * answer it recognises (by errCode and message); everything else passes through unchanged.
 */
export function explainError(
	node: INode,
	error: unknown,
	itemIndex: number,
	explain: (errCode: unknown, message: string) => OpenImFailure | undefined,
): NodeApiError | NodeOperationError {
	const err = error as ErrorWithContext;
	const failure = explain(err?.context?.errCode, String(err?.message ?? ''));
	if (failure) return toNodeApiError(node, failure, itemIndex);
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error as Error, { itemIndex });
}

/** OpenIM user IDs from a comma/space/newline separated text or a list (from an expression). */
export function readUserIDs(input: ItemInput, name: string, label: string): string[] {
	const value = input.raw(name, '');
	let parts: unknown[];
	if (Array.isArray(value)) parts = value;
	else if (typeof value === 'string' || typeof value === 'number') parts = String(value).split(/[\s,;]+/);
	else return input.fail(label, 'must be a list of user IDs or text with comma-separated user IDs');
	const ids: string[] = [];
	for (const part of parts) {
		const id = input.checkText(part, label, { singleLine: true, maxLength: 256 });
		if (id === '') continue;
		if (/\s/.test(id)) input.fail(label, `contains "${id.slice(0, 80)}", but an OpenIM user ID has no spaces`);
		if (!ids.includes(id)) ids.push(id);
	}
	if (ids.length === 0) input.fail(label, 'is empty');
	return ids;
}

/** datautil.IsLegalUserID: Unicode letters (Go's unicode.IsLetter), decimal digits (IsDigit) and underscore. */
export const LEGAL_USER_ID = /^[\p{L}\p{Nd}_]+$/u;

export function checkLegalUserID(input: ItemInput, userID: string, label: string): string {
	if (!LEGAL_USER_ID.test(userID)) {
		input.fail(
			label,
			`"${userID.slice(0, 80)}" may contain only letters, digits and underscores`,
			'OpenIM refuses other characters in user IDs (and answers with the misleading text "userID is legal").',
		);
	}
	return userID;
}
