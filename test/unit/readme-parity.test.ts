/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test tooling, not shipped: reads the READMEs relative to __dirname */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

/**
 * README.zh-CN.md is a translation of README.md kept structurally parallel, so that a change to one can be
 * carried over to the other section by section: the same headings per level in the same order, the same
 * tables (columns and rows), the same fenced code blocks byte for byte, and a link to each other at the top.
 * Links inside each file (anchors, images, relative files) must resolve.
 */

const root = join(__dirname, '..', '..');
const EN = 'README.md';
const ZH = 'README.zh-CN.md';

interface Heading {
	level: number;
	text: string;
	line: number;
	/** Tables and fenced code blocks between this heading and the next one: locates a missing section. */
	tables: number;
	code: number;
}

interface CodeBlock {
	info: string;
	body: string;
	line: number;
}

interface Table {
	columns: number;
	rows: number;
	line: number;
}

interface Readme {
	name: string;
	lines: string[];
	headings: Heading[];
	code: CodeBlock[];
	tables: Table[];
	/** The lines outside fenced code blocks, with their 1-based line numbers. */
	prose: Array<{ text: string; line: number }>;
}

/** A fence opener; README fences may be indented inside list items. */
const FENCE = /^\s*(`{3,}|~{3,})(.*)$/;

function cells(row: string): number {
	const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
	return inner.split(/(?<!\\)\|/).length;
}

function parse(name: string, text = readFileSync(join(root, name), 'utf8')): Readme {
	const lines = text.split('\n');
	const readme: Readme = { name, lines, headings: [], code: [], tables: [], prose: [] };
	let fence: { marker: string; info: string; start: number; body: string[] } | undefined;
	let table: Table | undefined;
	lines.forEach((raw, index) => {
		const line = index + 1;
		if (fence) {
			const close = raw.trimStart();
			if (close.startsWith(fence.marker) && close.slice(fence.marker.length).trim() === '') {
				readme.code.push({ info: fence.info, body: fence.body.join('\n'), line: fence.start });
				if (readme.headings.length) readme.headings[readme.headings.length - 1].code++;
				fence = undefined;
			} else {
				fence.body.push(raw);
			}
			return;
		}
		const open = FENCE.exec(raw);
		if (open) {
			table = undefined;
			// The body keeps its indentation, so a block moved in or out of a list item counts as changed.
			fence = { marker: open[1], info: open[2].trim(), start: line, body: [] };
			return;
		}
		readme.prose.push({ text: raw, line });
		const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(raw);
		if (heading) {
			readme.headings.push({ level: heading[1].length, text: heading[2], line, tables: 0, code: 0 });
		}
		if (/^\s*\|/.test(raw)) {
			if (table) {
				table.rows++;
			} else if (/^\s*\|?\s*:?-{3,}/.test(lines[index + 1] ?? '')) {
				table = { columns: cells(raw), rows: 0, line };
				readme.tables.push(table);
				if (readme.headings.length) readme.headings[readme.headings.length - 1].tables++;
			}
		} else {
			table = undefined;
		}
	});
	if (fence) throw new Error(`${name}: the code block opened on line ${fence.start} is never closed`);
	// The delimiter row is not a row.
	for (const t of readme.tables) t.rows--;
	return readme;
}

/** GitHub's heading anchors (github-slugger): lower case, punctuation and symbols dropped, spaces → "-". */
function slug(text: string): string {
	const rendered = text
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/<[^>]+>/g, '')
		.replace(/[*`]/g, '');
	return rendered
		.toLowerCase()
		.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
		.replace(/ /g, '-');
}

function anchors(readme: Readme): Set<string> {
	const seen = new Map<string, number>();
	const result = new Set<string>();
	for (const h of readme.headings) {
		const base = slug(h.text);
		const count = seen.get(base) ?? 0;
		seen.set(base, count + 1);
		result.add(count ? `${base}-${count}` : base);
	}
	return result;
}

/** Link targets in prose (inline code spans skipped), with their line numbers. */
function links(readme: Readme): Array<{ target: string; line: number }> {
	const found: Array<{ target: string; line: number }> = [];
	for (const { text, line } of readme.prose) {
		const outsideCode = text.replace(/`[^`]*`/g, '');
		for (const match of outsideCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
			found.push({ target: match[1], line });
		}
	}
	return found;
}

function describeHeading(h: Heading | undefined): string {
	return h ? `line ${h.line}: ${'#'.repeat(h.level)} ${h.text} [${h.tables} tables, ${h.code} code blocks]` : '(none)';
}

function firstDifference(length: number, same: (i: number) => boolean): number {
	for (let i = 0; i < length; i++) if (!same(i)) return i;
	return -1;
}

/** Headings per level, e.g. "h1: 1, h2: 14, h3: 12". */
function headingCounts(r: Readme): string {
	return [1, 2, 3, 4, 5, 6]
		.map((level) => `h${level}: ${r.headings.filter((h) => h.level === level).length}`)
		.join(', ');
}

/**
 * The first heading without a counterpart, or undefined: headings pair up in order, each pair at the same
 * level and with as many tables and code blocks in its section.
 */
function headingMismatch(a: Readme, b: Readme): string | undefined {
	const length = Math.max(a.headings.length, b.headings.length);
	const signature = (h: Heading | undefined) => (h ? `${h.level}/${h.tables}/${h.code}` : '');
	const i = firstDifference(length, (k) => signature(a.headings[k]) === signature(b.headings[k]));
	if (i < 0) return undefined;
	return (
		`Heading #${i + 1} has no counterpart (level, tables or code blocks in its section differ; ` +
		`${a.name} ${headingCounts(a)}; ${b.name} ${headingCounts(b)}):\n` +
		`  ${a.name} ${describeHeading(a.headings[i])}\n` +
		`  ${b.name} ${describeHeading(b.headings[i])}\n` +
		`  next: ${a.name} ${describeHeading(a.headings[i + 1])} ↔ ${b.name} ${describeHeading(b.headings[i + 1])}\n` +
		`  last matching pair: ${a.name} ${describeHeading(a.headings[i - 1])} ↔ ${b.name} ${describeHeading(b.headings[i - 1])}`
	);
}

/** The first fenced code block that differs (info string or body), or undefined. */
function codeMismatch(a: Readme, b: Readme): string | undefined {
	const length = Math.max(a.code.length, b.code.length);
	const i = firstDifference(length, (k) => a.code[k]?.info === b.code[k]?.info && a.code[k]?.body === b.code[k]?.body);
	if (i < 0) return undefined;
	const show = (r: Readme) => {
		const block = r.code[i];
		return block ? `${r.name} line ${block.line} (\`\`\`${block.info}):\n${block.body}` : `${r.name}: no code block #${i + 1}`;
	};
	return `Code block #${i + 1} differs (${a.name} has ${a.code.length} blocks, ${b.name} has ${b.code.length}):\n${show(a)}\n---\n${show(b)}`;
}

/** The first table whose column or row count differs, or undefined. */
function tableMismatch(a: Readme, b: Readme): string | undefined {
	const length = Math.max(a.tables.length, b.tables.length);
	const i = firstDifference(
		length,
		(k) => a.tables[k]?.columns === b.tables[k]?.columns && a.tables[k]?.rows === b.tables[k]?.rows,
	);
	if (i < 0) return undefined;
	const show = (r: Readme) => {
		const t = r.tables[i];
		return t ? `${r.name} line ${t.line}: ${t.columns} columns, ${t.rows} rows` : `${r.name}: no table #${i + 1}`;
	};
	return `Table #${i + 1} differs (${a.name} has ${a.tables.length} tables, ${b.name} has ${b.tables.length}):\n  ${show(a)}\n  ${show(b)}`;
}

describe('README.zh-CN.md stays parallel to README.md', () => {
	const en = parse(EN);
	const zh = parse(ZH);
	const byName = (name: string) => (name === EN ? en : name === ZH ? zh : parse(name));

	it('has the same number of headings per level', () => {
		expect(`${ZH} ${headingCounts(zh)}`).toBe(`${ZH} ${headingCounts(en)}`);
	});

	it('has its headings at the same levels in the same order', () => {
		expect(headingMismatch(en, zh)).toBeUndefined();
	});

	it('has the same fenced code blocks, byte for byte, in the same order', () => {
		expect(codeMismatch(en, zh)).toBeUndefined();
	});

	it('has the same tables (columns and rows) in the same order', () => {
		expect(tableMismatch(en, zh)).toBeUndefined();
	});

	it.each([
		[EN, ZH],
		[ZH, EN],
	])('%s links to %s at the top (before its first section)', (from, to) => {
		const readme = byName(from);
		const firstSection = readme.headings.find((h) => h.level === 2)?.line ?? readme.lines.length;
		const top = links({ ...readme, prose: readme.prose.filter((p) => p.line < firstSection) });
		expect(top.map((l) => l.target)).toContain(to);
	});

	it.each([EN, ZH])('%s has no broken anchors, images or relative links', (name) => {
		const readme = byName(name);
		const broken: string[] = [];
		for (const { target, line } of links(readme)) {
			if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
			const [path, hash] = target.split('#');
			if (path && !existsSync(join(root, decodeURI(path)))) {
				broken.push(`line ${line}: ${target} (no file ${path})`);
				continue;
			}
			if (hash === undefined) continue;
			const file = path || name;
			if (!file.endsWith('.md')) continue;
			if (!anchors(byName(file)).has(decodeURIComponent(hash).toLowerCase())) {
				broken.push(`line ${line}: ${target} (no heading with anchor #${hash} in ${file})`);
			}
		}
		expect(broken).toEqual([]);
	});

	describe('the checks themselves, on altered copies of README.md', () => {
		const text = readFileSync(join(root, EN), 'utf8');
		const copy = (altered: string) => parse('altered.md', altered);

		it('accept an identical copy', () => {
			const same = copy(text);
			expect([headingMismatch(en, same), codeMismatch(en, same), tableMismatch(en, same)]).toEqual([
				undefined,
				undefined,
				undefined,
			]);
		});

		it('name the heading when a section is missing', () => {
			const h3 = en.headings.find((h) => h.level === 3 && h.tables > 0)!;
			const lines = text.split('\n');
			lines[h3.line - 1] = `**${h3.text}**`;
			const message = headingMismatch(en, copy(lines.join('\n')));
			// Its content joins the section above, so the report starts there or at the missing heading.
			const index = en.headings.indexOf(h3) + 1;
			expect(message).toMatch(new RegExp(`^Heading #(${index - 1}|${index}) has no counterpart`));
			expect(message).toContain(h3.text);
		});

		it('name the code block when a comment inside it changes', () => {
			const block = en.code.find((c) => c.body.includes('# '));
			expect(block).toBeDefined();
			const index = en.code.indexOf(block!) + 1;
			const altered = text.replace(block!.body, block!.body.replace('# ', '# 注释 '));
			expect(codeMismatch(en, copy(altered))).toContain(`Code block #${index} differs`);
		});

		it('name the table when a row is missing', () => {
			const table = en.tables[0];
			const lines = text.split('\n');
			lines.splice(table.line + 1, 1);
			expect(tableMismatch(en, copy(lines.join('\n')))).toContain('Table #1 differs');
		});

		it('do not take a "#" comment inside a code block for a heading', () => {
			expect(en.headings.some((h) => h.text.startsWith('an admin token'))).toBe(false);
		});
	});
});
