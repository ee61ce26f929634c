/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test tooling, not shipped: configures the test process */
/**
 * Jest setupFile (jest.config.js `setupFiles`): runs in every test file before its imports.
 *
 * n8n-workflow's isolated-vm expression engine ("vm") has no native build for Node 20 here; the
 * legacy in-process engine is what the in-process workflow harness uses (it also pins it with
 * `Expression.setExpressionEngine('legacy')`). Set here too, so anything reading @n8n/config's
 * `N8N_EXPRESSION_ENGINE` agrees.
 */
process.env.N8N_EXPRESSION_ENGINE = 'legacy';
