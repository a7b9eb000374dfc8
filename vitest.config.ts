import { defineConfig } from 'vitest/config';

// Five projects in three rounds. Round one runs two files at a time: the unit tests beside the
// code, the integration tests that only talk to a database, Redis and HTTP (they start a
// platform, but push no media through it) and the end-to-end tests whose pages move no media.
// Rounds two and three run one file at a time: the integration tests that move real media
// (mediasoup, FFmpeg, WebRTC peers) and the other end-to-end tests in headless Chromium. On a
// 2-core machine two of those at once starve each other's media timing, so a new test file is
// serial unless it is named in LIGHT_INTEGRATION or LIGHT_E2E. The whole run stays under the 30
// minutes CI allows.

/** Integration test files that push no media: they may share the machine with one other file. */
const LIGHT_INTEGRATION = [
  'accounts',
  'channel-api',
  'channel-management',
  'channel-moderators',
  'chat',
  'chat-cluster',
  'clip-access',
  'discovery',
  'follows',
  'hostile-input',
  'hostile-requests',
  'hostile-uploads',
  'moderation',
  'notifications',
  'openapi',
  'passwords',
  'polls',
  'reserved-slugs',
  'retention',
  'retention-schedule',
  'search',
  'stream-keys',
  'stream-keys-api',
  'uploads',
  'vod-api',
  'webinar-attendance',
  'webinar-qa',
  'webinar-registration',
  'webinars',
].map((name) => `tests/integration/${name}.test.ts`);

/** End-to-end test files whose pages move no media: the same holds for them. */
const LIGHT_E2E = ['accounts', 'chat', 'webinar-registration', 'webinars'].map((name) => `tests/e2e/${name}.test.ts`);

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
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: LIGHT_INTEGRATION,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e-light',
          include: LIGHT_E2E,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration-media',
          include: ['tests/integration/**/*.test.ts'],
          exclude: LIGHT_INTEGRATION,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          exclude: LIGHT_E2E,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
