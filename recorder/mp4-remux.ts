// Turns recorded HLS runs into one MP4, without re-encoding: the VOD's download and every clip.
//
// Two things keep that from being one FFmpeg call on the composed playlist:
// - each FFmpeg run starts its timestamps anew, and FFmpeg's HLS demuxer ignores discontinuities:
//   the MP4 muxer gets timestamps that jump back at every restart, and the file's length comes out
//   wrong by seconds (seen in the recorder test);
// - a run's first segment holds the audio that arrived before the first keyframe (0.2-0.4 s from a
//   WebRTC publisher), which the playlist's durations (video) don't count.
// So each run becomes an MP4 part of its own, and the concat demuxer joins the parts, each trimmed
// to its video (inpoint/outpoint) and shifted to start where the one before ended. The MP4 then
// lasts what the HLS playlist says, and audio and video stay together at every join.
import fs from 'node:fs/promises';
import path from 'node:path';
import { concatArgs, vodMp4Args } from './ffmpeg-args.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import { probeVideoSpan } from './ffprobe.ts';
import { composePlaylist, type RunPlaylist } from './playlist.ts';

/**
 * Writes `runs` (segments in `dir`) into `mp4`. Temporary files go next to the segments, named
 * after `mp4`'s base name, and are removed whether or not FFmpeg succeeds.
 */
export async function remuxRunsToMp4(
  dir: string,
  runs: readonly RunPlaylist[],
  mp4: string,
  ffmpegPath: string,
): Promise<void> {
  if (runs.length === 0) throw new Error('no recorded runs to remux');
  const stem = path.join(dir, `.remux-${path.basename(mp4, '.mp4')}`);
  const temporary: string[] = [];
  try {
    const entries: string[] = [];
    for (const run of runs) {
      const playlist = `${stem}-${run.run}.m3u8`;
      const part = `${stem}-${run.run}.mp4`;
      temporary.push(playlist, part);
      await fs.writeFile(playlist, composePlaylist([run], { ended: true }));
      await runFfmpeg(vodMp4Args(playlist, part), ffmpegPath);
      entries.push(concatEntry(part, await probeVideoSpan(part, ffmpegPath)));
    }
    const list = `${stem}.txt`;
    temporary.push(list);
    await fs.writeFile(list, `${entries.join('\n')}\n`);
    await runFfmpeg(concatArgs(list, mp4), ffmpegPath);
  } finally {
    await Promise.all(temporary.map((file) => fs.rm(file, { force: true })));
  }
}

/** One part in the concat demuxer's list, trimmed to its video when it has any. */
export function concatEntry(file: string, video: { start: number; end: number } | undefined): string {
  const line = `file '${file.replaceAll("'", "'\\''")}'`;
  if (!video) return line;
  return `${line}\ninpoint ${video.start.toFixed(6)}\noutpoint ${video.end.toFixed(6)}`;
}
