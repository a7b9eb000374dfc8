// Which live streams exist, who publishes them, and where their room is: the state every signaling
// node must agree on, behind two interfaces. One process holds it today (LiveStreams and the SFU's
// RoomRegistry are the local implementation, built by createLocalLiveState); the cluster implements
// the same interfaces over Redis, as LiveKit's local and Redis routers share one interface, and
// nothing that uses them changes.
import type { ChannelRef } from '../common/live/channel-directory.ts';
import type { LiveEvents, Subscribable } from '../common/live/live-events.ts';
import type { StreamStatus } from '../common/protocol/media-signaling.ts';
import type { Room } from '../sfu/room.ts';
import type { RoomRegistryEvents } from '../sfu/room-registry.ts';

/** Why a publishing session is let go: another session took the channel over, or the stream was ended. */
export type PublisherLetGo = 'taken-over' | 'ended';

/**
 * Live streams and their publisher claims. A channel has one publisher at a time; claiming is
 * atomic (of sessions claiming at the same moment exactly one holds the claim afterwards), and the
 * answers that decide who publishes are promises, because across nodes they are a round trip.
 */
export interface LiveRegistry extends Subscribable<LiveEvents> {
  /** What viewers are told of the channel's stream. */
  status(channel: ChannelRef): StreamStatus;
  /** The session publishing the channel right now, if any (not one that is gone and may come back). */
  publisherOf(channel: ChannelRef): string | null;
  /**
   * Makes `sessionId` the channel's publisher: true, or false when another present session keeps
   * it (PUBLISHER_TAKEOVER=refuse). A replaced session is told through the `onReplaced` it claimed
   * with. Throws ServerFullError past MAX_LIVE_STREAMS.
   */
  claimPublisher(channel: ChannelRef, sessionId: string, onReplaced?: (why: PublisherLetGo) => void): Promise<boolean>;
  /** Whether `sessionId` still holds the claim (setting up a publisher awaits and may be overtaken). */
  holdsPublisher(channel: ChannelRef, sessionId: string): Promise<boolean>;
  /** The publisher's media flows: the channel is live (a no-op if it already is). */
  mediaStarted(channel: ChannelRef): Promise<void>;
  /**
   * Ends the channel's live stream now, whoever publishes it ("End stream" pressed on another
   * device): its publishing session is let go through its `onReplaced('ended')`, in either takeover
   * mode. False when this node carries no live stream of the channel.
   */
  endStream(channel: ChannelRef): Promise<boolean>;
  /** The publisher left on purpose ("End stream"): the stream ends now. */
  publisherEnded(channel: ChannelRef, sessionId: string): Promise<void>;
  /** The publisher vanished: the stream ends unless it comes back within the grace period. */
  publisherLost(channel: ChannelRef, sessionId: string): void;
  /** The room's WebRTC viewers (socket.io and WHEP). */
  viewersChanged(channel: ChannelRef, viewers: number): void;
  /** The channel's HLS audience. */
  hlsViewersChanged(channel: ChannelRef, viewers: number): void;
  /** Ends every live stream this node holds (shutdown) and waits for the writes. */
  close(): Promise<void>;
}

/** Where a channel's room is. Creation is queued per channel, so two joins can't create it twice. */
export interface RoomPlacement extends Subscribable<RoomRegistryEvents> {
  getOrCreate(channelId: string): Promise<Room>;
  get(channelId: string): Room | undefined;
  /** The rooms on this node. */
  rooms(): Room[];
  /** Closes every room; safe to call twice. */
  close(): void;
}

export interface LiveState {
  readonly streams: LiveRegistry;
  readonly rooms: RoomPlacement;
}

/**
 * Closes the channel's room once nobody is in it, unless its publisher is on the way in: a session
 * that just took the channel over joins the room its predecessor leaves.
 */
export function closeIfUnused(room: Room, live: LiveRegistry, channel: ChannelRef): void {
  if (room.peers().length === 0 && live.publisherOf(channel) === null) room.close('empty');
}
