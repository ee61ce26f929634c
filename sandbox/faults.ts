/**
 * Deterministic fault injection for reliability work. Not OpenIM behaviour: the closest real things
 * are gin's panic recovery (HTTP 500, empty body), S-main's optional rate limiter (HTTP 429,
 * openim-api.md §5.2/§7) and ordinary network failures.
 */
import type { FaultConfig, FaultKind } from './types';

/** mulberry32: tiny, seedable, good enough to spread faults evenly. */
export function seededRandom(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function rate(n: number | undefined): number {
	return typeof n === 'number' && Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 0;
}

export class FaultInjector {
	private cfg: FaultConfig = {};
	private random = seededRandom(1);
	private script: Array<FaultKind | 'none'> = [];

	/** Replaces the configuration and restarts the PRNG and the script. */
	configure(cfg: FaultConfig): void {
		this.cfg = { ...cfg };
		this.random = seededRandom(cfg.seed ?? 1);
		this.script = [...(cfg.script ?? [])];
	}

	get config(): FaultConfig {
		return { ...this.cfg, script: [...this.script] };
	}

	get stallMs(): number {
		return Math.max(0, this.cfg.stallMs ?? 1000);
	}

	get retryAfterSeconds(): number {
		return Math.max(0, Math.round(this.cfg.retryAfterSeconds ?? 1));
	}

	private applies(path: string): boolean {
		return !this.cfg.paths || this.cfg.paths.length === 0 || this.cfg.paths.includes(path);
	}

	/** The fault for this request, or undefined. One PRNG draw per matching request keeps runs reproducible. */
	pick(path: string): FaultKind | undefined {
		if (!this.applies(path)) return undefined;
		if (this.script.length) {
			const next = this.script.shift();
			return next === 'none' ? undefined : next;
		}
		const bands: Array<[FaultKind, number]> = [
			['http500', rate(this.cfg.http500Rate)],
			['http429', rate(this.cfg.http429Rate)],
			['resetBefore', rate(this.cfg.resetBeforeRate)],
			['resetAfter', rate(this.cfg.resetAfterRate)],
			['stall', rate(this.cfg.stallRate)],
		];
		if (bands.every(([, p]) => p === 0)) return undefined;
		let r = this.random();
		for (const [kind, p] of bands) {
			if (r < p) return kind;
			r -= p;
		}
		return undefined;
	}
}
