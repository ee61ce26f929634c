/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test tooling, not shipped: configures the test process */
/**
 * Jest setupFile (jest.config.js `setupFiles`): runs in every test file before its imports.
 *
 * - N8N_EXPRESSION_ENGINE: n8n-workflow's isolated-vm expression engine ("vm") has no native
 *   build for Node 20 here; the in-process workflow harness uses the legacy in-process engine
 *   (test/workflows/harness/engine.ts pins it with `Expression.setExpressionEngine('legacy')`).
 *   Set here too, so anything reading @n8n/config's `N8N_EXPRESSION_ENGINE` agrees.
 * - N8N_LOG_LEVEL: n8n-core's logger (what nodes reach as `this.logger`) prints info lines to the
 *   console; keep test output to warnings and errors unless the caller's shell asks for more.
 */
process.env.N8N_EXPRESSION_ENGINE = 'legacy';
process.env.N8N_LOG_LEVEL ??= 'warn';
