// Records every live stream: starts a StreamRecording when a channel goes live, re-attaches it
// when the stream's room is rebuilt (worker death), and turns it into a VOD (playlist, MP4 and
// poster, and a Vod row) when the stream ends, handing its files to the recording store (which
// uploads them when it is S3). FFmpeg never outlives its stream. A live webinar is recorded the
// same way from its own room, its whole stage composed into one picture (stage-composer.ts), as
// its channel's live HLS and, once it ends, a VOD of its channel.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Room } from '../sfu/room.ts';
import type { ChannelRef } from '../common/live/channel-directory.ts';
import type { VodCatalog } from '../common/recordings/catalog.ts';
import { posterArgs } from './ffmpeg-args.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import { remuxRunsToMp4 } from './mp4-remux.ts';
import { totalDurationSeconds } from './playlist.ts';
import type { RecordingStore } from './storage/index.ts';
import { listLocal } from './storage/local-store.ts';
import { StreamRecording } from './stream-recording.ts';
import type { LiveRegistry, RoomPlacement } from '../signaling/live-state.ts';
import { webinarRoomId } from '../signaling/webinar-stage.ts';
import type { RecordingPlanner } from './run-plan.ts';
import { stageComposer, type StageOf } from './stage-composer.ts';
import type { StageOverlays } from './stage-overlays.ts';

export interface RecorderOptions {
  recordingsDir: string;
  segmentSeconds: number;
  restartDelayMs: number;
  ffmpegPath: string;
  /** Lower HLS renditions for live viewers (renditions.ts); none by default. */
  renditions?: readonly number[];
}

/** What the recorder needs to record webinars: their stage, and a stream row for each VOD. */
export interface WebinarRecordingDeps {
  stageOf: StageOf;
  /**
   * Makes sure the stream row the webinar's VOD belongs to exists (a webinar is not its channel's
   * live stream while it runs, so the row is written once there is a recording of it).
   */
  ensureStream(webinarId: string, streamId: string): Promise<void>;
  /** The question a host pinned, drawn into the picture; none drawn without it. */
  overlays?: StageOverlays | undefined;
}

interface Recording {
  channel: ChannelRef;
  recording: StreamRecording;
  /** The webinar recorded, for a webinar's stage. */
  webinarId?: string;
}

export class RecorderService {
  readonly #rooms: RoomPlacement;
  readonly #live: LiveRegistry;
  readonly #vods: Pick<VodCatalog, 'create' | 'existsForStream'>;
  readonly #store: RecordingStore;
  readonly #options: RecorderOptions;
  readonly #logger: Logger;
  readonly #webinars: WebinarRecordingDeps | undefined;
  /** Recording in progress, by the id of the room it records (a channel's id, or a webinar's room). */
  readonly #recordings = new Map<string, Recording>();
  readonly #finishing = new Set<Promise<unknown>>();
  readonly #onStarted = (channel: ChannelRef, streamId: string) => this.#start(channel.id, { channel }, streamId);
  readonly #onEnded = (channel: ChannelRef, streamId: string) => this.#track(this.#finish(channel.id, streamId));
  readonly #onRoom = (room: Room) => this.#recordings.get(room.id)?.recording.attach(room);

  constructor(
    rooms: RoomPlacement,
    live: LiveRegistry,
    vods: Pick<VodCatalog, 'create' | 'existsForStream'>,
    store: RecordingStore,
    options: RecorderOptions,
    logger: Logger,
    webinars?: WebinarRecordingDeps,
  ) {
    this.#rooms = rooms;
    this.#live = live;
    this.#vods = vods;
    this.#store = store;
    this.#options = options;
    this.#logger = logger.child({ component: 'recorder' });
    this.#webinars = webinars;
    live.on('started', this.#onStarted);
    live.on('ended', this.#onEnded);
    rooms.on('room-created', this.#onRoom);
    // VODs whose upload failed last time (the store was unreachable) are still in the folder.
    if (store.kind !== 'local') this.#track(this.#keepLeftovers());
  }

  /**
   * The recording of the channel's current stream, by slug (for the HLS routes): its own live
   * stream's, or else its live webinar's.
   */
  recordingOf(slug: string): StreamRecording | undefined {
    return this.#entryOf(slug)?.recording;
  }

  /** The webinar whose stage the channel's live HLS is, by slug (its audience rule applies to it). */
  webinarOf(slug: string): string | undefined {
    return this.#entryOf(slug)?.webinarId;
  }

  /** The channel whose stream is being recorded, by slug (the HLS routes count its audience). */
  channelOf(slug: string): ChannelRef | undefined {
    return this.#entryOf(slug)?.channel;
  }

  #entryOf(slug: string): Recording | undefined {
    let webinar: Recording | undefined;
    for (const entry of this.#recordings.values()) {
      if (entry.channel.slug !== slug) continue;
      if (!entry.webinarId) return entry;
      webinar ??= entry;
    }
    return webinar;
  }

  /** A webinar went live: its stage is recorded, as `streamId`, until `endWebinar`. */
  recordWebinar(webinarId: string, channel: ChannelRef, streamId: string): void {
    if (!this.#webinars) throw new Error('This recorder was made without what recording webinars needs.');
    this.#start(
      webinarRoomId(webinarId),
      { channel, webinarId },
      streamId,
      stageComposer(this.#webinars.stageOf, this.#webinars.overlays),
    );
  }

  /** The webinar ended: its recording becomes a VOD. */
  endWebinar(webinarId: string): void {
    const entry = this.#recordings.get(webinarRoomId(webinarId));
    if (entry) this.#track(this.#finish(webinarRoomId(webinarId), entry.recording.streamId));
  }

  vodDir(streamId: string): string {
    return path.join(this.#options.recordingsDir, streamId);
  }

  /** Finishes every recording (their VODs are written) and stops listening. */
  async close(): Promise<void> {
    this.#live.off('started', this.#onStarted);
    this.#live.off('ended', this.#onEnded);
    this.#rooms.off('room-created', this.#onRoom);
    for (const [roomId, { recording }] of this.#recordings) this.#track(this.#finish(roomId, recording.streamId));
    await Promise.allSettled([...this.#finishing]);
  }

  #start(roomId: string, what: Omit<Recording, 'recording'>, streamId: string, planner?: RecordingPlanner): void {
    if (this.#recordings.has(roomId)) return;
    const recording = new StreamRecording(
      streamId,
      {
        dir: this.vodDir(streamId),
        segmentSeconds: this.#options.segmentSeconds,
        restartDelayMs: this.#options.restartDelayMs,
        ffmpegPath: this.#options.ffmpegPath,
        renditions: this.#options.renditions ?? [],
        ...(planner && { planner }),
      },
      this.#logger,
    );
    this.#recordings.set(roomId, { ...what, recording });
    const room = this.#rooms.get(roomId);
    if (room) recording.attach(room);
  }

  async #finish(roomId: string, streamId: string): Promise<void> {
    const entry = this.#recordings.get(roomId);
    if (!entry || entry.recording.streamId !== streamId) return;
    this.#recordings.delete(roomId);
    const { channel } = entry;
    const result = await entry.recording.finish();
    if (!result?.playlistPath) {
      this.#logger.warn({ channel: channel.slug, streamId }, 'stream ended before any segment was written; no VOD');
      return;
    }
    const dir = entry.recording.dir;
    const durationSeconds = totalDurationSeconds(result.runs);
    const mp4Path = path.join(dir, 'vod.mp4');
    const posterPath = path.join(dir, 'poster.jpg');
    const made = { mp4: false, poster: false };
    try {
      await remuxRunsToMp4(dir, result.runs, mp4Path, this.#options.ffmpegPath);
      made.mp4 = true;
      await runFfmpeg(posterArgs(mp4Path, Math.min(durationSeconds / 2, 5), posterPath), this.#options.ffmpegPath);
      made.poster = true;
    } catch (error) {
      // The HLS VOD stands without them (a stream of a few seconds may have no picture to remux).
      this.#logger.warn({ err: error, streamId }, 'could not make the VOD download or poster');
    }
    const relative = (file: string) => path.relative(this.#options.recordingsDir, file);
    if (entry.webinarId) await this.#webinars?.ensureStream(entry.webinarId, streamId);
    const vod = await this.#vods.create({
      channelId: channel.id,
      streamId,
      durationSeconds,
      playlistPath: relative(result.playlistPath),
      mp4Path: made.mp4 ? relative(mp4Path) : null,
      posterPath: made.poster ? relative(posterPath) : null,
    });
    this.#logger.info({ channel: channel.slug, streamId, vod: vod.id, durationSeconds }, 'vod ready');
    // After the row: the VOD is watchable at once, from the folder until its files are uploaded.
    await this.#keepFolder(streamId);
  }

  async #keepFolder(streamId: string): Promise<void> {
    const keys = (await listLocal(this.#options.recordingsDir, `${streamId}/`)).map((entry) => entry.key);
    try {
      await this.#store.keep(keys);
      if (this.#store.kind !== 'local') this.#logger.info({ streamId, files: keys.length }, 'vod stored');
    } catch (error) {
      // Nothing is lost: what did not upload is still in the folder and served from there.
      this.#logger.error(
        { err: error, streamId },
        'could not store the vod; it stays in the recordings folder and is stored at the next start',
      );
    }
  }

  /** Stream folders holding a finished VOD (one with a row) that are not in the store yet. */
  async #keepLeftovers(): Promise<void> {
    const entries = await fs.readdir(this.#options.recordingsDir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory() || this.#isRecording(entry.name)) continue;
      if (await this.#vods.existsForStream(entry.name)) await this.#keepFolder(entry.name);
    }
  }

  #isRecording(streamId: string): boolean {
    return [...this.#recordings.values()].some(({ recording }) => recording.streamId === streamId);
  }

  #track(promise: Promise<void>): void {
    const tracked = promise.catch((error: unknown) =>
      this.#logger.error({ err: error }, 'could not finish a recording'),
    );
    this.#finishing.add(tracked);
    void tracked.finally(() => this.#finishing.delete(tracked));
  }
}
