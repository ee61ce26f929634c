#!/usr/bin/env node
// n8n's community-package analyser (@n8n/scan-community-package) on a local tree, as n8n runs it on a
// published version: its CLI only fetches from the registry (and needs provenance), so this calls the
// exported analyzePackage() directly with the same two legs — the source (package.json, nodes/,
// credentials/) and the unpacked tarball (compiled .js and package.json).
//
//   node tools/scan-package.mjs [--source <dir>] [--package <unpacked tarball dir> | --tgz <file.tgz>]
//
// Default: --source . and a fresh `npm pack` of it. Any finding fails (exit 1): n8n's verdict counts only
// errors, so the same config is run once more through ESLint to surface warnings too.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
	analyzePackage,
	buildScanConfig,
	SOURCE_FILE_PATTERNS,
} from '@n8n/scan-community-package/scanner/scanner.mjs';

// The scanner's own ESLint and fast-glob, so the warnings pass lints exactly as its verdict does.
const scannerRequire = createRequire(createRequire(import.meta.url).resolve('@n8n/scan-community-package/package.json'));
const { ESLint } = scannerRequire('eslint');
const glob = scannerRequire('fast-glob');

/** The tarball leg's patterns, as in analyzePackageByName(). */
const PACKAGE_FILE_PATTERNS = ['**/*.js', 'package.json'];

function parseArgs(argv) {
	const args = { source: '.', pkg: undefined, tgz: undefined };
	for (let i = 0; i < argv.length; i++) {
		const flag = argv[i];
		const value = argv[++i];
		if (value === undefined) throw new Error(`${flag} needs a value`);
		if (flag === '--source') args.source = value;
		else if (flag === '--package') args.pkg = value;
		else if (flag === '--tgz') args.tgz = value;
		else throw new Error(`unknown argument ${flag}`);
	}
	return args;
}

/** Warnings the verdict ignores: same config, files and settings as analyzePackage(). */
async function warnings(dir, patterns) {
	const eslint = new ESLint({
		cwd: dir,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: await buildScanConfig(),
	});
	const files = glob.sync(patterns, { cwd: dir, absolute: true, ignore: ['node_modules/**', '**/package-lock.json'] });
	const results = (await eslint.lintFiles(files)).filter((r) => r.warningCount > 0);
	if (results.length === 0) return undefined;
	return (await eslint.loadFormatter('stylish')).format(results);
}

async function leg(label, dir, patterns) {
	const started = Date.now();
	const verdict = await analyzePackage(dir, patterns);
	const found = [];
	if (!verdict.passed) found.push(`${verdict.message}${verdict.details ? `\n${verdict.details}` : ''}`);
	else if (verdict.message) found.push(verdict.message); // "No files found to analyze": a broken leg, not a pass
	const warned = verdict.passed && !verdict.message ? await warnings(dir, patterns) : undefined;
	if (warned) found.push(`warnings\n${warned}`);
	const secs = ((Date.now() - started) / 1000).toFixed(1);
	if (found.length === 0) console.log(`scan ${label}: clean (${dir}, ${secs} s)`);
	else console.log(`scan ${label}: FINDINGS (${dir})\n${found.join('\n')}`);
	return found.length === 0;
}

async function main() {
	const args = parseArgs(process.argv.slice(2));
	const source = resolve(args.source);
	let pkgDir = args.pkg && resolve(args.pkg);
	let scratch;
	if (!pkgDir) {
		scratch = mkdtempSync(join(tmpdir(), 'openim-scan-'));
		let tgz = args.tgz && resolve(args.tgz);
		if (!tgz) {
			const out = execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: source, encoding: 'utf8' });
			tgz = join(scratch, JSON.parse(out)[0].filename);
		}
		pkgDir = join(scratch, 'package');
		mkdirSync(pkgDir);
		execFileSync('tar', ['-xzf', tgz, '-C', pkgDir, '--strip-components=1']);
	}
	try {
		const ok = [await leg('source', source, SOURCE_FILE_PATTERNS), await leg('tarball', pkgDir, PACKAGE_FILE_PATTERNS)];
		return ok.every(Boolean);
	} finally {
		if (scratch) rmSync(scratch, { recursive: true, force: true });
	}
}

main().then(
	(ok) => process.exit(ok ? 0 : 1),
	(error) => {
		console.error(`scan failed: ${error.stack ?? error}`);
		process.exit(2);
	},
);
