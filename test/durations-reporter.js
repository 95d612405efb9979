/**
 * A jest reporter that says where the suite's time goes: the run's wall time,
 * the time of each folder under test/ (the sum of its files' own times), and
 * the slowest files. Files run in parallel workers, so the folder times add up
 * to more than the wall time. Printed at the end of the run, to stderr as
 * jest's own report.
 */
const path = require('node:path');

class DurationsReporter {
  constructor(globalConfig, options = {}) {
    this.rootDir = globalConfig.rootDir;
    this.slowest = options.slowest ?? 15;
    this.files = [];
  }

  onTestResult(_test, result) {
    const { start, end } = result.perfStats;
    this.files.push({
      file: path.relative(this.rootDir, result.testFilePath),
      seconds: Math.max(0, end - start) / 1000,
      tests: result.numPassingTests + result.numFailingTests + result.numPendingTests + result.numTodoTests,
    });
  }

  onRunComplete(_contexts, results) {
    if (this.files.length === 0) return;
    const wall = (Date.now() - results.startTime) / 1000;
    const own = this.files.reduce((s, f) => s + f.seconds, 0);
    const folders = new Map();
    for (const f of this.files) {
      const parts = f.file.split(path.sep);
      const folder = parts.length > 2 ? parts.slice(0, 2).join('/') : parts[0];
      const entry = folders.get(folder) ?? { seconds: 0, files: 0, tests: 0 };
      entry.seconds += f.seconds;
      entry.files += 1;
      entry.tests += f.tests;
      folders.set(folder, entry);
    }
    const s = (x) => `${x.toFixed(1)} s`;
    const pct = (x) => `${((100 * x) / own).toFixed(0)}%`;
    const lines = [];
    lines.push(
      `test time: ${s(wall)} wall for ${this.files.length} files and ${results.numTotalTests} tests; ` +
        `the files' own times add up to ${s(own)} (they run in parallel workers)`,
    );
    lines.push('by folder (own time, share, files, tests):');
    for (const [folder, e] of [...folders].sort((a, b) => b[1].seconds - a[1].seconds)) {
      lines.push(`  ${folder.padEnd(22)} ${s(e.seconds).padStart(9)} ${pct(e.seconds).padStart(4)} ${String(e.files).padStart(4)} ${String(e.tests).padStart(6)}`);
    }
    lines.push(`slowest ${Math.min(this.slowest, this.files.length)} files:`);
    for (const f of [...this.files].sort((a, b) => b.seconds - a.seconds).slice(0, this.slowest)) {
      lines.push(`  ${s(f.seconds).padStart(9)}  ${f.file} (${f.tests} tests)`);
    }
    process.stderr.write(`\n${lines.join('\n')}\n`);
  }
}

module.exports = DurationsReporter;
