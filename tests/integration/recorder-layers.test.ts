// The recorder follows the publisher up the simulcast ladder. FFmpeg keeps the picture size its run
// started with, so a stream recorded from before its top layer flowed (a sender's bandwidth
// estimate ramping up) used to stay at its lowest layer for good. Here a WHIP publisher (libwebrtc)
// sends two layers of 640x360; libwebrtc starts below the bitrate the full-size layer needs, so
// the recording starts on the 160x90 layer, and once the full-size one flows a new run records it.
// (Its sound is mono: sending stereo, as the server's answer asks, libwebrtc had the top layer up
// before the recording started, and there was no ramp-up to follow. The wrtc peer can't turn a
// layer off and on, setParameters refuses.)
// Without the restart the recording stays at 160x90 (checked: still so after 30 s).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestChannel } from '../support/channels.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { publishOverWhip } from '../support/whip-publisher.ts';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({ STREAM_END_GRACE_MS: '2000' });
});

afterAll(async () => {
  await platform?.close();
});

/** The picture size of the newest run in `dir` that has written a segment, read from its files. */
function newestRecordedSize(dir: string): { run: number; size: string } | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const runs = fs
    .readdirSync(dir)
    .map((name) => Number(/^run-(\d+)\.m3u8$/.exec(name)?.[1]))
    .filter((run) => Number.isInteger(run))
    .sort((a, b) => b - a);
  for (const run of runs) {
    const segment = /^(seg-\d+-\d+\.m4s)$/m.exec(fs.readFileSync(path.join(dir, `run-${run}.m3u8`), 'utf8'))?.[1];
    if (!segment) continue;
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-layers-'));
    try {
      const joined = path.join(folder, 'segment.mp4');
      fs.writeFileSync(
        joined,
        Buffer.concat([fs.readFileSync(path.join(dir, `init-${run}.mp4`)), fs.readFileSync(path.join(dir, segment))]),
      );
      const size = execFileSync(
        'ffprobe',
        ['-v', 'error', '-select_streams', 'v', '-show_entries', 'stream=width,height', '-of', 'csv=p=0:s=x', joined],
        {
          encoding: 'utf8',
        },
      ).trim();
      return { run, size };
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  }
  return undefined;
}

describe('recording a simulcast stream', () => {
  it('starts a new run at full size when the top layer arrives after the recording started', async () => {
    const channel = await createTestChannel(platform);
    const publisher = await publishOverWhip(
      platform.url,
      channel.streamKey,
      { width: 640, height: 360 },
      [
        { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
        { rid: 'r1', scaleResolutionDownBy: 1, maxBitrate: 1_000_000 },
      ],
      'mono',
    );
    try {
      const dbChannel = await platform.database!.prisma.channel.findUniqueOrThrow({ where: { slug: channel.slug } });
      const stream = await waitFor(
        () =>
          platform
            .database!.prisma.stream.findFirst({ where: { channelId: dbChannel.id, state: 'live' } })
            .then((s) => s ?? undefined),
        { timeoutMs: 10_000, what: 'the live Stream row' },
      );
      const dir = path.join(platform.config.recorder.recordingsDir, stream.id);

      const low = await waitFor(() => newestRecordedSize(dir), { timeoutMs: 20_000, what: 'a recorded segment' });
      expect(low.size).toBe('160x90');

      const full = await waitFor(
        () => {
          const newest = newestRecordedSize(dir);
          return newest?.size === '640x360' ? newest : undefined;
        },
        { timeoutMs: 30_000, what: 'a run recording the full-size layer' },
      );
      expect(full.run).toBeGreaterThan(low.run);
    } finally {
      await publisher.stop();
    }
  }, 60_000);
});
