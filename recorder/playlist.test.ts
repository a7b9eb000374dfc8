// Reading the playlists FFmpeg writes and composing the ones clients see: the live window (media
// and discontinuity sequence numbers, init segments at each run change) and the whole VOD, which
// real FFmpeg must be able to read end to end across two runs.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlaylistName } from './ffmpeg-args.ts';
import { ffprobe, recordRun, tempDir } from './fixtures/real-media.ts';
import { remuxRunsToMp4 } from './mp4-remux.ts';
import {
  composeMasterPlaylist,
  composePlaylist,
  parseRunPlaylist,
  totalDurationSeconds,
  type RunPlaylist,
} from './playlist.ts';

const dirs: string[] = [];
function ownDir(name: string): string {
  const made = tempDir(`playlist-${name}`);
  dirs.push(made);
  return made;
}
afterAll(() => {
  for (const made of dirs) fs.rmSync(made, { recursive: true, force: true });
});

/** A run of `count` segments named like FFmpeg names them. */
function runOf(run: number, durations: number[], ended = true): RunPlaylist {
  return {
    run,
    initUri: `init-${run}.mp4`,
    segments: durations.map((durationSeconds, i) => ({
      uri: `seg-${run}-${String(i).padStart(5, '0')}.m4s`,
      durationSeconds,
    })),
    ended,
  };
}

function tag(playlist: string, name: string): string | undefined {
  return new RegExp(`^#${name}:(.*)$`, 'm').exec(playlist)?.[1];
}

describe('parseRunPlaylist', () => {
  it('reads the playlist real FFmpeg wrote', async () => {
    const dir = ownDir('parse');
    await recordRun(dir, { run: 1, video: 'transcode', audio: true, seconds: 3 });

    const parsed = parseRunPlaylist(1, fs.readFileSync(path.join(dir, runPlaylistName(1)), 'utf8'));

    expect(parsed.run).toBe(1);
    expect(parsed.initUri).toBe('init-1.mp4');
    expect(parsed.ended).toBe(true);
    expect(parsed.segments.map((s) => s.uri)).toEqual(['seg-1-00000.m4s', 'seg-1-00001.m4s', 'seg-1-00002.m4s']);
    for (const segment of parsed.segments) {
      expect(segment.durationSeconds).toBeCloseTo(1, 1);
      expect(fs.existsSync(path.join(dir, segment.uri))).toBe(true);
    }
    expect(fs.existsSync(path.join(dir, parsed.initUri))).toBe(true);
  });

  it('reads a run still being written: no ENDLIST, and a last entry without its URI yet is left out', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:1',
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-PLAYLIST-TYPE:EVENT',
      '#EXT-X-MAP:URI="init-4.mp4"',
      '#EXTINF:1.000000,',
      'seg-4-00000.m4s',
      '#EXTINF:0.966667,',
      'seg-4-00001.m4s',
      '#EXTINF:1.033333,',
    ].join('\n');

    expect(parseRunPlaylist(4, text)).toEqual({
      run: 4,
      initUri: 'init-4.mp4',
      segments: [
        { uri: 'seg-4-00000.m4s', durationSeconds: 1 },
        { uri: 'seg-4-00001.m4s', durationSeconds: 0.966667 },
      ],
      ended: false,
    });
  });

  it("falls back to the run's own init segment name when there is no EXT-X-MAP", () => {
    const parsed = parseRunPlaylist(3, '#EXTM3U\n#EXTINF:2.0,\nseg-3-00000.m4s\n#EXT-X-ENDLIST\n');

    expect(parsed.initUri).toBe('init-3.mp4');
    expect(parsed.segments).toEqual([{ uri: 'seg-3-00000.m4s', durationSeconds: 2 }]);
    expect(parsed.ended).toBe(true);
  });

  it('reads CRLF line endings and ignores unknown tags between EXTINF and its URI', () => {
    const parsed = parseRunPlaylist(
      1,
      '#EXTM3U\r\n#EXT-X-MAP:URI="init-1.mp4"\r\n#EXTINF:1.5,\r\n#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:00Z\r\nseg-1-00000.m4s\r\n',
    );

    expect(parsed.segments).toEqual([{ uri: 'seg-1-00000.m4s', durationSeconds: 1.5 }]);
    expect(parsed.ended).toBe(false);
  });

  it('leaves out a segment of no duration, which an FFmpeg stopped mid-segment can list last', () => {
    const parsed = parseRunPlaylist(
      3,
      '#EXTM3U\n#EXT-X-MAP:URI="init-3.mp4"\n#EXTINF:1.000,\nseg-3-00000.m4s\n#EXTINF:0.000,\nseg-3-00001.m4s\n#EXT-X-ENDLIST\n',
    );

    expect(parsed.segments).toEqual([{ uri: 'seg-3-00000.m4s', durationSeconds: 1 }]);
    expect(composePlaylist([parsed], { ended: true })).not.toContain('EXTINF:0.000');
  });

  it('reads an empty playlist as a run with no segments', () => {
    expect(parseRunPlaylist(2, '')).toEqual({ run: 2, initUri: 'init-2.mp4', segments: [], ended: false });
  });
});

describe('composePlaylist: the live window', () => {
  it('shows the last N segments, with the run change inside the window', () => {
    const runs = [runOf(1, [1, 1, 1, 1]), runOf(2, [1, 1, 1], false)];

    expect(composePlaylist(runs, { window: 5, ended: false })).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-TARGETDURATION:1',
        '#EXT-X-MEDIA-SEQUENCE:2',
        '#EXT-X-DISCONTINUITY-SEQUENCE:0',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-MAP:URI="init-1.mp4"',
        '#EXTINF:1.000,',
        'seg-1-00002.m4s',
        '#EXTINF:1.000,',
        'seg-1-00003.m4s',
        '#EXT-X-DISCONTINUITY',
        '#EXT-X-MAP:URI="init-2.mp4"',
        '#EXTINF:1.000,',
        'seg-2-00000.m4s',
        '#EXTINF:1.000,',
        'seg-2-00001.m4s',
        '#EXTINF:1.000,',
        'seg-2-00002.m4s',
        '',
      ].join('\n'),
    );
  });

  it('counts the run change just before the window in DISCONTINUITY-SEQUENCE and shows no DISCONTINUITY tag', () => {
    const runs = [runOf(1, [1, 1, 1, 1]), runOf(2, [1, 1, 1], false)];

    expect(composePlaylist(runs, { window: 3, ended: false })).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-TARGETDURATION:1',
        '#EXT-X-MEDIA-SEQUENCE:4',
        '#EXT-X-DISCONTINUITY-SEQUENCE:1',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-MAP:URI="init-2.mp4"',
        '#EXTINF:1.000,',
        'seg-2-00000.m4s',
        '#EXTINF:1.000,',
        'seg-2-00001.m4s',
        '#EXTINF:1.000,',
        'seg-2-00002.m4s',
        '',
      ].join('\n'),
    );
  });

  it('counts every run change hidden before the window, and none inside one run', () => {
    const runs = [runOf(1, [1, 1]), runOf(2, [1, 1]), runOf(3, [1, 1, 1, 1], false)];

    // Window inside run 3, not at its start: two hidden run changes.
    const inside = composePlaylist(runs, { window: 2, ended: false });
    expect(tag(inside, 'EXT-X-MEDIA-SEQUENCE')).toBe('6');
    expect(tag(inside, 'EXT-X-DISCONTINUITY-SEQUENCE')).toBe('2');
    expect(inside).not.toContain('#EXT-X-DISCONTINUITY\n');
    expect(inside.match(/#EXT-X-MAP:URI="init-3\.mp4"/g)).toHaveLength(1);
    expect(inside.indexOf('#EXT-X-MAP')).toBeLessThan(inside.indexOf('#EXTINF'));

    // Window starting on the second segment of run 2: one hidden change, one shown.
    const across = composePlaylist(runs, { window: 5, ended: false });
    expect(tag(across, 'EXT-X-MEDIA-SEQUENCE')).toBe('3');
    expect(tag(across, 'EXT-X-DISCONTINUITY-SEQUENCE')).toBe('1');
    expect(across.match(/#EXT-X-DISCONTINUITY\n/g)).toHaveLength(1);
    expect(across.match(/#EXT-X-MAP:URI="[^"]+"/g)).toEqual([
      '#EXT-X-MAP:URI="init-2.mp4"',
      '#EXT-X-MAP:URI="init-3.mp4"',
    ]);
  });

  it('keeps the sequence numbers consistent as the window slides: each segment keeps its numbers', () => {
    const runs = [runOf(1, [1, 1, 1]), runOf(2, [1, 1]), runOf(3, [1, 1, 1])];
    // Segment i of the whole recording and its discontinuity number, counted from scratch.
    const all = runs.flatMap((r) => r.segments.map((s) => ({ uri: s.uri, run: r.run })));
    const discontinuityOf = (i: number) => new Set(all.slice(0, i + 1).map((s) => s.run)).size - 1;
    for (let shownCount = all.length; shownCount >= 1; shownCount--) {
      const text = composePlaylist(runs, { window: shownCount, ended: false });
      const first = all.length - shownCount;
      expect(tag(text, 'EXT-X-MEDIA-SEQUENCE')).toBe(String(first));
      expect(tag(text, 'EXT-X-DISCONTINUITY-SEQUENCE')).toBe(String(discontinuityOf(first)));
      expect(text.split('\n').filter((l) => l.endsWith('.m4s'))).toEqual(all.slice(first).map((s) => s.uri));
      // A segment's discontinuity number: the sequence plus the DISCONTINUITY tags before it.
      const lines = text.split('\n');
      let number = Number(tag(text, 'EXT-X-DISCONTINUITY-SEQUENCE'));
      for (const line of lines) {
        if (line === '#EXT-X-DISCONTINUITY') number++;
        else if (line.endsWith('.m4s')) expect(number).toBe(discontinuityOf(all.findIndex((s) => s.uri === line)));
      }
    }
  });

  it('shows everything from sequence 0 when the window is larger than the recording', () => {
    const text = composePlaylist([runOf(1, [1, 1])], { window: 6, ended: false });

    expect(tag(text, 'EXT-X-MEDIA-SEQUENCE')).toBe('0');
    expect(tag(text, 'EXT-X-DISCONTINUITY-SEQUENCE')).toBe('0');
    expect(text).not.toContain('#EXT-X-ENDLIST');
    expect(text).not.toContain('#EXT-X-PLAYLIST-TYPE');
  });

  it('skips a run that wrote no segments: one discontinuity between its neighbours', () => {
    const text = composePlaylist([runOf(1, [1]), runOf(2, []), runOf(3, [1], false)], { window: 6, ended: false });

    expect(text.match(/#EXT-X-DISCONTINUITY\n/g)).toHaveLength(1);
    expect(text).not.toContain('init-2.mp4');
    expect(text.match(/#EXT-X-MAP:URI="[^"]+"/g)).toEqual([
      '#EXT-X-MAP:URI="init-1.mp4"',
      '#EXT-X-MAP:URI="init-3.mp4"',
    ]);
  });

  it('prefixes init and segment URIs', () => {
    const text = composePlaylist([runOf(1, [1])], { window: 6, ended: false, uriPrefix: '/hls/abc/' });

    expect(text).toContain('#EXT-X-MAP:URI="/hls/abc/init-1.mp4"');
    expect(text).toContain('\n/hls/abc/seg-1-00000.m4s\n');
  });
});

describe('composePlaylist: target duration', () => {
  it('is the longest segment rounded to the nearest second, as RFC 8216 allows', () => {
    // 1 s segments come out at 0.97-1.03 s: the target stays 1, so players hold back 1 s per count.
    expect(tag(composePlaylist([runOf(1, [1, 1.03, 0.97])], { ended: true }), 'EXT-X-TARGETDURATION')).toBe('1');
    expect(tag(composePlaylist([runOf(1, [1, 1.5])], { ended: true }), 'EXT-X-TARGETDURATION')).toBe('2');
    expect(tag(composePlaylist([runOf(1, [1, 2.49])], { ended: true }), 'EXT-X-TARGETDURATION')).toBe('2');
    expect(tag(composePlaylist([runOf(1, [1, 2.5])], { ended: true }), 'EXT-X-TARGETDURATION')).toBe('3');
    expect(tag(composePlaylist([runOf(1, [0.2, 0.4])], { ended: true }), 'EXT-X-TARGETDURATION')).toBe('1');
  });

  it('does not drop when the longest segment slides out of the live window', () => {
    const text = composePlaylist([runOf(1, [3.5, 1, 1, 1])], { window: 2, ended: false });

    expect(tag(text, 'EXT-X-TARGETDURATION')).toBe('4');
  });
});

describe('composePlaylist: the VOD', () => {
  it('lists every segment of every run, as a VOD with ENDLIST', () => {
    const runs = [runOf(1, [1, 0.5]), runOf(2, [1.25])];

    expect(composePlaylist(runs, { ended: true })).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-TARGETDURATION:1',
        '#EXT-X-MEDIA-SEQUENCE:0',
        '#EXT-X-DISCONTINUITY-SEQUENCE:0',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-PLAYLIST-TYPE:VOD',
        '#EXT-X-MAP:URI="init-1.mp4"',
        '#EXTINF:1.000,',
        'seg-1-00000.m4s',
        '#EXTINF:0.500,',
        'seg-1-00001.m4s',
        '#EXT-X-DISCONTINUITY',
        '#EXT-X-MAP:URI="init-2.mp4"',
        '#EXTINF:1.250,',
        'seg-2-00000.m4s',
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
    expect(totalDurationSeconds(runs)).toBeCloseTo(2.75, 6);
  });

  it('ends a windowed playlist with ENDLIST but does not call it a VOD', () => {
    const text = composePlaylist([runOf(1, [1, 1, 1])], { window: 2, ended: true });

    expect(text.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    expect(text).not.toContain('#EXT-X-PLAYLIST-TYPE');
  });

  it('composes two real FFmpeg runs into a VOD that FFmpeg reads end to end', async () => {
    const dir = ownDir('vod');
    await recordRun(dir, { run: 1, video: 'transcode', audio: true, seconds: 3 });
    await recordRun(dir, { run: 2, video: 'transcode', audio: true, seconds: 2 });
    const runs = [1, 2].map((run) =>
      parseRunPlaylist(run, fs.readFileSync(path.join(dir, runPlaylistName(run)), 'utf8')),
    );
    const playlist = path.join(dir, 'vod.m3u8');
    fs.writeFileSync(playlist, composePlaylist(runs, { ended: true }));
    const expected = totalDurationSeconds(runs);
    expect(expected).toBeCloseTo(5, 1);

    const probed = await ffprobe(playlist, ['-allowed_extensions', 'ALL']);
    expect(Number(probed.format.duration)).toBeCloseTo(expected, 0);

    const mp4 = path.join(dir, 'vod.mp4');
    await remuxRunsToMp4(dir, runs, mp4, 'ffmpeg');
    const remuxed = await ffprobe(mp4, ['-count_packets']);
    expect(Math.abs(Number(remuxed.format.duration) - expected)).toBeLessThan(0.2);
    // 5 s at 30 fps: every frame of both runs is in the download, none lost at the run change.
    const video = remuxed.streams.find((s) => s.codec_type === 'video');
    expect(Number(video?.nb_read_packets)).toBe(150);
  });
});

describe('composeMasterPlaylist', () => {
  it('names each rendition with its peak bit rate, size and codecs, in the order given', () => {
    expect(
      composeMasterPlaylist([
        {
          uri: 'source/index.m3u8',
          bandwidth: 2_412_345.6,
          codecs: ['avc1.42c01f', 'mp4a.40.2'],
          resolution: { width: 1280, height: 720 },
        },
        {
          uri: '360p/index.m3u8',
          bandwidth: 1_020_000,
          codecs: ['avc1.64001e', 'mp4a.40.2'],
          resolution: { width: 640, height: 360 },
        },
      ]),
    ).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-STREAM-INF:BANDWIDTH=2412346,RESOLUTION=1280x720,CODECS="avc1.42c01f,mp4a.40.2"',
        'source/index.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=1020000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2"',
        '360p/index.m3u8',
        '',
      ].join('\n'),
    );
  });

  it('leaves out what it does not know: no RESOLUTION for audio, no CODECS when unread', () => {
    const text = composeMasterPlaylist([
      { uri: 'source/index.m3u8', bandwidth: 140_000, codecs: ['mp4a.40.2'] },
      { uri: 'other/index.m3u8', bandwidth: 0, codecs: [] },
    ]);

    expect(text).toContain('#EXT-X-STREAM-INF:BANDWIDTH=140000,CODECS="mp4a.40.2"\nsource/index.m3u8\n');
    // BANDWIDTH is required and must be positive.
    expect(text).toContain('#EXT-X-STREAM-INF:BANDWIDTH=1\nother/index.m3u8\n');
  });
});
