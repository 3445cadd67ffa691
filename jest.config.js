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
    // hyparquet ships ES modules only: Node loads them from CommonJS (require of ESM), Jest's loader does not
    '/node_modules/hyparquet(-writer)?/.+\\.js$': ['ts-jest', {tsconfig: {allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true}}],
  },
  transformIgnorePatterns: ['/node_modules/(?!hyparquet)'],
  testTimeout: 60000,
};
