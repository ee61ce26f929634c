/**
 * In-memory stand-in for n8n's `credentials_entity` table.
 *
 * Data is stored as plain objects instead of ciphertext; every read and write deep-copies, so
 * nothing a node does to the object it received can leak back into the store, the same way a
 * decrypt/encrypt round trip isolates n8n's database rows.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { deepCopy, UnexpectedError } from 'n8n-workflow';

/** How a test supplies a credential: keyed by credential id in `runWorkflow({ credentials })`. */
export interface CredentialSeed {
	type: string;
	/** Defaults to the id. */
	name?: string;
	/** The decrypted data as it would be stored (what `n8n import:credentials` takes as `data`). */
	data: ICredentialDataDecryptedObject;
}

export interface StoredCredential {
	id: string;
	name: string;
	type: string;
	data: ICredentialDataDecryptedObject;
}

/** One write made through `ICredentialsHelper.updateCredentials*` during a run. */
export interface CredentialWrite {
	id: string;
	type: string;
	kind: 'update' | 'oauthTokenData';
	/** The full stored data after the write. */
	data: ICredentialDataDecryptedObject;
}

export class CredentialStore {
	private readonly rows = new Map<string, StoredCredential>();

	private readonly writeLog: CredentialWrite[] = [];

	constructor(seeds: Record<string, CredentialSeed> = {}) {
		this.seed(seeds);
	}

	/** Adds or replaces credentials (test setup; not recorded as writes). */
	seed(seeds: Record<string, CredentialSeed>): this {
		for (const [id, seed] of Object.entries(seeds)) {
			this.rows.set(id, {
				id,
				name: seed.name ?? id,
				type: seed.type,
				data: deepCopy(seed.data),
			});
		}
		return this;
	}

	has(id: string): boolean {
		return this.rows.has(id);
	}

	ids(): string[] {
		return [...this.rows.keys()];
	}

	/** A copy of the stored row, or undefined. */
	get(id: string): StoredCredential | undefined {
		const row = this.rows.get(id);
		return row ? deepCopy(row) : undefined;
	}

	/** A copy of the stored data; throws when the id is unknown. */
	getData(id: string): ICredentialDataDecryptedObject {
		const row = this.rows.get(id);
		if (!row) throw new UnexpectedError(`Credential "${id}" is not in the store`);
		return deepCopy(row.data);
	}

	/** Overwrites the stored data the way `updateCredentials` does (the whole object is replaced). */
	write(
		id: string,
		type: string,
		data: ICredentialDataDecryptedObject,
		kind: CredentialWrite['kind'] = 'update',
	): void {
		const row = this.rows.get(id);
		if (!row || row.type !== type) {
			throw new UnexpectedError(`Credential with ID "${id}" does not exist for type "${type}".`);
		}
		row.data = deepCopy(data);
		this.writeLog.push({ id, type, kind, data: deepCopy(row.data) });
	}

	/** Every persisted write, oldest first (copies). Optionally only those for one credential. */
	writes(id?: string): CredentialWrite[] {
		return deepCopy(id === undefined ? this.writeLog : this.writeLog.filter((w) => w.id === id));
	}
}
