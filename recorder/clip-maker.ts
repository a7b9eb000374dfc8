// Clips: the last N seconds of a live stream, or a range of a VOD, cut without re-encoding into an
// MP4 of their own with a poster. A clip never depends on its source's files afterwards, so VOD
// retention can't break it. A VOD in S3 is cut from copies of just the segments the range needs;
// the clip is in the store before its row exists.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { PrismaClient } from '../common/db/database.ts';
import { AppError, BadRequestError, NotFoundError, UnavailableError } from '../common/errors.ts';
import { posterArgs, runPlaylistName } from './ffmpeg-args.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import { probeDuration } from './ffprobe.ts';
import { remuxRunsToMp4 } from './mp4-remux.ts';
import { parseRunPlaylist, segmentsBetween, totalDurationSeconds, type RunPlaylist } from './playlist.ts';
import type { RecorderService } from './recorder-service.ts';
import type { RecordingStore } from './storage/index.ts';

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
  readonly #store: RecordingStore;
  readonly #recordingsDir: string;
  readonly #ffmpegPath: string;
  readonly #logger: Logger;
  #running = 0;

  constructor(
    prisma: PrismaClient,
    recorder: RecorderService,
    store: RecordingStore,
    options: { recordingsDir: string; ffmpegPath: string },
    logger: Logger,
  ) {
    this.#prisma = prisma;
    this.#recorder = recorder;
    this.#store = store;
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
    if (!recording)
      throw new AppError(409, 'not_live', `Channel '${channel.slug}' is not live, so there is nothing to clip.`);
    const dir = recording.dir;
    return this.#cut(
      await recording.runs(),
      (parts, remux) => remux(dir, parts),
      (total) => {
        if (total === 0)
          throw new AppError(409, 'not_live', 'The stream has not recorded anything yet; try again in a few seconds.');
        const duration = Math.min(seconds, total);
        return { start: total - duration, duration };
      },
      {
        channelId: channel.id,
        streamId: recording.streamId,
        vodId: null,
        title: title || `Clip of ${channel.title || channel.slug}`,
      },
    );
  }

  /** `startSeconds` to `endSeconds` of a VOD. */
  async fromVod(vodId: string, startSeconds: number, endSeconds: number, title: string): Promise<ClipRow> {
    const vod = await this.#prisma.vod.findUnique({ where: { id: vodId }, include: { channel: true } });
    if (!vod) throw new NotFoundError('VOD', vodId);
    if (!(startSeconds >= 0 && endSeconds > startSeconds && endSeconds <= vod.durationSeconds + 0.5)) {
      throw new BadRequestError(
        `The range must lie within the VOD: 0 <= start < end <= ${vod.durationSeconds.toFixed(1)} seconds.`,
      );
    }
    validateLength(endSeconds - startSeconds);
    const folder = `${path.posix.dirname(vod.playlistPath)}/`;
    const fromStore = (parts: RunPlaylist[], remux: (dir: string, parts: RunPlaylist[]) => Promise<void>) => {
      const names = parts.flatMap((run) => [run.initUri, ...run.segments.map((segment) => segment.uri)]);
      return this.#store.withLocalFiles(folder, names, (dir) => remux(dir, parts));
    };
    return this.#cut(
      await this.#storedRuns(folder),
      fromStore,
      () => ({ start: startSeconds, duration: endSeconds - startSeconds }),
      {
        channelId: vod.channelId,
        streamId: vod.streamId,
        vodId: vod.id,
        title: title || `Clip of ${vod.title || vod.channel.slug}`,
      },
    );
  }

  /** The run playlists a finished recording left under `folder`, wherever the store keeps them. */
  async #storedRuns(folder: string): Promise<RunPlaylist[]> {
    const names = (await this.#store.list(folder)).map((entry) => entry.key.slice(folder.length));
    const count = Math.max(0, ...names.map((name) => Number(/^run-(\d+)\.m3u8$/.exec(name)?.[1] ?? 0)));
    const runs: RunPlaylist[] = [];
    for (let run = 1; run <= count; run++) {
      const text = await this.#store.readText(`${folder}${runPlaylistName(run)}`);
      if (text !== undefined) runs.push(parseRunPlaylist(run, text));
    }
    return runs;
  }

  /**
   * Cuts the range `choose` picks (given the recording's length) out of `runs`; `withSegments`
   * hands the chosen parts, with a folder holding their files, to the remux.
   */
  async #cut(
    runs: RunPlaylist[],
    withSegments: (parts: RunPlaylist[], remux: (dir: string, parts: RunPlaylist[]) => Promise<void>) => Promise<void>,
    choose: (totalSeconds: number) => { start: number; duration: number },
    row: Pick<ClipRow, 'channelId' | 'streamId' | 'vodId' | 'title'>,
  ): Promise<ClipRow> {
    if (this.#running >= MAX_CONCURRENT_CUTS)
      throw new UnavailableError('Clips are being cut right now; try again in a moment.', 2);
    this.#running++;
    const id = randomUUID();
    const keys = { mp4: `clips/${id}.mp4`, poster: `clips/${id}.jpg` };
    const mp4 = path.join(this.#recordingsDir, keys.mp4);
    const poster = path.join(this.#recordingsDir, keys.poster);
    try {
      const { start, duration } = choose(totalDurationSeconds(runs));
      const parts = segmentsBetween(runs, start, start + duration);
      if (parts.length === 0) throw new BadRequestError('That range holds no recorded video.');
      await fs.mkdir(path.dirname(mp4), { recursive: true });
      await withSegments(parts, (dir, chosen) => remuxRunsToMp4(dir, chosen, mp4, this.#ffmpegPath));
      const durationSeconds = await probeDuration(mp4, this.#ffmpegPath);
      const posterMade = await runFfmpeg(
        posterArgs(mp4, Math.min(1, durationSeconds / 2), poster),
        this.#ffmpegPath,
      ).then(
        () => true,
        (error: unknown) => {
          this.#logger.warn({ err: error, clip: id }, 'no poster for the clip');
          return false;
        },
      );
      await this.#store.keep(posterMade ? [keys.mp4, keys.poster] : [keys.mp4]).catch((error: unknown) => {
        this.#logger.error({ err: error, clip: id }, 'could not store the clip');
        throw new UnavailableError('The clip could not be stored right now; try again in a moment.', 5);
      });
      const created = await this.#prisma.clip.create({
        data: {
          id,
          ...row,
          startSeconds: start,
          durationSeconds,
          path: keys.mp4,
          posterPath: posterMade ? keys.poster : null,
        },
      });
      this.#logger.info({ clip: id, durationSeconds }, 'clip made');
      return created;
    } catch (error) {
      // No row, so no one can reach these files: remove them wherever they got to.
      await this.#store
        .delete([keys.mp4, keys.poster])
        .catch((cleanup: unknown) =>
          this.#logger.warn({ err: cleanup, clip: id }, 'could not remove the files of a failed clip'),
        );
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
