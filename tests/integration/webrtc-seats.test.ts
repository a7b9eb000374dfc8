// WebRTC seats: a stream takes its channel's webrtcSeats (or WEBRTC_SEATS_PER_STREAM) viewers over
// WebRTC; the next one is told `unavailable` (socket.io; the player goes to HLS by itself) or 503
// with Retry-After (WHEP), and nothing changes for those already watching. A freed seat is free.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { createTestChannel, OWNER_PASSWORD } from '../support/channels.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { TestSignalingClient } from '../support/signaling-client.ts';
import { waitFor } from '../support/wait.ts';
import { completeOffer, publishOverWhip } from '../support/whip-publisher.ts';
import { RTCPeerConnection } from '../support/wrtc-media.ts';

let platform: TestPlatform;

beforeAll(async () => {
  // The server-wide default is 3; the channel below sets 2 of its own.
  platform = await startTestPlatform({ STREAM_END_GRACE_MS: '1000', WEBRTC_SEATS_PER_STREAM: '3' });
});

afterAll(async () => {
  await platform?.close();
});

async function whepOffer() {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  return { pc, sdp: await completeOffer(pc) };
}

describe('WebRTC seats', () => {
  it("hold a stream's WebRTC viewers to its seats, and send the next one to HLS", async () => {
    const channel = await createTestChannel(platform);
    const owner = new ApiClient(platform.url);
    expect(
      (await owner.post('/api/v1/auth/login', { login: channel.ownerEmail, password: OWNER_PASSWORD })).status,
    ).toBe(200);
    expect((await owner.patch(`/api/v1/channels/${channel.slug}`, { webrtcSeats: -1 })).status).toBe(400);
    const set = await owner.patch(`/api/v1/channels/${channel.slug}`, { webrtcSeats: 2 });
    expect(set.body.webrtcSeats).toBe(2);

    const publication = await publishOverWhip(platform.url, channel.streamKey);
    const viewers: TestSignalingClient[] = [];
    const player = await whepOffer();
    try {
      const room = await waitFor(() => platform.rooms!.rooms().find((r) => r.producers().length === 2), {
        what: 'both producers',
      });
      for (let i = 0; i < 3; i++) viewers.push(await TestSignalingClient.connect(platform.url));
      await viewers[0]!.ok('join', { role: 'viewer', channel: channel.slug });
      await viewers[1]!.ok('join', { role: 'viewer', channel: channel.slug });
      const third = await viewers[2]!.request('join', { role: 'viewer', channel: channel.slug });
      expect(third).toMatchObject({ ok: false, error: { code: 'unavailable' } });
      expect(third.ok ? '' : third.error.message).toContain(`/hls/${channel.slug}/master.m3u8`);
      expect(room.viewerCount()).toBe(2);

      // A WHEP player takes a seat too: none is left.
      const whep = await fetch(`${platform.url}/api/whep/${channel.slug}`, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp' },
        body: player.sdp,
      });
      expect(whep.status).toBe(503);
      expect(whep.headers.get('retry-after')).toBe('10');
      expect(whep.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(room.viewerCount()).toBe(2);

      // A viewer leaves: the seat is free again.
      await viewers[0]!.ok('leave', {});
      await viewers[2]!.ok('join', { role: 'viewer', channel: channel.slug });
      expect(room.viewerCount()).toBe(2);

      // Back to the server's default (3): the WHEP player gets in.
      await owner.patch(`/api/v1/channels/${channel.slug}`, { webrtcSeats: null });
      const second = await fetch(`${platform.url}/api/whep/${channel.slug}`, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp' },
        body: player.sdp,
      });
      expect(second.status).toBe(201);
      expect(room.viewerCount()).toBe(3);
    } finally {
      player.pc.close();
      for (const viewer of viewers) viewer.close();
      await publication.stop();
    }
  });
});
