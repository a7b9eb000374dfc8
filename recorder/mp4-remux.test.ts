// remuxRunsToMp4 on real recorder runs: FFmpeg writes them with the recorder's own command line,
// from generated media shaped like a WebRTC publisher's (audio arrives before the first keyframe).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlaylistName } from './ffmpeg-args.ts';
import { ffprobe, recordRun, tempDir } from './fixtures/real-media.ts';
import { concatEntry, remuxRunsToMp4 } from './mp4-remux.ts';
import { parseRunPlaylist, totalDurationSeconds, type RunPlaylist } from './playlist.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function ownDir(): string {
  const dir = tempDir('remux');
  dirs.push(dir);
  return dir;
}

/** Video that starts 0.4 s after the audio, as when the recorder waits for a keyframe. */
function lateVideoInput(): string[] {
  return [
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x240:rate=30,setpts=PTS+0.4/TB[out0];sine=frequency=440:sample_rate=48000[out1]',
  ];
}

function readRun(dir: string, run: number): RunPlaylist {
  return parseRunPlaylist(run, fs.readFileSync(path.join(dir, runPlaylistName(run)), 'utf8'));
}

function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.startsWith('.remux-'));
}

describe('remuxRunsToMp4', () => {
  it('joins runs of a restarted FFmpeg into an MP4 as long as their playlists, with every frame', async () => {
    const dir = ownDir();
    await recordRun(dir, { run: 1, video: 'transcode', audio: true, seconds: 4, input: lateVideoInput() });
    await recordRun(dir, { run: 2, video: 'transcode', audio: true, seconds: 3, input: lateVideoInput() });
    const runs = [readRun(dir, 1), readRun(dir, 2)];
    const mp4 = path.join(dir, 'vod.mp4');

    await remuxRunsToMp4(dir, runs, mp4, 'ffmpeg');

    const probed = await ffprobe(mp4, ['-count_packets']);
    // Each run's audio lead-in (0.4 s) is trimmed: without that the file is 0.8 s longer.
    expect(Math.abs(Number(probed.format.duration) - totalDurationSeconds(runs))).toBeLessThan(0.15);
    // 3.6 s + 2.6 s of video at 30 fps.
    expect(Number(probed.streams.find((s) => s.codec_type === 'video')?.nb_read_packets)).toBe(186);
    expect(probed.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    expect(leftovers(dir)).toEqual([]);
  }, 60_000);

  it('keeps all of an audio-only recording', async () => {
    const dir = ownDir();
    await recordRun(dir, { run: 1, video: null, audio: true, seconds: 3 });
    const runs = [readRun(dir, 1)];
    const mp4 = path.join(dir, 'vod.mp4');

    await remuxRunsToMp4(dir, runs, mp4, 'ffmpeg');

    expect(Number((await ffprobe(mp4)).format.duration)).toBeCloseTo(3, 0);
  }, 30_000);

  it('fails without the init segment, leaving no MP4 and no temporary files', async () => {
    const dir = ownDir();
    await recordRun(dir, { run: 1, video: 'transcode', audio: true, seconds: 2 });
    const run = readRun(dir, 1);
    fs.rmSync(path.join(dir, run.initUri));
    const mp4 = path.join(dir, 'vod.mp4');

    await expect(remuxRunsToMp4(dir, [run], mp4, 'ffmpeg')).rejects.toThrow();

    expect(fs.existsSync(mp4)).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  }, 30_000);

  it('refuses to remux nothing', async () => {
    await expect(remuxRunsToMp4(ownDir(), [], '/nonexistent/vod.mp4', 'ffmpeg')).rejects.toThrow('no recorded runs');
  });

  it('quotes file names for the concat list', () => {
    expect(concatEntry("/rec/it's.mp4", undefined)).toBe("file '/rec/it'\\''s.mp4'");
    expect(concatEntry('/rec/a.mp4', { start: 0.324, end: 5.31 })).toBe(
      "file '/rec/a.mp4'\ninpoint 0.324000\noutpoint 5.310000",
    );
  });
});
