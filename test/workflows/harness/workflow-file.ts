/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test tooling, not shipped: reads fixture files relative to __dirname */
/**
 * Loads the same files `n8n import:workflow` / `n8n import:credentials` take, so in-process
 * tests and the real-n8n e2e tests can share fixtures.
 */
import type {
	ICredentialDataDecryptedObject,
	IConnections,
	IDataObject,
	INode,
	IPinData,
	IWorkflowSettings,
} from 'n8n-workflow';
import { UnexpectedError, jsonParse } from 'n8n-workflow';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

import type { CredentialSeed } from './credential-store';

/** The parts of an exported n8n workflow the harness uses; other fields are kept but ignored. */
export interface WorkflowJson {
	id?: string;
	name?: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	pinData?: IPinData;
	staticData?: IDataObject | string | null;
	active?: boolean;
	[key: string]: unknown;
}

/** Repository root (this file lives in test/workflows/harness/). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

function readJson(file: string): unknown {
	const path = isAbsolute(file) ? file : resolve(REPO_ROOT, file);
	return jsonParse(readFileSync(path, 'utf8'), { errorMessage: `${path} is not valid JSON` });
}

function isWorkflowJson(value: unknown): value is WorkflowJson {
	return (
		typeof value === 'object' &&
		value !== null &&
		Array.isArray((value as WorkflowJson).nodes) &&
		typeof (value as WorkflowJson).connections === 'object'
	);
}

/**
 * Reads a `*.workflow.json` (a workflow object, or an array of them as `n8n export:workflow
 * --all` writes; then pass `name` unless it holds exactly one). Relative paths are resolved
 * from the repository root.
 */
export function loadWorkflowFile(file: string, options: { name?: string } = {}): WorkflowJson {
	const content = readJson(file);
	const list = Array.isArray(content) ? content : [content];
	const candidates = options.name
		? list.filter((w) => isWorkflowJson(w) && w.name === options.name)
		: list;
	if (candidates.length !== 1 || !isWorkflowJson(candidates[0])) {
		throw new UnexpectedError(
			`${file}: expected exactly one workflow${options.name ? ` named "${options.name}"` : ''} ` +
				`with "nodes" and "connections", found ${candidates.length}`,
		);
	}
	return candidates[0];
}

/**
 * Reads a credentials file in `n8n import:credentials` format (an array, or one object, of
 * `{ id, name, type, data }` with plain `data`) into the `credentials` option of `runWorkflow`.
 * `overrides` are merged into each credential's data (e.g. the sandbox URL of this test run).
 */
export function loadCredentialsFile(
	file: string,
	overrides: Record<string /* credential id */, ICredentialDataDecryptedObject> = {},
): Record<string, CredentialSeed> {
	const content = readJson(file);
	const list = (Array.isArray(content) ? content : [content]) as Array<{
		id?: string;
		name?: string;
		type?: string;
		data?: unknown;
	}>;
	const seeds: Record<string, CredentialSeed> = {};
	for (const entry of list) {
		if (!entry.id || !entry.type || typeof entry.data !== 'object' || entry.data === null) {
			throw new UnexpectedError(
				`${file}: every credential needs "id", "type" and a plain-object "data" (encrypted strings cannot be read here)`,
			);
		}
		seeds[entry.id] = {
			type: entry.type,
			name: entry.name,
			data: { ...(entry.data as ICredentialDataDecryptedObject), ...(overrides[entry.id] ?? {}) },
		};
	}
	return seeds;
}
