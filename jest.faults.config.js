/**
 * The fault tests (npm run test:faults): real database servers of their own, started, broken and
 * stopped by the tests on loopback ports. Slow, so kept out of `npm test`. One file at a time: the
 * servers of one file (a three-node Galera cluster) need the machine to themselves.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test-faults'],
  testMatch: ['**/*.faults.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  globalSetup: '<rootDir>/test-faults/support/global-setup.ts',
  globalTeardown: '<rootDir>/test-faults/support/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/no-unhandled-rejections.ts'],
  maxWorkers: 1,
  verbose: true,
  testTimeout: 120000,
};
