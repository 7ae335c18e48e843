// Prints the closing line that CI reads, `Tests: N passed, N failed, N skipped`, after jest's own summary.
const { writeSync } = require("node:fs");

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.once("exit", () => writeSync(1, `Tests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`));
  }
}
module.exports = SummaryReporter;
