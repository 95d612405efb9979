/**
 * Tests run the TypeScript sources directly; `npm test` type-checks the whole tree first with tsc.
 * test/durations-reporter.js prints where the run's time went at the end of the run.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/test/durations-reporter.js'],
};
