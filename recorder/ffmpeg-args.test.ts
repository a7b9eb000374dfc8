// Golden tests of the recorder's FFmpeg command lines: the expected argv arrays below are the
// golden files, so changing a command line means changing them here, on purpose. Then the live
// command line is run for real, with only its RTP input swapped for generated media.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { liveHlsArgs, posterArgs, runPlaylistName, vodMp4Args } from './ffmpeg-args.ts';
import { recordLadderRun } from './fixtures/ladder-media.ts';
import { codecsOf, extinfs, ffprobe, joinSegment, makeH264Source, recordRun, tempDir } from './fixtures/real-media.ts';
import { sendUnevenVp8, udpPortBound } from './fixtures/uneven-rtp.ts';
import { freeRtpPortPair } from './free-ports.ts';
import { rtpInputSdp } from './rtp-input-sdp.ts';

describe('liveHlsArgs (golden)', () => {
  it('copies H.264 and encodes audio to AAC', () => {
    expect(
      liveHlsArgs({
        sdpPath: '/rec/s1/input-2.sdp',
        outputDir: '/rec/s1',
        run: 2,
        video: 'copy',
        audio: true,
        segmentSeconds: 2,
      }),
    ).toEqual([
      '-hide_banner',
      '-loglevel',
      'warning',
      '-nostdin',
      '-protocol_whitelist',
      'file,udp,rtp',
      '-analyzeduration',
      '1000000',
      '-probesize',
      '1000000',
      '-fflags',
      '+genpts',
      '-i',
      '/rec/s1/input-2.sdp',
      '-map',
      '0:v:0',
      '-map',
      '0:a:0',
      '-c:v',
      'copy',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-ar',
      '48000',
      '-ac',
      '2',
      '-f',
      'hls',
      '-hls_time',
      '2',
      '-hls_list_size',
      '0',
      '-hls_playlist_type',
      'event',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      'init-2.mp4',
      '-hls_segment_filename',
      '/rec/s1/seg-2-%05d.m4s',
      '-hls_flags',
      'independent_segments+temp_file',
      '/rec/s1/run-2.m3u8',
    ]);
  });

  it('transcodes to H.264 with a keyframe at every segment boundary', () => {
    expect(
      liveHlsArgs({
        sdpPath: '/rec/s1/input-1.sdp',
        outputDir: '/rec/s1',
        run: 1,
        video: 'transcode',
        audio: true,
        segmentSeconds: 1,
      }),
    ).toEqual([
      '-hide_banner',
      '-loglevel',
      'warning',
      '-nostdin',
      '-protocol_whitelist',
      'file,udp,rtp',
      '-analyzeduration',
      '1000000',
      '-probesize',
      '1000000',
      '-fflags',
      '+genpts',
      '-i',
      '/rec/s1/input-1.sdp',
      '-map',
      '0:v:0',
      '-map',
      '0:a:0',
      '-fps_mode',
      'passthrough',
      '-enc_time_base',
      '-1',
      '-r',
      '30',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'zerolatency',
      '-profile:v',
      'high',
      '-pix_fmt',
      'yuv420p',
      '-force_key_frames',
      'expr:gte(t,n_forced*1)',
      '-sc_threshold',
      '0',
      '-b:v',
      '2500k',
      '-maxrate',
      '3000k',
      '-bufsize',
      '3000k',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-ar',
      '48000',
      '-ac',
      '2',
      '-f',
      'hls',
      '-hls_time',
      '1',
      '-hls_list_size',
      '0',
      '-hls_playlist_type',
      'event',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      'init-1.mp4',
      '-hls_segment_filename',
      '/rec/s1/seg-1-%05d.m4s',
      '-hls_flags',
      'independent_segments+temp_file',
      '/rec/s1/run-1.m3u8',
    ]);
  });

  it('records audio only', () => {
    expect(
      liveHlsArgs({
        sdpPath: '/rec/a/input-3.sdp',
        outputDir: '/rec/a',
        run: 3,
        video: null,
        audio: true,
        segmentSeconds: 1,
      }),
    ).toEqual([
      '-hide_banner',
      '-loglevel',
      'warning',
      '-nostdin',
      '-protocol_whitelist',
      'file,udp,rtp',
      '-analyzeduration',
      '1000000',
      '-probesize',
      '1000000',
      '-fflags',
      '+genpts',
      '-i',
      '/rec/a/input-3.sdp',
      '-map',
      '0:a:0',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-ar',
      '48000',
      '-ac',
      '2',
      '-f',
      'hls',
      '-hls_time',
      '1',
      '-hls_list_size',
      '0',
      '-hls_playlist_type',
      'event',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      'init-3.mp4',
      '-hls_segment_filename',
      '/rec/a/seg-3-%05d.m4s',
      '-hls_flags',
      'independent_segments+temp_file',
      '/rec/a/run-3.m3u8',
    ]);
  });

  it('records video only', () => {
    expect(
      liveHlsArgs({
        sdpPath: '/rec/v/input-1.sdp',
        outputDir: '/rec/v',
        run: 1,
        video: 'transcode',
        audio: false,
        segmentSeconds: 4,
      }),
    ).toEqual([
      '-hide_banner',
      '-loglevel',
      'warning',
      '-nostdin',
      '-protocol_whitelist',
      'file,udp,rtp',
      '-analyzeduration',
      '1000000',
      '-probesize',
      '1000000',
      '-fflags',
      '+genpts',
      '-i',
      '/rec/v/input-1.sdp',
      '-map',
      '0:v:0',
      '-fps_mode',
      'passthrough',
      '-enc_time_base',
      '-1',
      '-r',
      '30',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'zerolatency',
      '-profile:v',
      'high',
      '-pix_fmt',
      'yuv420p',
      '-force_key_frames',
      'expr:gte(t,n_forced*4)',
      '-sc_threshold',
      '0',
      '-b:v',
      '2500k',
      '-maxrate',
      '3000k',
      '-bufsize',
      '3000k',
      '-f',
      'hls',
      '-hls_time',
      '4',
      '-hls_list_size',
      '0',
      '-hls_playlist_type',
      'event',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      'init-1.mp4',
      '-hls_segment_filename',
      '/rec/v/seg-1-%05d.m4s',
      '-hls_flags',
      'independent_segments+temp_file',
      '/rec/v/run-1.m3u8',
    ]);
  });

  it('with a ladder, writes each lower rendition into its own folder, keyed where the copied source is', () => {
    expect(
      liveHlsArgs({
        sdpPath: '/rec/s1/input-2.sdp',
        outputDir: '/rec/s1',
        run: 2,
        video: 'copy',
        audio: true,
        segmentSeconds: 1,
        renditions: [480, 240],
      }),
    ).toEqual([
      '-hide_banner',
      '-loglevel',
      'warning',
      '-nostdin',
      '-protocol_whitelist',
      'file,udp,rtp',
      '-analyzeduration',
      '1000000',
      '-probesize',
      '1000000',
      '-fflags',
      '+genpts',
      '-i',
      '/rec/s1/input-2.sdp',
      // The source, exactly as without a ladder.
      '-map',
      '0:v:0',
      '-map',
      '0:a:0',
      '-c:v',
      'copy',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-ar',
      '48000',
      '-ac',
      '2',
      '-f',
      'hls',
      '-hls_time',
      '1',
      '-hls_list_size',
      '0',
      '-hls_playlist_type',
      'event',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      'init-2.mp4',
      '-hls_segment_filename',
      '/rec/s1/seg-2-%05d.m4s',
      '-hls_flags',
      'independent_segments+temp_file',
      '/rec/s1/run-2.m3u8',
      // 480p.
      '-map',
      '0:v:0',
      '-map',
      '0:a:0',
      '-fps_mode',
      'passthrough',
      '-enc_time_base',
      '-1',
      '-r',
      '30',
      '-vf',
      "scale=-2:'min(480,trunc(ih/2)*2)'",
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'zerolatency',
      '-profile:v',
      'high',
      '-pix_fmt',
      'yuv420p',
      '-force_key_frames',
      'source',
      '-sc_threshold',
      '0',
      '-b:v',
      '1350k',
      '-maxrate',
      '1620k',
      '-bufsize',
      '1620k',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-ar',
      '48000',
      '-ac',
      '2',
      '-f',
      'hls',
      '-hls_time',
      '1',
      '-hls_list_size',
      '0',
      '-hls_playlist_type',
      'event',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      'init-2.mp4',
      '-hls_segment_filename',
      '/rec/s1/480p/seg-2-%05d.m4s',
      '-hls_flags',
      'independent_segments+temp_file',
      '/rec/s1/480p/run-2.m3u8',
      // 240p.
      '-map',
      '0:v:0',
      '-map',
      '0:a:0',
      '-fps_mode',
      'passthrough',
      '-enc_time_base',
      '-1',
      '-r',
      '30',
      '-vf',
      "scale=-2:'min(240,trunc(ih/2)*2)'",
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'zerolatency',
      '-profile:v',
      'high',
      '-pix_fmt',
      'yuv420p',
      '-force_key_frames',
      'source',
      '-sc_threshold',
      '0',
      '-b:v',
      '500k',
      '-maxrate',
      '600k',
      '-bufsize',
      '600k',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-ar',
      '48000',
      '-ac',
      '2',
      '-f',
      'hls',
      '-hls_time',
      '1',
      '-hls_list_size',
      '0',
      '-hls_playlist_type',
      'event',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      'init-2.mp4',
      '-hls_segment_filename',
      '/rec/s1/240p/seg-2-%05d.m4s',
      '-hls_flags',
      'independent_segments+temp_file',
      '/rec/s1/240p/run-2.m3u8',
    ]);
  });

  it('with a ladder over an encoded source, keys every output by the same segment clock', () => {
    const args = liveHlsArgs({
      sdpPath: '/rec/s1/input-1.sdp',
      outputDir: '/rec/s1',
      run: 1,
      video: 'transcode',
      audio: false,
      segmentSeconds: 2,
      renditions: [360],
    });

    expect(args.filter((arg) => arg.startsWith('expr:'))).toEqual(['expr:gte(t,n_forced*2)', 'expr:gte(t,n_forced*2)']);
    expect(args).not.toContain('source');
    // The source's output is the one of a run without a ladder; the rendition follows it.
    const withoutLadder = liveHlsArgs({
      sdpPath: '/rec/s1/input-1.sdp',
      outputDir: '/rec/s1',
      run: 1,
      video: 'transcode',
      audio: false,
      segmentSeconds: 2,
    });
    expect(args.slice(0, withoutLadder.length)).toEqual(withoutLadder);
    expect(args.slice(withoutLadder.length)).toEqual([
      '-map',
      '0:v:0',
      '-fps_mode',
      'passthrough',
      '-enc_time_base',
      '-1',
      '-r',
      '30',
      '-vf',
      "scale=-2:'min(360,trunc(ih/2)*2)'",
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'zerolatency',
      '-profile:v',
      'high',
      '-pix_fmt',
      'yuv420p',
      '-force_key_frames',
      'expr:gte(t,n_forced*2)',
      '-sc_threshold',
      '0',
      '-b:v',
      '900k',
      '-maxrate',
      '1080k',
      '-bufsize',
      '1080k',
      '-f',
      'hls',
      '-hls_time',
      '2',
      '-hls_list_size',
      '0',
      '-hls_playlist_type',
      'event',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      'init-1.mp4',
      '-hls_segment_filename',
      '/rec/s1/360p/seg-1-%05d.m4s',
      '-hls_flags',
      'independent_segments+temp_file',
      '/rec/s1/360p/run-1.m3u8',
    ]);
  });

  it('ignores the ladder when there is no video to scale', () => {
    const audioOnly = {
      sdpPath: '/rec/a/input-1.sdp',
      outputDir: '/rec/a',
      run: 1,
      video: null,
      audio: true,
      segmentSeconds: 1,
    } as const;

    expect(liveHlsArgs({ ...audioOnly, renditions: [360] })).toEqual(liveHlsArgs(audioOnly));
  });

  it('names each run its own playlist', () => {
    expect(runPlaylistName(1)).toBe('run-1.m3u8');
    expect(runPlaylistName(12)).toBe('run-12.m3u8');
  });
});

describe('vodMp4Args and posterArgs (golden)', () => {
  it('remuxes the VOD playlist into a faststart MP4 without re-encoding', () => {
    expect(vodMp4Args('/rec/s1/vod.m3u8', '/rec/s1/vod.mp4')).toEqual([
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-y',
      '-allowed_extensions',
      'ALL',
      '-i',
      '/rec/s1/vod.m3u8',
      '-c',
      'copy',
      '-movflags',
      '+faststart',
      '/rec/s1/vod.mp4',
    ]);
  });

  it('takes one 640-wide JPEG at a millisecond-rounded time', () => {
    expect(posterArgs('/rec/s1/vod.mp4', 2.5, '/rec/s1/poster.jpg')).toEqual([
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-y',
      '-ss',
      '2.500',
      '-i',
      '/rec/s1/vod.mp4',
      '-frames:v',
      '1',
      '-vf',
      'scale=640:-2',
      '-q:v',
      '3',
      '/rec/s1/poster.jpg',
    ]);
    expect(posterArgs('/v.mp4', 1 / 3, '/p.jpg')[6]).toBe('0.333');
  });
});

describe('the live command line, run by real FFmpeg', () => {
  const dirs: string[] = [];
  const dir = (name: string) => {
    const made = tempDir(`args-${name}`);
    dirs.push(made);
    return made;
  };
  afterAll(() => {
    for (const made of dirs) fs.rmSync(made, { recursive: true, force: true });
  });

  /** The files a finished run left, its playlist's entries and the codecs of its first segment. */
  async function inspectRun(folder: string, run: number) {
    const files = fs.readdirSync(folder);
    const playlist = fs.readFileSync(path.join(folder, runPlaylistName(run)), 'utf8');
    const entries = extinfs(playlist);
    const first = await ffprobe(joinSegment(folder, `init-${run}.mp4`, entries[0]!.uri));
    return { files, playlist, entries, first };
  }

  it('transcodes to H.264 + AAC in segments of one second, each starting on a keyframe', async () => {
    const folder = dir('transcode');
    await recordRun(folder, { run: 1, video: 'transcode', audio: true, seconds: 3 });

    const { files, playlist, entries, first } = await inspectRun(folder, 1);
    expect(files).toEqual(
      expect.arrayContaining(['run-1.m3u8', 'init-1.mp4', 'seg-1-00000.m4s', 'seg-1-00001.m4s', 'seg-1-00002.m4s']),
    );
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(playlist).toContain('#EXT-X-MAP:URI="init-1.mp4"');
    expect(playlist).toContain('#EXT-X-ENDLIST');
    expect(entries.map((e) => e.uri)).toEqual(['seg-1-00000.m4s', 'seg-1-00001.m4s', 'seg-1-00002.m4s']);
    for (const entry of entries) expect(entry.duration).toBeCloseTo(1, 1);
    expect(codecsOf(first)).toEqual(['audio:aac', 'video:h264']);
    expect(first.streams.find((s) => s.codec_type === 'video')!.profile).toBe('High');
    // Every segment decodes on its own: its first video frame is a keyframe.
    for (const entry of entries) {
      const joined = joinSegment(folder, 'init-1.mp4', entry.uri);
      const keyFrame = execFileSync(
        'ffprobe',
        [
          '-v',
          'error',
          '-select_streams',
          'v',
          '-read_intervals',
          '%+#1',
          '-show_entries',
          'frame=key_frame',
          '-of',
          'default=nw=1:nk=1',
          joined,
        ],
        { encoding: 'utf8' },
      );
      expect(keyFrame.trim().split('\n')[0]).toBe('1');
    }
  });

  it('copies H.264 as it comes (same profile as the source) and encodes Opus to AAC', async () => {
    const folder = dir('copy');
    const source = await makeH264Source(folder, 3);
    await recordRun(folder, { run: 2, video: 'copy', audio: true, seconds: 3, input: ['-i', source] });

    const { entries, first } = await inspectRun(folder, 2);
    expect(entries.map((e) => e.uri)).toEqual(['seg-2-00000.m4s', 'seg-2-00001.m4s', 'seg-2-00002.m4s']);
    for (const entry of entries) expect(entry.duration).toBeCloseTo(1, 1);
    expect(codecsOf(first)).toEqual(['audio:aac', 'video:h264']);
    expect(first.streams.find((s) => s.codec_type === 'video')!.profile).toBe('Constrained Baseline');
  });

  /** Width, height and whether the first frame is a keyframe, of every segment of a run. */
  function videoOfSegments(folder: string, run: number, uris: string[]) {
    return uris.map((uri) => {
      const joined = joinSegment(folder, `init-${run}.mp4`, uri);
      const probed = execFileSync(
        'ffprobe',
        [
          '-v',
          'error',
          '-select_streams',
          'v',
          '-read_intervals',
          '%+#1',
          '-show_entries',
          'stream=width,height:frame=key_frame',
          '-of',
          'json',
          joined,
        ],
        { encoding: 'utf8' },
      );
      const { streams, frames } = JSON.parse(probed) as {
        streams: { width: number; height: number }[];
        frames: { key_frame: number }[];
      };
      return { size: `${streams[0]!.width}x${streams[0]!.height}`, keyFirst: frames[0]?.key_frame === 1 };
    });
  }

  /** Records a run with a ladder; returns each output's segments, the source's first. */
  async function recordLadder(
    folder: string,
    video: 'copy' | 'transcode',
    renditions: number[],
    input: string[] | undefined,
    seconds: number,
  ) {
    await recordLadderRun(folder, { run: 1, video, audio: true, renditions, seconds, input });
    const outputs = [folder, ...renditions.map((height) => path.join(folder, `${height}p`))];
    return outputs.map((output) => {
      const entries = extinfs(fs.readFileSync(path.join(output, runPlaylistName(1)), 'utf8'));
      return {
        entries,
        video: videoOfSegments(
          output,
          1,
          entries.map((e) => e.uri),
        ),
      };
    });
  }

  /** Cut at the same frames: equal durations, but for the last segment, whose audio ends it. */
  function expectSameCuts(rendition: { duration: number }[], source: { duration: number }[]) {
    expect(rendition).toHaveLength(source.length);
    rendition.slice(0, -1).forEach((entry, i) => expect(entry.duration).toBeCloseTo(source[i]!.duration, 2));
  }

  it('writes a ladder from a copied source: cut at the same frames, scaled down, never up', async () => {
    const folder = dir('ladder-copy');
    const source = await makeH264Source(folder, 4);

    // The source is 320x240: a 480p rendition stays at 240 lines, a 180p one is scaled down.
    const [copied, at480, at180] = await recordLadder(folder, 'copy', [480, 180], ['-i', source], 4);

    expect(copied!.entries.map((e) => e.uri)).toEqual([
      'seg-1-00000.m4s',
      'seg-1-00001.m4s',
      'seg-1-00002.m4s',
      'seg-1-00003.m4s',
    ]);
    for (const rendition of [at480!, at180!]) {
      expect(rendition.entries.map((e) => e.uri)).toEqual(copied!.entries.map((e) => e.uri));
      expectSameCuts(rendition.entries, copied!.entries);
      expect(rendition.video.every((segment) => segment.keyFirst)).toBe(true);
    }
    expect(new Set(copied!.video.map((s) => s.size))).toEqual(new Set(['320x240']));
    expect(new Set(at480!.video.map((s) => s.size))).toEqual(new Set(['320x240']));
    expect(new Set(at180!.video.map((s) => s.size))).toEqual(new Set(['240x180']));
  }, 30_000);

  it('writes a ladder from an encoded source, every output keyed on the segment clock', async () => {
    const folder = dir('ladder-transcode');

    const [encoded, at144] = await recordLadder(folder, 'transcode', [144], undefined, 3);

    expect(encoded!.entries).toHaveLength(3);
    expect(at144!.entries.map((e) => e.uri)).toEqual(encoded!.entries.map((e) => e.uri));
    expectSameCuts(at144!.entries, encoded!.entries);
    expect(at144!.video.every((segment) => segment.keyFirst && segment.size === '192x144')).toBe(true);
  }, 30_000);

  /** Decoded pictures of a run's playlist: how many frames, and how many of them differ. */
  function picturesOf(folder: string, run: number): { frames: number; distinct: number } {
    const md5s = execFileSync(
      'ffmpeg',
      [
        '-v',
        'error',
        '-allowed_extensions',
        'ALL',
        '-i',
        path.join(folder, runPlaylistName(run)),
        '-map',
        '0:v:0',
        '-f',
        'framemd5',
        '-',
      ],
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
    )
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split(',').at(-1)!.trim());
    return { frames: md5s.length, distinct: new Set(md5s).size };
  }

  it('records every picture of RTP video whose timestamps are uneven (no frame rate to guess from)', async () => {
    // Told the 90,000 fps FFmpeg guesses from this input, libx264 coded the frames between
    // keyframes as copies: 13 distinct pictures in 120 frames.
    const folder = dir('uneven');
    const port = await freeRtpPortPair();
    const sdpPath = path.join(folder, 'input-1.sdp');
    fs.writeFileSync(
      sdpPath,
      rtpInputSdp([{ kind: 'video', port, payloadType: 96, mimeType: 'video/VP8', clockRate: 90_000 }]),
    );
    const recorder = spawn(
      'ffmpeg',
      liveHlsArgs({ sdpPath, outputDir: folder, run: 1, video: 'transcode', audio: false, segmentSeconds: 1 }),
      {
        stdio: 'ignore',
      },
    );
    const finished = new Promise<void>((resolve) => recorder.once('exit', () => resolve()));
    try {
      await udpPortBound(port);
      await sendUnevenVp8(port, 4);
    } finally {
      // As the recorder stops it: SIGINT, and FFmpeg finishes its files.
      recorder.kill('SIGINT');
    }
    await finished;
    // FFmpeg exits 255 on a signal; that it finished its files shows in the playlist.
    expect(fs.readFileSync(path.join(folder, runPlaylistName(1)), 'utf8')).toContain('#EXT-X-ENDLIST');

    const { frames, distinct } = picturesOf(folder, 1);
    expect(frames).toBeGreaterThanOrEqual(90);
    expect(distinct).toBeGreaterThanOrEqual(frames * 0.95);
  }, 30_000);

  it('writes audio-only HLS', async () => {
    const folder = dir('audio');
    await recordRun(folder, { run: 1, video: null, audio: true, seconds: 2 });

    const { entries, first } = await inspectRun(folder, 1);
    expect(entries.length).toBeGreaterThanOrEqual(2);
    expect(codecsOf(first)).toEqual(['audio:aac']);
  });

  it('writes video-only HLS', async () => {
    const folder = dir('video');
    await recordRun(folder, { run: 1, video: 'transcode', audio: false, seconds: 2 });

    const { entries, first } = await inspectRun(folder, 1);
    expect(entries.map((e) => e.uri)).toEqual(['seg-1-00000.m4s', 'seg-1-00001.m4s']);
    expect(codecsOf(first)).toEqual(['video:h264']);
  });
});
