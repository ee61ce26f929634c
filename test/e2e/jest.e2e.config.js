/**
 * Real-n8n end-to-end tests (test/e2e/<name>.e2e.test.ts), separate from the unit run (jest.config.js).
 *   npx jest -c test/e2e/jest.e2e.config.js [pattern]
 * Needs the pinned runtimes: bash scripts/install-n8n.sh all
 * Env: OPENIM_E2E_N8N_VERSIONS=1.123.81 (limit the matrix), OPENIM_E2E_TGZ=<tgz> (skip build+pack),
 *      OPENIM_E2E_KEEP=1 (keep each instance's N8N_USER_FOLDER), OPENIM_N8N_CACHE (runtime location),
 *      OPENIM_SANDBOX_CLI (another sandbox CLI). See test/e2e/README.md.
 */
module.exports = {
	rootDir: '../..',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json', diagnostics: { warnOnly: false } }],
	},
	globalSetup: '<rootDir>/test/e2e/global-setup.ts',
	globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
	// Serially: each n8n command takes 300-600 MB and most of a core; the machine has 2.
	maxWorkers: 1,
	testTimeout: 300000,
	slowTestThreshold: 60,
	verbose: true,
	reporters: ['default', '<rootDir>/test/e2e/summary-reporter.js'],
};
