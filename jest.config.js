/**
 * `npm test`: unit tests (TypeScript sources) and integration tests (the built CLI against the
 * sandbox; npm test builds first). The heavier suites have their own configs and npm scripts.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/test/acceptance/', '/test/clickhouse/', '/test/faults/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', {tsconfig: 'tsconfig.json'}],
  },
  testTimeout: 60000,
};
