// A WHIP publisher (libwebrtc in Node) and Chromium as a bare WHEP player: a page with nothing but
// an RTCPeerConnection that POSTs its unmodified offer and sets the answer, as any WHEP player does.
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext } from '../support/browser.ts';
import { withBrowserPlatform } from '../support/browser-platform.ts';
import { createTestChannel } from '../support/channels.ts';
import type { TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { publishOverWhip } from '../support/whip-publisher.ts';

interface WhepPlayer {
  status: number;
  problem?: string;
  location: string | null;
  framesPainted: number;
  width: number;
  audioPacketsReceived: number;
}

declare global {
  interface Window {
    __whep?: WhepPlayer;
  }
}

describe('WHEP playback in a browser', () => {
  let platform: TestPlatform;
  let browser: Browser;

  withBrowserPlatform((started) => ({ platform, browser } = started));

  it("plays a WHIP-published channel in Chromium's own payload types", async () => {
    const channel = await createTestChannel(platform);
    const publication = await publishOverWhip(platform.url, channel.streamKey);
    const room = await waitFor(() => platform.rooms!.rooms().find((r) => r.producers().length === 2), {
      what: 'both producers',
    });
    const page = await (await newContext(browser, platform.url)).newPage();
    try {
      // Any page of the server's origin will do: the player is a few lines, not the web app.
      await page.goto('/api/health');
      await page.evaluate(async (slug) => {
        const player: WhepPlayer = { status: 0, location: null, framesPainted: 0, width: 0, audioPacketsReceived: 0 };
        window.__whep = player;
        const pc = new RTCPeerConnection();
        pc.addTransceiver('video', { direction: 'recvonly' });
        pc.addTransceiver('audio', { direction: 'recvonly' });
        const video = document.createElement('video');
        video.muted = true;
        video.autoplay = true;
        video.playsInline = true;
        document.body.append(video);
        const stream = new MediaStream();
        pc.ontrack = (event) => {
          stream.addTrack(event.track);
          video.srcObject = stream;
        };
        const onFrame = (_now: number, metadata: VideoFrameCallbackMetadata) => {
          player.framesPainted++;
          player.width = metadata.width;
          video.requestVideoFrameCallback(onFrame);
        };
        video.requestVideoFrameCallback(onFrame);
        setInterval(async () => {
          const stats = await pc.getStats();
          stats.forEach((s) => {
            if (s.type === 'inbound-rtp' && s.kind === 'audio') player.audioPacketsReceived = s.packetsReceived;
          });
        }, 250);
        await pc.setLocalDescription(await pc.createOffer());
        await new Promise<void>((resolve) => {
          if (pc.iceGatheringState === 'complete') return resolve();
          pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
        });
        const response = await fetch(`/api/whep/${slug}`, {
          method: 'POST',
          headers: { 'content-type': 'application/sdp' },
          body: pc.localDescription!.sdp,
        });
        player.status = response.status;
        player.location = response.headers.get('location');
        if (response.status === 201) await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
        else player.problem = await response.text();
      }, channel.slug);

      const player = await waitFor(
        async () => {
          const p = await page.evaluate(() => window.__whep!);
          if (p.status !== 0 && p.status !== 201) throw new Error(`WHEP answered ${p.status}: ${p.problem}`);
          return p.framesPainted > 30 && p.audioPacketsReceived > 0 ? p : undefined;
        },
        { timeoutMs: 20_000, what: 'Chromium to play the channel over WHEP' },
      );
      expect(player.width).toBe(640);
      expect(room.viewerCount()).toBe(1);

      const deleted = await fetch(`${platform.url}${player.location}`, { method: 'DELETE' });
      expect(deleted.status).toBe(200);
      await waitFor(() => room.viewerCount() === 0, { what: 'the WHEP viewer to leave' });
    } finally {
      await page.context().close();
      await publication.stop();
    }
  });
});
