// Clips: the last N seconds of a live stream, or a range of a VOD, cut without re-encoding into an
// MP4 of their own with a poster. A clip never depends on its source's files afterwards, so VOD
// retention can't break it.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { PrismaClient } from '../common/db/database.ts';
import { AppError, BadRequestError, NotFoundError, UnavailableError } from '../common/errors.ts';
import { posterArgs } from './ffmpeg-args.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import { probeDuration } from './ffprobe.ts';
import { remuxRunsToMp4 } from './mp4-remux.ts';
import { segmentsBetween, totalDurationSeconds, type RunPlaylist } from './playlist.ts';
import type { RecorderService } from './recorder-service.ts';
import { readAllRuns } from './stream-recording.ts';

export const MAX_CLIP_SECONDS = 60;
export const MIN_CLIP_SECONDS = 1;
/** FFmpeg jobs at once; beyond that a request gets 503 and tries again. */
const MAX_CONCURRENT_CUTS = 2;

export interface ClipRow {
  id: string;
  channelId: string;
  streamId: string | null;
  vodId: string | null;
  title: string;
  startSeconds: number;
  durationSeconds: number;
  path: string;
  posterPath: string | null;
  createdAt: Date;
}

export class ClipMaker {
  readonly #prisma: PrismaClient;
  readonly #recorder: RecorderService;
  readonly #recordingsDir: string;
  readonly #ffmpegPath: string;
  readonly #logger: Logger;
  #running = 0;

  constructor(prisma: PrismaClient, recorder: RecorderService, options: { recordingsDir: string; ffmpegPath: string }, logger: Logger) {
    this.#prisma = prisma;
    this.#recorder = recorder;
    this.#recordingsDir = options.recordingsDir;
    this.#ffmpegPath = options.ffmpegPath;
    this.#logger = logger.child({ component: 'clips' });
  }

  /** The last `seconds` of the channel's live stream. */
  async fromLive(channelSlug: string, seconds: number, title: string): Promise<ClipRow> {
    validateLength(seconds);
    const channel = await this.#prisma.channel.findUnique({ where: { slug: channelSlug.toLowerCase() } });
    if (!channel) throw new NotFoundError('Channel', channelSlug);
    const recording = this.#recorder.recordingOf(channel.slug);
    if (!recording) throw new AppError(409, 'not_live', `Channel '${channel.slug}' is not live, so there is nothing to clip.`);
    return this.#cut(recording.dir, await recording.runs(), (total) => {
      if (total === 0) throw new AppError(409, 'not_live', 'The stream has not recorded anything yet; try again in a few seconds.');
      const duration = Math.min(seconds, total);
      return { start: total - duration, duration };
    }, { channelId: channel.id, streamId: recording.streamId, vodId: null, title: title || `Clip of ${channel.title || channel.slug}` });
  }

  /** `startSeconds` to `endSeconds` of a VOD. */
  async fromVod(vodId: string, startSeconds: number, endSeconds: number, title: string): Promise<ClipRow> {
    const vod = await this.#prisma.vod.findUnique({ where: { id: vodId }, include: { channel: true } });
    if (!vod) throw new NotFoundError('VOD', vodId);
    if (!(startSeconds >= 0 && endSeconds > startSeconds && endSeconds <= vod.durationSeconds + 0.5)) {
      throw new BadRequestError(`The range must lie within the VOD: 0 <= start < end <= ${vod.durationSeconds.toFixed(1)} seconds.`);
    }
    validateLength(endSeconds - startSeconds);
    const dir = path.dirname(path.join(this.#recordingsDir, vod.playlistPath));
    return this.#cut(dir, await readAllRuns(dir), () => ({ start: startSeconds, duration: endSeconds - startSeconds }), {
      channelId: vod.channelId,
      streamId: vod.streamId,
      vodId: vod.id,
      title: title || `Clip of ${vod.title || vod.channel.slug}`,
    });
  }

  /** Cuts the range `choose` picks (given the recording's length) out of `runs` in `dir`. */
  async #cut(
    dir: string,
    runs: RunPlaylist[],
    choose: (totalSeconds: number) => { start: number; duration: number },
    row: Pick<ClipRow, 'channelId' | 'streamId' | 'vodId' | 'title'>,
  ): Promise<ClipRow> {
    if (this.#running >= MAX_CONCURRENT_CUTS) throw new UnavailableError('Clips are being cut right now; try again in a moment.', 2);
    this.#running++;
    const id = randomUUID();
    const clipsDir = path.join(this.#recordingsDir, 'clips');
    const mp4 = path.join(clipsDir, `${id}.mp4`);
    const poster = path.join(clipsDir, `${id}.jpg`);
    try {
      const { start, duration } = choose(totalDurationSeconds(runs));
      const parts = segmentsBetween(runs, start, start + duration);
      if (parts.length === 0) throw new BadRequestError('That range holds no recorded video.');
      await fs.mkdir(clipsDir, { recursive: true });
      await remuxRunsToMp4(dir, parts, mp4, this.#ffmpegPath);
      const durationSeconds = await probeDuration(mp4, this.#ffmpegPath);
      const posterMade = await runFfmpeg(posterArgs(mp4, Math.min(1, durationSeconds / 2), poster), this.#ffmpegPath).then(
        () => true,
        (error: unknown) => {
          this.#logger.warn({ err: error, clip: id }, 'no poster for the clip');
          return false;
        },
      );
      const created = await this.#prisma.clip.create({
        data: {
          id,
          ...row,
          startSeconds: start,
          durationSeconds,
          path: path.relative(this.#recordingsDir, mp4),
          posterPath: posterMade ? path.relative(this.#recordingsDir, poster) : null,
        },
      });
      this.#logger.info({ clip: id, durationSeconds }, 'clip made');
      return created;
    } catch (error) {
      await Promise.all([fs.rm(mp4, { force: true }), fs.rm(poster, { force: true })]);
      throw error;
    } finally {
      this.#running--;
    }
  }
}

function validateLength(seconds: number): void {
  if (!Number.isFinite(seconds) || seconds < MIN_CLIP_SECONDS || seconds > MAX_CLIP_SECONDS) {
    throw new BadRequestError(`A clip is ${MIN_CLIP_SECONDS} to ${MAX_CLIP_SECONDS} seconds long.`);
  }
}
