// The live master playlist, composed from a real run with a ladder: a 320x240 copied source with
// a 480p rendition (which can't be taller than the source, so it isn't offered) and a 180p one.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordLadderRun } from './fixtures/ladder-media.ts';
import { makeH264Source, recordRun, tempDir } from './fixtures/real-media.ts';
import { liveMasterPlaylist, type RenditionRuns } from './live-master.ts';
import type { RunPlaylist } from './playlist.ts';
import { readRuns } from './stream-recording.ts';

const dirs: string[] = [];
let dir: string;
beforeAll(async () => {
  dir = tempDir('live-master');
  dirs.push(dir);
  const source = await makeH264Source(dir, 3);
  await recordLadderRun(dir, {
    run: 1,
    video: 'copy',
    audio: true,
    renditions: [480, 180],
    seconds: 3,
    input: ['-i', source],
  });
}, 30_000);
afterAll(() => {
  for (const made of dirs) fs.rmSync(made, { recursive: true, force: true });
});

async function rendition(name: string, folder = dir): Promise<RenditionRuns> {
  const renditionFolder = name === 'source' ? folder : path.join(folder, name);
  return { name, dir: renditionFolder, runs: await readRuns(renditionFolder, 1) };
}

/** The rendition as it was after its first `count` segments. */
function firstSegments(of: RenditionRuns, count: number): RenditionRuns {
  return {
    ...of,
    runs: of.runs.map((run): RunPlaylist => ({ ...run, segments: run.segments.slice(0, count), ended: false })),
  };
}

function streamInfs(master: string): string[] {
  return master.split('\n').filter((line) => line.startsWith('#EXT-X-STREAM-INF:'));
}

describe('liveMasterPlaylist', () => {
  it('offers the source first, then each rendition lower than it, with what a player needs to choose', async () => {
    const source = await rendition('source');
    const master = await liveMasterPlaylist(source, [await rendition('480p'), await rendition('180p')], 6, new Map());

    expect(master?.split('\n').filter((line) => !line.startsWith('#'))).toEqual([
      'source/index.m3u8',
      '180p/index.m3u8',
      '',
    ]);
    const [sourceInf, lowInf] = streamInfs(master!);
    expect(sourceInf).toMatch(
      /^#EXT-X-STREAM-INF:BANDWIDTH=\d+,RESOLUTION=320x240,CODECS="avc1\.42c0[0-9a-f]{2},mp4a\.40\.2"$/,
    );
    expect(lowInf).toMatch(
      /^#EXT-X-STREAM-INF:BANDWIDTH=\d+,RESOLUTION=240x180,CODECS="avc1\.6400[0-9a-f]{2},mp4a\.40\.2"$/,
    );
    // BANDWIDTH: the densest recent segment, in bits per second.
    const peak = Math.max(
      ...source.runs[0]!.segments.map((s) => (fs.statSync(path.join(dir, s.uri)).size * 8) / s.durationSeconds),
    );
    expect(Number(/BANDWIDTH=(\d+)/.exec(sourceInf!)![1])).toBe(Math.ceil(peak));
  });

  it('is not there before the source has a segment', async () => {
    const source = await rendition('source');

    expect(await liveMasterPlaylist(firstSegments(source, 0), [], 6, new Map())).toBeUndefined();
  });

  it('waits a few segments for renditions that have not started, then offers the source alone', async () => {
    const source = await rendition('source');
    const notStarted = firstSegments(await rendition('180p'), 0);

    expect(await liveMasterPlaylist(firstSegments(source, 2), [notStarted], 6, new Map())).toBeUndefined();
    const alone = await liveMasterPlaylist(firstSegments(source, 3), [notStarted], 6, new Map());
    expect(alone?.split('\n').filter((line) => !line.startsWith('#'))).toEqual(['source/index.m3u8', '']);
  });

  it('offers only renditions of the current run: one an earlier run left gets no new segments', async () => {
    const source = await rendition('source');
    // A second run of the source (its files stand in for the first run's), the rendition's last
    // segments still from the first.
    const restarted = { ...source, runs: [...source.runs, { ...source.runs[0]!, run: 2 }] };

    const master = await liveMasterPlaylist(restarted, [await rendition('180p')], 6, new Map());

    expect(master?.split('\n').filter((line) => !line.startsWith('#'))).toEqual(['source/index.m3u8', '']);
  });

  it('does not wait for renditions of a stream without video', async () => {
    const audioOnly = tempDir('live-master-audio');
    dirs.push(audioOnly);
    await recordRun(audioOnly, { run: 1, video: null, audio: true, seconds: 1 });
    const source = firstSegments(await rendition('source', audioOnly), 1);

    const master = await liveMasterPlaylist(source, [await rendition('180p', audioOnly)], 6, new Map());

    expect(streamInfs(master!)).toEqual([
      expect.stringMatching(/^#EXT-X-STREAM-INF:BANDWIDTH=\d+,CODECS="mp4a\.40\.2"$/),
    ]);
  });
});
