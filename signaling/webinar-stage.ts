// The rules of a webinar's room that signaling applies: its room is its own (not its channel's),
// a seat refusal becomes the error a client can act on, and the stage holds a limited number of
// publishers (WEBINAR_MAX_STAGE) so every attendee's downlink stays bounded.
import { AppError, ConflictError, NotFoundError, PrivateChannelError, UnauthorizedError } from '../common/errors.ts';
import type { SeatRefusal, StageSeat } from '../common/live/webinar-stage.ts';
import type { StagePlace } from '../common/protocol/media-signaling.ts';
import type { Room } from '../sfu/room.ts';

/** A webinar's room in the registry; channel rooms are keyed by channel id, which never starts so. */
export function webinarRoomId(webinarId: string): string {
  return `webinar:${webinarId}`;
}

export function seatOrThrow(seat: StageSeat | SeatRefusal, webinarId: string): StageSeat {
  switch (seat) {
    case 'not_found':
      throw new NotFoundError('Webinar', webinarId);
    case 'private':
      throw new PrivateChannelError('this webinar’s channel');
    case 'sign_in':
      throw new UnauthorizedError('Sign in to attend this webinar.');
    case 'registration_required':
      throw new AppError(403, 'registration_required', 'This webinar is for registered attendees only.');
    default:
      return seat;
  }
}

export function stagePlace(seat: StageSeat): StagePlace {
  return { webinarId: seat.webinarId, role: seat.role, onStage: seat.onStage };
}

/** Throws 409 stage_full when `maxStage` members already publish-join the room. */
export function assertStageHasRoom(room: Room, maxStage: number): void {
  const onStage = room.peers().filter((peer) => peer.role === 'publisher').length;
  if (onStage >= maxStage)
    throw new ConflictError('stage_full', `The stage holds ${maxStage} people at once; someone must leave it first.`);
}
