import type { IDataObject, INodeProperties } from 'n8n-workflow';

/**
 * Send and Wait → Response Type "Custom Form": n8n's own form-field vocabulary (the `formFields`
 * collection and the JSON form definition of n8n's send-and-wait utilities, as the Slack node offers):
 * `fieldLabel`, `fieldType`, `placeholder`, `fieldOptions.values[].option`, `requiredField`. The page
 * renders the fields; the webhook validates every answer on the server before it counts.
 */

export const FORM_FIELD_TYPES = ['text', 'email', 'number', 'textarea', 'dropdown', 'date', 'checkbox', 'radio'] as const;
export type FormFieldType = (typeof FORM_FIELD_TYPES)[number];

export interface FormField {
	fieldLabel: string;
	fieldType: FormFieldType;
	placeholder?: string;
	requiredField: boolean;
	/** dropdown, radio and checkbox: the allowed answers. */
	options: string[];
}

const WITH_OPTIONS = new Set<FormFieldType>(['dropdown', 'radio', 'checkbox']);
const MAX_FIELDS = 50;
const MAX_VALUE = 10_000;

export function formFieldProperties(show: Record<string, unknown>): INodeProperties[] {
	const custom = { ...show, responseType: ['customForm'] };
	return [
		{
			displayName: 'Define Form',
			name: 'defineForm',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Using Fields Below', value: 'fields' },
				{ name: 'Using JSON', value: 'json' },
			],
			default: 'fields',
			displayOptions: { show: custom },
		},
		{
			displayName: 'Form Fields',
			name: 'jsonOutput',
			type: 'json',
			typeOptions: { rows: 5 },
			default:
				'[\n  {\n    "fieldLabel": "Days",\n    "fieldType": "number",\n    "requiredField": true\n  },\n  {\n    "fieldLabel": "Reason",\n    "fieldType": "dropdown",\n    "fieldOptions": { "values": [{ "option": "Holiday" }, { "option": "Sick" }] }\n  }\n]',
			description: 'A list of fields as n8n\'s form definitions: fieldLabel, fieldType (text, email, number, textarea, dropdown, date, checkbox, radio), placeholder, fieldOptions, requiredField',
			displayOptions: { show: { ...custom, defineForm: ['json'] } },
		},
		{
			displayName: 'Form Elements',
			name: 'formFields',
			placeholder: 'Add Form Element',
			type: 'fixedCollection',
			default: {},
			typeOptions: { multipleValues: true, sortable: true },
			displayOptions: { show: { ...custom, defineForm: ['fields'] } },
			options: [
				{
					displayName: 'Values',
					name: 'values',
					values: [
						{
							displayName: 'Element Type',
							name: 'fieldType',
							type: 'options',
							default: 'text',
							options: [
								{ name: 'Checkboxes', value: 'checkbox' },
								{ name: 'Date', value: 'date' },
								{ name: 'Dropdown List', value: 'dropdown' },
								{ name: 'Email', value: 'email' },
								{ name: 'Number', value: 'number' },
								{ name: 'Radio Buttons', value: 'radio' },
								{ name: 'Text', value: 'text' },
								{ name: 'Textarea', value: 'textarea' },
							],
						},
						{
							displayName: 'Field Name',
							name: 'fieldLabel',
							type: 'string',
							default: '',
							placeholder: 'e.g. What is your name?',
							description: 'Label that appears above the input field; also the key of the answer in the output',
							required: true,
						},
						{
							displayName: 'Options',
							name: 'fieldOptions',
							placeholder: 'Add Option',
							type: 'fixedCollection',
							default: { values: [{ option: '' }] },
							typeOptions: { multipleValues: true, sortable: true },
							displayOptions: { show: { fieldType: ['dropdown', 'radio', 'checkbox'] } },
							options: [
								{
									displayName: 'Values',
									name: 'values',
									values: [{ displayName: 'Option', name: 'option', type: 'string', default: '' }],
								},
							],
						},
						{
							displayName: 'Placeholder',
							name: 'placeholder',
							type: 'string',
							default: '',
							displayOptions: { show: { fieldType: ['text', 'email', 'number', 'textarea'] } },
						},
						{
							displayName: 'Required Field',
							name: 'requiredField',
							type: 'boolean',
							default: false,
							description: 'Whether to require the user to enter a value for this field before submitting the form',
						},
					],
				},
			],
		},
	];
}

/** How a bad definition is reported: `label` names the node field, `problem` what is wrong. */
export type FormFail = (label: string, problem: string) => never;

function parseJsonFields(value: unknown, fail: FormFail): unknown[] {
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			fail('Form Fields', `is not valid JSON: ${(error as Error).message}`);
		}
	}
	if (!Array.isArray(parsed)) fail('Form Fields', 'must be a JSON list of fields');
	return parsed;
}

/**
 * Reads and checks the form definition (node parameters `defineForm`, `formFields`, `jsonOutput`).
 * The same function runs before sending (errors name the field and the item) and on the webhook.
 */
export function readFormFields(defineForm: unknown, formFields: unknown, jsonOutput: unknown, fail: FormFail): FormField[] {
	const raw: unknown[] =
		defineForm === 'json' ? parseJsonFields(jsonOutput, fail) : (((formFields as IDataObject | undefined)?.values as unknown[]) ?? []);
	const label = defineForm === 'json' ? 'Form Fields' : 'Form Elements';
	if (raw.length === 0) fail(label, 'is empty: add at least one field');
	if (raw.length > MAX_FIELDS) fail(label, `has ${raw.length} fields (at most ${MAX_FIELDS})`);
	const seen = new Set<string>();
	return raw.map((entry, index) => {
		const field = (entry ?? {}) as IDataObject;
		const where = `${label} → field ${index + 1}`;
		const fieldLabel = typeof field.fieldLabel === 'string' ? field.fieldLabel.trim() : '';
		if (fieldLabel === '') fail(where, 'has no Field Name (fieldLabel)');
		if (seen.has(fieldLabel)) fail(where, `repeats the Field Name "${fieldLabel}": names are the output keys`);
		seen.add(fieldLabel);
		const fieldType = (field.fieldType ?? 'text') as FormFieldType;
		if (!FORM_FIELD_TYPES.includes(fieldType)) {
			fail(where, `("${fieldLabel}") has an unsupported type "${String(field.fieldType)}": use ${FORM_FIELD_TYPES.join(', ')}`);
		}
		// One option may come as an object rather than a list (n8n's fixedCollection, JSON written by hand).
		const given = (field.fieldOptions as IDataObject | undefined)?.values;
		const optionValues = (Array.isArray(given) ? given : given && typeof given === 'object' ? [given] : []) as IDataObject[];
		const options = WITH_OPTIONS.has(fieldType)
			? [...new Set(optionValues.map((value) => String(value?.option ?? '').trim()).filter((option) => option !== ''))]
			: [];
		if (WITH_OPTIONS.has(fieldType) && options.length === 0) {
			fail(where, `("${fieldLabel}") is a ${fieldType} without options`);
		}
		return {
			fieldLabel,
			fieldType,
			placeholder: typeof field.placeholder === 'string' && field.placeholder !== '' ? field.placeholder : undefined,
			requiredField: field.requiredField === true,
			options,
		};
	});
}

/**
 * A multipart post's fields: n8n 2.x accepts only multipart/form-data for a send-and-wait custom form
 * (webhook-helpers `requiresMultipartFormData`), and every n8n parses it into `{data, files}`.
 */
export function postedFields(body: IDataObject | undefined): IDataObject | undefined {
	const data = body?.data;
	if (data && typeof data === 'object' && !Array.isArray(data) && ('files' in (body as IDataObject) || !('field-0' in (body as IDataObject)))) {
		return data as IDataObject;
	}
	return body;
}

/** The name of field `index` in the posted form (labels may hold any character). */
export const inputName = (index: number): string => `field-${index}`;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export type FormAnswer = { ok: true; fields: IDataObject } | { ok: false; errors: string[] };

/** Checks a posted form against the definition: required fields, types and allowed options. */
export function validateForm(fields: FormField[], body: IDataObject | undefined): FormAnswer {
	const errors: string[] = [];
	const out: IDataObject = {};
	fields.forEach((field, index) => {
		const given = body?.[inputName(index)];
		const values = (Array.isArray(given) ? given : given === undefined || given === null ? [] : [given])
			.map((value) => (typeof value === 'string' ? value.replace(/\r\n/g, '\n').trim() : String(value)))
			.filter((value) => value !== '');
		const name = `"${field.fieldLabel}"`;
		if (values.length === 0) {
			if (field.requiredField) errors.push(`${name} is required.`);
			out[field.fieldLabel] = field.fieldType === 'checkbox' ? [] : field.fieldType === 'number' ? null : '';
			return;
		}
		if (values.some((value) => value.length > MAX_VALUE)) {
			errors.push(`${name} is too long (at most ${MAX_VALUE} characters).`);
			return;
		}
		if (field.fieldType === 'checkbox') {
			const wrong = values.filter((value) => !field.options.includes(value));
			if (wrong.length > 0) errors.push(`${name}: "${wrong[0]}" is not one of the options.`);
			out[field.fieldLabel] = [...new Set(values)];
			return;
		}
		if (values.length > 1) {
			errors.push(`${name} takes one value.`);
			return;
		}
		const [value] = values;
		switch (field.fieldType) {
			case 'number': {
				const number = Number(value);
				if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value) || !Number.isFinite(number)) errors.push(`${name} must be a number.`);
				else out[field.fieldLabel] = number;
				return;
			}
			case 'email':
				if (!EMAIL.test(value)) errors.push(`${name} must be an email address.`);
				else out[field.fieldLabel] = value;
				return;
			case 'date':
				if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
					errors.push(`${name} must be a date (YYYY-MM-DD).`);
				} else out[field.fieldLabel] = value;
				return;
			case 'dropdown':
			case 'radio':
				if (!field.options.includes(value)) errors.push(`${name}: "${value}" is not one of the options.`);
				else out[field.fieldLabel] = value;
				return;
			case 'text':
				if (value.includes('\n')) errors.push(`${name} takes one line.`);
				else out[field.fieldLabel] = value;
				return;
			default:
				out[field.fieldLabel] = value;
		}
	});
	return errors.length > 0 ? { ok: false, errors } : { ok: true, fields: out };
}

const escapeHtml = (text: string): string =>
	text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** The form's inputs, refilled with what was posted when the page comes back with errors. */
export function formHtml(fields: FormField[], submitLabel: string, posted?: IDataObject): string {
	const previous = (index: number): string[] => {
		const value = posted?.[inputName(index)];
		return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
	};
	const inputs = fields.map((field, index) => {
		const name = inputName(index);
		const id = `f${index}`;
		const required = field.requiredField ? ' required' : '';
		const star = field.requiredField ? ' <span class="req">*</span>' : '';
		const label = `<label for="${id}">${escapeHtml(field.fieldLabel)}${star}</label>`;
		const placeholder = field.placeholder ? ` placeholder="${escapeHtml(field.placeholder)}"` : '';
		const [first = ''] = previous(index);
		switch (field.fieldType) {
			case 'textarea':
				return `${label}<textarea id="${id}" name="${name}"${placeholder}${required} maxlength="${MAX_VALUE}">${escapeHtml(first)}</textarea>`;
			case 'dropdown':
				return (
					`${label}<select id="${id}" name="${name}"${required}><option value=""></option>` +
					field.options.map((o) => `<option${o === first ? ' selected' : ''}>${escapeHtml(o)}</option>`).join('') +
					'</select>'
				);
			case 'radio':
			case 'checkbox': {
				const chosen = previous(index);
				const type = field.fieldType;
				// A required checkbox group cannot be expressed in HTML: the server checks it.
				const req = type === 'radio' ? required : '';
				return (
					`<fieldset id="${id}"><legend>${escapeHtml(field.fieldLabel)}${star}</legend>` +
					field.options
						.map((o, i) => `<label class="choice"><input type="${type}" name="${name}" value="${escapeHtml(o)}"${chosen.includes(o) ? ' checked' : ''}${i === 0 ? req : ''}> ${escapeHtml(o)}</label>`)
						.join('') +
					'</fieldset>'
				);
			}
			default: {
				const type = field.fieldType === 'text' ? 'text' : field.fieldType;
				const step = field.fieldType === 'number' ? ' step="any"' : '';
				return `${label}<input id="${id}" type="${type}" name="${name}" value="${escapeHtml(first)}"${placeholder}${step}${required}>`;
			}
		}
	});
	return `<form method="post" class="form" enctype="multipart/form-data">${inputs.join('')}<div class="row"><button class="approve" type="submit">${escapeHtml(submitLabel)}</button></div></form>`;
}
