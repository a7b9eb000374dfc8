// Reading RESOLUTION and CODECS from init segments real FFmpeg wrote with the recorder's own
// command lines, checked against what ffprobe says of the same files.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinSegment, makeH264Source, recordRun, tempDir } from './fixtures/real-media.ts';
import { readInitSegment } from './init-segment.ts';

let dir: string;
beforeAll(async () => {
  dir = tempDir('init-segment');
  const source = await makeH264Source(dir, 1);
  await recordRun(dir, { run: 1, video: 'copy', audio: true, seconds: 1, input: ['-i', source] });
  await recordRun(dir, { run: 2, video: 'transcode', audio: false, seconds: 1 });
  await recordRun(dir, { run: 3, video: null, audio: true, seconds: 1 });
}, 30_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const init = (run: number) => fs.readFileSync(path.join(dir, `init-${run}.mp4`));

/** ffprobe's H.264 profile, level and size of a run (it needs a segment to tell them). */
function probeVideo(run: number): { profile: string; level: number; width: number; height: number } {
  const joined = joinSegment(dir, `init-${run}.mp4`, `seg-${run}-00000.m4s`);
  const json = execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v',
      '-show_entries',
      'stream=profile,level,width,height',
      '-of',
      'json',
      joined,
    ],
    {
      encoding: 'utf8',
    },
  );
  return (JSON.parse(json) as { streams: { profile: string; level: number; width: number; height: number }[] })
    .streams[0]!;
}

describe('readInitSegment', () => {
  it('reads a copied H.264 source: its profile, level and size, and AAC', () => {
    const info = readInitSegment(init(1))!;
    const probed = probeVideo(1);

    expect(probed.profile).toBe('Constrained Baseline');
    // avc1.PPCCLL: profile 66 (42) with constraint_set1 (c0), and the level ffprobe reads.
    expect(info.codecs).toEqual([`avc1.42c0${probed.level.toString(16).padStart(2, '0')}`, 'mp4a.40.2']);
    expect({ width: info.width, height: info.height }).toEqual({ width: probed.width, height: probed.height });
    expect(info.height).toBe(240);
  });

  it('reads the encoded High profile without audio', () => {
    const info = readInitSegment(init(2))!;

    expect(probeVideo(2).profile).toBe('High');
    expect(info.codecs).toEqual([`avc1.6400${probeVideo(2).level.toString(16).padStart(2, '0')}`]);
    expect(info.width).toBe(320);
  });

  it('reads audio alone: no size', () => {
    expect(readInitSegment(init(3))).toEqual({ codecs: ['mp4a.40.2'], width: undefined, height: undefined });
  });

  it('reads nothing from what is not an init segment, and never throws on a half-written one', () => {
    expect(readInitSegment(fs.readFileSync(path.join(dir, 'seg-1-00000.m4s')))).toBeUndefined();
    expect(readInitSegment(Buffer.from('not an mp4 at all'))).toBeUndefined();
    const whole = init(1);
    for (let length = 0; length < whole.length; length += 7)
      expect(() => readInitSegment(whole.subarray(0, length))).not.toThrow();
  });
});
