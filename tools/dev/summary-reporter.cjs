// Jest reporter: leaves each project's counts in tmp/test-results so `npm test` can print one total.
const fs = require('node:fs');
const path = require('node:path');

module.exports = class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = path.join(__dirname, '../../tmp/test-results');
    fs.mkdirSync(dir, { recursive: true });
    const name = path.relative(path.join(__dirname, '../..'), this.rootDir).replaceAll('/', '_') || 'root';
    const { numPassedTests: passed, numFailedTests: failed, numPendingTests: skipped } = results;
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ passed, failed, skipped }));
  }
};
