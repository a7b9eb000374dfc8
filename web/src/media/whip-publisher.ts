// Going live from the studio over WHIP: the studio's sources (camera, microphone, screen, screen
// audio) mapped onto the one video and one audio track a WHIP session sends. A screen share takes
// the video's place, and the camera comes back when it stops.
import type { MediaSource } from '../../../common/protocol/media-signaling.ts';
import { Emitter, type Unsubscribe } from './emitter.ts';
import type { PublisherStatus } from './publisher.ts';
import type { PublisherStats } from './stats.ts';
import { WhipClient, type WhipStatus } from './whip-client.ts';

/** What the studio needs of a way to go live; the socket.io Publisher and WhipPublisher both are one. */
export interface LivePublisher {
  readonly status: PublisherStatus;
  on(event: 'status', listener: (status: PublisherStatus) => void): Unsubscribe;
  start(tracks: Partial<Record<MediaSource, MediaStreamTrack | null>>): Promise<void>;
  setTrack(source: MediaSource, track: MediaStreamTrack | null): Promise<void>;
  setPaused(source: MediaSource, paused: boolean): Promise<void>;
  stats(): Promise<PublisherStats | null>;
  stop(): Promise<void>;
}

export interface WhipPublisherOptions {
  streamKey: string;
  /** The WHIP endpoint; the page's own server by default. */
  endpoint?: string;
}

export class WhipPublisher extends Emitter<{ status: [status: PublisherStatus] }> implements LivePublisher {
  readonly #client: WhipClient;
  readonly #tracks = new Map<MediaSource, MediaStreamTrack>();
  #status: PublisherStatus = { phase: 'idle', channel: null, stream: null, error: null };

  constructor(options: WhipPublisherOptions) {
    super();
    this.#client = new WhipClient({ endpoint: options.endpoint ?? '/api/whip', token: options.streamKey });
    this.#client.on('status', (status) => this.#onStatus(status));
  }

  get status(): PublisherStatus {
    return this.#status;
  }

  start(tracks: Partial<Record<MediaSource, MediaStreamTrack | null>>): Promise<void> {
    for (const [source, track] of Object.entries(tracks) as [MediaSource, MediaStreamTrack | null][]) {
      if (track) this.#tracks.set(source, track);
    }
    const screen = this.#tracks.get('screen');
    return this.#client.start({
      video: this.#video(),
      videoSource: screen ? 'screen' : 'camera',
      audio: this.#audio(),
    });
  }

  async setTrack(source: MediaSource, track: MediaStreamTrack | null): Promise<void> {
    if (track) this.#tracks.set(source, track);
    else this.#tracks.delete(source);
    if (this.#status.phase === 'idle') return;
    await Promise.all([
      this.#client.replaceTrack('video', this.#video()),
      this.#client.replaceTrack('audio', this.#audio()),
    ]);
  }

  /**
   * WHIP has no pause. The capture store disables the track of a muted microphone or a camera
   * turned off, and a disabled track sends silence or black frames: viewers see the same.
   */
  setPaused(_source: MediaSource, _paused: boolean): Promise<void> {
    return Promise.resolve();
  }

  stats(): Promise<PublisherStats | null> {
    return this.#client.stats();
  }

  async stop(): Promise<void> {
    await this.#client.stop();
    this.removeAllListeners();
  }

  #video(): MediaStreamTrack | null {
    return this.#tracks.get('screen') ?? this.#tracks.get('camera') ?? null;
  }

  #audio(): MediaStreamTrack | null {
    return this.#tracks.get('microphone') ?? this.#tracks.get('screen-audio') ?? null;
  }

  #onStatus(status: WhipStatus): void {
    // WHIP answers say nothing of the channel or its viewers.
    this.#status = { phase: status.phase, channel: null, stream: null, error: status.error };
    this.emit('status', this.#status);
  }
}
