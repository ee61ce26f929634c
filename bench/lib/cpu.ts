/* eslint-disable @n8n/community-nodes/no-restricted-imports -- benchmark tooling, not shipped: reads /proc */
/**
 * CPU accounting for benchmarks that run several processes (queue mode): the CPU time of whole process groups
 * (an n8n process and what it spawns, a PostgreSQL postmaster and its backends) and of the machine.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: /proc reports CPU times in clock ticks of 10 ms on Linux. */
const TICK_MS = 10;

function statFields(pid: string): string[] | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// After "(comm) ": fields[0] is field 3 (state), [2] field 5 (pgrp), [11]/[12] fields 14/15 (utime/stime),
		// [13]/[14] fields 16/17 (children's utime/stime, once waited for).
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	} catch {
		return undefined; // ended meanwhile
	}
}

/**
 * CPU time (ms) used so far by every live process of each group, plus what their ended children used.
 * One pass over /proc for all groups.
 */
export function groupCpuMs(pgids: Array<number | undefined>): number[] {
	const index = new Map<number, number>();
	pgids.forEach((g, i) => g && index.set(g, i));
	const out = pgids.map(() => 0);
	for (const pid of readdirSync('/proc')) {
		if (!/^\d+$/.test(pid)) continue;
		const f = statFields(pid);
		const i = f && index.get(Number(f[2]));
		if (f && i !== undefined) out[i] += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS;
	}
	return out;
}

/** The machine's busy and total CPU time (ms, all cores) from /proc/stat. */
export function machineCpuMs(): { busy: number; total: number } {
	const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
	const v = line.trim().split(/\s+/).slice(1).map(Number);
	const total = v.reduce((a, b) => a + b, 0);
	// idle (4th) and iowait (5th) are the idle time.
	return { busy: (total - v[3] - (v[4] ?? 0)) * TICK_MS, total: total * TICK_MS };
}
