/**
 * Stand-ins for the n8n-nodes-base nodes this package's example workflows use, so the same
 * `examples/*.workflow.json` files the real-n8n e2e tests import can run in-process without
 * n8n-nodes-base (not a dependency of this repo).
 *
 * They implement the documented behaviour of the parameters listed below, written from n8n's
 * node descriptions; anything else throws, so a fixture never silently runs differently:
 * - `n8n-nodes-base.set` v3.3/3.4 ("Edit Fields"): mode `raw` (`jsonOutput`, `{{ }}` inside the
 *   JSON resolved per item) and `manual` (`assignments`, converted with n8n-workflow's
 *   `validateFieldType`); `includeOtherFields` + `include` all/selected/except; options
 *   `dotNotation`, `ignoreConversionErrors`.
 * - `n8n-nodes-base.splitOut` v1: `fieldToSplitOut` (comma-separated), `include`
 *   noOtherFields/allOtherFields/selectedOtherFields (+ `fieldsToInclude`), options
 *   `destinationFieldName`, `disableDotNotation`.
 * Input items with binary data, `duplicateItem` and the binary options are refused. Options must
 * be declared here to be refused: n8n's `Workflow` drops undeclared parameters before a node runs.
 */
import type {
	FieldType,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import {
	NodeConnectionTypes,
	NodeOperationError,
	deepCopy,
	jsonParse,
	validateFieldType,
} from 'n8n-workflow';

export const SET_NODE_TYPE = 'n8n-nodes-base.set';
export const SPLIT_OUT_NODE_TYPE = 'n8n-nodes-base.splitOut';

type Path = Array<string | number>;

function toPath(key: string): Path {
	return key
		.replace(/\[(\d+)\]/g, '.$1')
		.split('.')
		.filter((part) => part !== '')
		.map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function getAt(data: unknown, key: string, dotNotation: boolean): unknown {
	if (!dotNotation) return (data as IDataObject)?.[key];
	let current: unknown = data;
	for (const part of toPath(key)) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string | number, unknown>)[part];
	}
	return current;
}

function setAt(data: IDataObject, key: string, value: unknown, dotNotation: boolean): void {
	if (!dotNotation) {
		data[key] = value as IDataObject;
		return;
	}
	const path = toPath(key);
	let current = data as Record<string | number, unknown>;
	path.forEach((part, index) => {
		if (index === path.length - 1) {
			current[part] = value;
			return;
		}
		if (current[part] === null || typeof current[part] !== 'object') {
			current[part] = typeof path[index + 1] === 'number' ? [] : {};
		}
		current = current[part] as Record<string | number, unknown>;
	});
}

function unsetAt(data: IDataObject, key: string, dotNotation: boolean): void {
	if (!dotNotation) {
		delete data[key];
		return;
	}
	const path = toPath(key);
	const last = path.pop();
	const parent = path.length ? getAt(data, path.join('.'), true) : data;
	if (last !== undefined && parent !== null && typeof parent === 'object') {
		delete (parent as Record<string | number, unknown>)[last];
	}
}

function splitList(value: unknown): string[] {
	return String(value ?? '')
		.split(',')
		.map((field) => field.trim())
		.filter((field) => field !== '');
}

/** Refuses options this stand-in does not implement, unless they are left at n8n's default. */
function assertKnownOptions(
	ctx: IExecuteFunctions,
	declared: INodeTypeDescription,
	options: IDataObject,
	supported: string[],
	itemIndex: number,
): void {
	const optionProperties = (declared.properties.find((p) => p.name === 'options')?.options ??
		[]) as INodeProperties[];
	const defaults = Object.fromEntries(optionProperties.map((p) => [p.name, p.default]));
	const unsupported = Object.keys(options).filter(
		(key) => !supported.includes(key) && options[key] !== defaults[key],
	);
	if (unsupported.length) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Harness stand-in for ${ctx.getNode().type} does not implement option(s): ${unsupported.join(', ')}`,
			{ itemIndex },
		);
	}
}

function refuseUnsupported(
	ctx: IExecuteFunctions,
	itemIndex: number,
	used: boolean,
	what: string,
): void {
	if (used) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Harness stand-in for ${ctx.getNode().type} does not implement ${what}`,
			{ itemIndex },
		);
	}
}

/** `{{ … }}` segments of a raw JSON template, each evaluated in the item's context. */
function resolveJsonTemplate(ctx: IExecuteFunctions, template: string, itemIndex: number): string {
	return template.replace(/\{\{[\s\S]*?\}\}/g, (resolvable) => {
		const value = ctx.evaluateExpression(resolvable, itemIndex);
		return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
	});
}

const setDescription: INodeTypeDescription = {
	displayName: 'Edit Fields (Set) — harness stand-in',
	name: 'set',
	icon: 'fa:pen',
	group: ['input'],
	version: [3.3, 3.4],
	description: 'Subset of n8n-nodes-base.set for in-process tests',
	defaults: { name: 'Edit Fields' },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	properties: [
		{
			displayName: 'Mode',
			name: 'mode',
			type: 'options',
			options: [
				{ name: 'Manual Mapping', value: 'manual' },
				{ name: 'JSON', value: 'raw' },
			],
			default: 'manual',
		},
		{
			displayName: 'Fields to Set',
			name: 'assignments',
			type: 'assignmentCollection',
			displayOptions: { show: { mode: ['manual'] } },
			default: {},
		},
		{
			displayName: 'JSON',
			name: 'jsonOutput',
			type: 'json',
			displayOptions: { show: { mode: ['raw'] } },
			default: '{\n  "my_field_1": "value",\n  "my_field_2": 1\n}',
		},
		{
			displayName: 'Include Other Input Fields',
			name: 'includeOtherFields',
			type: 'boolean',
			default: false,
		},
		{
			displayName: 'Input Fields to Include',
			name: 'include',
			type: 'options',
			options: [
				{ name: 'All', value: 'all' },
				{ name: 'Selected', value: 'selected' },
				{ name: 'All Except', value: 'except' },
			],
			displayOptions: { show: { includeOtherFields: [true] } },
			default: 'all',
		},
		{
			displayName: 'Fields to Include',
			name: 'includeFields',
			type: 'string',
			displayOptions: { show: { include: ['selected'], includeOtherFields: [true] } },
			default: '',
		},
		{
			displayName: 'Fields to Exclude',
			name: 'excludeFields',
			type: 'string',
			displayOptions: { show: { include: ['except'], includeOtherFields: [true] } },
			default: '',
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			default: {},
			options: [
				{
					displayName: 'Include Binary File',
					name: 'includeBinary',
					type: 'boolean',
					default: true,
				},
				{ displayName: 'Strip Binary Data', name: 'stripBinary', type: 'boolean', default: true },
				{
					displayName: 'Ignore Type Conversion Errors',
					name: 'ignoreConversionErrors',
					type: 'boolean',
					default: false,
				},
				{
					displayName: 'Support Dot Notation',
					name: 'dotNotation',
					type: 'boolean',
					default: true,
				},
			],
		},
		{ displayName: 'Duplicate Item', name: 'duplicateItem', type: 'boolean', default: false },
		{
			displayName: 'Duplicate Item Count',
			name: 'duplicateCount',
			type: 'number',
			displayOptions: { show: { duplicateItem: [true] } },
			default: 0,
		},
	],
};

export class SetStandIn implements INodeType {
	description: INodeTypeDescription = deepCopy(setDescription);

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const mode = this.getNodeParameter('mode', 0) as 'manual' | 'raw';
		// Read before expressions are resolved, as the real node does for `{{ }}` inside JSON.
		const rawTemplate =
			mode === 'raw'
				? (this.getNodeParameter('jsonOutput', 0, '', { rawExpressions: true }) as unknown)
				: undefined;
		const returnData: INodeExecutionData[] = [];

		for (let i = 0; i < items.length; i++) {
			try {
				const options = this.getNodeParameter('options', i, {}) as IDataObject;
				assertKnownOptions(
					this,
					setDescription,
					options,
					['ignoreConversionErrors', 'dotNotation'],
					i,
				);
				refuseUnsupported(
					this,
					i,
					this.getNodeParameter('duplicateItem', i, false) === true,
					'duplicateItem',
				);
				refuseUnsupported(this, i, items[i].binary !== undefined, 'input items with binary data');
				const dotNotation = options.dotNotation !== false;

				const newFields: IDataObject = {};
				if (mode === 'raw') {
					let json: unknown;
					if (typeof rawTemplate === 'string' && rawTemplate.startsWith('=')) {
						json = resolveJsonTemplate(this, rawTemplate.slice(1), i);
					} else {
						json = this.getNodeParameter('jsonOutput', i);
					}
					const parsed =
						typeof json === 'string'
							? jsonParse<unknown>(json, {
									errorMessage: `The item ${i + 1} contains invalid JSON`,
								})
							: json;
					if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
						throw new NodeOperationError(
							this.getNode(),
							`'JSON Output' in item ${i + 1} is not a valid JSON object`,
						);
					}
					Object.assign(newFields, parsed);
				} else {
					const assignments = (this.getNodeParameter('assignments.assignments', i, []) ??
						[]) as Array<{
						name: string;
						value: unknown;
						type: string;
					}>;
					for (const { name, value, type } of assignments) {
						const fieldType = (type ?? 'string') as FieldType;
						const input =
							fieldType === 'string' && typeof value === 'object' && value !== null
								? JSON.stringify(value)
								: fieldType === 'string'
									? String(value ?? '')
									: value;
						const validation = validateFieldType(name, input, fieldType);
						if (!validation.valid && options.ignoreConversionErrors !== true) {
							throw new NodeOperationError(this.getNode(), validation.errorMessage as string, {
								itemIndex: i,
							});
						}
						newFields[name] = (validation.valid ? validation.newValue : value) as IDataObject;
					}
				}

				const item = items[i];
				let json: IDataObject = {};
				if (this.getNodeParameter('includeOtherFields', i, false) === true) {
					const include = this.getNodeParameter('include', i, 'all') as string;
					if (include === 'all') {
						json = deepCopy(item.json);
					} else if (include === 'selected') {
						for (const key of splitList(this.getNodeParameter('includeFields', i, ''))) {
							const target =
								dotNotation && key.includes('.') ? (key.split('.').pop() as string) : key;
							setAt(json, target, getAt(item.json, key, dotNotation), dotNotation);
						}
					} else if (include === 'except') {
						json = deepCopy(item.json);
						for (const key of splitList(this.getNodeParameter('excludeFields', i, ''))) {
							unsetAt(json, key, dotNotation);
						}
					}
				}
				for (const [key, value] of Object.entries(newFields)) setAt(json, key, value, dotNotation);

				returnData.push({ json, pairedItem: { item: i } });
			} catch (error) {
				if (this.continueOnFail()) {
					returnData.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
			}
		}
		return [returnData];
	}
}

const splitOutDescription: INodeTypeDescription = {
	displayName: 'Split Out — harness stand-in',
	name: 'splitOut',
	icon: 'fa:th-list',
	group: ['transform'],
	version: 1,
	description: 'Subset of n8n-nodes-base.splitOut for in-process tests',
	defaults: { name: 'Split Out' },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	properties: [
		{ displayName: 'Fields To Split Out', name: 'fieldToSplitOut', type: 'string', default: '' },
		{
			displayName: 'Include',
			name: 'include',
			type: 'options',
			options: [
				{ name: 'No Other Fields', value: 'noOtherFields' },
				{ name: 'All Other Fields', value: 'allOtherFields' },
				{ name: 'Selected Other Fields', value: 'selectedOtherFields' },
			],
			default: 'noOtherFields',
		},
		{
			displayName: 'Fields To Include',
			name: 'fieldsToInclude',
			type: 'string',
			displayOptions: { show: { include: ['selectedOtherFields'] } },
			default: '',
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			default: {},
			options: [
				{
					displayName: 'Disable Dot Notation',
					name: 'disableDotNotation',
					type: 'boolean',
					default: false,
				},
				{
					displayName: 'Destination Field Name',
					name: 'destinationFieldName',
					type: 'string',
					default: '',
				},
				{ displayName: 'Include Binary', name: 'includeBinary', type: 'boolean', default: false },
			],
		},
	],
};

export class SplitOutStandIn implements INodeType {
	description: INodeTypeDescription = deepCopy(splitOutDescription);

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const returnData: INodeExecutionData[] = [];

		for (let i = 0; i < items.length; i++) {
			const fields = splitList(this.getNodeParameter('fieldToSplitOut', i)).map((field) =>
				field.replace(/^\$json\./, ''),
			);
			const options = this.getNodeParameter('options', i, {}) as IDataObject;
			assertKnownOptions(
				this,
				splitOutDescription,
				options,
				['disableDotNotation', 'destinationFieldName'],
				i,
			);
			refuseUnsupported(this, i, fields.includes('$binary'), 'splitting out $binary');
			refuseUnsupported(this, i, items[i].binary !== undefined, 'input items with binary data');
			const dotNotation = options.disableDotNotation !== true;
			const destinations = splitList(options.destinationFieldName);
			if (destinations.length && destinations.length !== fields.length) {
				throw new NodeOperationError(
					this.getNode(),
					'If multiple fields to split out are given, the same number of destination fields must be given',
				);
			}
			const include = this.getNodeParameter('include', i) as string;
			const source = items[i].json;

			const rows: IDataObject[] = [];
			fields.forEach((field, fieldIndex) => {
				let list = getAt(source, field, dotNotation);
				if (list === undefined) list = [];
				if (typeof list !== 'object' || list === null) list = [list];
				if (!Array.isArray(list)) list = Object.values(list as IDataObject);
				const target = destinations[fieldIndex] || field;
				(list as unknown[]).forEach((element, index) => {
					rows[index] ??= {};
					const mergeObject =
						include === 'noOtherFields' &&
						!destinations[fieldIndex] &&
						fields.length === 1 &&
						typeof element === 'object' &&
						element !== null &&
						!Array.isArray(element);
					if (mergeObject) Object.assign(rows[index], element);
					else rows[index][target] = element as IDataObject;
				});
			});

			for (const row of rows) {
				let json = row;
				if (include === 'allOtherFields') {
					const rest = deepCopy(source);
					for (const field of fields) unsetAt(rest, field, dotNotation);
					json = { ...rest, ...row };
				} else if (include === 'selectedOtherFields') {
					const selected = splitList(this.getNodeParameter('fieldsToInclude', i, ''));
					if (!selected.length) {
						throw new NodeOperationError(this.getNode(), 'No fields specified', {
							description: 'Please add a field to include',
						});
					}
					for (const key of selected) json[key] = getAt(source, key, dotNotation) as IDataObject;
				}
				returnData.push({ json, pairedItem: { item: i } });
			}
		}
		return [returnData];
	}
}
