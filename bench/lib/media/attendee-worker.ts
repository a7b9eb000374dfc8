// An attendee process of the webinar-attendees-per-core benchmark (load-worker.ts): hosts many
// werift attendees of a webinar for the parent's LoadPool (load-pool.ts, attendeeLoad).
import { serveLoad } from './load-worker.ts';
import { WeriftAttendee, type AttendeeOptions, type AttendeeWindow } from './werift-attendee.ts';

/** How the benchmark asks for attendees: everything an attendee needs but the STUN server, which is this process's own. */
export type AttendeeJoin = Omit<AttendeeOptions, 'stunUrl'>;

await serveLoad<AttendeeJoin, AttendeeWindow>('attendee-worker', (join, stunUrl) =>
  WeriftAttendee.join({ serverUrl: join.serverUrl, webinar: join.webinar, timeoutMs: join.timeoutMs, stunUrl }),
);
