// The master playlist players start from, over a real run: the source alone without a ladder, the
// ladder's own master playlist with one.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordRun, tempDir } from './fixtures/real-media.ts';
import { composePlaylist } from './playlist.ts';
import { playerMasterPlaylist } from './player-master.ts';
import { readAllRuns } from './stream-recording.ts';

let dir: string;
beforeAll(async () => {
  dir = tempDir('player-master');
  await recordRun(dir, { run: 1, video: 'transcode', audio: true, seconds: 2 });
}, 30_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('playerMasterPlaylist', () => {
  it('names the source alone, with what a player needs to choose, when there is no ladder', async () => {
    const media = composePlaylist(await readAllRuns(dir), { window: 6, ended: false });
    const master = await playerMasterPlaylist({ dir, livePlaylist: () => Promise.resolve(media) }, 6);

    expect(master?.split('\n')).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      expect.stringMatching(
        /^#EXT-X-STREAM-INF:BANDWIDTH=\d+,RESOLUTION=320x240,CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"$/,
      ),
      'source/index.m3u8',
      '',
    ]);
  });

  it("is the ladder's master playlist when there is one, and nothing before there is something to play", async () => {
    const ladder =
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nsource/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=1\n240p/index.m3u8\n';

    expect(await playerMasterPlaylist({ dir, livePlaylist: () => Promise.resolve(ladder) }, 6)).toBe(ladder);
    expect(await playerMasterPlaylist({ dir, livePlaylist: () => Promise.resolve(undefined) }, 6)).toBeUndefined();
  });
});
