// The pages to capture, who looks at each, and what "ready" means for each: every shot waits for
// its own conditions (data shown, video frames decoded) with a deadline, never for a fixed time.
import type { Page } from 'playwright-core';
import { waitFor } from '../../tests/support/wait.ts';
import { call, type Person } from './accounts.ts';
import type { Seeded } from './seed.ts';

export type Who = 'visitor' | 'viewer' | 'owner' | 'second-owner' | 'private-owner';

export interface Shot {
  name: string;
  who: Who;
  /** Where to go; the live studio has none: it is the page that publishes, never navigated away. */
  path?: (seeded: Seeded) => string;
  ready: (page: Page, seeded: Seeded) => Promise<unknown>;
  /**
   * One size after the other, not both at once: a webinar stage member's page, since one person
   * has one place on a stage (their second window lets the first go).
   */
  oneSizeAtATime?: boolean;
}

const TIMEOUT_MS = 20_000;

const visible = (page: Page, testId: string) =>
  page.getByTestId(testId).first().waitFor({ state: 'visible', timeout: TIMEOUT_MS });
const heading = (page: Page, text: string) =>
  page.getByRole('heading', { name: text }).first().waitFor({ state: 'visible', timeout: TIMEOUT_MS });
const atLeast = (page: Page, testId: string, count: number) =>
  waitFor(async () => (await page.getByTestId(testId).count()) >= count, {
    timeoutMs: TIMEOUT_MS,
    what: `${count} × ${testId}`,
  });

/** Waits until the <video> has decoded `frames` frames (read from the DOM, not the app's test hooks). */
async function videoFrames(page: Page, testId: string, frames: number): Promise<void> {
  await waitFor(
    () =>
      page.getByTestId(testId).evaluate((element, wanted) => {
        const video = element as HTMLVideoElement;
        return video.videoWidth > 0 && video.getVideoPlaybackQuality().totalVideoFrames >= wanted;
      }, frames),
    { timeoutMs: TIMEOUT_MS, intervalMs: 100, what: `${frames} decoded frames in ${testId}` },
  );
}

/** The VOD page with its recording's length known (its poster shows until it plays). */
async function vodMetadata(page: Page): Promise<void> {
  await visible(page, 'vod-title');
  await waitFor(() => page.getByTestId('vod-video').evaluate((v) => (v as HTMLVideoElement).readyState >= 1), {
    timeoutMs: TIMEOUT_MS,
    what: "the VOD's metadata",
  });
}

/**
 * The live player showing decoded video, over WebRTC as a viewer normally gets it. Auto gives way
 * to HLS for good when WebRTC is slow to deliver (on a busy machine); the page is then opened again.
 */
async function liveOverWebRtc(page: Page): Promise<void> {
  const player = page.getByTestId('player');
  for (let attempt = 1; ; attempt++) {
    await waitFor(async () => (await player.getAttribute('data-phase')) === 'live', {
      timeoutMs: TIMEOUT_MS,
      what: 'the player to be live',
    });
    await videoFrames(page, 'player-video', 15);
    if ((await player.getAttribute('data-via')) !== 'hls' || attempt === 3) return;
    console.log(`${page.url()}: the player fell back to HLS; opening the page again`);
    await page.reload({ waitUntil: 'domcontentloaded' });
  }
}

export const SHOTS: Shot[] = [
  {
    name: 'home',
    who: 'visitor',
    path: () => '/',
    ready: async (page) => {
      await atLeast(page, 'channel-card', 1);
    },
  },
  {
    name: 'home-signed-in',
    who: 'viewer',
    path: () => '/',
    ready: async (page) => {
      await visible(page, 'recommended');
    },
  },
  {
    name: 'notifications-menu',
    who: 'viewer',
    path: () => '/',
    ready: async (page) => {
      await visible(page, 'unread-badge');
      await page.getByTestId('notification-bell').click();
      await atLeast(page, 'notification-item', 2);
    },
  },
  {
    name: 'user-menu',
    who: 'owner',
    path: () => '/',
    ready: async (page) => {
      await page.getByTestId('user-menu').click();
      await page
        .locator('#user-menu-panel')
        .getByRole('link', { name: /your channel/ })
        .waitFor({ timeout: TIMEOUT_MS });
    },
  },
  {
    name: 'category',
    who: 'visitor',
    path: () => '/categories/music',
    ready: (page) => atLeast(page, 'channel-card', 1),
  },
  { name: 'search', who: 'visitor', path: () => '/search?q=live', ready: (page) => atLeast(page, 'channel-card', 2) },
  {
    name: 'search-empty',
    who: 'visitor',
    path: () => '/search?q=bagpipes',
    ready: (page) => visible(page, 'search-empty'),
  },
  {
    name: 'channel-live',
    who: 'viewer',
    path: (s) => `/${s.liveSlug}`,
    ready: async (page) => {
      await liveOverWebRtc(page);
      await atLeast(page, 'chat-message', 6);
      await atLeast(page, 'clip-item', 1);
    },
  },
  {
    name: 'channel-live-signed-out',
    who: 'visitor',
    path: (s) => `/${s.liveSlug}`,
    ready: async (page) => {
      await liveOverWebRtc(page);
      await atLeast(page, 'chat-message', 6);
    },
  },
  {
    name: 'channel-offline',
    who: 'visitor',
    path: (s) => `/${s.offlineSlug}`,
    ready: async (page) => {
      await atLeast(page, 'vod-item', 1);
      await atLeast(page, 'clip-item', 1);
    },
  },
  {
    name: 'channel-private',
    who: 'visitor',
    path: (s) => `/${s.privateSlug}`,
    ready: (p) => visible(p, 'private-notice'),
  },
  {
    name: 'vod',
    who: 'visitor',
    path: (s) => `/vod/${s.vodId}`,
    ready: vodMetadata,
  },
  {
    name: 'vod-clip-form',
    who: 'viewer',
    path: (s) => `/vod/${s.vodId}`,
    ready: async (page) => {
      await vodMetadata(page);
      await page.getByTestId('vod-clip-toggle').click();
      await visible(page, 'clip-range');
    },
  },
  {
    name: 'clip',
    who: 'visitor',
    path: (s) => `/clip/${s.clipId}`,
    ready: async (page) => {
      await visible(page, 'clip-title');
      await videoFrames(page, 'clip-video', 1);
      // A paused clip at its start is the same picture in every run.
      await page.getByTestId('clip-video').evaluate(async (element) => {
        const video = element as HTMLVideoElement;
        video.pause();
        video.currentTime = 0;
        await new Promise((resolve) => video.addEventListener('seeked', resolve, { once: true }));
      });
    },
  },
  {
    name: 'webinar',
    who: 'visitor',
    path: (s) => `/webinars/${s.webinarId}`,
    ready: (page) => visible(page, 'webinar-countdown'),
  },
  {
    name: 'webinar-live',
    who: 'viewer',
    path: (s) => `/webinars/${s.liveWebinarId}`,
    ready: (page) => visible(page, 'webinar-watch'),
  },
  {
    name: 'webinar-recorded',
    who: 'visitor',
    path: (s) => `/webinars/${s.recordedWebinarId}`,
    ready: (page) => visible(page, 'webinar-recording'),
  },
  {
    // An approved registrant: calendar file, personal join link, cancel.
    name: 'webinar-registered',
    who: 'viewer',
    path: (s) => `/webinars/${s.registeredWebinarId}`,
    ready: (page) => visible(page, 'registration-status'),
  },
  {
    // Someone signed in who hasn't registered: the host's questions.
    name: 'webinar-register',
    who: 'second-owner',
    path: (s) => `/webinars/${s.registeredWebinarId}`,
    ready: (page) => visible(page, 'registration-form'),
  },
  {
    // The host's attendance report of a webinar that ended: counts, the chart, each attendee.
    name: 'webinar-report',
    who: 'second-owner',
    path: (s) => `/webinars/${s.recordedWebinarId}/report`,
    ready: (page) => atLeast(page, 'attendance-row', 4),
  },
  {
    // The public check of the viewer's certificate, as whoever reads the number on it sees it.
    name: 'certificate',
    who: 'visitor',
    path: (s) => `/certificates/${s.certificateNumber}`,
    ready: (page) => visible(page, 'certificate-name'),
  },
  {
    name: 'webinar-host',
    who: 'owner',
    path: (s) => `/webinars/${s.webinarId}`,
    ready: (page) => visible(page, 'webinar-manage'),
  },
  {
    // The host's side of a live webinar: their stage, devices and the backstage chat.
    name: 'webinar-stage-host',
    who: 'second-owner',
    path: (s) => `/webinars/${s.liveWebinarId}`,
    ready: (page) => atLeast(page, 'backstage-message', 2),
    oneSizeAtATime: true,
  },
  {
    // An attendee of the live webinar: the question pinned over the stage, the Q&A under it.
    name: 'webinar-qa-attendee',
    who: 'viewer',
    path: (s) => `/webinars/${s.liveWebinarId}`,
    ready: async (page) => {
      await atLeast(page, 'qa-question', 4);
      await visible(page, 'pinned-question');
    },
  },
  {
    // The host's Q&A: the open questions with their moderation actions (one waits for approval).
    name: 'webinar-qa-host',
    who: 'second-owner',
    path: (s) => `/webinars/${s.liveWebinarId}`,
    ready: async (page) => {
      await atLeast(page, 'qa-question', 1);
      await visible(page, 'pinned-question');
    },
    oneSizeAtATime: true,
  },
  {
    // The same host opens the stage in a second window: this one is let go, and says so.
    name: 'webinar-stage-taken-over',
    who: 'second-owner',
    path: (s) => `/webinars/${s.liveWebinarId}`,
    ready: async (page) => {
      await atLeast(page, 'backstage-message', 2);
      const other = await page.context().newPage();
      try {
        await other.goto(page.url());
        await visible(page, 'webinar-stage-left');
      } finally {
        await other.close();
      }
    },
    oneSizeAtATime: true,
  },
  {
    // The host's hand queue beside the stage: two hands up, the first one invited.
    name: 'webinar-hand-queue',
    who: 'second-owner',
    path: (s) => `/webinars/${s.liveWebinarId}`,
    ready: async (page, s) => {
      const hands = `/api/v1/webinars/${s.liveWebinarId}/hands`;
      await call(s.privateOwner, 'PUT', `${hands}/me`);
      await call(s.owner, 'PUT', `${hands}/me`);
      await call(s.secondOwner, 'POST', `${hands}/invitations`, { username: s.privateOwner.username });
      await atLeast(page, 'hand-entry', 2);
      await visible(page, 'hand-invited');
      await page.getByTestId('hand-queue').scrollIntoViewIfNeeded();
    },
    oneSizeAtATime: true,
  },
  {
    // An attendee invited to the stage: the device check before "Join stage".
    name: 'webinar-hand-invitation',
    who: 'viewer',
    path: (s) => `/webinars/${s.liveWebinarId}`,
    ready: async (page, s) => {
      const hands = `/api/v1/webinars/${s.liveWebinarId}/hands`;
      await call(s.secondOwner, 'POST', `${hands}/invitations`, { username: s.viewer.username });
      await visible(page, 'hand-invitation');
      await videoFrames(page, 'hand-preview', 5);
    },
  },
  {
    // The host's polls beside the live stage: a draft to launch, an open poll's live counts, a closed one.
    name: 'webinar-polls-host',
    who: 'second-owner',
    path: (s) => `/webinars/${s.liveWebinarId}`,
    ready: async (page) => {
      await page.getByRole('tab', { name: /^Polls/ }).click();
      await atLeast(page, 'poll-card', 3);
      await page.getByTestId('poll-panel').scrollIntoViewIfNeeded();
    },
    oneSizeAtATime: true,
  },
  {
    // An attendee who voted: their choice, the live counts, and a closed poll's results.
    name: 'webinar-polls-voter',
    who: 'viewer',
    path: (s) => `/webinars/${s.liveWebinarId}`,
    ready: async (page) => {
      await page.getByRole('tab', { name: /^Polls/ }).click();
      await visible(page, 'poll-voted');
      await page.getByTestId('poll-panel').scrollIntoViewIfNeeded();
    },
  },
  {
    // The host prepares a poll: question, options, time limit, hidden results.
    name: 'webinar-polls-form',
    who: 'second-owner',
    path: (s) => `/webinars/${s.liveWebinarId}`,
    ready: async (page) => {
      await page.getByRole('tab', { name: /^Polls/ }).click();
      await atLeast(page, 'poll-card', 3);
      await page.getByTestId('poll-new').click();
      await page.getByTestId('poll-form-question').fill('Which language for the next series?');
      const options = page.getByTestId('poll-form-option');
      await options.nth(0).fill('Rust');
      await options.nth(1).fill('OCaml');
      await page.getByTestId('poll-form-add-option').click();
      await options.nth(2).fill('Zig');
      await page.getByTestId('poll-form').scrollIntoViewIfNeeded();
    },
    oneSizeAtATime: true,
  },
  {
    // A viewer of a live channel: the owner's poll beside the stream, multiple choice, before voting.
    name: 'channel-poll',
    who: 'viewer',
    path: (s) => `/${s.liveSlug}`,
    ready: async (page) => {
      await visible(page, 'poll-vote');
      await page.getByTestId('poll-panel').scrollIntoViewIfNeeded();
    },
  },
  { name: 'login', who: 'visitor', path: () => '/login', ready: (page) => heading(page, 'Log in') },
  { name: 'signup', who: 'visitor', path: () => '/signup', ready: (page) => heading(page, 'Create your account') },
  { name: 'account', who: 'viewer', path: () => '/settings', ready: (page) => visible(page, 'account-username') },
  {
    name: 'notifications',
    who: 'viewer',
    path: () => '/notifications',
    ready: (p) => atLeast(p, 'notification-row', 2),
  },
  {
    name: 'studio-live',
    who: 'owner',
    ready: async (page) => {
      await visible(page, 'studio-stats');
      await waitFor(async () => (await page.getByTestId('stat-resolution').textContent())?.trim() !== '—', {
        timeoutMs: TIMEOUT_MS,
        what: 'stream health',
      });
      await videoFrames(page, 'studio-preview', 1);
    },
  },
  {
    name: 'studio-go-live',
    who: 'second-owner',
    path: () => '/studio',
    ready: async (page) => {
      await videoFrames(page, 'studio-preview', 1);
      await waitFor(() => page.getByRole('button', { name: 'Go live', exact: true }).isEnabled(), {
        timeoutMs: TIMEOUT_MS,
        what: 'the Go live button',
      });
    },
  },
  {
    name: 'studio-channel',
    who: 'owner',
    path: () => '/studio?tab=channel',
    ready: async (page) => {
      await visible(page, 'live-stream-settings');
      await visible(page, 'viewer-links-public-note');
    },
  },
  {
    name: 'studio-channel-private',
    who: 'private-owner',
    path: () => '/studio?tab=channel',
    ready: (page) => atLeast(page, 'viewer-link-row', 2),
  },
  { name: 'studio-keys', who: 'owner', path: () => '/studio?tab=keys', ready: (p) => atLeast(p, 'stream-key-row', 2) },
  {
    name: 'studio-chat',
    who: 'owner',
    path: () => '/studio?tab=chat',
    ready: async (page) => {
      await visible(page, 'moderator-list');
      await visible(page, 'ban-list');
      await visible(page, 'moderation-log');
    },
  },
  { name: 'studio-emotes', who: 'owner', path: () => '/studio?tab=emotes', ready: (p) => visible(p, 'emote-list') },
  {
    name: 'studio-webinars',
    who: 'owner',
    path: () => '/studio?tab=webinars',
    ready: async (page) => {
      await atLeast(page, 'webinar-row', 2);
      await page.getByTestId('toggle-past-webinars').click();
      await visible(page, 'past-webinar-list');
    },
  },
  {
    name: 'studio-webinar-form',
    who: 'owner',
    path: () => '/studio?tab=webinars',
    ready: async (page) => {
      await atLeast(page, 'webinar-row', 2);
      await page.getByTestId('new-webinar').click();
      await visible(page, 'webinar-form');
    },
  },
  {
    name: 'studio-webinar-edit',
    who: 'owner',
    path: () => '/studio?tab=webinars',
    ready: async (page) => {
      await atLeast(page, 'webinar-row', 2);
      await page
        .getByRole('button', { name: /^Edit / })
        .first()
        .click();
      await visible(page, 'cover-upload');
    },
  },
  {
    name: 'studio-webinar-registration',
    who: 'owner',
    path: () => '/studio?tab=webinars',
    ready: async (page) => {
      await atLeast(page, 'webinar-row', 2);
      await page.getByRole('button', { name: 'Edit Modular synthesis 101: the weekly training' }).click();
      await visible(page, 'webinar-registration-settings');
    },
  },
  {
    name: 'studio-webinar-registrants',
    who: 'owner',
    path: () => '/studio?tab=webinars',
    ready: async (page) => {
      await atLeast(page, 'webinar-row', 2);
      await page.getByTestId('webinar-registrants-open').first().click();
      await atLeast(page, 'registrant', 4);
    },
  },
  {
    name: 'studio-create-channel',
    who: 'viewer',
    path: () => '/studio',
    ready: (page) => heading(page, 'Create your channel'),
  },
  { name: 'not-found', who: 'visitor', path: () => '/no/such/page', ready: (page) => heading(page, 'Nothing here') },
  {
    name: 'channel-not-found',
    who: 'visitor',
    path: () => '/nobody-here',
    ready: (p) => visible(p, 'channel-not-found'),
  },
  {
    name: 'category-not-found',
    who: 'visitor',
    path: () => '/categories/nope',
    ready: (p) => visible(p, 'category-not-found'),
  },
  {
    name: 'vod-not-found',
    who: 'visitor',
    path: () => '/vod/00000000-0000-4000-8000-000000000000',
    ready: (page) => visible(page, 'vod-not-found'),
  },
  {
    name: 'webinar-not-found',
    who: 'visitor',
    path: () => '/webinars/00000000-0000-4000-8000-000000000000',
    ready: (page) => visible(page, 'webinar-not-found'),
  },
  {
    name: 'clip-not-found',
    who: 'visitor',
    path: () => '/clip/00000000-0000-4000-8000-000000000000',
    ready: (page) => visible(page, 'clip-not-found'),
  },
];

export function personOf(seeded: Seeded, who: Who): Person | undefined {
  const people: Record<Who, Person | undefined> = {
    visitor: undefined,
    viewer: seeded.viewer,
    owner: seeded.owner,
    'second-owner': seeded.secondOwner,
    'private-owner': seeded.privateOwner,
  };
  return people[who];
}
