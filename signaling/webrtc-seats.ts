// WebRTC seats: how many viewers one stream takes over WebRTC before further viewers are sent to
// HLS, where a CDN serves any number. A channel's own setting wins over WEBRTC_SEATS_PER_STREAM;
// 0 (or none) means no limit but the machine's. Counted after joining, so two viewers arriving
// together can't both take the last seat.
import { UnavailableError } from '../common/errors.ts';
import type { Room } from '../sfu/room.ts';
import type { WatchedChannel } from '../common/live/channel-directory.ts';

/** How long a refused viewer should wait before asking again (a seat may free up). */
const RETRY_AFTER_SECONDS = 10;

export class SeatsTakenError extends UnavailableError {
  /** A full stream is the limit doing its job, not a failure. */
  override readonly routine = true;

  constructor(slug: string) {
    super(
      `Every WebRTC seat of '${slug}' is taken: watch it over HLS at /hls/${slug}/master.m3u8.`,
      RETRY_AFTER_SECONDS,
    );
  }
}

export function seatsOf(channel: WatchedChannel, defaultSeats: number): number {
  return channel.webrtcSeats ?? defaultSeats;
}

/** Throws SeatsTakenError when the room, counting a viewer who just joined, has more viewers than seats. */
export function assertSeatTaken(room: Room, channel: WatchedChannel, defaultSeats: number): void {
  const seats = seatsOf(channel, defaultSeats);
  if (seats > 0 && room.viewerCount() > seats) throw new SeatsTakenError(channel.slug);
}
