/**
 * Prints one plain closing line, e.g. "e2e: 4 passed, 0 failed" (", 1 skipped" when some were skipped),
 * that CI can read. Suites that failed to load or whose hooks crashed count as failed.
 */
class SummaryReporter {
	onRunComplete(_contexts, results) {
		const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
		const skipped = results.numPendingTests + results.numTodoTests;
		process.stdout.write(
			`\ne2e: ${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
		);
	}
}
module.exports = SummaryReporter;
