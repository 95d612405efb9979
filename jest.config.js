/**
 * Tests run the TypeScript sources directly; `npm test` type-checks the whole tree first with tsc.
 * testTimeout is a guard against a hang, not a measure: each test bounds its work (counts, not
 * clocks), so a loaded 2-core machine makes it slower, never failing.
 * test/durations-reporter.js prints where the run's time went at the end of the run.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 600000,
  reporters: ['default', '<rootDir>/test/durations-reporter.js'],
};
