// What the media control plane needs to know about a webinar's stage, as an interface the API
// implements over the database (api/webinars/webinar-stage-directory.ts): who the caller is to a
// webinar, and so whether they may publish into its room. Asked at join and again before every
// produce, so moving someone off the stage takes effect whatever their client does.
import type { StageRole } from '../protocol/media-signaling.ts';
import type { ChannelRef, ViewerCredentials } from './channel-directory.ts';

export type { StageRole };

export interface StageSeat {
  webinarId: string;
  /** The webinar's channel (its privacy rules apply). */
  channel: ChannelRef;
  state: 'scheduled' | 'backstage' | 'live' | 'ended';
  role: StageRole;
  /** May publish now: a host, co-host or panelist on stage, while the webinar has not ended. */
  onStage: boolean;
  /** Who they are, for the names on the stage's tiles; undefined for a signed-out attendee. */
  userId: string | undefined;
  name: string;
}

/** Why a caller gets no seat at all. */
export type SeatRefusal = 'not_found' | 'private' | 'sign_in' | 'registration_required';

export interface WebinarStageDirectory {
  /** The caller's seat at the webinar (the best their session allows), or why they have none. */
  seatAt(webinarId: string, caller: ViewerCredentials): Promise<StageSeat | SeatRefusal>;
}

/** Which joined sessions to ask again after a webinar's stage changed (someone moved, the webinar ended). */
export interface StageChange {
  webinarId: string;
  /** Only this member's sessions; all of the webinar's when absent. */
  userId?: string | undefined;
}
