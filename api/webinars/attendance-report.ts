// A webinar's attendance report from its stored stretches of presence: who attended and for how
// long within the live time (stretches overlapping counted once), time on stage, the concurrent
// attendees over time, registrants who never came, and what each did (ParticipationSource).
import type { PrismaClient } from '../../common/db/database.ts';
import type { AttendanceReport, AttendanceVia, Attendee, AttendeeRole } from '../../common/protocol/rest/attendance.ts';
import { formatCertificateNumber } from '../certificates/certificate-number.ts';
import { attendedMs, concurrentTimeline, type Interval } from './attendance-intervals.ts';
import { STOPPED_AFTER_MS } from './attendance-tracker.ts';
import type { ParticipationSource } from './participation-source.ts';
import type { WebinarRow } from './webinar-repository.ts';

/** Points of the timeline: enough for a chart's width, few for a short webinar's answer. */
const TIMELINE_SLICES = 60;

interface StretchRow {
  userId: string | null;
  viewer: string;
  via: AttendanceVia;
  joinedAt: Date;
  lastSeenAt: Date;
  leftAt: Date | null;
}

/**
 * Where a stretch ends: when it was closed; while still open, now if it was seen lately (its
 * lastSeenAt is written every few seconds), else when it was last seen (a process that stopped).
 */
export function stretchEnd(row: Pick<StretchRow, 'lastSeenAt' | 'leftAt'>, now: number): number {
  if (row.leftAt) return row.leftAt.getTime();
  const seen = row.lastSeenAt.getTime();
  return now - seen <= STOPPED_AFTER_MS ? now : seen;
}

/** The webinar's live time: from its start to its end (or now, while live); empty if it never went live. */
export function liveWindow(webinar: Pick<WebinarRow, 'startedAt' | 'endedAt'>, now: number): Interval {
  if (!webinar.startedAt) return { start: 0, end: 0 };
  return { start: webinar.startedAt.getTime(), end: webinar.endedAt?.getTime() ?? now };
}

export interface AttendanceTotals {
  userId: string;
  intervals: Interval[];
  stage: Interval[];
  via: Set<AttendanceVia>;
  firstJoinedAt: number;
  /** Undefined while a stretch is still open. */
  lastLeftAt: number | undefined;
}

/** Each named attendee's stretches, and each anonymous viewer's, from the stored rows. */
export function groupStretches(
  rows: readonly StretchRow[],
  now: number,
): { named: Map<string, AttendanceTotals>; anonymous: Map<string, Interval[]> } {
  const named = new Map<string, AttendanceTotals>();
  const anonymous = new Map<string, Interval[]>();
  for (const row of rows) {
    const interval = { start: row.joinedAt.getTime(), end: stretchEnd(row, now) };
    if (row.userId === null) {
      anonymous.set(row.viewer, [...(anonymous.get(row.viewer) ?? []), interval]);
      continue;
    }
    let totals = named.get(row.userId);
    if (!totals) {
      totals = {
        userId: row.userId,
        intervals: [],
        stage: [],
        via: new Set(),
        firstJoinedAt: interval.start,
        lastLeftAt: 0,
      };
      named.set(row.userId, totals);
    }
    totals.intervals.push(interval);
    if (row.via === 'stage') totals.stage.push(interval);
    totals.via.add(row.via);
    totals.firstJoinedAt = Math.min(totals.firstJoinedAt, interval.start);
    totals.lastLeftAt =
      row.leftAt === null || totals.lastLeftAt === undefined ? undefined : Math.max(totals.lastLeftAt, interval.end);
  }
  return { named, anonymous };
}

export class AttendanceReports {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly participation: ParticipationSource,
  ) {}

  /** Every stretch of the webinar, grouped, and its live window, as of `now`. */
  async totals(webinar: WebinarRow, now: number = Date.now()) {
    const rows = await this.prisma.webinarAttendance.findMany({
      where: { webinarId: webinar.id },
      select: { userId: true, viewer: true, via: true, joinedAt: true, lastSeenAt: true, leftAt: true },
      orderBy: { joinedAt: 'asc' },
    });
    return { window: liveWindow(webinar, now), ...groupStretches(rows, now) };
  }

  async report(webinar: WebinarRow, now: number = Date.now()): Promise<AttendanceReport> {
    const { window, named, anonymous } = await this.totals(webinar, now);
    const liveMs = window.end - window.start;
    const inLive = [...named.values()].filter((totals) => attendedMs(totals.intervals, window) > 0);
    const userIds = inLive.map((totals) => totals.userId);
    const [users, members, approved, certificates, policy, counts] = await Promise.all([
      this.prisma.user.findMany({ where: { id: { in: userIds } }, select: { id: true, username: true, name: true } }),
      this.prisma.webinarMember.findMany({ where: { webinarId: webinar.id }, select: { userId: true, role: true } }),
      this.prisma.webinarRegistration.findMany({
        where: { webinarId: webinar.id, status: 'approved' },
        select: { userId: true },
      }),
      this.prisma.webinarCertificate.findMany({
        where: { webinarId: webinar.id },
        select: { userId: true, number: true, revokedAt: true },
      }),
      this.prisma.webinarCertificatePolicy.findUnique({ where: { webinarId: webinar.id } }),
      this.participation.countsFor(webinar.id, userIds),
    ]);
    const userById = new Map(users.map((user) => [user.id, user]));
    const roleOf = new Map(members.map((member) => [member.userId, member.role]));
    const registered = new Set(approved.map((registration) => registration.userId));
    const certificateOf = new Map(certificates.map((certificate) => [certificate.userId, certificate]));
    const counted = this.participation.counts;
    const attendees: Attendee[] = inLive.flatMap((totals) => {
      const user = userById.get(totals.userId);
      if (!user) return [];
      const attended = attendedMs(totals.intervals, window);
      const done = counts.get(totals.userId) ?? {};
      const count = (what: 'questions' | 'votes' | 'pollAnswers') => (counted.has(what) ? (done[what] ?? 0) : null);
      const certificate = certificateOf.get(totals.userId);
      const role: AttendeeRole = user.id === webinar.channel.ownerId ? 'host' : (roleOf.get(user.id) ?? 'attendee');
      return [
        {
          userId: user.id,
          username: user.username,
          name: user.name,
          role,
          registered: registered.has(user.id),
          firstJoinedAt: new Date(Math.max(totals.firstJoinedAt, window.start)).toISOString(),
          lastLeftAt:
            totals.lastLeftAt === undefined ? null : new Date(Math.min(totals.lastLeftAt, window.end)).toISOString(),
          attendedSeconds: Math.round(attended / 1000),
          sharePercent: liveMs > 0 ? Math.round((attended / liveMs) * 1000) / 10 : 0,
          stageSeconds: Math.round(attendedMs(totals.stage, window) / 1000),
          via: [...totals.via].sort(),
          questions: count('questions'),
          votes: count('votes'),
          pollAnswers: count('pollAnswers'),
          certificate: certificate
            ? { number: formatCertificateNumber(certificate.number), revoked: certificate.revokedAt !== null }
            : null,
        },
      ];
    });
    attendees.sort((a, b) => b.attendedSeconds - a.attendedSeconds || a.name.localeCompare(b.name));
    const attending = new Set(attendees.map((attendee) => attendee.userId));
    const timeline = concurrentTimeline(
      [...[...named.values()].map((totals) => totals.intervals), ...anonymous.values()],
      window,
      TIMELINE_SLICES,
    );
    return {
      webinarId: webinar.id,
      title: webinar.title,
      state: webinar.state,
      startedAt: webinar.startedAt?.toISOString() ?? null,
      endedAt: webinar.endedAt?.toISOString() ?? null,
      liveSeconds: Math.round(liveMs / 1000),
      registrants: registered.size,
      attended: attendees.filter((attendee) => attendee.role !== 'host' && attendee.role !== 'cohost').length,
      noShows: [...registered].filter((userId) => !attending.has(userId)).length,
      anonymousViewers: [...anonymous.values()].filter((intervals) => attendedMs(intervals, window) > 0).length,
      peakAttendees: Math.max(0, ...timeline.map((point) => point.attendees)),
      timeline: timeline.map((point) => ({ at: new Date(point.at).toISOString(), attendees: point.attendees })),
      attendees,
      participationCounted: counted.size > 0,
      certificates: { thresholdPercent: policy?.thresholdPercent ?? null, issued: certificates.length },
    };
  }
}
