// The server's side of an HLS delay: when each segment appears in the live playlist (polled from
// here), and which capture times its frames carry (the segment decoded with FFmpeg and the clock
// pattern read from each frame). Together they split a glass-to-glass delay into "until the
// segment is listed" (SFU, FFmpeg, segmenting) and "after" (the player).
import { spawn } from 'node:child_process';
import { PATTERN_BAND_HEIGHT, PATTERN_WIDTH, latencyMs, readPattern } from './page/clock-pattern.ts';

export interface ListedSegment {
  uri: string;
  /** Absolute URL of the segment and of its init segment. */
  url: string;
  initUrl: string;
  durationS: number;
  /** Date.now() when a poll first saw it in the playlist. */
  listedAtMs: number;
}

export interface PlaylistWatch {
  /** Segments in the order they appeared. */
  readonly segments: ListedSegment[];
  /** Every TARGETDURATION the playlist announced, in order, without repeats. */
  readonly targetDurations: number[];
  readonly polls: number;
  readonly failedPolls: number;
  stop(): Promise<void>;
}

/** Polls the live playlist every `intervalMs` until stop(). */
export function watchPlaylist(playlistUrl: string, intervalMs: number): PlaylistWatch {
  const seen = new Set<string>();
  const watch = { segments: [] as ListedSegment[], targetDurations: [] as number[], polls: 0, failedPolls: 0 };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      try {
        const response = await fetch(playlistUrl, { cache: 'no-store', signal: AbortSignal.timeout(2000) });
        const text = await response.text();
        const at = Date.now();
        watch.polls++;
        if (!response.ok) {
          watch.failedPolls++;
        } else {
          const parsed = parsePlaylist(text, playlistUrl);
          if (parsed.targetDuration !== undefined && watch.targetDurations.at(-1) !== parsed.targetDuration)
            watch.targetDurations.push(parsed.targetDuration);
          for (const segment of parsed.segments) {
            if (seen.has(segment.uri)) continue;
            seen.add(segment.uri);
            watch.segments.push({ ...segment, listedAtMs: at });
          }
        }
      } catch {
        watch.failedPolls++;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - started))));
    }
  })();
  return {
    get segments() {
      return watch.segments;
    },
    get targetDurations() {
      return watch.targetDurations;
    },
    get polls() {
      return watch.polls;
    },
    get failedPolls() {
      return watch.failedPolls;
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

function parsePlaylist(
  text: string,
  base: string,
): { targetDuration: number | undefined; segments: Omit<ListedSegment, 'listedAtMs'>[] } {
  let targetDuration: number | undefined;
  let initUrl = '';
  let duration: number | undefined;
  const segments: Omit<ListedSegment, 'listedAtMs'>[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.slice('#EXT-X-TARGETDURATION:'.length));
    else if (line.startsWith('#EXT-X-MAP:')) initUrl = new URL(/URI="([^"]+)"/.exec(line)?.[1] ?? '', base).href;
    else if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice('#EXTINF:'.length));
    else if (line !== '' && !line.startsWith('#') && duration !== undefined) {
      segments.push({ uri: line, url: new URL(line, base).href, initUrl, durationS: duration });
      duration = undefined;
    }
  }
  return { targetDuration, segments };
}

export interface SegmentClock {
  segment: ListedSegment;
  frames: number;
  /** Capture times (Date.now() terms) of the frames whose pattern could be read, in order. */
  capturedAtMs: number[];
}

/**
 * Downloads a segment with its init segment, decodes it with FFmpeg into the pattern's top band and
 * reads the capture time from each frame. `publisherOffsetMs` is (publisher clock - Date.now()).
 */
export async function readSegmentClock(
  segment: ListedSegment,
  publisherOffsetMs: number,
  ffmpegPath = 'ffmpeg',
): Promise<SegmentClock> {
  const [init, media] = await Promise.all([download(segment.initUrl), download(segment.url)]);
  const raw = await decodeBand(Buffer.concat([init, media]), ffmpegPath);
  const frameBytes = PATTERN_WIDTH * PATTERN_BAND_HEIGHT * 4;
  const capturedAtMs: number[] = [];
  const now = Date.now();
  const frames = Math.floor(raw.length / frameBytes);
  for (let i = 0; i < frames; i++) {
    const pixels = new Uint8ClampedArray(raw.buffer, raw.byteOffset + i * frameBytes, frameBytes);
    const encoded = readPattern(pixels);
    if (encoded !== undefined) capturedAtMs.push(now - latencyMs(encoded, now + publisherOffsetMs));
  }
  return { segment, frames, capturedAtMs };
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** fMP4 on stdin (init + one segment), the top band of every frame scaled to the pattern's width as RGBA on stdout. */
function decodeBand(mp4: Buffer, ffmpegPath: string): Promise<Buffer> {
  return runFfmpeg(mp4, ffmpegPath, [
    '-map',
    '0:v:0',
    '-vf',
    `scale=${PATTERN_WIDTH}:720,crop=${PATTERN_WIDTH}:${PATTERN_BAND_HEIGHT}:0:0`,
    '-fps_mode',
    'passthrough',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgba',
    'pipe:1',
  ]);
}

/** FFmpeg reading fMP4 from stdin with `outputArgs`; resolves with its stdout. */
function runFfmpeg(mp4: Buffer, ffmpegPath: string, outputArgs: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      ffmpegPath,
      ['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'mp4', '-i', 'pipe:0', ...outputArgs],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`ffmpeg failed (code ${code}): ${stderr.trim()}`)),
    );
    child.stdin.on('error', () => undefined); // it may exit before reading everything; the exit code tells
    child.stdin.end(mp4);
  });
}

/** Frames in a segment and how many of them differ (by MD5 of the decoded picture): a frozen recording repeats pictures. */
export async function countPictures(
  segment: Pick<ListedSegment, 'url' | 'initUrl'>,
  ffmpegPath = 'ffmpeg',
): Promise<{ frames: number; distinct: number }> {
  const [init, media] = await Promise.all([download(segment.initUrl), download(segment.url)]);
  const md5 = await runFfmpeg(Buffer.concat([init, media]), ffmpegPath, ['-map', '0:v:0', '-f', 'framemd5', 'pipe:1']);
  const hashes = md5
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(',').at(-1)!.trim());
  return { frames: hashes.length, distinct: new Set(hashes).size };
}
