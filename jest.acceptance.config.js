/**
 * `npm run test:acceptance`: Airbyte's connector acceptance tests (CAT) reproduced against the
 * built CLI and the sandbox, driven by acceptance-test-config.yml. Builds first (npm script).
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/acceptance'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', {tsconfig: 'tsconfig.json'}],
  },
  testTimeout: 300000,
  maxWorkers: 1,
};
