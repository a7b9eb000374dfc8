// Which channels are live and who publishes them. A channel goes live when its publisher's first
// producer arrives, and ends when the publisher says so or has been gone longer than the grace
// period (a network blip or a media worker restart must not end a stream). Viewer counts are
// written through to the database at most every `viewerWriteIntervalMs`.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { StreamStatus } from '../common/protocol/media-signaling.ts';
import type { ChannelDirectory, ChannelRef } from './channel-directory.ts';

export interface LiveStreamsOptions {
  endGraceMs: number;
  viewerWriteIntervalMs: number;
}

interface ChannelState {
  channel: ChannelRef;
  streamId: string | null;
  startedAt: Date | null;
  publisherSession: string | null;
  viewers: number;
  graceTimer: NodeJS.Timeout | undefined;
  viewerTimer: NodeJS.Timeout | undefined;
  /** The go-live write in flight: producers arriving together share it. */
  starting: Promise<void> | undefined;
  /** Serializes database writes for this channel (start before end, in order). */
  writes: Promise<unknown>;
}

export interface LiveStreamsEvents {
  /** Something viewers should know changed: live, ended, viewer count. */
  status: [StreamStatus];
  /** The channel went live as a new Stream (the recorder starts). */
  started: [channel: ChannelRef, streamId: string];
  /** The Stream is over (the recorder finishes its VOD). */
  ended: [channel: ChannelRef, streamId: string];
}

export class LiveStreams extends EventEmitter<LiveStreamsEvents> {
  readonly #directory: ChannelDirectory;
  readonly #options: LiveStreamsOptions;
  readonly #logger: Logger;
  readonly #channels = new Map<string, ChannelState>();

  constructor(directory: ChannelDirectory, options: LiveStreamsOptions, logger: Logger) {
    super();
    this.#directory = directory;
    this.#options = options;
    this.#logger = logger.child({ component: 'live-streams' });
  }

  status(channel: ChannelRef): StreamStatus {
    const state = this.#channels.get(channel.id);
    return {
      channel: channel.slug,
      live: Boolean(state?.streamId),
      streamId: state?.streamId ?? null,
      viewers: state?.viewers ?? 0,
      startedAt: state?.startedAt?.toISOString() ?? null,
    };
  }

  /** The session publishing the channel right now, if any. */
  publisherOf(channel: ChannelRef): string | null {
    return this.#channels.get(channel.id)?.publisherSession ?? null;
  }

  /**
   * Makes `sessionId` the channel's publisher, unless another session is. Synchronous on purpose:
   * two publishers joining at the same moment can't both pass. A session that returns within the
   * grace period resumes its stream.
   */
  claimPublisher(channel: ChannelRef, sessionId: string): boolean {
    const state = this.#state(channel);
    if (state.publisherSession !== null && state.publisherSession !== sessionId) return false;
    state.publisherSession = sessionId;
    clearTimeout(state.graceTimer);
    state.graceTimer = undefined;
    return true;
  }

  /** The publisher's media is flowing: the channel is live (a no-op if it already is). */
  mediaStarted(channel: ChannelRef): Promise<void> {
    const state = this.#state(channel);
    if (state.streamId) return Promise.resolve();
    state.starting ??= this.#write(state, () => this.#directory.streamStarted(channel))
      .then((started) => {
        if (!started) return;
        state.streamId = started.streamId;
        state.startedAt = started.startedAt;
        this.#logger.info({ channel: channel.slug, streamId: started.streamId }, 'stream is live');
        this.emit('status', this.status(channel));
        this.emit('started', channel, started.streamId);
      })
      .finally(() => {
        state.starting = undefined;
      });
    return state.starting;
  }

  /** The publisher left on purpose ("End stream"): end now. */
  publisherEnded(channel: ChannelRef, sessionId: string): Promise<void> {
    const state = this.#channels.get(channel.id);
    if (!state || state.publisherSession !== sessionId) return Promise.resolve();
    state.publisherSession = null;
    return this.#end(state);
  }

  /** The publisher vanished (disconnect, media restart): end only if it doesn't come back in time. */
  publisherLost(channel: ChannelRef, sessionId: string): void {
    const state = this.#channels.get(channel.id);
    if (!state || state.publisherSession !== sessionId) return;
    state.publisherSession = null;
    clearTimeout(state.graceTimer);
    state.graceTimer = setTimeout(() => void this.#end(state), this.#options.endGraceMs);
  }

  viewersChanged(channel: ChannelRef, viewers: number): void {
    const state = this.#state(channel);
    if (state.viewers === viewers) return;
    state.viewers = viewers;
    this.emit('status', this.status(channel));
    if (state.streamId && !state.viewerTimer) {
      // Coalesce bursts of joins into one write.
      state.viewerTimer = setTimeout(() => {
        state.viewerTimer = undefined;
        const streamId = state.streamId;
        if (streamId) void this.#write(state, () => this.#directory.viewersChanged(streamId, state.viewers));
      }, this.#options.viewerWriteIntervalMs);
    }
  }

  /** Ends every live stream (server shutdown) and waits for the writes. */
  async close(): Promise<void> {
    await Promise.all([...this.#channels.values()].map((state) => this.#end(state)));
  }

  async #end(state: ChannelState): Promise<void> {
    clearTimeout(state.graceTimer);
    clearTimeout(state.viewerTimer);
    state.graceTimer = undefined;
    state.viewerTimer = undefined;
    const streamId = state.streamId;
    if (!streamId) return;
    state.streamId = null;
    state.startedAt = null;
    const viewers = state.viewers;
    await this.#write(state, async () => {
      await this.#directory.viewersChanged(streamId, viewers);
      await this.#directory.streamEnded(streamId);
    });
    this.#logger.info({ channel: state.channel.slug, streamId }, 'stream ended');
    this.emit('status', this.status(state.channel));
    this.emit('ended', state.channel, streamId);
  }

  #state(channel: ChannelRef): ChannelState {
    let state = this.#channels.get(channel.id);
    if (!state) {
      state = {
        channel,
        streamId: null,
        startedAt: null,
        publisherSession: null,
        viewers: 0,
        graceTimer: undefined,
        viewerTimer: undefined,
        starting: undefined,
        writes: Promise.resolve(),
      };
      this.#channels.set(channel.id, state);
    }
    return state;
  }

  /** Runs a database write after the channel's previous ones; a failure is logged, not thrown. */
  #write<T>(state: ChannelState, write: () => Promise<T>): Promise<T | undefined> {
    const run = state.writes.then(write).catch((error: unknown) => {
      this.#logger.error({ err: error, channel: state.channel.slug }, 'could not record the stream state');
      return undefined;
    });
    state.writes = run;
    return run;
  }
}
