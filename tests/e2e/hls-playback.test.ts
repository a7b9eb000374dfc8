// HLS and VODs in real Chromium, against the whole platform: a WHIP publisher (libwebrtc in this
// process) goes live and the recorder writes live HLS. A viewer who picks HLS in the player's
// Source menu plays the live playlist; viewers whose browser cannot do WebRTC (no
// RTCPeerConnection, or ICE that never connects) get HLS by themselves; when the stream ends, the
// HLS viewer sees the end, the VOD appears under the player, and its page plays and seeks.
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { newContext, recordConsole, screenshot } from '../support/browser.ts';
import { withBrowserPlatform } from '../support/browser-platform.ts';
import { createTestChannel, type TestChannel } from '../support/channels.ts';
import type { TestPlatform } from '../support/platform.ts';
import { TestSignalingClient } from '../support/signaling-client.ts';
import { waitFor } from '../support/wait.ts';
import { RTCPeerConnection, syntheticMedia } from '../support/wrtc-media.ts';

interface HlsStats {
  currentTime: number;
  latencySeconds: number | null;
  level: number;
  buffered: number;
}

/** What the web app exposes for tests in its test build (web/src/test-hooks.ts), as far as this file uses it. */
interface PageHandle {
  hlsPlayer?: { stats(): HlsStats };
  via?: 'webrtc' | 'whep' | 'hls';
  player?: unknown;
}

function pageHandle(page: Page): Promise<{ via: string | null; hls: HlsStats | null; hasWebRtcPlayer: boolean }> {
  return page.evaluate(() => {
    const handle = (window as unknown as { __aethex?: PageHandle }).__aethex;
    return {
      via: handle?.via ?? null,
      hls: handle?.hlsPlayer?.stats() ?? null,
      hasWebRtcPlayer: Boolean(handle?.player),
    };
  });
}

function currentTime(page: Page, testId: string): Promise<number> {
  return page.getByTestId(testId).evaluate((video) => (video as HTMLVideoElement).currentTime);
}

/** Waits until the <video> has played more than `seconds` from where it first was seen playing. */
async function waitForPlayback(page: Page, testId: string, seconds: number, timeoutMs = 30_000): Promise<number> {
  let start: number | undefined;
  return waitFor(
    async () => {
      const time = await currentTime(page, testId);
      if (start === undefined) {
        if (time > 0) start = time;
        return undefined;
      }
      return time - start > seconds ? time : undefined;
    },
    { timeoutMs, intervalMs: 200, what: `${testId} to play ${seconds} s` },
  );
}

describe('HLS playback and VODs', () => {
  let platform: TestPlatform;
  let browser: Browser;

  withBrowserPlatform((started) => ({ platform, browser } = started));

  async function viewerPage(name: string, initScript?: string): Promise<Page> {
    const context = await newContext(browser, platform.url);
    if (initScript) await context.addInitScript(initScript);
    const page = await context.newPage();
    recordConsole(page, name, /HLS/);
    return page;
  }

  /** Goes live on `channel` over WHIP; stop() ends the session as OBS does (DELETE). */
  async function publishOverWhip(channel: TestChannel) {
    const pc = new RTCPeerConnection();
    const media = syntheticMedia();
    pc.addTransceiver(media.video, { direction: 'sendonly' });
    pc.addTransceiver(media.audio, { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await waitFor(() => pc.iceGatheringState === 'complete', { timeoutMs: 5000, what: 'ICE gathering' });
    const response = await fetch(`${platform.url}/api/whip`, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp', authorization: `Bearer ${channel.streamKey}` },
      body: pc.localDescription!.sdp,
    });
    expect(response.status).toBe(201);
    await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    const location = response.headers.get('location')!;
    let stopped = false;
    return {
      async stop() {
        if (stopped) return;
        stopped = true;
        const deleted = await fetch(`${platform.url}${location}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${channel.streamKey}` },
        });
        expect(deleted.ok).toBe(true);
        media.stop();
        pc.close();
      },
    };
  }

  /** A live channel whose recorder writes HLS already, so a failure below is the page's. */
  async function liveChannel() {
    const channel = await createTestChannel(platform);
    const publisher = await publishOverWhip(channel);
    onTestFailed(() => void publisher.stop().catch(() => undefined));
    await waitFor(async () => (await fetch(`${platform.url}/hls/${channel.slug}/index.m3u8`)).status === 200, {
      timeoutMs: 20_000,
      intervalMs: 250,
      what: `the recorder's first live segments (server side: /hls/${channel.slug}/index.m3u8 still answers 404)`,
    });
    return { channel, publisher };
  }

  it('plays the live stream over HLS when the viewer picks it, and remembers the choice', async () => {
    const { channel, publisher } = await liveChannel();
    const page = await viewerPage('hls-viewer');
    await page.goto(`/${channel.slug}`);
    await page.getByRole('button', { name: /^Source/ }).click();
    await screenshot(page, 'e2e-source-menu');
    await page.getByRole('menuitemradio', { name: 'Low data · HLS' }).click();

    await expect.poll(() => page.getByTestId('player-via').textContent(), { timeout: 20_000 }).toBe('HLS');
    await waitForPlayback(page, 'player-video', 2);
    expect(await page.getByTestId('player').getAttribute('data-phase')).toBe('live');
    const handle = await pageHandle(page);
    expect(handle.via).toBe('hls');
    expect(handle.hasWebRtcPlayer).toBe(false);
    expect(handle.hls!.level).toBeGreaterThanOrEqual(0);
    // At the live edge the buffer ahead of the playhead can be empty for a moment, between segments.
    await expect.poll(async () => (await pageHandle(page)).hls!.buffered, { timeout: 5_000 }).toBeGreaterThan(0);
    // Two ~1 s segments behind the live edge, give or take a segment and the catch-up.
    expect(handle.hls!.latencySeconds).toBeGreaterThan(0.5);
    expect(handle.hls!.latencySeconds).toBeLessThan(8);
    await expect
      .poll(() => page.getByTestId('player-delay').textContent(), { timeout: 5_000 })
      .toMatch(/delay ≈ [\d.]+ s/);
    await screenshot(page, 'e2e-hls-channel');

    // The choice outlives the page: the next visit plays HLS from the start, never WebRTC.
    await page.reload();
    await expect.poll(() => page.getByTestId('player').getAttribute('data-via'), { timeout: 10_000 }).toBe('hls');
    await waitForPlayback(page, 'player-video', 1);
    expect((await pageHandle(page)).hasWebRtcPlayer).toBe(false);
    await expect(page.getByRole('button', { name: /^Source/ }).textContent()).resolves.toContain('HLS');
    await publisher.stop();
  });

  it('falls back to HLS by itself when the browser has no WebRTC', async () => {
    const { channel, publisher } = await liveChannel();
    const page = await viewerPage(
      'no-webrtc',
      `window.RTCPeerConnection = function RTCPeerConnection() { throw new DOMException('WebRTC is disabled', 'NotSupportedError'); };`,
    );
    await page.goto(`/${channel.slug}`);
    await expect.poll(() => page.getByTestId('player-via').textContent(), { timeout: 20_000 }).toBe('HLS');
    await waitForPlayback(page, 'player-video', 2);
    expect((await pageHandle(page)).via).toBe('hls');
    // Falling back is the player's decision, not the viewer's: the Source stays Auto.
    await expect(page.getByRole('button', { name: /^Source/ }).textContent()).resolves.toContain('Auto');
    await screenshot(page, 'e2e-hls-fallback');
    await publisher.stop();
  });

  it('falls back to HLS by itself when WebRTC never connects', async () => {
    const { channel, publisher } = await liveChannel();
    // ICE that cannot succeed (a firewall dropping UDP): the server's candidates never reach ICE.
    const page = await viewerPage(
      'ice-blocked',
      `{
        const Native = window.RTCPeerConnection;
        window.RTCPeerConnection = class extends Native {
          setRemoteDescription(description) {
            const sdp = description && description.sdp ? description.sdp.replace(/^a=candidate:.*\\r?\\n/gm, '') : undefined;
            return super.setRemoteDescription(sdp === undefined ? description : { type: description.type, sdp });
          }
          addIceCandidate() { return Promise.resolve(); }
        };
      }`,
    );
    const opened = Date.now();
    await page.goto(`/${channel.slug}`);
    await expect.poll(() => page.getByTestId('player-via').textContent(), { timeout: 25_000 }).toBe('HLS');
    // Not before the WebRTC deadline: the player gave WebRTC its chance.
    expect(Date.now() - opened).toBeGreaterThan(4_000);
    await waitForPlayback(page, 'player-video', 2);
    expect((await pageHandle(page)).via).toBe('hls');
    await publisher.stop();
  });

  it("falls back to HLS at once when the stream's WebRTC seats are taken", async () => {
    const { channel, publisher } = await liveChannel();
    // One seat, and someone already in it.
    await platform.database!.prisma.channel.update({ where: { slug: channel.slug }, data: { webrtcSeats: 1 } });
    const seated = await TestSignalingClient.connect(platform.url);
    try {
      await seated.ok('join', { role: 'viewer', channel: channel.slug });
      const page = await viewerPage('seats-taken');
      await page.goto(`/${channel.slug}`);
      await expect.poll(() => page.getByTestId('player-via').textContent(), { timeout: 15_000 }).toBe('HLS');
      // Because the server said so (not the WebRTC deadline): its reason is the player's.
      expect(await page.getByTestId('player-via').getAttribute('title')).toContain('Every WebRTC seat');
      await waitForPlayback(page, 'player-video', 2);
      expect((await pageHandle(page)).via).toBe('hls');
      await screenshot(page, 'e2e-hls-seats-taken');
    } finally {
      seated.close();
      await publisher.stop();
    }
  });

  it('shows the end over HLS, then lists the VOD, which plays and seeks on its own page', async () => {
    const { channel, publisher } = await liveChannel();
    const page = await viewerPage('vod');
    await page.goto(`/${channel.slug}?via=hls`);
    await waitForPlayback(page, 'player-video', 1);
    await expect.poll(() => page.getByTestId('vod-empty').isVisible(), { timeout: 5_000 }).toBe(true);
    // Record long enough for a seek to the middle to mean something.
    await waitForPlayback(page, 'player-video', 8);
    await publisher.stop();

    await waitFor(async () => (await page.getByTestId('player').getAttribute('data-phase')) === 'ended', {
      timeoutMs: 20_000,
      what: 'the HLS viewer to see the end',
    });
    await waitFor(async () => (await page.getByTestId('vod-item').count()) > 0, {
      timeoutMs: 60_000,
      what: 'the VOD to appear under the player',
    });
    const item = page.getByTestId('vod-item').first();
    await expect.poll(() => item.textContent()).toMatch(/0:\d\d/);
    await waitFor(() => item.locator('img').evaluate((img) => (img as HTMLImageElement).naturalWidth > 0), {
      timeoutMs: 10_000,
      what: 'the poster to load',
    });
    await page.getByTestId('vod-list').scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-vod-list');

    await item.getByRole('link').click();
    await page.waitForURL(/\/vod\/[0-9a-f-]{36}$/);
    const vodId = page.url().split('/').pop()!;
    const vod = (await (await fetch(`${platform.url}/api/v1/vods/${vodId}`)).json()) as {
      durationSeconds: number;
      mp4Url: string | null;
      channel: string;
    };
    expect(vod.channel).toBe(channel.slug);
    expect(vod.durationSeconds).toBeGreaterThan(8);
    await waitForPlayback(page, 'vod-video', 2);
    expect(await page.getByTestId('vod-download').getAttribute('href')).toBe(vod.mp4Url);
    expect(await page.getByTestId('vod-channel-link').getAttribute('href')).toBe(`/${channel.slug}`);

    const video = page.getByTestId('vod-video');
    const duration = await video.evaluate((v) => (v as HTMLVideoElement).duration);
    expect(duration).toBeGreaterThan(8);
    expect(Math.abs(duration - vod.durationSeconds)).toBeLessThan(2);
    const landed = await video.evaluate(
      (v, target) =>
        new Promise<number>((resolve, reject) => {
          const element = v as HTMLVideoElement;
          const timer = setTimeout(() => reject(new Error('no seeked event within 10 s')), 10_000);
          element.addEventListener(
            'seeked',
            () => {
              clearTimeout(timer);
              resolve(element.currentTime);
            },
            { once: true },
          );
          element.currentTime = target;
        }),
      duration / 2,
    );
    expect(Math.abs(landed - duration / 2)).toBeLessThan(1);
    // And it plays on from there.
    await waitFor(async () => (await currentTime(page, 'vod-video')) > landed + 1, {
      timeoutMs: 10_000,
      what: 'playback to go on after the seek',
    });
    await screenshot(page, 'e2e-vod-page');
  });
});
