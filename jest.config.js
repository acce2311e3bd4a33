// jest runs in ESM mode (client-node 1.x is ESM-only) with swc as the TypeScript transform;
// type checking is tsc's job (npm test runs it first).
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  // Sources import './x.js' (NodeNext resolution); jest must find the .ts file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
    },
    {
      // The agent runtime as its own process (compiled, as the image runs it) against fake models and
      // real MCP/A2A servers; no Kubernetes. Its global setup builds dist/ once.
      ...common,
      displayName: 'runtime',
      testMatch: ['<rootDir>/test/runtime/**/*.test.ts'],
      globalSetup: '<rootDir>/test/harness/runtime-global-setup.ts',
    },
  ],
  testTimeout: 60_000,
};
