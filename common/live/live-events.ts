// What the live state (signaling/live-state.ts) announces as streams start and end. Types only, in
// common/ so the planes that react (the recorder, follower notifications in the API) can listen
// without importing signaling.
import type { EventEmitter } from 'node:events';
import type { StreamStatus } from '../protocol/media-signaling.ts';
import type { ChannelRef } from './channel-directory.ts';

export interface LiveEvents {
  /** Something viewers should know changed: live, ended, viewer count. */
  status: [StreamStatus];
  /** The channel went live as a new Stream (the recorder starts, followers are told). */
  started: [channel: ChannelRef, streamId: string];
  /** The Stream is over (the recorder finishes its VOD). */
  ended: [channel: ChannelRef, streamId: string];
}

/** Something whose typed events can be listened to (an EventEmitter, without the right to emit). */
export type Subscribable<Events extends Record<keyof Events, unknown[]>> = Pick<
  EventEmitter<Events>,
  'on' | 'off' | 'once'
>;
