// When a webinar has ended: its open stretches of presence end with it, and every attendee at or
// above its threshold gets a certificate. Every process that serves the API hears the end (the
// webinar broadcast) and may run this at once: stretches end by one conditional update, and a
// certificate is issued once per attendee whoever gets there first.
import type { PrismaClient } from '../../common/db/database.ts';
import type { Logger } from '../../common/logger.ts';
import { attendedMs, meetsThreshold } from '../webinars/attendance-intervals.ts';
import type { AttendanceReports } from '../webinars/attendance-report.ts';
import type { AttendanceTracker } from '../webinars/attendance-tracker.ts';
import type { WebinarRepository } from '../webinars/webinar-repository.ts';
import { newCertificateNumber } from './certificate-number.ts';
import type { CertificateRepository } from './certificate-repository.ts';

export interface CertificateIssuerDeps {
  prisma: PrismaClient;
  webinars: WebinarRepository;
  reports: AttendanceReports;
  certificates: CertificateRepository;
  tracker: AttendanceTracker | undefined;
  logger: Logger;
}

export class CertificateIssuer {
  constructor(private readonly deps: CertificateIssuerDeps) {}

  /** Ends the webinar's attendance and issues its certificates; the number issued (0 when off). */
  async webinarEnded(webinarId: string): Promise<number> {
    const { webinars, reports, certificates, tracker, prisma, logger } = this.deps;
    const webinar = await webinars.byId(webinarId);
    if (!webinar || webinar.state !== 'ended' || !webinar.endedAt) return 0;
    await tracker?.webinarEnded(webinar.id, webinar.endedAt);
    const threshold = await certificates.thresholdOf(webinar.id);
    if (threshold === null || !webinar.startedAt) return 0;
    const { window, named } = await reports.totals(webinar, webinar.endedAt.getTime());
    const liveMs = window.end - window.start;
    // The host and co-hosts run the webinar: they certify, they are not certified.
    const cohosts = await prisma.webinarMember.findMany({
      where: { webinarId: webinar.id, role: 'cohost' },
      select: { userId: true },
    });
    const runners = new Set([webinar.channel.ownerId, ...cohosts.map((member) => member.userId)]);
    const qualified = [...named.values()]
      .filter((totals) => !runners.has(totals.userId))
      .map((totals) => ({ userId: totals.userId, attended: attendedMs(totals.intervals, window) }))
      .filter(({ attended }) => meetsThreshold(attended, liveMs, threshold));
    const users = await prisma.user.findMany({
      where: { id: { in: [...qualified.map((q) => q.userId), webinar.channel.ownerId] } },
      select: { id: true, name: true },
    });
    const nameOf = new Map(users.map((user) => [user.id, user.name]));
    const issued = await certificates.issue(
      {
        id: webinar.id,
        title: webinar.title,
        // The person who hosted it, by the name their account shows.
        hostName: users.find((user) => user.id === webinar.channel.ownerId)?.name ?? webinar.channel.title,
        startedAt: webinar.startedAt,
        liveSeconds: Math.round(liveMs / 1000),
      },
      qualified.flatMap(({ userId, attended }) => {
        const name = nameOf.get(userId);
        return name === undefined
          ? []
          : [
              {
                number: newCertificateNumber(),
                userId,
                attendeeName: name,
                attendedSeconds: Math.round(attended / 1000),
              },
            ];
      }),
    );
    logger.info({ webinar: webinar.id, issued, qualified: qualified.length, threshold }, 'certificates issued');
    return issued;
  }
}
