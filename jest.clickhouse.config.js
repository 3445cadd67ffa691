/**
 * `npm run test:clickhouse`: loads a full sync and an incremental re-sync into ClickHouse and
 * checks de-duplication and cost sums. Needs clickhouse-server on 127.0.0.1:8123
 * (scripts/ci/clickhouse-start.sh; CLICKHOUSE_URL overrides). Builds first (npm script).
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/clickhouse'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', {tsconfig: 'tsconfig.json'}],
  },
  testTimeout: 300000,
  maxWorkers: 1,
};
