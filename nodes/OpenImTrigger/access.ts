/**
 * Who may call the trigger and which messages count as our own. OpenIM signs nothing (openim-api.md
 * §6.2): the protection is an unguessable URL (n8n's webhook ID, plus an optional secret path
 * segment) and, optionally, an IP allow-list.
 */

/** A path segment: URL-safe without escaping, and never `.`/`..`. */
const SECRET_SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Why the secret path segment is unusable, or undefined when it is fine (empty = none). */
export function secretSegmentProblem(secret: string): string | undefined {
	if (secret === '' || SECRET_SEGMENT.test(secret)) return undefined;
	return 'The secret path segment may only contain letters, digits, "-" and "_" (it becomes one segment of the webhook URL).';
}

/** Comma, semicolon, space or newline separated IDs (the credential's Sender IDs use commas). */
export function parseIdList(text: unknown): string[] {
	if (typeof text !== 'string') return [];
	return text
		.split(/[\s,;]+/)
		.map((id) => id.trim())
		.filter((id) => id !== '');
}

/* ---------- IP allow-list ---------- */

export interface IpRange {
	/** As written, for messages. */
	text: string;
	/** 4 bytes (IPv4) or 16 bytes (IPv6). */
	bytes: number[];
	/** Leading bits that must match. */
	prefix: number;
}

function parseIPv4(text: string): number[] | null {
	const parts = text.split('.');
	if (parts.length !== 4) return null;
	const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
	return bytes.every((b) => b >= 0 && b <= 255) ? bytes : null;
}

function parseIPv6(input: string): number[] | null {
	let text = input.replace(/^\[|\]$/g, '');
	const zone = text.indexOf('%');
	if (zone !== -1) text = text.slice(0, zone);
	let tail: number[] = [];
	const lastColon = text.lastIndexOf(':');
	if (text.includes('.') && lastColon !== -1) {
		// Embedded IPv4 in the last 32 bits (::ffff:10.0.0.1).
		const v4 = parseIPv4(text.slice(lastColon + 1));
		if (!v4) return null;
		tail = v4;
		text = `${text.slice(0, lastColon + 1)}0:0`;
	}
	const halves = text.split('::');
	if (halves.length > 2) return null;
	const group = (g: string) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN);
	const head = halves[0] === '' ? [] : halves[0].split(':').map(group);
	const rest = halves.length === 2 ? (halves[1] === '' ? [] : halves[1].split(':').map(group)) : [];
	const missing = 8 - head.length - rest.length;
	if (halves.length === 1 ? head.length !== 8 : missing < 1) return null;
	const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest];
	if (groups.some((g) => Number.isNaN(g))) return null;
	const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
	if (tail.length) bytes.splice(12, 4, ...tail);
	return bytes;
}

/** IPv4, IPv6, or IPv4-mapped IPv6 (reported as the IPv4 address, as Node often gives it). */
export function parseIp(text: string): number[] | null {
	const trimmed = text.trim();
	if (trimmed === '') return null;
	if (!trimmed.includes(':')) return parseIPv4(trimmed);
	const v6 = parseIPv6(trimmed);
	if (!v6) return null;
	const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
	return mapped ? v6.slice(12) : v6;
}

/** `10.0.0.0/8, 192.168.1.7, ::1, fd00::/8` → ranges; unparsable entries are reported, not dropped silently. */
export function parseAllowList(text: unknown): { ranges: IpRange[]; invalid: string[] } {
	const ranges: IpRange[] = [];
	const invalid: string[] = [];
	for (const entry of parseIdList(text)) {
		const [address, prefixText, extra] = entry.split('/');
		const bytes = parseIp(address);
		const max = bytes ? bytes.length * 8 : 0;
		const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
		if (!bytes || extra !== undefined || !(prefix >= 0 && prefix <= max)) {
			invalid.push(entry);
			continue;
		}
		ranges.push({ text: entry, bytes, prefix });
	}
	return { ranges, invalid };
}

function inRange(ip: number[], range: IpRange): boolean {
	if (ip.length !== range.bytes.length) return false;
	let bits = range.prefix;
	for (let i = 0; i < ip.length && bits > 0; i++, bits -= 8) {
		const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
		if ((ip[i] & mask) !== (range.bytes[i] & mask)) return false;
	}
	return true;
}

/** Whether `address` (as Express reports it) falls in one of the ranges. */
export function ipAllowed(ranges: IpRange[], address: string | undefined): boolean {
	const ip = parseIp(address ?? '');
	return ip !== null && ranges.some((range) => inRange(ip, range));
}
