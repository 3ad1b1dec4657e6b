/** Jest runs every suite in one process, one file at a time: the Temporal servers are heavy on 2 cores. */
module.exports = {
  testEnvironment: 'node',
  // jose ships ES modules only; swc turns them into CommonJS for Jest like the project's own files.
  transform: { '^.+\\.(t|j)s$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  maxWorkers: 1,
  testTimeout: 120_000,
  // A suite whose beforeAll failed half-way leaves a server or fake open that its afterAll cannot stop:
  // the run must still end (and report the failure) instead of waiting on it.
  forceExit: true,
};
