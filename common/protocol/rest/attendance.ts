// A webinar's attendance report, its certificate policy, and certificates of attendance as the
// API answers them. Times are UTC (ISO 8601); durations in seconds.
import { Type, type Static } from 'typebox';
import { DateTime, Nullable, Uuid } from './schema.ts';

export const AttendanceVia = Type.Union([Type.Literal('webrtc'), Type.Literal('hls'), Type.Literal('stage')], {
  description: 'webrtc: watched the stage live; hls: watched the composed stream; stage: was on the stage.',
});
export type AttendanceVia = Static<typeof AttendanceVia>;

export const AttendeeRole = Type.Union([
  Type.Literal('host'),
  Type.Literal('cohost'),
  Type.Literal('panelist'),
  Type.Literal('attendee'),
]);
export type AttendeeRole = Static<typeof AttendeeRole>;

/** A count of what someone did in the webinar; null where the platform does not count it (yet). */
const Participation = Nullable(Type.Integer({ minimum: 0 }));

export const CertificateRef = Type.Object({ number: Type.String(), revoked: Type.Boolean() });
export type CertificateRef = Static<typeof CertificateRef>;

export const Attendee = Type.Object({
  userId: Uuid,
  username: Type.String(),
  name: Type.String(),
  role: AttendeeRole,
  /** An approved registrant. */
  registered: Type.Boolean(),
  firstJoinedAt: DateTime,
  /** Null while they are still there. */
  lastLeftAt: Nullable(DateTime),
  attendedSeconds: Type.Integer({ minimum: 0 }),
  /** attendedSeconds as a share of the webinar's live time, 0-100. */
  sharePercent: Type.Number({ minimum: 0, maximum: 100 }),
  stageSeconds: Type.Integer({ minimum: 0 }),
  via: Type.Array(AttendanceVia),
  questions: Participation,
  votes: Participation,
  pollAnswers: Participation,
  certificate: Nullable(CertificateRef),
});
export type Attendee = Static<typeof Attendee>;

export const TimelinePoint = Type.Object({ at: DateTime, attendees: Type.Integer({ minimum: 0 }) });
export type TimelinePoint = Static<typeof TimelinePoint>;

export const CERTIFICATE_THRESHOLD_DEFAULT = 80;

export const CertificatePolicy = Type.Object(
  {
    // One type list, not a union: Ajv's type coercion would read a 0 as the null branch.
    thresholdPercent: Type.Unsafe<number | null>({
      type: ['integer', 'null'],
      minimum: 1,
      maximum: 100,
      description: 'Attendees at or above this share of the live time get a certificate; null: no certificates.',
    }),
  },
  { additionalProperties: false },
);
export type CertificatePolicy = Static<typeof CertificatePolicy>;

export const AttendanceReport = Type.Object({
  webinarId: Uuid,
  title: Type.String(),
  state: Type.String(),
  startedAt: Nullable(DateTime),
  endedAt: Nullable(DateTime),
  liveSeconds: Type.Integer({ minimum: 0 }),
  /** Approved registrants (0 when the webinar takes no registrations). */
  registrants: Type.Integer({ minimum: 0 }),
  /** Named attendees, the host and co-hosts left out. */
  attended: Type.Integer({ minimum: 0 }),
  /** Approved registrants who never attended. */
  noShows: Type.Integer({ minimum: 0 }),
  /** Viewers of an 'anyone' webinar who were not signed in: in the timeline, never named. */
  anonymousViewers: Type.Integer({ minimum: 0 }),
  peakAttendees: Type.Integer({ minimum: 0 }),
  timeline: Type.Array(TimelinePoint),
  attendees: Type.Array(Attendee),
  /** Whether questions, votes and poll answers are counted yet (false: those columns are null). */
  participationCounted: Type.Boolean(),
  certificates: Type.Object({ thresholdPercent: Nullable(Type.Integer()), issued: Type.Integer({ minimum: 0 }) }),
});
export type AttendanceReport = Static<typeof AttendanceReport>;

export const CertificateStatus = Type.Union([Type.Literal('genuine'), Type.Literal('revoked')]);
export type CertificateStatus = Static<typeof CertificateStatus>;

/** What the public verification page shows of a certificate. */
export const CertificateVerification = Type.Object({
  /** As printed: groups of three. */
  number: Type.String(),
  status: CertificateStatus,
  attendeeName: Type.String(),
  webinarTitle: Type.String(),
  hostName: Type.String(),
  webinarDate: DateTime,
  attendedSeconds: Type.Integer({ minimum: 0 }),
  liveSeconds: Type.Integer({ minimum: 0 }),
  issuedAt: DateTime,
  revokedAt: Nullable(DateTime),
});
export type CertificateVerification = Static<typeof CertificateVerification>;

/** A certificate as its holder (and the webinar's hosts) see it, with its PDF. */
export const Certificate = Type.Object({
  ...CertificateVerification.properties,
  webinarId: Uuid,
  pdfUrl: Type.String(),
  verifyUrl: Type.String(),
});
export type Certificate = Static<typeof Certificate>;

export const CertificateList = Type.Object({ items: Type.Array(Certificate) });
export type CertificateList = Static<typeof CertificateList>;
