// Records every live stream: starts a StreamRecording when a channel goes live, re-attaches it
// when the stream's room is rebuilt (worker death), and turns it into a VOD (playlist, MP4 and
// poster, and a Vod row) when the stream ends, handing its files to the recording store (which
// uploads them when it is S3). FFmpeg never outlives its stream.
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

export interface RecorderOptions {
  recordingsDir: string;
  segmentSeconds: number;
  restartDelayMs: number;
  ffmpegPath: string;
  /** Lower HLS renditions for live viewers (renditions.ts); none by default. */
  renditions?: readonly number[];
}

export class RecorderService {
  readonly #rooms: RoomPlacement;
  readonly #live: LiveRegistry;
  readonly #vods: Pick<VodCatalog, 'create' | 'existsForStream'>;
  readonly #store: RecordingStore;
  readonly #options: RecorderOptions;
  readonly #logger: Logger;
  /** Recording in progress, by channel id. */
  readonly #recordings = new Map<string, { channel: ChannelRef; recording: StreamRecording }>();
  readonly #finishing = new Set<Promise<unknown>>();
  readonly #onStarted = (channel: ChannelRef, streamId: string) => this.#start(channel, streamId);
  readonly #onEnded = (channel: ChannelRef, streamId: string) => this.#track(this.#finish(channel, streamId));
  readonly #onRoom = (room: Room) => this.#recordings.get(room.id)?.recording.attach(room);

  constructor(
    rooms: RoomPlacement,
    live: LiveRegistry,
    vods: Pick<VodCatalog, 'create' | 'existsForStream'>,
    store: RecordingStore,
    options: RecorderOptions,
    logger: Logger,
  ) {
    this.#rooms = rooms;
    this.#live = live;
    this.#vods = vods;
    this.#store = store;
    this.#options = options;
    this.#logger = logger.child({ component: 'recorder' });
    live.on('started', this.#onStarted);
    live.on('ended', this.#onEnded);
    rooms.on('room-created', this.#onRoom);
    // VODs whose upload failed last time (the store was unreachable) are still in the folder.
    if (store.kind !== 'local') this.#track(this.#keepLeftovers());
  }

  /** The recording of the channel's current stream, by slug (for the HLS routes). */
  recordingOf(slug: string): StreamRecording | undefined {
    for (const { channel, recording } of this.#recordings.values()) if (channel.slug === slug) return recording;
    return undefined;
  }

  /** The channel whose stream is being recorded, by slug (the HLS routes count its audience). */
  channelOf(slug: string): ChannelRef | undefined {
    for (const { channel } of this.#recordings.values()) if (channel.slug === slug) return channel;
    return undefined;
  }

  vodDir(streamId: string): string {
    return path.join(this.#options.recordingsDir, streamId);
  }

  /** Finishes every recording (their VODs are written) and stops listening. */
  async close(): Promise<void> {
    this.#live.off('started', this.#onStarted);
    this.#live.off('ended', this.#onEnded);
    this.#rooms.off('room-created', this.#onRoom);
    for (const [, { channel, recording }] of this.#recordings) this.#track(this.#finish(channel, recording.streamId));
    await Promise.allSettled([...this.#finishing]);
  }

  #start(channel: ChannelRef, streamId: string): void {
    if (this.#recordings.has(channel.id)) return;
    const recording = new StreamRecording(
      streamId,
      {
        dir: this.vodDir(streamId),
        segmentSeconds: this.#options.segmentSeconds,
        restartDelayMs: this.#options.restartDelayMs,
        ffmpegPath: this.#options.ffmpegPath,
        renditions: this.#options.renditions ?? [],
      },
      this.#logger,
    );
    this.#recordings.set(channel.id, { channel, recording });
    const room = this.#rooms.get(channel.id);
    if (room) recording.attach(room);
  }

  async #finish(channel: ChannelRef, streamId: string): Promise<void> {
    const entry = this.#recordings.get(channel.id);
    if (!entry || entry.recording.streamId !== streamId) return;
    this.#recordings.delete(channel.id);
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
