// Who may make clips: each clip runs FFmpeg and stores a file, so only signed-in users, from this
// site, and no more than CLIP_RATE_LIMIT_PER_MINUTE a minute per client address (live clips and
// VOD clips counted apart). Refusals are
// problem+json and store nothing. (Making clips for real is in recorder.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../support/api-client.ts';
import { createTestChannel, type TestChannel } from '../support/channels.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
let channel: TestChannel;

beforeAll(async () => {
  platform = await startTestPlatform({ CLIP_RATE_LIMIT_PER_MINUTE: '6' });
  channel = await createTestChannel(platform);
});

afterAll(async () => {
  await platform?.close();
});

const clipRows = () => platform.database!.prisma.clip.count();
const UNKNOWN_VOD = '00000000-0000-4000-8000-000000000000';

describe('clip creation', () => {
  it('answers 401 to a signed-out caller, for a live stream and for a VOD, and stores nothing', async () => {
    const anonymous = new ApiClient(platform.url);
    const before = await clipRows();
    for (const [path, body] of [
      [`/api/v1/channels/${channel.slug}/clips`, { seconds: 5 }],
      [`/api/v1/vods/${UNKNOWN_VOD}/clips`, { startSeconds: 1, endSeconds: 4 }],
    ] as const) {
      const reply = await anonymous.post(path, body);
      expect(reply.status).toBe(401);
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(reply.body.detail).toMatch(/sign in/i);
    }
    expect(await clipRows()).toBe(before);
  });

  it('refuses a signed-in clip request from another site (CSRF)', async () => {
    const user = await signUp(platform.url, 'clipper');
    const crossSite = new ApiClient(platform.url, 'https://evil.example');
    crossSite.cookie = user.client.cookie;
    const reply = await crossSite.post(`/api/v1/channels/${channel.slug}/clips`, { seconds: 5 });
    expect(reply.status).toBe(403);
  });

  it('lets a signed-in user through to the stream checks, and limits clips per minute', async () => {
    const user = await signUp(platform.url, 'busy');
    // The channel is not live: a signed-in request gets past sign-in to the recorder's answer.
    const first = await user.client.post(`/api/v1/channels/${channel.slug}/clips`, { seconds: 5 });
    expect(first.status).toBe(409);
    expect(first.body.code).toBe('not_live');
    // Each of the two routes counts the attempts of this client address, the other tests' too:
    // what is left of this minute's allowance gets through to the recorder (an unknown VOD), the
    // next is refused.
    const vodClip = () => user.client.post(`/api/v1/vods/${UNKNOWN_VOD}/clips`, { startSeconds: 1, endSeconds: 4 });
    const allowed = await vodClip();
    expect(allowed.status).toBe(404);
    const remaining = Number(allowed.headers.get('x-ratelimit-remaining'));
    expect(Number.isInteger(remaining) && remaining >= 0).toBe(true);
    for (let i = 0; i < remaining; i++) expect((await vodClip()).status).toBe(404);
    const over = await vodClip();
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await clipRows()).toBe(0);
  });
});
