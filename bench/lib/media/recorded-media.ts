// Media encoded once, before a run, for the benchmarks' Node publishers (node-publisher.ts): a
// camera in the three simulcast layers the web app sends (camera layers of web/src/media/simulcast.ts:
// 1/4, 1/2 and full 1280x720 at 150k, 500k and 1.5 Mbit/s, 30 fps) and a voice in Opus. Sending
// recorded frames costs a publisher no encoder: many stage members fit beside the server on a small
// machine, and every one sends exactly these bitrates whatever the load (no encoder or congestion
// control to back off).
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { BenchError } from '../types.ts';

export const CAMERA_FPS = 30;
/** Opus frames of 20 ms. */
export const VOICE_FRAME_MS = 20;

export interface CameraLayer {
  width: number;
  height: number;
  kbps: number;
  /** Encoded VP8 frames in order; the first is a keyframe, then one every KEYFRAME_INTERVAL frames. */
  frames: Buffer[];
}

export interface RecordedMedia {
  /** Lowest layer first, the order simulcast encodings go in. */
  camera: CameraLayer[];
  /** Opus packets of VOICE_FRAME_MS each. */
  voice: Buffer[];
}

/** A publisher can't answer a keyframe request with recorded frames: a joining viewer waits up to this for the next. */
export const KEYFRAME_INTERVAL = 60;

const LAYERS = [
  { width: 320, height: 180, kbps: 150 },
  { width: 640, height: 360, kbps: 500 },
  { width: 1280, height: 720, kbps: 1500 },
];

/** Encodes `seconds` of a moving test pattern in every layer, and a voice, into `dir`, and reads them back. */
export async function recordMedia(dir: string, seconds: number): Promise<RecordedMedia> {
  const frames = seconds * CAMERA_FPS;
  // The layers at once: the machine has cores to spare before the run starts.
  const camera = await Promise.all(
    LAYERS.map(async (layer): Promise<CameraLayer> => {
      const file = path.join(dir, `camera-${layer.height}.ivf`);
      await ffmpeg([
        '-f',
        'lavfi',
        '-i',
        `testsrc2=s=${layer.width}x${layer.height}:r=${CAMERA_FPS}`,
        '-frames:v',
        String(frames),
        '-c:v',
        'libvpx',
        '-deadline',
        'realtime',
        '-cpu-used',
        '8',
        '-b:v',
        `${layer.kbps}k`,
        '-minrate',
        `${layer.kbps}k`,
        '-maxrate',
        `${layer.kbps}k`,
        '-g',
        String(KEYFRAME_INTERVAL),
        '-keyint_min',
        String(KEYFRAME_INTERVAL),
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
      return { ...layer, frames: ivfFrames(await fs.readFile(file)) };
    }),
  );
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
  if (camera.some((l) => l.frames.length < CAMERA_FPS) || voice.length < 50)
    throw new BenchError('the recorded media came out empty: see ffmpeg');
  return { camera, voice };
}

async function ffmpeg(args: string[]): Promise<void> {
  try {
    await promisify(execFile)('ffmpeg', ['-v', 'error', '-y', ...args], { timeout: 120_000 });
  } catch (error) {
    throw new BenchError(
      `ffmpeg could not record the publishers' media: ${(error as { stderr?: string }).stderr ?? error}`,
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
