/**
 * Credential type registry for the in-process workflow harness.
 *
 * n8n's CLI looks credential types up by name (`CredentialTypes.getByName`) from the classes its
 * loader found on disk. The harness has no loader: tests register the instances they need,
 * e.g. `registerCredentialType(new OpenImApi())`.
 */
import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { NodeHelpers, UnexpectedError } from 'n8n-workflow';

export class CredentialTypeRegistry {
	private readonly types = new Map<string, ICredentialType>();

	/** Registers (or replaces) credential types by their `name`. */
	register(...types: ICredentialType[]): this {
		for (const type of types) this.types.set(type.name, type);
		return this;
	}

	unregister(name: string): void {
		this.types.delete(name);
	}

	recognizes(name: string): boolean {
		return this.types.has(name);
	}

	getByName(name: string): ICredentialType {
		const type = this.types.get(name);
		if (!type) {
			throw new UnexpectedError(
				`Unknown credential type "${name}". Register it first: registerCredentialType(new MyCredential()).` +
					` Known: ${[...this.types.keys()].join(', ') || '(none)'}`,
			);
		}
		return type;
	}

	names(): string[] {
		return [...this.types.keys()];
	}

	/** All ancestors named in `extends`, nearest first (same order as n8n's CredentialTypes). */
	getParentTypes(name: string): string[] {
		const parents = this.types.get(name)?.extends ?? [];
		const result: string[] = [];
		for (const parent of parents) {
			result.push(parent, ...this.getParentTypes(parent));
		}
		return result;
	}

	/** Properties including those inherited through `extends`; the child's definitions win. */
	getProperties(name: string): INodeProperties[] {
		const type = this.getByName(name);
		if (type.extends === undefined) return type.properties;
		const combined: INodeProperties[] = [];
		for (const parent of type.extends) {
			NodeHelpers.mergeNodeProperties(combined, this.getProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, type.properties);
		return combined;
	}
}

/** Process-wide default registry (one per Jest test file, as Jest isolates module state). */
export const defaultCredentialTypes = new CredentialTypeRegistry();

/** Makes credential types known to every `runWorkflow` call in this test file. */
export function registerCredentialType(...types: ICredentialType[]): void {
	defaultCredentialTypes.register(...types);
}
