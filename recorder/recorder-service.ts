// Records every live stream: starts a StreamRecording when a channel goes live, re-attaches it
// when the stream's room is rebuilt (worker death), and turns it into a VOD (playlist, MP4 and
// poster, and a Vod row) when the stream ends. FFmpeg never outlives its stream.
import path from 'node:path';
import type { Logger } from 'pino';
import type { Room } from '../sfu/room.ts';
import type { RoomRegistry } from '../sfu/room-registry.ts';
import type { ChannelRef } from '../signaling/channel-directory.ts';
import type { LiveStreams } from '../signaling/live-streams.ts';
import { posterArgs } from './ffmpeg-args.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import { remuxRunsToMp4 } from './mp4-remux.ts';
import { totalDurationSeconds } from './playlist.ts';
import { StreamRecording } from './stream-recording.ts';
import type { VodRepository } from './vod-repository.ts';

export interface RecorderOptions {
  recordingsDir: string;
  segmentSeconds: number;
  restartDelayMs: number;
  ffmpegPath: string;
}

export class RecorderService {
  readonly #rooms: RoomRegistry;
  readonly #live: LiveStreams;
  readonly #vods: VodRepository;
  readonly #options: RecorderOptions;
  readonly #logger: Logger;
  /** Recording in progress, by channel id. */
  readonly #recordings = new Map<string, { channel: ChannelRef; recording: StreamRecording }>();
  readonly #finishing = new Set<Promise<unknown>>();
  readonly #onStarted = (channel: ChannelRef, streamId: string) => this.#start(channel, streamId);
  readonly #onEnded = (channel: ChannelRef, streamId: string) => this.#track(this.#finish(channel, streamId));
  readonly #onRoom = (room: Room) => this.#recordings.get(room.id)?.recording.attach(room);

  constructor(rooms: RoomRegistry, live: LiveStreams, vods: VodRepository, options: RecorderOptions, logger: Logger) {
    this.#rooms = rooms;
    this.#live = live;
    this.#vods = vods;
    this.#options = options;
    this.#logger = logger.child({ component: 'recorder' });
    live.on('started', this.#onStarted);
    live.on('ended', this.#onEnded);
    rooms.on('room-created', this.#onRoom);
  }

  /** The recording of the channel's current stream, by slug (for the HLS routes). */
  recordingOf(slug: string): StreamRecording | undefined {
    for (const { channel, recording } of this.#recordings.values()) if (channel.slug === slug) return recording;
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
      { dir: this.vodDir(streamId), segmentSeconds: this.#options.segmentSeconds, restartDelayMs: this.#options.restartDelayMs, ffmpegPath: this.#options.ffmpegPath },
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
  }

  #track(promise: Promise<void>): void {
    const tracked = promise.catch((error: unknown) => this.#logger.error({ err: error }, 'could not finish a recording'));
    this.#finishing.add(tracked);
    void tracked.finally(() => this.#finishing.delete(tracked));
  }
}
