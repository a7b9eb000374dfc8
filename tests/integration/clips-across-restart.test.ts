// Clips whose range spans an FFmpeg restart: a live clip of the last seconds, taken while the new
// run has only a few segments, and VOD clips across the same join after the stream ended. Each
// must last what its segments say and hold the pictures of both runs. A restarted FFmpeg starts
// its timestamps anew and its first segment carries audio from before its first keyframe; clips
// across the join once came out 0.26 s long instead of 5 s (noted on issue 5 when clips were one
// FFmpeg call per run, untrimmed). mp4-remux.ts now makes each run a part trimmed to its video and
// joins the parts; the recorder test kept its clips within one run, so nothing covered the join.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type TestUser } from '../support/api-client.ts';
import { createTestChannel } from '../support/channels.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { publishOverWhip } from '../support/whip-publisher.ts';

let platform: TestPlatform;
let clipper: TestUser;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-clip-restart-'));

beforeAll(async () => {
  platform = await startTestPlatform({ STREAM_END_GRACE_MS: '1000', CLIP_RATE_LIMIT_PER_MINUTE: '1000' });
  clipper = await signUp(platform.url, 'clipper');
});

afterAll(async () => {
  await platform?.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function livePlaylist(slug: string): Promise<string> {
  const response = await fetch(`${platform.url}/hls/${slug}/index.m3u8`);
  return response.status === 200 ? response.text() : '';
}

function segmentsOfRun(playlist: string, run: number): string[] {
  return playlist.split('\n').filter((line) => line.startsWith(`seg-${run}-`));
}

function postJson(urlPath: string, body: unknown): Promise<Response> {
  return fetch(`${platform.url}${urlPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: platform.url, cookie: clipper.client.cookie! },
    body: JSON.stringify(body),
  });
}

interface ClipProbe {
  duration: number;
  video: { duration: number; frames: number };
  audio: { duration: number };
}

/** The clip as a player gets it, probed: its length, and each stream's length and frame count. */
async function probeClip(videoUrl: string, name: string): Promise<ClipProbe> {
  const file = path.join(scratch, `${name}.mp4`);
  fs.writeFileSync(file, Buffer.from(await (await fetch(`${platform.url}${videoUrl}`)).arrayBuffer()));
  const json = JSON.parse(
    execFileSync(
      'ffprobe',
      [
        '-v',
        'error',
        '-count_packets',
        '-show_entries',
        'stream=codec_type,duration,nb_read_packets:format=duration',
        '-of',
        'json',
        file,
      ],
      { encoding: 'utf8' },
    ),
  ) as {
    streams: { codec_type: string; duration: string; nb_read_packets: string }[];
    format: { duration: string };
  };
  const video = json.streams.find((s) => s.codec_type === 'video')!;
  const audio = json.streams.find((s) => s.codec_type === 'audio')!;
  return {
    duration: Number(json.format.duration),
    video: { duration: Number(video.duration), frames: Number(video.nb_read_packets) },
    audio: { duration: Number(audio.duration) },
  };
}

/**
 * A clip cut on segment boundaries lasts what its segments' EXTINF say, to this much: each run is
 * trimmed to its video (mp4-remux.ts), so only the last frame's length and audio packet edges differ.
 */
const SEGMENT_TOLERANCE_S = 0.2;

/** Within `tolerance` of `seconds`, for the file and for each of its streams. */
function expectLength(probe: ClipProbe, seconds: number, tolerance: number): void {
  expect(Math.abs(probe.duration - seconds)).toBeLessThan(tolerance);
  expect(Math.abs(probe.video.duration - seconds)).toBeLessThan(tolerance);
  expect(Math.abs(probe.audio.duration - seconds)).toBeLessThan(tolerance);
  // The synthetic source sends about 30 frames a second: a clip that lost a run's pictures has far fewer.
  expect(probe.video.frames).toBeGreaterThan(seconds * 20);
}

describe('clips across an FFmpeg restart', () => {
  it(
    'a live clip and VOD clips spanning the restart last what their segments say, with both runs in them',
    { timeout: 180_000 },
    async () => {
      const channel = await createTestChannel(platform);
      const publisher = await publishOverWhip(platform.url, channel.streamKey);
      const prisma = platform.database!.prisma;
      const dbChannel = await prisma.channel.findUniqueOrThrow({ where: { slug: channel.slug } });
      await waitFor(async () => segmentsOfRun(await livePlaylist(channel.slug), 1).length >= 4, {
        timeoutMs: 30_000,
        what: 'four segments of the first run',
      });
      const stream = await prisma.stream.findFirstOrThrow({ where: { channelId: dbChannel.id, state: 'live' } });
      const recordingDir = path.join(platform.config.recorder.recordingsDir, stream.id);
      const ffmpegPid = Number(
        execFileSync('pgrep', ['-f', `${recordingDir}/run-1.m3u8`], { encoding: 'utf8' })
          .trim()
          .split('\n')[0],
      );
      process.kill(ffmpegPid, 'SIGKILL');
      // Two segments of the new run: the last 5 s reach back into the first run.
      await waitFor(async () => segmentsOfRun(await livePlaylist(channel.slug), 2).length >= 2, {
        timeoutMs: 30_000,
        what: 'two segments of the second run',
      });
      expect(segmentsOfRun(await livePlaylist(channel.slug), 2).length).toBeLessThan(5);

      const live = await postJson(`/api/v1/channels/${channel.slug}/clips`, { seconds: 5 });
      expect(live.status).toBe(201);
      const liveClip = (await live.json()) as { durationSeconds: number; videoUrl: string };
      // Whole segments of about a second each make the last 5 s: within half a second of it.
      expect(Math.abs(liveClip.durationSeconds - 5)).toBeLessThan(0.5);
      expectLength(await probeClip(liveClip.videoUrl, 'live'), liveClip.durationSeconds, SEGMENT_TOLERANCE_S);

      await publisher.stop();
      const vod = await waitFor(
        () => prisma.vod.findUnique({ where: { streamId: stream.id } }).then((v) => v ?? undefined),
        { timeoutMs: 30_000, what: 'the Vod row' },
      );
      // VOD clips on segment boundaries around the join, so each should last exactly what its
      // segments say: one to three seconds either side of the restart.
      const vodPlaylist = await (await fetch(`${platform.url}/vod/${vod.id}/index.m3u8`)).text();
      const segments = [...vodPlaylist.matchAll(/#EXTINF:([\d.]+),\n(?:[^\n]*\/)?seg-(\d+)-\d+\.m4s/g)].map((m) => ({
        seconds: Number(m[1]),
        run: Number(m[2]),
      }));
      const join = segments.findIndex((segment) => segment.run === 2);
      expect(join).toBeGreaterThanOrEqual(3);
      const at = (index: number) => segments.slice(0, index).reduce((total, segment) => total + segment.seconds, 0);
      for (const [before, after] of [
        [1, 1],
        [2, 2],
        [3, 1],
        [1, Math.min(3, segments.length - join)],
      ] as const) {
        const startSeconds = at(join - before);
        const endSeconds = at(join + after);
        const fromVod = await postJson(`/api/v1/vods/${vod.id}/clips`, { startSeconds, endSeconds });
        expect(fromVod.status).toBe(201);
        const vodClip = (await fromVod.json()) as { durationSeconds: number; videoUrl: string };
        const expected = endSeconds - startSeconds;
        expect(Math.abs(vodClip.durationSeconds - expected), `clip ${before} s before, ${after} s after`).toBeLessThan(
          SEGMENT_TOLERANCE_S,
        );
        expectLength(await probeClip(vodClip.videoUrl, `vod-${before}-${after}`), expected, SEGMENT_TOLERANCE_S);
      }
    },
  );
});
