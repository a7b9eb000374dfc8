// WHIP ingest and WHEP playback with real libwebrtc peers in Node: what OBS or FFmpeg would send,
// what a WHEP player receives, and every error path, each checking that nothing changed.
import * as sdpTransform from 'sdp-transform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../api/admin/commands.ts';
import { withStereoOpus } from '../../web/src/media/http-media-sdp.ts';
import { createTestChannel, type TestChannel } from '../support/channels.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { completeOffer, publishOverWhip } from '../support/whip-publisher.ts';
import {
  countReceived,
  keepReceivedSound,
  RTCPeerConnection,
  syntheticMedia,
  tonePower,
} from '../support/wrtc-media.ts';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({ STREAM_END_GRACE_MS: '2000', PUBLISHER_TAKEOVER: 'refuse' });
});

afterAll(async () => {
  await platform?.close();
});

const publish = (channel: TestChannel) => publishOverWhip(platform.url, channel.streamKey);

/** The offer with its media sections cut down to one codec (and that codec's RTX). */
function onlyCodec(sdp: string, codec: string): string {
  const parsed = sdpTransform.parse(sdp);
  for (const media of parsed.media) {
    const keep = new Set(media.rtp.filter((r) => r.codec.toUpperCase() === codec).map((r) => r.payload));
    for (const f of media.fmtp)
      if (/apt=(\d+)/.exec(f.config) && keep.has(Number(/apt=(\d+)/.exec(f.config)![1]))) keep.add(f.payload);
    media.rtp = media.rtp.filter((r) => keep.has(r.payload));
    media.fmtp = media.fmtp.filter((f) => keep.has(f.payload));
    media.rtcpFb = media.rtcpFb?.filter((f) => keep.has(Number(f.payload)));
    media.payloads = [...keep].join(' ');
  }
  return sdpTransform.write(parsed);
}

/** The parameters of the Opus format an SDP describes. */
function opusFormat(sdp: string): string[] {
  const payload = /^a=rtpmap:(\d+) opus\//im.exec(sdp)?.[1];
  return new RegExp(`^a=fmtp:${payload} (.*?)\r?$`, 'm').exec(sdp)?.[1]?.split(';') ?? [];
}

async function streamRows(slug: string, on: TestPlatform = platform) {
  const channel = await on.database!.prisma.channel.findUniqueOrThrow({ where: { slug }, include: { streams: true } });
  return channel.streams;
}

describe('WHIP publish and WHEP playback', () => {
  it('publishes over WHIP, goes live, and ends on DELETE by the owner only', async () => {
    const channel = await createTestChannel(platform);
    const publication = await publish(channel);
    expect(publication.location).toMatch(/^\/api\/whip\/sessions\/[A-Za-z0-9_-]{20,}$/);
    expect(publication.etag).toMatch(/^"[^"]+"$/);
    const live = await waitFor(async () => (await streamRows(channel.slug)).find((s) => s.state === 'live'), {
      what: 'a live Stream row',
    });
    // Media really arrives at the SFU: the producers count packets.
    const room = platform.rooms!.rooms().find((r) => r.producers().length === 2)!;
    await waitFor(
      async () => {
        const counts = await Promise.all(
          room
            .producers()
            .map(async (p) => (await p.producer.getStats()).reduce((n, s) => n + (s.packetCount ?? 0), 0)),
        );
        return counts.every((n) => n > 20);
      },
      { timeoutMs: 10_000, what: 'RTP at both producers' },
    );

    const stranger = await fetch(`${platform.url}${publication.location}`, {
      method: 'DELETE',
      headers: { authorization: 'Bearer live_wrong' },
    });
    expect(stranger.status).toBe(403);
    expect((await streamRows(channel.slug)).find((s) => s.id === live.id)?.state).toBe('live');

    const deleted = await fetch(`${platform.url}${publication.location}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${channel.streamKey}` },
    });
    expect(deleted.status).toBe(200);
    await waitFor(async () => (await streamRows(channel.slug)).find((s) => s.id === live.id)?.state === 'ended', {
      what: 'the stream to end',
    });
    const again = await fetch(`${platform.url}${publication.location}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${channel.streamKey}` },
    });
    expect(again.status).toBe(404);
    publication.vanish();
  });

  it("plays a WHIP-published channel to a plain WHEP player, in the player's own payload types", async () => {
    const channel = await createTestChannel(platform);
    const publication = await publish(channel);
    const room = await waitFor(() => platform.rooms!.rooms().find((r) => r.producers().length === 2), {
      what: 'both producers',
    });
    // An unmodified libwebrtc offer: its own payload types and header extension ids.
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const received = countReceived(pc);
    try {
      const response = await fetch(`${platform.url}/api/whep/${channel.slug}`, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp' },
        body: await completeOffer(pc),
      });
      if (response.status !== 201) throw new Error(`WHEP answered ${response.status}: ${await response.text()}`);
      expect(response.headers.get('location')).toMatch(/^\/api\/whep\/sessions\/[A-Za-z0-9_-]{20,}$/);
      await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
      expect(room.viewerCount()).toBe(1);
      await waitFor(() => received.videoFrames > 10 && received.audioChunks > 10, {
        timeoutMs: 15_000,
        what: 'decoded video frames and audio',
      });
      expect(received.width).toBe(640);

      const deleted = await fetch(`${platform.url}${response.headers.get('location')}`, { method: 'DELETE' });
      expect(deleted.status).toBe(200);
      await waitFor(() => room.viewerCount() === 0, { what: 'the viewer to leave' });
      // The router numbered for this player went with its last viewer.
      expect(room.routerLoad().filter((r) => !r.origin)).toHaveLength(0);
    } finally {
      received.stop();
      pc.close();
      await publication.stop();
    }
  });

  it("keeps stereo from a WHIP encoder to a WHEP player, each side its own tone, at a DJ channel's bitrate", async () => {
    const channel = await createTestChannel(platform);
    await platform.database!.prisma.channel.update({
      where: { slug: channel.slug },
      data: { mode: 'dj', audioKbps: 320 },
    });
    const tones = { left: 440, right: 1500 };
    const publication = await publishOverWhip(platform.url, channel.streamKey, undefined, undefined, tones);
    // The encoder was told the DJ channel's bitrate in the answer.
    const sent = publication.pc.remoteDescription!.sdp;
    expect(opusFormat(sent)).toEqual(
      expect.arrayContaining(['stereo=1', 'sprop-stereo=1', 'maxaveragebitrate=320000']),
    );
    await waitFor(() => platform.rooms!.rooms().find((r) => r.producers().length === 2), { what: 'both producers' });
    const pc = new RTCPeerConnection();
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const sound = keepReceivedSound(pc);
    try {
      // A player that wants stereo asks for it in its own offer, as the web app's does: libwebrtc
      // decodes in as many channels as its own description says.
      await pc.setLocalDescription({ type: 'offer', sdp: withStereoOpus((await pc.createOffer()).sdp!) });
      await waitFor(() => pc.iceGatheringState === 'complete', { timeoutMs: 5000, what: 'ICE gathering' });
      const response = await fetch(`${platform.url}/api/whep/${channel.slug}`, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp' },
        body: pc.localDescription!.sdp,
      });
      expect(response.status).toBe(201);
      const answer = await response.text();
      expect(opusFormat(answer)).toEqual(expect.arrayContaining(['stereo=1', 'sprop-stereo=1']));
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      // Half a second of decoded sound, once the decoder has settled in.
      const [left, right] = await waitFor(
        () => {
          const channels = sound.channels(24_000);
          if (sound.channelCount === 2 && channels[1]!.length === 24_000) return channels;
          throw new Error(`${sound.channelCount} channels, ${channels[0]?.length ?? 0} samples`);
        },
        { timeoutMs: 15_000, what: 'half a second of stereo sound' },
      );
      // Each side carries its own tone, far above the other's (a mono downmix would carry both alike).
      expect(tonePower(left!, tones.left)).toBeGreaterThan(100 * tonePower(left!, tones.right));
      expect(tonePower(right!, tones.right)).toBeGreaterThan(100 * tonePower(right!, tones.left));
    } finally {
      sound.stop();
      pc.close();
      await publication.stop();
    }
  });

  it('refuses, with a clear 422, a WHEP offer with no codec the server sends', async () => {
    const channel = await createTestChannel(platform);
    const publication = await publish(channel);
    const room = await waitFor(() => platform.rooms!.rooms().find((r) => r.producers().length === 2), {
      what: 'both producers',
    });
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    const offer = onlyCodec(await completeOffer(pc), 'VP9');
    pc.close();
    const response = await fetch(`${platform.url}/api/whep/${channel.slug}`, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp' },
      body: offer,
    });
    expect(response.status).toBe(422);
    const problem = (await response.json()) as { code: string; detail: string };
    expect(problem.code).toBe('unsupported_media');
    expect(problem.detail).toMatch(/codec/);
    // The refused viewer left nothing behind.
    expect(room.viewerCount()).toBe(0);
    expect(room.routerLoad().filter((r) => !r.origin)).toHaveLength(0);
    await publication.stop();
  });

  it('ends the stream of a WHIP publisher that vanishes without a DELETE, and lets the channel publish again', async () => {
    const channel = await createTestChannel(platform);
    const publication = await publish(channel);
    const live = await waitFor(async () => (await streamRows(channel.slug)).find((s) => s.state === 'live'), {
      what: 'a live Stream row',
    });
    const room = await waitFor(() => platform.rooms!.rooms().find((r) => r.producers().length === 2), {
      what: 'both producers',
    });
    // A WHEP player watching.
    const player = new RTCPeerConnection();
    player.addTransceiver('video', { direction: 'recvonly' });
    const whep = await fetch(`${platform.url}/api/whep/${channel.slug}`, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp' },
      body: await completeOffer(player),
    });
    expect(whep.status).toBe(201);
    await player.setRemoteDescription({ type: 'answer', sdp: await whep.text() });
    expect(room.viewerCount()).toBe(1);
    publication.vanish(); // the encoder crashed or the network went away: no DELETE
    // Silence is noticed within seconds, then the grace period (2 s here) runs out.
    await waitFor(async () => (await streamRows(channel.slug)).find((s) => s.id === live.id)?.state === 'ended', {
      timeoutMs: 20_000,
      what: 'the silent stream to end',
    });
    // The WHEP player is let go with the stream, though the vanished encoder's session lingers.
    await waitFor(() => room.closed || room.viewerCount() === 0, { what: 'the WHEP session to end with the stream' });
    player.close();
    const again = await publish(channel);
    await fetch(`${platform.url}${again.location}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${channel.streamKey}` },
    });
    again.vanish();
  });

  it('accepts trickled candidates and restarts ICE with If-Match, refusing stale or missing preconditions', async () => {
    const channel = await createTestChannel(platform);
    const publication = await publish(channel);
    const url = `${platform.url}${publication.location}`;
    const auth = { authorization: `Bearer ${channel.streamKey}`, 'content-type': 'application/trickle-ice-sdpfrag' };
    const ufrag = /a=ice-ufrag:(\S+)/.exec(publication.pc.localDescription!.sdp)![1];
    const pwd = /a=ice-pwd:(\S+)/.exec(publication.pc.localDescription!.sdp)![1];
    const trickle = `a=ice-ufrag:${ufrag}\r\na=ice-pwd:${pwd}\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 2113937151 127.0.0.1 50000 typ host\r\na=end-of-candidates\r\n`;
    expect((await fetch(url, { method: 'PATCH', headers: auth, body: trickle })).status).toBe(204);
    expect(
      (await fetch(url, { method: 'PATCH', headers: { ...auth, 'if-match': '"stale"' }, body: trickle })).status,
    ).toBe(412);

    const restart = `a=ice-ufrag:newufrag\r\na=ice-pwd:newpasswordnewpasswordxx\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n`;
    const missing = await fetch(url, { method: 'PATCH', headers: auth, body: restart });
    expect(missing.status).toBe(428);
    const restarted = await fetch(url, { method: 'PATCH', headers: { ...auth, 'if-match': '*' }, body: restart });
    expect(restarted.status).toBe(200);
    expect(restarted.headers.get('content-type')).toMatch(/^application\/trickle-ice-sdpfrag/);
    const fragment = await restarted.text();
    expect(fragment).toMatch(/a=ice-ufrag:\S+/);
    expect(fragment).toMatch(/a=ice-pwd:\S+/);
    expect(fragment).toMatch(/a=candidate:/);
    expect(restarted.headers.get('etag')).not.toBe(publication.etag);
    const oldEtag = await fetch(url, {
      method: 'PATCH',
      headers: { ...auth, 'if-match': publication.etag },
      body: trickle,
    });
    expect(oldEtag.status).toBe(412);

    await fetch(url, { method: 'DELETE', headers: { authorization: `Bearer ${channel.streamKey}` } });
    publication.vanish();
  });

  it('answers OPTIONS with what it accepts', async () => {
    const response = await fetch(`${platform.url}/api/whip`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('accept-post')).toBe('application/sdp');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-expose-headers')).toMatch(/location/);
  });
});

describe('WHIP and WHEP errors change nothing', () => {
  let channel: TestChannel;
  let validOffer: string;

  beforeAll(async () => {
    channel = await createTestChannel(platform);
    const pc = new RTCPeerConnection();
    const media = syntheticMedia();
    pc.addTransceiver(media.video, { direction: 'sendonly' });
    pc.addTransceiver(media.audio, { direction: 'sendonly' });
    validOffer = await completeOffer(pc);
    media.stop();
    pc.close();
  });

  async function expectProblem(response: Response, status: number, code: string): Promise<void> {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await response.json()) as { status: number; code: string; detail: string };
    expect(body.status).toBe(status);
    expect(body.code).toBe(code);
    expect(body.detail.length).toBeGreaterThan(10);
    expect(await streamRows(channel.slug)).toHaveLength(0);
    expect(
      platform
        .rooms!.get((await platform.database!.prisma.channel.findUniqueOrThrow({ where: { slug: channel.slug } })).id)
        ?.peers() ?? [],
    ).toHaveLength(0);
  }

  const post = (headers: Record<string, string>, body: string) =>
    fetch(`${platform.url}/api/whip`, { method: 'POST', headers, body });

  it('401 without a key, with an unknown key and with a revoked key', async () => {
    await expectProblem(await post({ 'content-type': 'application/sdp' }, validOffer), 401, 'unauthorized');
    await expectProblem(
      await post({ 'content-type': 'application/sdp', authorization: 'Bearer live_unknown' }, validOffer),
      401,
      'unauthorized',
    );
    const revocable = await createTestChannel(platform);
    await runAdminCommand(
      { prisma: platform.database!.prisma, publicUrl: platform.url },
      { command: 'stream-key.revoke', channel: revocable.slug },
    );
    const response = await post(
      { 'content-type': 'application/sdp', authorization: `Bearer ${revocable.streamKey}` },
      validOffer,
    );
    expect(response.status).toBe(401);
  });

  it('415 for another content type', async () => {
    await expectProblem(
      await post({ 'content-type': 'text/plain', authorization: `Bearer ${channel.streamKey}` }, validOffer),
      415,
      'unsupported_media_type',
    );
  });

  it('400 for SDP that cannot be parsed', async () => {
    await expectProblem(
      await post(
        { 'content-type': 'application/sdp', authorization: `Bearer ${channel.streamKey}` },
        'this is not sdp',
      ),
      400,
      'bad_sdp',
    );
  });

  it('422 for more than one video track', async () => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'sendonly' });
    pc.addTransceiver('video', { direction: 'sendonly' });
    const offer = await completeOffer(pc);
    pc.close();
    await expectProblem(
      await post({ 'content-type': 'application/sdp', authorization: `Bearer ${channel.streamKey}` }, offer),
      422,
      'unsupported_media',
    );
  });

  it('409 while the channel is live from another session', async () => {
    const other = await createTestChannel(platform);
    const first = await publish(other);
    const second = await post(
      { 'content-type': 'application/sdp', authorization: `Bearer ${other.streamKey}` },
      validOffer,
    );
    expect(second.status).toBe(409);
    expect(((await second.json()) as { code: string }).code).toBe('already_live');
    expect((await streamRows(other.slug)).filter((s) => s.state === 'live')).toHaveLength(1);
    await fetch(`${platform.url}${first.location}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${other.streamKey}` },
    });
    first.vanish();
  });

  it('WHEP: 404 for an unknown channel and for one that is not live', async () => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const playerOffer = await completeOffer(pc);
    pc.close();
    const unknown = await fetch(`${platform.url}/api/whep/no-such-channel`, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp' },
      body: playerOffer,
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe('not_found');
    const offline = await fetch(`${platform.url}/api/whep/${channel.slug}`, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp' },
      body: playerOffer,
    });
    await expectProblem(offline, 404, 'not_live');
  });
});

describe('a WHEP player while the encoder reconnects and when the stream ends', () => {
  let replacing: TestPlatform;

  beforeAll(async () => {
    // OBS reconnecting sends a new WHIP offer while its old session may still look alive.
    replacing = await startTestPlatform({ STREAM_END_GRACE_MS: '2000', PUBLISHER_TAKEOVER: 'replace' });
  });
  afterAll(async () => {
    await replacing?.close();
  });

  /** A WHEP player on libwebrtc: its session URL and what it decodes. */
  async function playOverWhep(slug: string) {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const received = countReceived(pc);
    const response = await fetch(`${replacing.url}/api/whep/${slug}`, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp' },
      body: await completeOffer(pc),
    });
    expect(response.status).toBe(201);
    await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    const peerId = `whep:${response.headers.get('location')!.split('/').pop()}`;
    /** The session's peer left every room: the server ended the session. */
    const gone = () => !replacing.rooms!.rooms().some((room) => room.peers().some((peer) => peer.id === peerId));
    expect(gone()).toBe(false);
    return { pc, received, gone, close: () => (received.stop(), pc.close()) };
  }

  it('ends the session when the encoder is replaced (a new offer plays the new one) and when the stream ends; tells the old encoder why', async () => {
    const channel = await createTestChannel(replacing);
    const first = await publishOverWhip(replacing.url, channel.streamKey, { width: 640, height: 360 });
    let second: Awaited<ReturnType<typeof publishOverWhip>> | undefined;
    const players: { close(): void }[] = [];
    try {
      const room = await waitFor(() => replacing.rooms!.rooms().find((r) => r.producers().length === 2), {
        what: 'both producers',
      });
      const before = await playOverWhep(channel.slug);
      players.push(before);
      await waitFor(() => before.received.videoFrames > 10 && before.received.width === 640, {
        timeoutMs: 15_000,
        what: "the first encoder's frames",
      });

      // The encoder comes back with a new session (and, to tell its frames apart, a smaller
      // picture). The player's session ends at once instead of freezing on the old picture.
      second = await publishOverWhip(replacing.url, channel.streamKey, { width: 320, height: 180 });
      await waitFor(() => before.gone(), { timeoutMs: 10_000, what: 'the WHEP session on the old encoder to end' });
      // The old encoder hears why its session ended (as it asks for an ICE restart or DELETEs),
      // so it can stop instead of taking the channel back.
      const auth = { authorization: `Bearer ${channel.streamKey}` };
      for (const method of ['DELETE', 'PATCH']) {
        const asked = await fetch(`${replacing.url}${first.location}`, {
          method,
          headers: { ...auth, 'content-type': 'application/trickle-ice-sdpfrag', 'if-match': '*' },
          body: method === 'PATCH' ? 'a=ice-ufrag:x\r\na=ice-pwd:yyyyyyyyyyyyyyyyyyyyyy\r\n' : undefined,
        });
        expect(asked.status).toBe(409);
        expect(((await asked.json()) as { code: string }).code).toBe('taken_over');
      }
      expect((await streamRows(channel.slug, replacing)).filter((s) => s.state === 'live')).toHaveLength(1);

      // Asking again, as a player does when its connection ends, plays the new encoder.
      await waitFor(() => room.producers().length === 2, { what: 'the new producers' });
      const after = await playOverWhep(channel.slug);
      players.push(after);
      await waitFor(
        () => after.received.width === 320 && after.received.videoFrames > 10 && after.received.audioChunks > 10,
        {
          timeoutMs: 15_000,
          what: "the new encoder's frames and sound",
        },
      );

      // The stream ends: the WHEP session ends with it, instead of leaving the player on the last picture.
      await second.stop();
      await waitFor(() => after.gone(), { timeoutMs: 10_000, what: 'the WHEP session to end with the stream' });
      await waitFor(() => room.closed || room.viewerCount() === 0, { what: 'the WHEP viewer to leave the room' });
    } finally {
      for (const player of players) player.close();
      first.vanish();
      second?.vanish();
    }
  });
});
