// The reporter that says where the suite's time goes: folders and files ranked by their own time.
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const DurationsReporter = require('../durations-reporter.js');

function result(file: string, seconds: number, tests: number) {
  return {
    testFilePath: path.join('/repo', file),
    perfStats: { start: 1_000, end: 1_000 + seconds * 1000 },
    numPassingTests: tests,
    numFailingTests: 0,
    numPendingTests: 0,
    numTodoTests: 0,
  };
}

test('folders and files are ranked by their own time, with the wall time and the totals', () => {
  const reporter = new DurationsReporter({ rootDir: '/repo' }, { slowest: 2 });
  reporter.onTestResult({}, result('test/gateway/a.test.ts', 30, 5));
  reporter.onTestResult({}, result('test/gateway/b.test.ts', 10, 2));
  reporter.onTestResult({}, result('test/start/c.test.ts', 35, 1));
  const written: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    reporter.onRunComplete(new Set(), { startTime: Date.now() - 50_000, numTotalTests: 8 });
  } finally {
    spy.mockRestore();
  }
  const lines = written.join('').trim().split('\n');
  expect(lines[0]).toMatch(/^test time: 5\d\.\d s wall for 3 files and 8 tests; the files' own times add up to 75\.0 s/);
  // test/gateway (40 s over two files) before test/start (35 s in one).
  expect(lines[2]).toMatch(/^ {2}test\/gateway +40\.0 s +53% +2 +7$/);
  expect(lines[3]).toMatch(/^ {2}test\/start +35\.0 s +47% +1 +1$/);
  expect(lines[4]).toBe('slowest 2 files:');
  expect(lines[5]).toMatch(/35\.0 s {2}test\/start\/c\.test\.ts \(1 tests\)$/);
  expect(lines[6]).toMatch(/30\.0 s {2}test\/gateway\/a\.test\.ts \(5 tests\)$/);
  expect(lines).toHaveLength(7);
});
