// Attendance as the media planes report it: signaling for WebRTC attendees and stage members, the
// recorder for HLS viewers. They say when an attendee's media reached them (again and again while
// it flows) and when they left; the API's AttendanceTracker (api/webinars/attendance-tracker.ts)
// turns that into stored stretches of presence. Media that stops without a goodbye (a frozen
// page, a lost network) ends the stretch once it has not been seen for a while.

export type AttendanceVia = 'webrtc' | 'hls' | 'stage';

export interface Presence {
  webinarId: string;
  /** The signed-in user or registrant; undefined for an anonymous viewer (counted, never named). */
  userId: string | undefined;
  /** The session this presence comes from (a socket, an HLS playback): one stretch each. */
  session: string;
  via: AttendanceVia;
}

export interface AttendanceLog {
  /** `presence`'s media reached them just now. */
  seen(presence: Presence): void;
  /** They left (the page closed, they stepped off the stage). */
  left(presence: Presence): void;
}
