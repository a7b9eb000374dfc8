// A webinar's composed recording, from real Chromium publishers through the SFU to FFmpeg: the host
// shares a red "screen" and a green camera and speaks a 440 Hz tone, a panelist shows a blue camera
// and speaks a 1 kHz tone (each page's media devices answer with canvases and oscillators, so the
// picture and the sound are known). Once the host starts it, the channel's live HLS is one picture
// of the stage (1280x720: the share large, both cameras in the strip) with both voices mixed; once
// it ends, the webinar's page offers the VOD, whose MP4 is the same picture and sound. A killed
// composition is followed by a new run of the same picture. With one
// WebRTC seat, the first attendee watches the stage over WebRTC and the second the composed HLS.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, newContext, recordConsole, screenshot } from '../support/browser.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { signIn, signInOwner, stagePublishes } from '../support/web-session.ts';
import { backstageWebinar } from '../support/webinars.ts';

interface KnownMedia {
  screen: string;
  camera: string;
  toneHz: number;
}

/**
 * Replaces the page's capture with known media: getDisplayMedia a 1280x720 canvas of `screen`,
 * getUserMedia a 640x360 canvas of `camera` and an oscillator at `toneHz`. A small square moves
 * in a corner so every frame differs (a canvas that doesn't change sends no frames).
 */
async function useKnownMedia(page: Page, media: KnownMedia): Promise<void> {
  await page.addInitScript((known: KnownMedia) => {
    const canvasTrack = (color: string, width: number, height: number, fps: number) => {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const context = canvas.getContext('2d')!;
      let frame = 0;
      setInterval(() => {
        context.fillStyle = color;
        context.fillRect(0, 0, width, height);
        context.fillStyle = '#808080';
        context.fillRect((frame++ * 4) % 64, 0, 8, 8);
      }, 1000 / fps);
      return canvas.captureStream(fps).getVideoTracks()[0]!;
    };
    const toneTrack = (hz: number) => {
      const audio = new AudioContext();
      const oscillator = audio.createOscillator();
      oscillator.frequency.value = hz;
      const gain = audio.createGain();
      gain.gain.value = 0.3;
      const destination = audio.createMediaStreamDestination();
      oscillator.connect(gain).connect(destination);
      oscillator.start();
      return destination.stream.getAudioTracks()[0]!;
    };
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const tracks: MediaStreamTrack[] = [];
      if (constraints?.video) tracks.push(canvasTrack(known.camera, 640, 360, 30));
      if (constraints?.audio) tracks.push(toneTrack(known.toneHz));
      return new MediaStream(tracks);
    };
    navigator.mediaDevices.getDisplayMedia = async () => new MediaStream([canvasTrack(known.screen, 1280, 720, 15)]);
  }, media);
}

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-webinar-recording-'));

/** ffprobe's streams of a file: type and picture size. */
function streamsOf(file: string): string[] {
  const out = execFileSync(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=codec_type,width,height', '-of', 'compact=p=0:nk=1', file],
    { encoding: 'utf8' },
  );
  return out
    .trim()
    .split('\n')
    .map((line) => line.replace(/\|+$/, ''));
}

/** One decoded frame, `atSeconds` in, as RGB bytes of the 1280x720 picture. */
function frameOf(file: string, atSeconds: number): Buffer {
  return execFileSync(
    'ffmpeg',
    ['-v', 'error', '-ss', String(atSeconds), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { maxBuffer: 16 * 1024 * 1024 },
  );
}

type Hue = 'red' | 'green' | 'blue' | 'other';

function hueAt(rgb: Buffer, x: number, y: number): Hue {
  const at = (y * 1280 + x) * 3;
  const [r, g, b] = [rgb[at]!, rgb[at + 1]!, rgb[at + 2]!];
  if (r > 150 && g < 90 && b < 90) return 'red';
  if (g > 120 && r < 90 && b < 90) return 'green';
  if (b > 150 && r < 90 && g < 90) return 'blue';
  return 'other';
}

/** The mean level (dB) of the band around `hz` in the file's sound (volumedetect reports on stderr). */
function levelAt(file: string, hz: number): number {
  const { stderr } = spawnSync(
    'ffmpeg',
    ['-v', 'info', '-nostats', '-i', file, '-af', `bandpass=f=${hz}:width_type=h:w=60,volumedetect`, '-f', 'null', '-'],
    { encoding: 'utf8' },
  );
  return Number(/mean_volume: (-?[\d.]+) dB/.exec(stderr)?.[1] ?? -Infinity);
}

/** What the stage looks and sounds like in `file`: the share, the cameras in the strip, both tones. */
function expectComposedStage(file: string, atSeconds: number): void {
  expect(streamsOf(file)).toEqual(['video|1280|720', 'audio']);
  const rgb = frameOf(file, atSeconds);
  // The main area, left of the strip: the red share (its middle, clear of any letterbox).
  expect(hueAt(rgb, 480, 360)).toBe('red');
  // The strip: both cameras, somewhere down the column.
  const strip = new Set<Hue>();
  for (let y = 0; y < 720; y += 10) strip.add(hueAt(rgb, 1120, y));
  expect([...strip]).toEqual(expect.arrayContaining(['green', 'blue']));
  const [host, panelist, neither] = [440, 1000, 3000].map((hz) => levelAt(file, hz));
  expect(host).toBeGreaterThan(-40);
  expect(panelist).toBeGreaterThan(-40);
  expect(neither).toBeLessThan(Math.min(host!, panelist!) - 20);
}

describe('a webinar recording', () => {
  let platform: TestPlatform;
  let browser: Browser;

  beforeAll(async () => {
    platform = await startTestPlatform({ AUTH_RATE_LIMIT_PER_MINUTE: '1000', WEBRTC_SEATS_PER_STREAM: '1' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('composes the stage into the channel’s live HLS and the webinar’s VOD', async () => {
    const prisma = platform.database!.prisma;
    const { channel, hostApi, webinarId, panelist } = await backstageWebinar(platform, { title: 'Recorded panel' });

    const host = await (await newContext(browser, platform.url)).newPage();
    recordConsole(host, 'host');
    await useKnownMedia(host, { screen: '#ff0000', camera: '#00c000', toneHz: 440 });
    await host.goto('/');
    await signInOwner(host, channel);
    await host.goto(`/webinars/${webinarId}`);
    await host.getByTestId('stage-join').click();
    await stagePublishes(host, ['camera', 'microphone'], "the host's camera and microphone");
    await host.getByTestId('stage-share').click();
    await stagePublishes(host, ['screen'], "the host's screen share");

    const panelistPage = await (await newContext(browser, platform.url)).newPage();
    recordConsole(panelistPage, 'panelist');
    await useKnownMedia(panelistPage, { screen: '#ffffff', camera: '#0000ff', toneHz: 1000 });
    await panelistPage.goto('/');
    await signIn(panelistPage, { login: panelist.username, password: panelist.password });
    await panelistPage.goto(`/webinars/${webinarId}`);
    await panelistPage.getByTestId('stage-join').click();
    await stagePublishes(panelistPage, ['camera', 'microphone'], "the panelist's camera and microphone");

    await host.getByTestId('stage-start').click();
    await waitFor(async () => (await prisma.webinar.findUniqueOrThrow({ where: { id: webinarId } })).state === 'live', {
      what: 'the webinar to be live',
    });

    // The channel's live HLS: a segment of the newest run (the stage is laid out once everyone's
    // media flows), with its init segment, as a player joins them.
    const liveFile = path.join(workDir, 'live.mp4');
    const composedSegment = (after: number) =>
      waitFor(
        async () => {
          const response = await fetch(`${platform.url}/hls/${channel.slug}/index.m3u8`);
          if (response.status !== 200) return false;
          const segments = (await response.text()).split('\n').filter((line) => line.endsWith('.m4s'));
          const newest = segments.at(-2); // the last one may still be short
          if (!newest) return false;
          const run = Number(/^seg-(\d+)-/.exec(newest)![1]);
          if (run <= after || segments.filter((segment) => segment.startsWith(`seg-${run}-`)).length < 3) return false;
          const bytes = async (file: string) =>
            Buffer.from(await (await fetch(`${platform.url}/hls/${channel.slug}/${file}`)).arrayBuffer());
          fs.writeFileSync(liveFile, Buffer.concat([await bytes(`init-${run}.mp4`), await bytes(newest)]));
          // Wait for a picture with everyone in it: a run may have begun before a camera's frames came.
          return hueAt(frameOf(liveFile, 0.5), 480, 360) === 'red' ? run : false;
        },
        { timeoutMs: 60_000, intervalMs: 1000, what: `the composed stage in the live HLS, after run ${after}` },
      );
    const run = await composedSegment(0);
    expectComposedStage(liveFile, 0.5);

    // The composition's FFmpeg dies: a new run takes over, composing the same stage.
    const { streamId } = await prisma.webinar.findUniqueOrThrow({ where: { id: webinarId } });
    const runPlaylist = path.join(platform.config.recorder.recordingsDir, streamId!, `run-${run}.m3u8`);
    const pid = Number(execFileSync('pgrep', ['-f', runPlaylist], { encoding: 'utf8' }).trim().split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    await composedSegment(run);
    expectComposedStage(liveFile, 0.5);

    // Two attendees, one WebRTC seat: the first takes it, the second plays the composed HLS.
    const [first, second] = await Promise.all(
      [1, 2].map(async () => (await newContext(browser, platform.url)).newPage()),
    );
    await first!.goto(`/webinars/${webinarId}`);
    await first!.getByTestId('stage-share-layout').waitFor({ timeout: 20_000 });
    await second!.goto(`/webinars/${webinarId}`);
    await second!.getByTestId('stage-over-hls').waitFor({ timeout: 20_000 });
    expect(await first!.getByTestId('stage-over-hls').count()).toBe(0);
    const hlsVideo = second!.locator('[data-testid="stage-audience"] video').first();
    const playing = () =>
      hlsVideo.evaluate((video: HTMLVideoElement) => ({ width: video.videoWidth, time: video.currentTime }));
    const started = await waitFor(async () => ((await playing()).time > 0 ? playing() : undefined), {
      timeoutMs: 30_000,
      what: 'the second attendee to play the composed HLS',
    });
    expect(started.width).toBe(1280);
    await waitFor(async () => (await playing()).time > started.time + 1, {
      timeoutMs: 15_000,
      what: "the second attendee's HLS to play on",
    });
    await screenshot(second!, 'e2e-webinar-attendee-over-hls');

    // For signed-in people only from now: the signed-out attendees are let go, over WebRTC at
    // once, and the composed HLS follows the webinar's audience, not only its channel's.
    expect((await hostApi.patch(`/api/v1/webinars/${webinarId}`, { audience: 'signed_in' })).status).toBe(200);
    await first!.getByTestId('stage-audience').waitFor({ state: 'detached', timeout: 10_000 });
    const master = `${platform.url}/hls/${channel.slug}/master.m3u8`;
    await waitFor(async () => (await fetch(master)).status === 401, {
      timeoutMs: 10_000,
      what: 'the composed HLS to ask a signed-out attendee to sign in',
    });
    const index = await fetch(`${platform.url}/hls/${channel.slug}/index.m3u8`, {
      headers: { cookie: hostApi.cookie! },
    });
    expect(index.status).toBe(200);
    const newest = (await index.text()).split('\n').findLast((line) => line.endsWith('.m4s'))!;
    const segment = await fetch(`${platform.url}/hls/${channel.slug}/${newest}`, {
      headers: { cookie: hostApi.cookie! },
    });
    expect([segment.status, segment.headers.get('cache-control')]).toEqual([
      200,
      'private, max-age=31536000, immutable',
    ]);
    expect((await fetch(`${platform.url}/hls/${channel.slug}/${newest}`)).status).toBe(401);

    // Ended: the VOD is made and the webinar's page offers it.
    await host.getByTestId('stage-end').click();
    const recording = await waitFor(
      async () => (await new ApiClient(platform.url).get(`/api/v1/webinars/${webinarId}`)).body.recording ?? undefined,
      { timeoutMs: 60_000, what: "the webinar's recording" },
    );
    const vod = await prisma.vod.findUniqueOrThrow({
      where: { id: recording.vodId },
      include: { stream: { include: { channel: true } } },
    });
    expect(vod.stream).toMatchObject({ title: 'Recorded panel', state: 'ended', category: 'webinars' });
    expect(vod.stream.channel.slug).toBe(channel.slug);
    const mp4 = path.join(workDir, 'vod.mp4');
    const download = await fetch(`${platform.url}/vod/${recording.vodId}/vod.mp4`);
    expect(download.status).toBe(200);
    fs.writeFileSync(mp4, Buffer.from(await download.arrayBuffer()));
    expectComposedStage(mp4, Math.max(1, vod.durationSeconds - 3));

    const viewer = await (await newContext(browser, platform.url)).newPage();
    await viewer.goto(`/webinars/${webinarId}`);
    await viewer.getByTestId('webinar-recording').waitFor();
    await screenshot(viewer, 'e2e-webinar-recording-page');
    await viewer.getByTestId('webinar-recording').click();
    await viewer.waitForURL(`**/vod/${recording.vodId}`);
  });
});
