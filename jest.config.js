/** Unit tests live beside the code (`*.test.ts`); integration tests (`*.int.test.ts`: test/integration, and the activities beside their code) run against the real stack. */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const ignored = ['/node_modules/', '/.data/', '/.tools/', '/dist/', '/scratch/'];
const setupFiles = ['<rootDir>/test/quiet-logs.ts'];

module.exports = {
  maxWorkers: 2,
  // Timer scenarios wait on real (short) durations; a loaded CI machine needs headroom.
  testTimeout: 30_000,
  projects: [
    {
      displayName: 'unit',
      setupFiles,
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/**/*.test.ts'],
      testPathIgnorePatterns: [...ignored, '\\.int\\.test\\.ts$'],
    },
    {
      displayName: 'integration',
      setupFiles,
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/integration/**/*.int.test.ts', '<rootDir>/activities/**/*.int.test.ts'],
      testPathIgnorePatterns: ignored,
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      slowTestThreshold: 30,
    },
  ],
};
