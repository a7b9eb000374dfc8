// Media encoded once, before a run, for the benchmarks' Node publishers (node-publisher.ts), in the
// simulcast layers the web app sends (web/src/media/simulcast.ts): a camera (1/4, 1/2 and full
// 1280x720 at 150k, 500k and 1.5 Mbit/s, 30 fps), a screen (half and full 1920x1080 at 500k and
// 2.5 Mbit/s at most, 15 fps: a slide whose one line of text changes every frame, as the host's
// canvas in webinar-host.ts) and a voice in Opus. Sending recorded frames costs a publisher no
// encoder: many stage members fit beside the server on a small machine, and each sends the same
// bitrates whatever the load (no encoder or congestion control to back off).
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { BenchError } from '../types.ts';

/** Opus frames of 20 ms. */
export const VOICE_FRAME_MS = 20;
/** A publisher can't answer a keyframe request with recorded frames: a joining viewer waits up to this many seconds for the next. */
export const KEYFRAME_INTERVAL_S = 2;

export interface VideoLayer {
  width: number;
  height: number;
  kbps: number;
  /** Encoded VP8 frames in order; the first is a keyframe, then one every KEYFRAME_INTERVAL_S. */
  frames: Buffer[];
}

export interface RecordedVideo {
  fps: number;
  /** Lowest first, the order simulcast encodings go in. */
  layers: VideoLayer[];
}

export interface RecordedMedia {
  camera: RecordedVideo;
  /** Recorded only when asked for (a host's share). */
  screen: RecordedVideo | undefined;
  /** Opus packets of VOICE_FRAME_MS each. */
  voice: Buffer[];
}

const CAMERA = {
  fps: 30,
  layers: [
    { width: 320, height: 180, kbps: 150 },
    { width: 640, height: 360, kbps: 500 },
    { width: 1280, height: 720, kbps: 1500 },
  ],
  source: (width: number, height: number, fps: number) => `testsrc2=s=${width}x${height}:r=${fps}`,
  // Constant bitrate: a camera's noise keeps an encoder at its target.
  rate: (kbps: number) => ['-b:v', `${kbps}k`, '-minrate', `${kbps}k`, '-maxrate', `${kbps}k`],
};

const FONT = '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf';
const SCREEN = {
  fps: 15,
  layers: [
    { width: 960, height: 540, kbps: 500 },
    { width: 1920, height: 1080, kbps: 2500 },
  ],
  source: (width: number, height: number, fps: number) =>
    `color=c=0x1d3557:s=${width}x${height}:r=${fps},drawtext=fontfile=${FONT}:fontcolor=0xf1faee:` +
    `fontsize=${Math.round(height / 17)}:x=${Math.round(width / 16)}:y=${Math.round(height / 2)}:text='Slide text, frame %{n}'`,
  // A ceiling, not a target: a still slide takes what it needs, as a browser's encoder does.
  rate: (kbps: number) => ['-crf', '10', '-b:v', `${kbps}k`, '-maxrate', `${kbps}k`],
};

/** Encodes `seconds` of a camera (and a screen, with `screen`) in every layer and a voice into `dir`, and reads them back. */
export async function recordMedia(
  dir: string,
  seconds: number,
  options: { screen?: boolean } = {},
): Promise<RecordedMedia> {
  const [camera, screen] = await Promise.all([
    recordVideo(dir, 'camera', CAMERA, seconds),
    options.screen ? recordVideo(dir, 'screen', SCREEN, seconds) : undefined,
  ]);
  const voiceFile = path.join(dir, 'voice.ogg');
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    // A voice-like signal: a tone that rises and falls, under noise.
    `aevalsrc=0.3*sin(2*PI*(180+60*sin(2*PI*0.7*t))*t)+0.02*random(0):s=48000:d=${seconds}`,
    '-ac',
    '2',
    '-c:a',
    'libopus',
    '-b:a',
    '32k',
    '-application',
    'voip',
    '-frame_duration',
    String(VOICE_FRAME_MS),
    '-f',
    'ogg',
    voiceFile,
  ]);
  const voice = oggPackets(await fs.readFile(voiceFile)).slice(2); // OpusHead, OpusTags
  if (voice.length < 50) throw new BenchError('the recorded voice came out empty: see ffmpeg');
  return { camera, screen, voice };
}

async function recordVideo(
  dir: string,
  name: string,
  kind: typeof CAMERA | typeof SCREEN,
  seconds: number,
): Promise<RecordedVideo> {
  // The layers at once: before the run, the machine has cores to spare.
  const layers = await Promise.all(
    kind.layers.map(async (layer): Promise<VideoLayer> => {
      const file = path.join(dir, `${name}-${layer.height}.ivf`);
      await ffmpeg([
        '-f',
        'lavfi',
        '-i',
        kind.source(layer.width, layer.height, kind.fps),
        '-frames:v',
        String(seconds * kind.fps),
        '-c:v',
        'libvpx',
        '-deadline',
        'realtime',
        '-cpu-used',
        '8',
        ...kind.rate(layer.kbps),
        '-g',
        String(KEYFRAME_INTERVAL_S * kind.fps),
        '-keyint_min',
        String(KEYFRAME_INTERVAL_S * kind.fps),
        '-auto-alt-ref',
        '0',
        '-lag-in-frames',
        '0',
        '-error-resilient',
        '1',
        '-f',
        'ivf',
        file,
      ]);
      const frames = ivfFrames(await fs.readFile(file));
      if (frames.length < kind.fps) throw new BenchError(`the recorded ${name} came out empty: see ffmpeg`);
      return { width: layer.width, height: layer.height, kbps: layer.kbps, frames };
    }),
  );
  return { fps: kind.fps, layers };
}

async function ffmpeg(args: string[]): Promise<void> {
  try {
    await promisify(execFile)('ffmpeg', ['-v', 'error', '-y', ...args], { timeout: 180_000 });
  } catch (error) {
    throw new BenchError(
      `ffmpeg could not record the publishers' media: ${(error as { stderr?: string }).stderr ?? String(error)}`,
    );
  }
}

/** The frames of an IVF file (32-byte file header; each frame: 4-byte size, 8-byte timestamp, data). */
export function ivfFrames(file: Buffer): Buffer[] {
  if (file.toString('ascii', 0, 4) !== 'DKIF') throw new Error('not an IVF file');
  const frames: Buffer[] = [];
  for (let offset = file.readUInt16LE(6); offset + 12 <= file.length;) {
    const size = file.readUInt32LE(offset);
    frames.push(file.subarray(offset + 12, offset + 12 + size));
    offset += 12 + size;
  }
  return frames;
}

/** The packets of an Ogg stream (RFC 3533): pages of segments, a packet ending at a segment under 255 bytes. */
export function oggPackets(file: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  let pending: Buffer[] = [];
  for (let offset = 0; offset + 27 <= file.length;) {
    if (file.toString('ascii', offset, offset + 4) !== 'OggS') throw new Error('not an Ogg page');
    const segments = file[offset + 26]!;
    const table = file.subarray(offset + 27, offset + 27 + segments);
    let body = offset + 27 + segments;
    for (const size of table) {
      pending.push(file.subarray(body, body + size));
      body += size;
      if (size < 255) {
        packets.push(Buffer.concat(pending));
        pending = [];
      }
    }
    offset = body;
  }
  return packets;
}
