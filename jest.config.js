/** Jest runs every suite in one process, one file at a time: the Temporal servers are heavy on 2 cores. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  maxWorkers: 1,
  testTimeout: 120_000,
};
