/**
 * Browser tests (test/browser/<name>.browser.test.ts): headless Debian Chromium (/usr/bin/chromium) driven by
 * playwright-core against a real n8n (both pinned versions) with the packed package installed.
 *   npm run test:browser                      (= npx jest -c test/browser/jest.browser.config.js)
 * Needs the pinned runtimes (bash scripts/install-n8n.sh all) and Chromium (apt-get install -y chromium).
 * Reuses the e2e harness and its global setup (build + pack once, sandbox CLI). Same env as the e2e tests:
 * OPENIM_E2E_N8N_VERSIONS, OPENIM_E2E_TGZ, OPENIM_E2E_KEEP, OPENIM_N8N_CACHE, OPENIM_SANDBOX_CLI; plus
 * OPENIM_CHROMIUM (browser binary, default /usr/bin/chromium) and OPENIM_BROWSER_ARTIFACTS (failure dumps).
 * See test/browser/README.md.
 */
module.exports = {
	rootDir: '../..',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/browser'],
	testMatch: ['**/*.browser.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json', diagnostics: { warnOnly: false } }],
	},
	globalSetup: '<rootDir>/test/e2e/global-setup.ts',
	globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
	// Serially: n8n + Chromium take most of a core each; the machine has 2.
	maxWorkers: 1,
	testTimeout: 120000,
	slowTestThreshold: 30,
	verbose: true,
};
