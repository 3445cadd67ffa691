/**
 * `npm run test:faults`: the reliability and security suite (issue 5). The built CLI against the
 * sandbox under injected faults, crashes (SIGKILL/SIGTERM), bad input and secret scans; builds
 * first (npm script). The figures of every file are printed at the end.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', {tsconfig: 'tsconfig.json'}],
  },
  testTimeout: 300000,
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/faults/global-setup.js',
  globalTeardown: '<rootDir>/test/faults/global-teardown.js',
};
