/**
 * The tests of `npm test`: test/unit/ never opens a database (`npx jest test/unit` runs them in
 * seconds); test/db/ uses real databases, on every backend that is up (SQLite, MariaDB, PostgreSQL).
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/no-unhandled-rejections.ts'],
  testTimeout: 30000,
};
