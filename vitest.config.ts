import { defineConfig } from 'vitest/config';

// Three projects: unit tests beside the code, integration tests against real databases, Redis and
// mediasoup, and end-to-end tests in headless Chromium. Integration and e2e files run one at a
// time: they start real media workers and browsers, and this machine has two cores.
export default defineConfig({
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{common,sfu,signaling,api,recorder,cli,web/src}/**/*.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
