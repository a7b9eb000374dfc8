// Which channels are live and who publishes them. A channel goes live when its publisher's first
// producer arrives, and ends when the publisher says so or has been gone longer than the grace
// period (a network blip or a media worker restart must not end a stream). Viewer counts are
// written through to the database at most every `viewerWriteIntervalMs`. A channel has one
// publisher at a time; a second one is refused or takes over (`publisherTakeover`).
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { ConflictError, UnavailableError } from '../common/errors.ts';
import type { StreamStatus } from '../common/protocol/media-signaling.ts';
import type { ChannelDirectory, ChannelRef } from '../common/live/channel-directory.ts';
import type { LiveEvents } from '../common/live/live-events.ts';
import type { LiveRegistry, PublisherLetGo } from './live-state.ts';

/** What a second publisher of a live channel gets: a refusal, or the channel (the first one is ended). */
export type PublisherTakeover = 'refuse' | 'replace';

export interface LiveStreamsOptions {
  endGraceMs: number;
  viewerWriteIntervalMs: number;
  /** PUBLISHER_TAKEOVER, passed by the platform; absent means 'refuse'. */
  publisherTakeover?: PublisherTakeover;
  /** MAX_LIVE_STREAMS: channels live (or going live) at once on this server; 0 or absent: no limit. */
  maxLiveStreams?: number;
}

/** 503 for a publisher of one more channel than the server takes (MAX_LIVE_STREAMS). */
export class ServerFullError extends UnavailableError {
  /** The limit doing its job: LiveStreams logs it as a warning, not as a failure. */
  override readonly routine = true;

  constructor(max: number) {
    super(
      `This server carries at most ${max} live stream${max === 1 ? '' : 's'}, and every place is taken; try again in a minute.`,
      60,
    );
  }
}

/** The session that holds a channel's publisher claim. */
interface Publisher {
  sessionId: string;
  /** False while it is gone and its grace period runs: another session may take its place. */
  present: boolean;
  /** Ends the session when another one takes the channel; its stream goes on. */
  onReplaced: ((why: PublisherLetGo) => void) | undefined;
}

interface ChannelState {
  channel: ChannelRef;
  streamId: string | null;
  startedAt: Date | null;
  publisher: Publisher | null;
  /** Everyone watching: WebRTC (the room's viewers, socket.io and WHEP) plus HLS. */
  viewers: number;
  webrtcViewers: number;
  hlsViewers: number;
  graceTimer: NodeJS.Timeout | undefined;
  viewerTimer: NodeJS.Timeout | undefined;
  /** The go-live write in flight: producers arriving together share it. */
  starting: Promise<void> | undefined;
  /** Serializes database writes for this channel (start before end, in order). */
  writes: Promise<unknown>;
}

/** 409 for a second publisher: a refusal (PUBLISHER_TAKEOVER=refuse), or overtaken while starting. */
export class AlreadyLiveError extends ConflictError {
  constructor(channel: ChannelRef, why: 'refused' | 'overtaken') {
    super(
      'already_live',
      why === 'refused'
        ? `Channel '${channel.slug}' is already being published from another session. End that session, or ` +
            'wait until the server notices it is gone (up to 20 s after it vanished). To let the newest publisher ' +
            'take over instead, start the server with PUBLISHER_TAKEOVER=replace.'
        : `Another session took over publishing channel '${channel.slug}' while this one was starting.`,
    );
  }
}

/** The in-process LiveRegistry: one node's streams, held in memory. */
export class LiveStreams extends EventEmitter<LiveEvents> implements LiveRegistry {
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

  /** The session publishing the channel right now, if any (not one that is gone and may come back). */
  publisherOf(channel: ChannelRef): string | null {
    const publisher = this.#channels.get(channel.id)?.publisher;
    return publisher?.present ? publisher.sessionId : null;
  }

  /** Whether `sessionId` still holds the claim: setting up a publisher awaits, and may be overtaken meanwhile. */
  holdsPublisher(channel: ChannelRef, sessionId: string): Promise<boolean> {
    return Promise.resolve(this.#channels.get(channel.id)?.publisher?.sessionId === sessionId);
  }

  /**
   * Makes `sessionId` the channel's publisher. The decision is synchronous (#claim): of publishers
   * joining at the same moment, exactly one holds the claim afterwards. Another session that is present is
   * refused (false) or, with `publisherTakeover: 'replace'`, told to end through its `onReplaced`;
   * one that is gone (in its grace period) is always told to end, so it can't come back beside the
   * new one. Either way a stream that is live goes on as the same stream: no new Stream row, no
   * second go-live notification. A session claiming again (a WHIP client whose media resumed)
   * keeps its `onReplaced` unless it gives a new one.
   */
  claimPublisher(channel: ChannelRef, sessionId: string, onReplaced?: (why: PublisherLetGo) => void): Promise<boolean> {
    try {
      return Promise.resolve(this.#claim(channel, sessionId, onReplaced));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Synchronous on purpose: nothing can run between the check and the claim. */
  #claim(channel: ChannelRef, sessionId: string, onReplaced?: (why: PublisherLetGo) => void): boolean {
    this.#assertRoomFor(channel);
    const state = this.#state(channel);
    const previous = state.publisher;
    const same = previous?.sessionId === sessionId ? previous : null;
    const other = same ? null : previous;
    if (other?.present && this.#options.publisherTakeover !== 'replace') return false;
    state.publisher = { sessionId, present: true, onReplaced: onReplaced ?? same?.onReplaced };
    clearTimeout(state.graceTimer);
    state.graceTimer = undefined;
    // After the claim moved, so whatever the old session does on its way out can't touch it.
    if (other) this.#replace(state, other, sessionId);
    return true;
  }

  /**
   * Throws ServerFullError when `channel` would be one live stream more than MAX_LIVE_STREAMS. A
   * channel already live or going live (a takeover, an encoder reconnecting) always has its place.
   */
  #assertRoomFor(channel: ChannelRef): void {
    const max = this.#options.maxLiveStreams ?? 0;
    if (max <= 0) return;
    const taken = (state: ChannelState) => state.streamId !== null || state.publisher?.present === true;
    const own = this.#channels.get(channel.id);
    if (own && taken(own)) return;
    let live = 0;
    for (const state of this.#channels.values()) if (taken(state)) live++;
    if (live >= max) {
      this.#logger.warn({ channel: channel.slug, live, max }, 'publisher refused: MAX_LIVE_STREAMS reached');
      throw new ServerFullError(max);
    }
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

  /** "End stream" from elsewhere: the publisher, present or in its grace period, is let go and the stream ends now. */
  endStream(channel: ChannelRef): Promise<boolean> {
    const state = this.#channels.get(channel.id);
    if (!state?.streamId) return Promise.resolve(false);
    const old = state.publisher;
    state.publisher = null;
    if (old) this.#letGo(state, old, 'ended');
    return this.#end(state).then(() => true);
  }

  /** The publisher left on purpose ("End stream"): end now. */
  publisherEnded(channel: ChannelRef, sessionId: string): Promise<void> {
    const state = this.#channels.get(channel.id);
    if (state?.publisher?.sessionId !== sessionId) return Promise.resolve();
    state.publisher = null;
    return this.#end(state);
  }

  /** The publisher vanished (disconnect, media restart): end only if it doesn't come back in time. */
  publisherLost(channel: ChannelRef, sessionId: string): void {
    const state = this.#channels.get(channel.id);
    if (!state?.publisher?.present || state.publisher.sessionId !== sessionId) return;
    state.publisher.present = false;
    clearTimeout(state.graceTimer);
    state.graceTimer = setTimeout(() => void this.#end(state), this.#options.endGraceMs);
  }

  /** The room's viewer count changed (socket.io and WHEP viewers). */
  viewersChanged(channel: ChannelRef, viewers: number): void {
    const state = this.#state(channel);
    state.webrtcViewers = viewers;
    this.#viewersUpdated(state);
  }

  /** The channel's HLS audience changed (recorder/hls-audience.ts). */
  hlsViewersChanged(channel: ChannelRef, viewers: number): void {
    const state = this.#state(channel);
    state.hlsViewers = viewers;
    this.#viewersUpdated(state);
  }

  #viewersUpdated(state: ChannelState): void {
    const { channel } = state;
    const viewers = state.webrtcViewers + state.hlsViewers;
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

  #replace(state: ChannelState, old: Publisher, by: string): void {
    const taken = old.present ? 'publisher taken over by a new session' : 'lost publisher superseded by a new session';
    this.#logger.info({ channel: state.channel.slug, streamId: state.streamId, old: old.sessionId, new: by }, taken);
    this.#letGo(state, old, 'taken-over');
  }

  #letGo(state: ChannelState, old: Publisher, why: PublisherLetGo): void {
    try {
      old.onReplaced?.(why);
    } catch (error) {
      this.#logger.error(
        { err: error, channel: state.channel.slug, session: old.sessionId },
        'the replaced publisher failed to end',
      );
    }
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
        publisher: null,
        viewers: 0,
        webrtcViewers: 0,
        hlsViewers: 0,
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
