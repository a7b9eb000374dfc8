// A private channel's viewer link revoked while people watch with it: the HLS player holding the
// token gets 403 on its very next playlist, segment or init request, and the WHEP player's media
// stops, while a second link's holders watch on. (private-channels.test.ts checks that a revoked
// link's sessions are let go; here the players are mid-stream, fetching and decoding, when it goes.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { createTestChannel, OWNER_PASSWORD, type TestChannel } from '../support/channels.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { completeOffer, publishOverWhip, type WhipPublication } from '../support/whip-publisher.ts';
import { countReceived, RTCPeerConnection } from '../support/wrtc-media.ts';

let platform: TestPlatform;
let channel: TestChannel;
let owner: ApiClient;
let publication: WhipPublication | undefined;

beforeAll(async () => {
  platform = await startTestPlatform({ STREAM_END_GRACE_MS: '1000', AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
  channel = await createTestChannel(platform);
  owner = new ApiClient(platform.url);
  expect((await owner.post('/api/v1/auth/login', { login: channel.ownerEmail, password: OWNER_PASSWORD })).status).toBe(
    200,
  );
  expect((await owner.patch(`/api/v1/channels/${channel.slug}`, { private: true })).body.private).toBe(true);
  publication = await publishOverWhip(platform.url, channel.streamKey);
}, 120_000);

afterAll(async () => {
  await publication?.stop().catch(() => undefined);
  await platform?.close();
});

interface Link {
  id: string;
  token: string;
}

async function issueLink(label: string): Promise<Link> {
  const issued = await owner.post(`/api/v1/channels/${channel.slug}/viewer-tokens`, { label });
  expect(issued.status).toBe(201);
  return issued.body as Link;
}

async function revoke(link: Link): Promise<void> {
  expect((await owner.delete(`/api/v1/channels/${channel.slug}/viewer-tokens/${link.id}`)).status).toBe(204);
}

/** What an HLS player with a share link fetches: the playlist with `?token=`, then the files it names (which carry it). */
async function hlsPlayer(link: Link) {
  const base = `${platform.url}/hls/${channel.slug}`;
  const playlist = () => fetch(`${base}/index.m3u8?token=${encodeURIComponent(link.token)}`);
  return {
    playlist,
    /** Fetches the playlist and the newest segment and init it names, as a player's next round does. */
    async round(): Promise<{ playlist: number; segment: number; init: number }> {
      const listed = await playlist();
      if (listed.status !== 200) return { playlist: listed.status, segment: 0, init: 0 };
      const text = await listed.text();
      const segment = text
        .split('\n')
        .filter((line) => line.startsWith('seg-'))
        .at(-1)!;
      const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(text)![1]!;
      const [s, i] = await Promise.all([fetch(`${base}/${segment}`), fetch(`${base}/${init}`)]);
      return { playlist: 200, segment: s.status, init: i.status };
    },
    /** A file it fetched before, asked for again. */
    file: (name: string) => fetch(`${base}/${name}?token=${encodeURIComponent(link.token)}`),
  };
}

/** A WHEP player with the link as bearer token, decoding what it receives. */
async function whepPlayer(link: Link) {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  const received = countReceived(pc);
  const response = await fetch(`${platform.url}/api/whep/${channel.slug}`, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp', authorization: `Bearer ${link.token}` },
    body: await completeOffer(pc),
  });
  expect(response.status).toBe(201);
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  const session = `${platform.url}${response.headers.get('location')}`;
  return {
    received,
    session,
    close() {
      received.stop();
      pc.close();
    },
  };
}

describe('a viewer link revoked mid-stream', () => {
  it('stops an HLS player at its next request, and no one else', async () => {
    const evening = await issueLink('one evening');
    const family = await issueLink('family');
    const guest = await hlsPlayer(evening);
    const relative = await hlsPlayer(family);
    // Both are watching: a few rounds of playlist, newest segment and init, all answered.
    await waitFor(async () => (await guest.playlist()).status === 200, {
      timeoutMs: 30_000,
      what: 'the live playlist',
    });
    for (let round = 0; round < 3; round++) {
      expect(await guest.round()).toEqual({ playlist: 200, segment: 200, init: 200 });
      expect(await relative.round()).toEqual({ playlist: 200, segment: 200, init: 200 });
    }
    // Files the guest's player already has, without the token its playlist adds to them.
    const text = await (await guest.playlist()).text();
    const segment = text
      .split('\n')
      .find((line) => line.startsWith('seg-'))!
      .split('?')[0]!;
    const init = /#EXT-X-MAP:URI="([^"?]+)/.exec(text)![1]!;

    await revoke(evening);

    // The very next requests, without waiting: tokens are checked on every request.
    expect((await guest.playlist()).status).toBe(403);
    expect((await guest.file(segment)).status).toBe(403);
    expect((await guest.file(init)).status).toBe(403);
    // The other link's player goes on.
    expect(await relative.round()).toEqual({ playlist: 200, segment: 200, init: 200 });
  });

  it("stops a WHEP player's media, and no one else's", async () => {
    const evening = await issueLink('another evening');
    const family = await issueLink('family, on WHEP');
    const room = await waitFor(() => platform.rooms!.rooms().find((r) => r.producers().length === 2), {
      what: 'both producers',
    });
    const viewersBefore = room.viewerCount();
    const guest = await whepPlayer(evening);
    const relative = await whepPlayer(family);
    try {
      await waitFor(() => guest.received.videoFrames > 10 && relative.received.videoFrames > 10, {
        timeoutMs: 20_000,
        what: 'both players decoding video',
      });
      expect(room.viewerCount()).toBe(viewersBefore + 2);

      await revoke(evening);

      // The server lets go of the guest's session (its transport and consumers)...
      await waitFor(() => room.viewerCount() === viewersBefore + 1, { what: "the revoked link's viewer to leave" });
      // ...and its media stops: while the other player decodes 60 more frames (about 2 s), the
      // guest gets at most the few that were on their way.
      const guestFrames = guest.received.videoFrames;
      const relativeFrames = relative.received.videoFrames;
      await waitFor(() => relative.received.videoFrames >= relativeFrames + 60, {
        timeoutMs: 20_000,
        what: 'the other player to decode 60 more frames',
      });
      expect(guest.received.videoFrames - guestFrames).toBeLessThanOrEqual(5);
      // Its session is gone (asked only now: a DELETE would end it itself).
      expect((await fetch(guest.session, { method: 'DELETE' })).status).toBe(404);
      expect(room.viewerCount()).toBe(viewersBefore + 1);
    } finally {
      guest.close();
      relative.close();
    }
  });
});
