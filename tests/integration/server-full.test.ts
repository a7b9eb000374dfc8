// A server at MAX_LIVE_STREAMS refuses a publisher of one more channel with 503 and Retry-After
// (WHIP) or 'unavailable' (socket.io), and nothing changes: no room, no Stream row. A channel
// already live keeps its place (an encoder reconnecting takes over its own stream), and a place
// freed by a stream's end is taken again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestChannel } from '../support/channels.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { TestSignalingClient } from '../support/signaling-client.ts';
import { waitFor } from '../support/wait.ts';
import { completeOffer, publishOverWhip } from '../support/whip-publisher.ts';
import { RTCPeerConnection, syntheticMedia } from '../support/wrtc-media.ts';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({
    MAX_LIVE_STREAMS: '1',
    STREAM_END_GRACE_MS: '1000',
    PUBLISHER_TAKEOVER: 'replace',
  });
});

afterAll(async () => {
  await platform?.close();
});

describe('a full server', () => {
  it('refuses one live stream more, changes nothing, and takes one again once a place is free', async () => {
    const first = await createTestChannel(platform);
    const second = await createTestChannel(platform);
    const prisma = platform.database!.prisma;
    const streamsOf = async (slug: string) => prisma.stream.count({ where: { channel: { slug } } });

    const publication = await publishOverWhip(platform.url, first.streamKey);
    let secondPublication: Awaited<ReturnType<typeof publishOverWhip>> | undefined;
    try {
      await waitFor(
        async () => (await prisma.stream.count({ where: { channel: { slug: first.slug }, state: 'live' } })) === 1,
        { what: 'the first stream live' },
      );
      const roomsBefore = platform.rooms!.rooms().length;

      // WHIP: 503, Retry-After, problem+json.
      const pc = new RTCPeerConnection();
      const media = syntheticMedia(320, 180);
      pc.addTransceiver(media.video, { direction: 'sendonly' });
      try {
        const refused = await fetch(`${platform.url}/api/whip`, {
          method: 'POST',
          headers: { 'content-type': 'application/sdp', authorization: `Bearer ${second.streamKey}` },
          body: await completeOffer(pc),
        });
        expect(refused.status).toBe(503);
        expect(refused.headers.get('retry-after')).toBe('60');
        expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(((await refused.json()) as { detail: string }).detail).toMatch(/at most 1 live stream/);
      } finally {
        media.stop();
        pc.close();
      }
      // socket.io: 'unavailable'.
      const studio = await TestSignalingClient.connect(platform.url);
      try {
        expect(await studio.request('join', { role: 'publisher', streamKey: second.streamKey })).toMatchObject({
          ok: false,
          error: { code: 'unavailable' },
        });
      } finally {
        studio.close();
      }
      expect(platform.rooms!.rooms().length).toBe(roomsBefore);
      expect(await streamsOf(second.slug)).toBe(0);

      // The live channel's own encoder reconnecting still gets in (it takes over its stream).
      const again = await publishOverWhip(platform.url, first.streamKey);
      await publication.stop().catch(() => undefined);
      await again.stop();

      // Its stream over, the place is free for the other channel.
      await waitFor(
        async () => (await prisma.stream.count({ where: { channel: { slug: first.slug }, state: 'live' } })) === 0,
        { what: 'the first stream to end' },
      );
      secondPublication = await publishOverWhip(platform.url, second.streamKey);
      await waitFor(async () => (await streamsOf(second.slug)) === 1, { what: 'the second stream live' });
    } finally {
      await publication.stop().catch(() => undefined);
      await secondPublication?.stop();
    }
  });
});
