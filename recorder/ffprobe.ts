// What the recorder asks ffprobe about the files it made. ffprobe sits next to the configured
// FFmpeg (or on PATH, like FFmpeg itself).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

function ffprobePath(ffmpegPath: string): string {
  return ffmpegPath.includes('/') ? path.join(path.dirname(ffmpegPath), 'ffprobe') : 'ffprobe';
}

async function probe(file: string, ffmpegPath: string, entries: string[]): Promise<string> {
  const { stdout } = await run(ffprobePath(ffmpegPath), ['-v', 'error', ...entries, '-of', 'json', file], {
    timeout: 30_000,
  });
  return stdout;
}

/** The real duration of a media file, in seconds, rounded to the millisecond. */
export async function probeDuration(file: string, ffmpegPath: string): Promise<number> {
  const json = JSON.parse(await probe(file, ffmpegPath, ['-show_entries', 'format=duration'])) as {
    format?: { duration?: string };
  };
  const seconds = Number(json.format?.duration);
  if (!Number.isFinite(seconds)) throw new Error(`ffprobe could not read the duration of ${file}`);
  return Math.round(seconds * 1000) / 1000;
}

/** When the file's first video stream starts and ends (last frame included), if it has video. */
export async function probeVideoSpan(
  file: string,
  ffmpegPath: string,
): Promise<{ start: number; end: number } | undefined> {
  const json = JSON.parse(
    await probe(file, ffmpegPath, ['-select_streams', 'v:0', '-show_entries', 'stream=start_time,duration']),
  ) as {
    streams?: { start_time?: string; duration?: string }[];
  };
  const stream = json.streams?.[0];
  const start = Number(stream?.start_time);
  const duration = Number(stream?.duration);
  if (!stream || !Number.isFinite(start) || !Number.isFinite(duration)) return undefined;
  return { start, end: start + duration };
}
