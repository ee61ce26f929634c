/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- dev tooling (process, console), not shipped in the package */
/**
 * node build/sandbox/cli.js [--host 127.0.0.1] [--port 10002|0] [--secret openIM123]
 *                           [--token-lifetime <s>] [--seed default|none] [--generation v3.8|v3.8.1|v3.2|v3.0|v2|v2.0] [--admin-token-cap N]
 *                           [--storage [--min-part-size <bytes>]] [--verbose]
 *
 * With --storage it starts the object storage beside it (sandbox/storage.ts) and first prints
 * `Object storage (S3) at http://HOST:PORT`.
 * Prints `OpenIM sandbox ready at http://HOST:PORT` once listening (scripts wait for that line) and
 * stops cleanly on SIGTERM/SIGINT (docs/architecture.md, "Sandbox CLI and control plane").
 */
import { GENERATION_OPTIONS } from './generations';
import { startSandbox } from './server';
import type { SandboxOptions } from './types';

const USAGE =
	'usage: cli.js [--host 127.0.0.1] [--port 10002|0] [--secret openIM123] [--token-lifetime <seconds>] ' +
	'[--seed default|none] [--generation v3.8|v3.8.1|v3.2|v3.0|v2|v2.0] [--admin-token-cap N] [--storage [--min-part-size <bytes>]] [--verbose]';

const isGeneration = (value: string): value is (typeof GENERATION_OPTIONS)[number] =>
	(GENERATION_OPTIONS as readonly string[]).includes(value);

export function parseArgs(argv: string[]): Partial<SandboxOptions> & { verbose?: boolean } {
	const out: Partial<SandboxOptions> & { verbose?: boolean } = { port: 10002 };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg];
		const value = (): string => {
			const v = inline ?? argv[++i];
			if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
			return v;
		};
		const int = (min: number): number => {
			const raw = value();
			const n = Number(raw);
			if (!Number.isInteger(n) || n < min) throw new Error(`${flag}: not a valid number: ${raw}`);
			return n;
		};
		switch (flag) {
			case '--host':
				out.host = value();
				break;
			case '--port':
				out.port = int(0);
				break;
			case '--secret':
				out.secret = value();
				break;
			case '--token-lifetime':
				out.tokenLifetimeSeconds = int(1);
				break;
			case '--seed': {
				const seed = value();
				if (seed !== 'default' && seed !== 'none') throw new Error(`--seed must be default or none, got ${seed}`);
				out.seed = seed;
				break;
			}
			case '--generation': {
				const generation = value();
				if (!isGeneration(generation)) {
					throw new Error(`--generation must be ${GENERATION_OPTIONS.join(', ')}, got ${generation}`);
				}
				out.generation = generation;
				break;
			}
			case '--admin-token-cap':
				out.adminTokenCap = int(0);
				break;
			case '--storage':
				out.storage = true;
				break;
			case '--min-part-size':
				out.minPartSize = int(1);
				break;
			case '--verbose':
				out.verbose = true;
				break;
			case '--help':
			case '-h':
				console.log(USAGE);
				process.exit(0);
				break;
			default:
				throw new Error(`unknown argument ${arg}`);
		}
	}
	return out;
}

async function main(): Promise<void> {
	let opts: ReturnType<typeof parseArgs>;
	try {
		opts = parseArgs(process.argv.slice(2));
	} catch (e) {
		console.error(`${(e as Error).message}\n${USAGE}`);
		process.exit(2);
	}
	const { verbose, ...options } = opts;
	const sandbox = await startSandbox({ ...options, log: verbose ? (line) => console.log(line) : undefined });
	if (sandbox.storage) console.log(`Object storage (S3) at ${sandbox.storage.url}`);
	console.log(`OpenIM sandbox ready at ${sandbox.url}`);
	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		sandbox.close().then(
			() => {
				if (verbose) console.log(`OpenIM sandbox stopped (${signal})`);
				process.exit(0);
			},
			(e: unknown) => {
				console.error(`OpenIM sandbox: error while stopping: ${String(e)}`);
				process.exit(1);
			},
		);
	};
	process.on('SIGTERM', () => stop('SIGTERM'));
	process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
	main().catch((e: unknown) => {
		console.error(`OpenIM sandbox failed to start: ${e instanceof Error ? e.message : String(e)}`);
		process.exit(1);
	});
}
