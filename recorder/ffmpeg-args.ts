// The FFmpeg command lines of the recorder, as pure functions returning argv arrays (never a shell
// string). recorder/ffmpeg-args.test.ts pins them with golden tests, so a change is a decision.

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
}

export function runPlaylistName(run: number): string {
  return `run-${run}.m3u8`;
}

/** Live HLS of one run: fMP4 segments of about `segmentSeconds`, every segment in the playlist. */
export function liveHlsArgs(input: LiveHlsInput): string[] {
  const { run, segmentSeconds } = input;
  return [
    '-hide_banner',
    '-loglevel', 'warning',
    '-nostdin',
    '-protocol_whitelist', 'file,udp,rtp',
    // RTP has no container to probe: what the SDP says is what arrives. Keep probing short so the
    // first segment comes quickly.
    '-analyzeduration', '1000000',
    '-probesize', '1000000',
    '-fflags', '+genpts',
    '-i', input.sdpPath,
    ...(input.video ? ['-map', '0:v:0'] : []),
    ...(input.audio ? ['-map', '0:a:0'] : []),
    ...videoArgs(input.video, segmentSeconds),
    ...(input.audio ? ['-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2'] : []),
    '-f', 'hls',
    '-hls_time', String(segmentSeconds),
    '-hls_list_size', '0',
    '-hls_playlist_type', 'event',
    '-hls_segment_type', 'fmp4',
    '-hls_fmp4_init_filename', `init-${run}.mp4`,
    '-hls_segment_filename', `${input.outputDir}/seg-${run}-%05d.m4s`,
    '-hls_flags', 'independent_segments+temp_file',
    `${input.outputDir}/${runPlaylistName(run)}`,
  ];
}

function videoArgs(mode: VideoMode | null, segmentSeconds: number): string[] {
  if (mode === null) return [];
  if (mode === 'copy') return ['-c:v', 'copy'];
  return [
    // RTP carries no frame rate; FFmpeg guesses one from the timestamps (wildly, at times: 92,000
    // fps seen) and would duplicate frames to fill it until it stalls. Pass frames through with
    // their own timestamps instead.
    '-fps_mode', 'passthrough',
    '-c:v', 'libx264',
    '-preset', 'veryfast',
    '-tune', 'zerolatency',
    '-profile:v', 'high',
    '-pix_fmt', 'yuv420p',
    // A keyframe at every segment boundary: segments start with one and players can join anywhere.
    '-force_key_frames', `expr:gte(t,n_forced*${segmentSeconds})`,
    '-sc_threshold', '0',
    '-b:v', '2500k',
    '-maxrate', '3000k',
    '-bufsize', '3000k',
  ];
}

/** Remuxes a finished recording's playlist into one MP4 for download (no re-encoding). */
export function vodMp4Args(playlistPath: string, mp4Path: string): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-allowed_extensions', 'ALL',
    '-i', playlistPath,
    '-c', 'copy',
    '-movflags', '+faststart',
    mp4Path,
  ];
}

/** One JPEG frame from `atSeconds` into the video, for the VOD's poster. */
export function posterArgs(videoPath: string, atSeconds: number, posterPath: string): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-ss', atSeconds.toFixed(3),
    '-i', videoPath,
    '-frames:v', '1',
    '-vf', 'scale=640:-2',
    '-q:v', '3',
    posterPath,
  ];
}

/** Joins MP4 parts listed in a concat file (`file '<path>'` lines) into one MP4, without re-encoding. */
export function concatArgs(listPath: string, mp4Path: string): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-f', 'concat', '-safe', '0',
    '-i', listPath,
    '-c', 'copy',
    '-movflags', '+faststart',
    mp4Path,
  ];
}
