// What the media control plane (signaling/) needs from the platform, as an interface: the API
// implements it over the database (api/streams/stream-directory.ts), so signaling holds no SQL,
// neither plane imports the other, and tests drive signaling with the real implementation on PGlite.
export interface ChannelRef {
  id: string;
  slug: string;
}

/** What a socket.io connection's handshake says about its caller: their cookies, and which page opened it. */
export interface HandshakeCredentials {
  cookie: string | undefined;
  origin: string | undefined;
  host: string | undefined;
}

/** A channel as a publisher (a WHIP encoder) sends to it: a DJ channel's music bitrate, if it is one. */
export interface PublishingChannel extends ChannelRef {
  /** DJ mode's Opus bitrate in kbit/s; null for a channel in the default mode. */
  musicKbps: number | null;
}

/** A channel as a viewer joins it: with its own WebRTC seat count, if it set one. */
export interface WatchedChannel extends ChannelRef {
  webrtcSeats: number | null;
}

/** How a viewer may prove access to a private channel. */
export interface ViewerCredentials {
  /** The caller's cookies and page (a socket.io handshake, or the HTTP request of a WHEP offer). */
  handshake: HandshakeCredentials;
  /** A viewer token presented explicitly (a WHEP bearer token, a join request's viewerToken). */
  token?: string | undefined;
}

/**
 * Which viewers to ask again whether they may still watch, after access narrowed somewhere: a
 * viewer is the channel it watches and the cookies it joined with. Built from what narrowed (a
 * channel's rules, or sessions that ended) by api/viewer-access/access-changes.ts.
 */
export type RecheckFilter = (viewer: { channelId: string; cookie: string | undefined }) => boolean;

export interface ChannelDirectory {
  /** The channel an active stream key publishes to; undefined for an unknown or revoked key. */
  channelForStreamKey(key: string): Promise<PublishingChannel | undefined>;
  /**
   * The channel `slug`, if the handshake carries the session of a user who may publish to it (its
   * owner, or an admin) and comes from one of our own pages (Origin); undefined otherwise,
   * whatever the reason, so a refusal tells nothing about which check failed.
   */
  channelForPublisherSession(handshake: HandshakeCredentials, slug: string): Promise<ChannelRef | undefined>;
  /**
   * The channel `slug` if the caller may watch it; 'private' for a private channel they may not
   * watch; undefined when there is no such channel. A private channel lets in its team (by the
   * session cookie) and holders of a viewer token (`token`, or the channel's access cookie); cookies
   * count only from our own pages (Origin), as for publishers.
   */
  channelToWatch(slug: string, viewer: ViewerCredentials): Promise<WatchedChannel | 'private' | undefined>;
  /** Records that the channel went live; returns the new Stream's id. */
  streamStarted(channel: ChannelRef): Promise<{ streamId: string; startedAt: Date }>;
  streamEnded(streamId: string): Promise<void>;
  /** Current viewers; the implementation keeps the peak. */
  viewersChanged(streamId: string, viewers: number): Promise<void>;
}
