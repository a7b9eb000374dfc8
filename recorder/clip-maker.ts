// Clips: the last N seconds of a live stream, or a range of a VOD, cut without re-encoding into an
// MP4 of their own with a poster. A clip never depends on its source's files afterwards, so VOD
// retention can't break it. A VOD in S3 is cut from copies of just the segments the range needs;
// the clip is in the store before its row exists. The row is the API's (api/clips): the caller's
// `save` writes it, and a clip whose row could not be written has its files removed.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { AppError, BadRequestError, UnavailableError } from '../common/errors.ts';
import { MAX_CLIP_SECONDS, MIN_CLIP_SECONDS } from '../common/protocol/rest/clips.ts';
import { posterArgs, runPlaylistName } from './ffmpeg-args.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import { probeDuration } from './ffprobe.ts';
import { remuxRunsToMp4 } from './mp4-remux.ts';
import { parseRunPlaylist, segmentsBetween, totalDurationSeconds, type RunPlaylist } from './playlist.ts';
import type { RecorderService } from './recorder-service.ts';
import type { RecordingStore } from './storage/index.ts';

/** FFmpeg jobs at once; beyond that a request gets 503 and tries again. */
const MAX_CONCURRENT_CUTS = 2;

/** A clip cut and stored, handed to `save` before anyone can reach it. Paths are store keys. */
export interface CutClip {
  id: string;
  startSeconds: number;
  durationSeconds: number;
  path: string;
  posterPath: string | null;
}

export class ClipMaker {
  readonly #recorder: RecorderService;
  readonly #store: RecordingStore;
  readonly #recordingsDir: string;
  readonly #ffmpegPath: string;
  readonly #logger: Logger;
  #running = 0;

  constructor(
    recorder: RecorderService,
    store: RecordingStore,
    options: { recordingsDir: string; ffmpegPath: string },
    logger: Logger,
  ) {
    this.#recorder = recorder;
    this.#store = store;
    this.#recordingsDir = options.recordingsDir;
    this.#ffmpegPath = options.ffmpegPath;
    this.#logger = logger.child({ component: 'clips' });
  }

  /** The last `seconds` of the channel's live stream. */
  async fromLive<T>(
    channelSlug: string,
    seconds: number,
    save: (cut: CutClip & { streamId: string }) => Promise<T>,
  ): Promise<T> {
    validateLength(seconds);
    const recording = this.#recorder.recordingOf(channelSlug);
    if (!recording)
      throw new AppError(409, 'not_live', `Channel '${channelSlug}' is not live, so there is nothing to clip.`);
    const { dir, streamId } = recording;
    return this.#cut(
      await recording.runs(),
      (parts, remux) => remux(dir, parts),
      (total) => {
        if (total === 0)
          throw new AppError(409, 'not_live', 'The stream has not recorded anything yet; try again in a few seconds.');
        const duration = Math.min(seconds, total);
        return { start: total - duration, duration };
      },
      (cut) => save({ ...cut, streamId }),
    );
  }

  /** `startSeconds` to `endSeconds` of the VOD whose playlist is at `playlistPath` (a store key). */
  async fromVod<T>(
    playlistPath: string,
    startSeconds: number,
    endSeconds: number,
    save: (cut: CutClip) => Promise<T>,
  ): Promise<T> {
    validateLength(endSeconds - startSeconds);
    const folder = `${path.posix.dirname(playlistPath)}/`;
    const fromStore = (parts: RunPlaylist[], remux: (dir: string, parts: RunPlaylist[]) => Promise<void>) => {
      const names = parts.flatMap((run) => [run.initUri, ...run.segments.map((segment) => segment.uri)]);
      return this.#store.withLocalFiles(folder, names, (dir) => remux(dir, parts));
    };
    return this.#cut(
      await this.#storedRuns(folder),
      fromStore,
      () => ({ start: startSeconds, duration: endSeconds - startSeconds }),
      save,
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
   * hands the chosen parts, with a folder holding their files, to the remux. `save` makes the
   * stored files a clip (its row).
   */
  async #cut<T>(
    runs: RunPlaylist[],
    withSegments: (parts: RunPlaylist[], remux: (dir: string, parts: RunPlaylist[]) => Promise<void>) => Promise<void>,
    choose: (totalSeconds: number) => { start: number; duration: number },
    save: (cut: CutClip) => Promise<T>,
  ): Promise<T> {
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
      const created = await save({
        id,
        startSeconds: start,
        durationSeconds,
        path: keys.mp4,
        posterPath: posterMade ? keys.poster : null,
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
