/* eslint-disable @n8n/community-nodes/no-restricted-imports -- benchmark tooling, not shipped: reads a .cpuprofile (node:fs) */
/**
 * Reads a V8 .cpuprofile (from `--cpu-prof`) and says where the CPU time of one time window (the
 * sending node's execution) went: self time per function and per owner (our package, n8n-core,
 * n8n-workflow, the HTTP client libraries, Node internals, GC), and the inclusive time of stacks that
 * pass through our code. Native frames (JSON.parse, RegExp…, url '') are charged to the nearest
 * JavaScript caller's owner.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
	functionName: string;
	url: string;
	lineNumber: number;
	columnNumber: number;
}

interface ProfileNode {
	id: number;
	callFrame: CallFrame;
	children?: number[];
}

interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

export type Owner =
	| 'ours'
	| 'floor'
	| 'n8n-core'
	| 'n8n-workflow'
	| 'n8n-nodes-base'
	| 'n8n expression runtime (isolated-vm)'
	| 'n8n (cli, db, hooks)'
	| 'http client (axios, agents)'
	| 'other npm deps'
	| 'node internals'
	| 'gc'
	| 'idle/program';

const HTTP_CLIENT_PACKAGES = new Set([
	'axios',
	'follow-redirects',
	'proxy-from-env',
	'http-proxy-agent',
	'https-proxy-agent',
	'agent-base',
	'form-data',
]);

/** The npm package a script belongs to (the last node_modules/<name>/ in its URL). */
export function packageOf(url: string): string | undefined {
	const m = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
	return m?.[1];
}

export function ownerOf(url: string, functionName: string): Owner | undefined {
	if (functionName === '(garbage collector)') return 'gc';
	if (functionName === '(idle)' || functionName === '(program)' || functionName === '(root)') return 'idle/program';
	if (!url) return undefined;
	const pkg = packageOf(url);
	if (pkg === undefined) return url.startsWith('node:') || !url.includes('/') ? 'node internals' : 'other npm deps';
	if (pkg === 'n8n-nodes-openim') return 'ours';
	if (pkg === 'n8n-nodes-openim-bench-floor') return 'floor';
	if (pkg === 'n8n-core' || pkg === 'n8n-workflow' || pkg === 'n8n-nodes-base') return pkg;
	if (HTTP_CLIENT_PACKAGES.has(pkg)) return 'http client (axios, agents)';
	if (pkg === '@n8n/expression-runtime' || pkg === 'isolated-vm') return 'n8n expression runtime (isolated-vm)';
	if (pkg === 'n8n' || pkg.startsWith('@n8n/')) return 'n8n (cli, db, hooks)';
	return 'other npm deps';
}

export interface FunctionCost {
	name: string;
	where: string;
	owner: Owner;
	ms: number;
}

export interface ProfileSummary {
	windowMs: number;
	sampledMs: number;
	byOwnerMs: Record<string, number>;
	topSelf: FunctionCost[];
	/** Time of samples whose stack contains a frame of our package (inclusive). */
	underOursMs: number;
	/** Of underOursMs: by the owner of the leaf (our own code vs n8n code we called synchronously). */
	underOursByLeafOwnerMs: Record<string, number>;
	/** Inclusive time of our functions (each sample counted once per function). */
	oursInclusive: FunctionCost[];
	/** Inclusive time of selected n8n entry points (each sample counted once per function). */
	n8nInclusive: FunctionCost[];
}

const N8N_ENTRY_POINTS = [
	'getNodeParameter',
	'httpRequestWithAuthentication',
	'httpRequest',
	'preAuthentication',
	'authenticate',
	'getParameterValue',
	'resolveSimpleParameterValue',
	'convertN8nRequestToAxios',
	'setAxiosAgents',
	'invokeAxios',
	'request',
	'proxyRequestToAxios',
];

function shortUrl(url: string): string {
	const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
	if (m) return `${m[1]}/${m[2].replace(/^dist\//, '')}`;
	return url.replace(/^file:\/\//, '');
}

/**
 * Summarises the samples of `file` between `fromMonoUs` and `toMonoUs` (monotonic clock, µs, the
 * clock of the profile's timestamps and of process.hrtime).
 */
export function summariseProfile(file: string, fromMonoUs: number, toMonoUs: number): ProfileSummary {
	const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
	const byId = new Map<number, ProfileNode>();
	const parent = new Map<number, number>();
	for (const n of profile.nodes) byId.set(n.id, n);
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

	const stackOf = (id: number): ProfileNode[] => {
		const out: ProfileNode[] = [];
		for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) out.push(byId.get(cur)!);
		return out; // leaf first
	};
	const ownerCache = new Map<number, Owner>();
	const effectiveOwner = (id: number): Owner => {
		const cached = ownerCache.get(id);
		if (cached) return cached;
		let owner: Owner = 'node internals';
		for (const n of stackOf(id)) {
			const o = ownerOf(n.callFrame.url, n.callFrame.functionName);
			if (o) {
				owner = o;
				break;
			}
		}
		ownerCache.set(id, owner);
		return owner;
	};

	const byOwner: Record<string, number> = {};
	const self = new Map<number, number>();
	const oursInclusive = new Map<string, FunctionCost>();
	const n8nInclusive = new Map<string, FunctionCost>();
	const underOursByLeaf: Record<string, number> = {};
	let underOurs = 0;
	let sampled = 0;

	let t = profile.startTime;
	for (let i = 0; i < profile.samples.length; i++) {
		t += profile.timeDeltas[i] ?? 0;
		if (t < fromMonoUs || t > toMonoUs) continue;
		// A sample stands for the time until the next one.
		const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
		if (dt <= 0) continue;
		const id = profile.samples[i];
		sampled += dt;
		const owner = effectiveOwner(id);
		byOwner[owner] = (byOwner[owner] ?? 0) + dt;
		self.set(id, (self.get(id) ?? 0) + dt);

		const stack = stackOf(id);
		const seen = new Set<string>();
		let viaOurs = false;
		for (const n of stack) {
			const { functionName, url, lineNumber } = n.callFrame;
			const o = ownerOf(url, functionName);
			if (o === 'ours') {
				viaOurs = true;
				const key = `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
				if (!seen.has(key)) {
					seen.add(key);
					const e = oursInclusive.get(key) ?? { name: functionName || '(anonymous)', where: `${shortUrl(url)}:${lineNumber + 1}`, owner: o, ms: 0 };
					e.ms += dt;
					oursInclusive.set(key, e);
				}
			} else if (o && N8N_ENTRY_POINTS.includes(functionName)) {
				const key = `${functionName} ${shortUrl(url)}`;
				if (!seen.has(key)) {
					seen.add(key);
					const e = n8nInclusive.get(key) ?? { name: functionName, where: `${shortUrl(url)}:${lineNumber + 1}`, owner: o, ms: 0 };
					e.ms += dt;
					n8nInclusive.set(key, e);
				}
			}
		}
		if (viaOurs) {
			underOurs += dt;
			underOursByLeaf[owner] = (underOursByLeaf[owner] ?? 0) + dt;
		}
	}

	// Self time per function (frames of the same function merged across call paths).
	const perFunction = new Map<string, FunctionCost>();
	for (const [id, ms] of self) {
		const n = byId.get(id)!;
		const { functionName, url, lineNumber } = n.callFrame;
		const owner = effectiveOwner(id);
		const native = !url && !ownerOf(url, functionName);
		const name = `${functionName || '(anonymous)'}${native ? ' [native]' : ''}`;
		const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : `(charged to ${owner})`;
		const key = `${name} ${where}`;
		const e = perFunction.get(key) ?? { name, where, owner, ms: 0 };
		e.ms += ms;
		perFunction.set(key, e);
	}
	const sortDesc = (list: Iterable<FunctionCost>) => [...list].sort((a, b) => b.ms - a.ms);
	return {
		windowMs: (toMonoUs - fromMonoUs) / 1000,
		sampledMs: sampled,
		byOwnerMs: byOwner,
		topSelf: sortDesc(perFunction.values()).slice(0, 25),
		underOursMs: underOurs,
		underOursByLeafOwnerMs: underOursByLeaf,
		oursInclusive: sortDesc(oursInclusive.values()).slice(0, 25),
		n8nInclusive: sortDesc(n8nInclusive.values()).slice(0, 15),
	};
}
