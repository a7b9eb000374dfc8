import { defineConfig } from 'vitest/config';

// Three projects: unit tests beside the code, integration tests against real databases, Redis and
// mediasoup, and end-to-end tests in headless Chromium. Files run one at a time: many start real
// media workers, FFmpeg or browsers, and on a 2-core machine two of them at once starve each
// other's media timing. The whole run stays well under the 30 minutes CI allows.
export default defineConfig({
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    pool: 'forks',
    fileParallelism: false,
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
