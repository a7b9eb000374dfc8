// Webinars as the API answers them (GET /api/v1/webinars/:id, a channel's list, discovery) and the
// limits of what a host may set. Times are UTC (ISO 8601); pages show them in the viewer's zone.
import { Type, type Static } from 'typebox';
import { DateTime, Nullable, Page, TextLine, Uuid } from './schema.ts';

export const WEBINAR_TITLE_MAX = 140;
export const WEBINAR_DESCRIPTION_MAX = 5000;
/** Expected length, in minutes: a quarter of an hour to a working day. */
export const WEBINAR_MIN_MINUTES = 15;
export const WEBINAR_MAX_MINUTES = 8 * 60;

export const WebinarState = Type.Union(
  [Type.Literal('scheduled'), Type.Literal('backstage'), Type.Literal('live'), Type.Literal('ended')],
  {
    description:
      'scheduled: announced; backstage: the stage gets ready, attendees wait; live: the audience watches; ended.',
  },
);
export type WebinarState = Static<typeof WebinarState>;

export const WebinarAudience = Type.Union(
  [Type.Literal('anyone'), Type.Literal('signed_in'), Type.Literal('registered')],
  { description: 'Who may attend: anyone, signed-in users, or registered users only.' },
);
export type WebinarAudience = Static<typeof WebinarAudience>;

/** Registration's limits: a few questions (Zoom's custom questions), answers a paragraph at most. */
export const REGISTRATION_QUESTIONS_MAX = 3;
export const REGISTRATION_QUESTION_MAX = 200;
export const REGISTRATION_ANSWER_MAX = 500;
export const REGISTRATION_CAPACITY_MAX = 100_000;

/** A question the host asks everyone who registers. */
export const RegistrationQuestion = Type.Object(
  {
    text: TextLine({ minLength: 1, maxLength: REGISTRATION_QUESTION_MAX }),
    required: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type RegistrationQuestion = Static<typeof RegistrationQuestion>;

export const RegistrationQuestions = Type.Array(RegistrationQuestion, {
  maxItems: REGISTRATION_QUESTIONS_MAX,
  description: `Up to ${REGISTRATION_QUESTIONS_MAX} questions; they can't change once someone registered.`,
});

export const RegistrationStatus = Type.Union(
  [Type.Literal('pending'), Type.Literal('approved'), Type.Literal('declined'), Type.Literal('cancelled')],
  {
    description:
      'pending: waits for the host; approved: may attend; declined by the host; cancelled by the registrant.',
  },
);
export type RegistrationStatus = Static<typeof RegistrationStatus>;

/** How a webinar takes registrations (meaningful when its audience is 'registered'). */
export const RegistrationSettings = Type.Object({
  approval: Type.Boolean({ description: 'The host approves each registrant; otherwise they are approved at once.' }),
  capacity: Nullable(Type.Integer({ description: 'At most this many pending and approved registrants.' })),
  questions: Type.Array(RegistrationQuestion),
  full: Type.Boolean({ description: 'No place is left.' }),
});
export type RegistrationSettings = Static<typeof RegistrationSettings>;

export const Webinar = Type.Object(
  {
    id: Uuid,
    channel: Type.Object({ slug: Type.String(), title: Type.String(), avatarUrl: Nullable(Type.String()) }),
    title: Type.String(),
    description: Type.String(),
    scheduledStart: DateTime,
    durationMinutes: Type.Integer(),
    audience: WebinarAudience,
    state: WebinarState,
    coverUrl: Nullable(Type.String()),
    startedAt: Nullable(DateTime),
    endedAt: Nullable(DateTime),
    recording: Nullable(
      Type.Object(
        {
          vodId: Uuid,
          durationSeconds: Type.Number(),
          posterUrl: Nullable(Type.String()),
        },
        { description: 'Its recording (the stage as attendees saw it), once it has ended and the VOD is made.' },
      ),
    ),
    createdAt: DateTime,
    canManage: Type.Boolean({ description: "The caller hosts it: the channel's owner, or an admin." }),
    registration: RegistrationSettings,
    handRaising: Type.Boolean({ description: 'Attendees may raise a hand to ask for the stage.' }),
  },
  { $id: 'Webinar' },
);
export type Webinar = Static<typeof Webinar>;

/** A co-host (the host's powers) or panelist (may be on stage), as GET /api/v1/webinars/:id/members lists them. */
export const WebinarMember = Type.Object({
  userId: Uuid,
  username: Type.String(),
  name: Type.String(),
  role: Type.Union([Type.Literal('cohost'), Type.Literal('panelist')]),
  onStage: Type.Boolean(),
});
export type WebinarMember = Static<typeof WebinarMember>;

/** Soonest first (a channel's upcoming ones), or latest first (its past ones). */
export const WebinarPage = Page(Type.Ref('Webinar'));
export type WebinarPage = { items: Webinar[]; nextCursor: string | null };

/** Backstage chat messages are chat-sized. */
export const BACKSTAGE_MESSAGE_MAX = 500;

/** A message of a webinar's backstage chat (its host, co-hosts and panelists on stage; never attendees). */
export const BackstageMessage = Type.Object({
  id: Uuid,
  body: Type.String(),
  createdAt: DateTime,
  author: Type.Object({ userId: Uuid, username: Type.String(), name: Type.String() }),
});
export type BackstageMessage = Static<typeof BackstageMessage>;

/** The caller's own registration (GET /api/v1/webinars/:id/registration). */
export const MyRegistration = Type.Object({
  id: Uuid,
  status: RegistrationStatus,
  name: Type.String(),
  email: Type.String(),
  answers: Type.Array(Type.String()),
  joinUrl: Type.String({ description: 'The personal join link: attends without signing in. Keep it private.' }),
  calendarUrl: Type.String({ description: 'The .ics file (text/calendar) of the webinar, with the join link.' }),
  createdAt: DateTime,
});
export type MyRegistration = Static<typeof MyRegistration>;

/** A registrant as the host and co-hosts see them (GET /api/v1/webinars/:id/registrants). */
export const Registrant = Type.Object({
  id: Uuid,
  status: RegistrationStatus,
  username: Type.String(),
  name: Type.String(),
  email: Type.String(),
  answers: Type.Array(Type.String()),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type Registrant = Static<typeof Registrant>;

export const RegistrantList = Type.Object({
  items: Type.Array(Registrant),
  counts: Type.Object({
    pending: Type.Integer(),
    approved: Type.Integer(),
    declined: Type.Integer(),
    cancelled: Type.Integer(),
  }),
});
export type RegistrantList = Static<typeof RegistrantList>;
