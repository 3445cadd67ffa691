/** Unit tests run the TypeScript sources; integration tests run the built CLI (npm test builds first). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', {isolatedModules: true, tsconfig: 'tsconfig.json'}],
  },
  testTimeout: 60000,
};
