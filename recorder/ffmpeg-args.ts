// The FFmpeg command lines of the recorder, as pure functions returning argv arrays (never a shell
// string). recorder/ffmpeg-args.test.ts pins them with golden tests, so a change is a decision.
import { renditionDir, renditionName, videoRateFor, type VideoRate } from './renditions.ts';

export type VideoMode = 'copy' | 'transcode';

export interface LiveHlsInput {
  /** The SDP file describing the RTP that mediasoup sends us. */
  sdpPath: string;
  /** Folder the run's playlist, init segment and media segments go to. */
  outputDir: string;
  /** 1, 2, ...: each FFmpeg run of a stream writes its own files, so a restart never overwrites. */
  run: number;
  /** H.264 is copied as it comes; anything else (VP8) is encoded to H.264. Absent: no video. */
  video: VideoMode | null;
  audio: boolean;
  segmentSeconds: number;
  /** Heights of lower renditions to encode beside the source (see renditions.ts); none by default. */
  renditions?: readonly number[];
}

export function runPlaylistName(run: number): string {
  return `run-${run}.m3u8`;
}

/** The transcode path's rate, whatever the source's size. */
export const SOURCE_TRANSCODE_RATE: VideoRate = { kbps: 2500, maxKbps: 3000 };

/**
 * Live HLS of one run: fMP4 segments of about `segmentSeconds`, every segment in the playlist.
 * With renditions, the same run also writes one more HLS output per rendition (its own folder):
 * one input, decoded once, so every output sees the same frames and timestamps.
 */
export function liveHlsArgs(input: LiveHlsInput): string[] {
  const { run, segmentSeconds, video } = input;
  const source = [
    ...mapArgs(input),
    ...sourceVideoArgs(video, segmentSeconds),
    ...audioArgs(input.audio),
    ...hlsOutputArgs(input.outputDir, run, segmentSeconds),
  ];
  // Without video there is nothing to scale.
  const renditions =
    video === null
      ? []
      : (input.renditions ?? []).map((height) => [
          ...mapArgs(input),
          ...renditionVideoArgs(video, height, segmentSeconds),
          ...audioArgs(input.audio),
          ...hlsOutputArgs(renditionDir(input.outputDir, renditionName(height)), run, segmentSeconds),
        ]);
  return [...rtpInputArgs(input.sdpPath), ...source, ...renditions.flat()];
}

/**
 * FFmpeg reading the RTP that an SDP file describes (what mediasoup sends the recorder), with
 * `inputOptions` applying to that input.
 */
export function rtpInputArgs(sdpPath: string, inputOptions: readonly string[] = []): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'warning',
    '-nostdin',
    '-protocol_whitelist',
    'file,udp,rtp',
    // RTP has no container to probe: what the SDP says is what arrives. Keep probing short so the
    // first segment comes quickly.
    '-analyzeduration',
    '1000000',
    '-probesize',
    '1000000',
    '-fflags',
    '+genpts',
    ...inputOptions,
    '-i',
    sdpPath,
  ];
}

function mapArgs(input: LiveHlsInput): string[] {
  return [...(input.video ? ['-map', '0:v:0'] : []), ...(input.audio ? ['-map', '0:a:0'] : [])];
}

export function audioArgs(audio: boolean): string[] {
  return audio ? ['-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2'] : [];
}

export function hlsOutputArgs(dir: string, run: number, segmentSeconds: number): string[] {
  return [
    '-f',
    'hls',
    '-hls_time',
    String(segmentSeconds),
    '-hls_list_size',
    '0',
    '-hls_playlist_type',
    'event',
    '-hls_segment_type',
    'fmp4',
    '-hls_fmp4_init_filename',
    `init-${run}.mp4`,
    '-hls_segment_filename',
    `${dir}/seg-${run}-%05d.m4s`,
    '-hls_flags',
    'independent_segments+temp_file',
    `${dir}/${runPlaylistName(run)}`,
  ];
}

/** A keyframe at every segment boundary: segments start with one and players can join anywhere. */
export function segmentKeyframes(segmentSeconds: number): string {
  return `expr:gte(t,n_forced*${segmentSeconds})`;
}

function sourceVideoArgs(mode: VideoMode | null, segmentSeconds: number): string[] {
  if (mode === null) return [];
  if (mode === 'copy') return ['-c:v', 'copy'];
  return [...encoderTiming(), ...x264Args(segmentKeyframes(segmentSeconds), SOURCE_TRANSCODE_RATE)];
}

/** The frame rate libx264 budgets for: what the studio captures at (web/src/media/local-media.ts). */
const ENCODER_FRAME_RATE = 30;

/**
 * RTP carries no frame rate, so FFmpeg guesses one from the first timestamps, and uneven ones (a
 * camera's or a canvas's capture jitter) make it give up and take the clock rate: 90,000 fps.
 * Two things follow from that guess, and both are cut off here:
 * - with a constant-rate output FFmpeg would duplicate frames to fill 90,000 a second and stall,
 *   so frames pass through with their own timestamps, in the input's own time base (exact, and
 *   no two frames can round onto one tick and be dropped);
 * - libx264's rate control splits the bitrate over the frames it is told come each second: told
 *   90,000 it codes everything between forced keyframes as copies, and the recording shows one
 *   picture a segment. `-r` only tells it the rate here (passthrough keeps every frame); a faster
 *   source (OBS at 60 fps, copied, feeding a rendition) gets more bits a frame, within -maxrate.
 */
function encoderTiming(): string[] {
  return ['-fps_mode', 'passthrough', '-enc_time_base', '-1', '-r', String(ENCODER_FRAME_RATE)];
}

function renditionVideoArgs(sourceMode: VideoMode, height: number, segmentSeconds: number): string[] {
  return [
    ...encoderTiming(),
    // The source's size is not known before it arrives (and WebRTC publishers change it with their
    // bandwidth), so never scale up: at most `height` lines, even for x264, width keeping the shape.
    '-vf',
    `scale=-2:'min(${height},trunc(ih/2)*2)'`,
    // Every output must cut its segments at the same frames, so a player switching renditions
    // lands on the same segment number. A copied source is cut at the publisher's keyframes (asked
    // for every segment): key the rendition wherever the source is keyed. An encoded source is
    // keyed by the clock, and so are its renditions, on the same frames.
    ...x264Args(sourceMode === 'copy' ? 'source' : segmentKeyframes(segmentSeconds), videoRateFor(height)),
  ];
}

export function x264Args(forceKeyFrames: string, rate: VideoRate): string[] {
  return [
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
    forceKeyFrames,
    '-sc_threshold',
    '0',
    '-b:v',
    `${rate.kbps}k`,
    '-maxrate',
    `${rate.maxKbps}k`,
    '-bufsize',
    `${rate.maxKbps}k`,
  ];
}

/** Remuxes a finished recording's playlist into one MP4 for download (no re-encoding). */
export function vodMp4Args(playlistPath: string, mp4Path: string): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-allowed_extensions',
    'ALL',
    '-i',
    playlistPath,
    '-c',
    'copy',
    '-movflags',
    '+faststart',
    mp4Path,
  ];
}

/** One JPEG frame from `atSeconds` into the video, for the VOD's poster. */
export function posterArgs(videoPath: string, atSeconds: number, posterPath: string): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-ss',
    atSeconds.toFixed(3),
    '-i',
    videoPath,
    '-frames:v',
    '1',
    '-vf',
    'scale=640:-2',
    '-q:v',
    '3',
    posterPath,
  ];
}

/** Joins MP4 parts listed in a concat file (`file '<path>'` lines) into one MP4, without re-encoding. */
export function concatArgs(listPath: string, mp4Path: string): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-f',
    'concat',
    '-safe',
    '0',
    '-i',
    listPath,
    '-c',
    'copy',
    '-movflags',
    '+faststart',
    mp4Path,
  ];
}
