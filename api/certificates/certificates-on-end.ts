// Listens for webinars ending (the webinar broadcast every process hears) and runs the
// CertificateIssuer for each: their attendance ends, their certificates are issued.
import type { PrismaClient } from '../../common/db/database.ts';
import type { Logger } from '../../common/logger.ts';
import type { PubSub, Unsubscribe } from '../../common/pubsub/pubsub.ts';
import { AttendanceReports } from '../webinars/attendance-report.ts';
import type { AttendanceTracker } from '../webinars/attendance-tracker.ts';
import type { ParticipationSource } from '../webinars/participation-source.ts';
import { onWebinarBroadcast } from '../webinars/webinar-broadcasts.ts';
import { WebinarRepository } from '../webinars/webinar-repository.ts';
import { CertificateIssuer } from './certificate-issuer.ts';
import { CertificateRepository } from './certificate-repository.ts';

export interface IssuingDeps {
  prisma: PrismaClient;
  participation: ParticipationSource;
  tracker: AttendanceTracker | undefined;
  logger: Logger;
}

/** Returns the stop; what is being issued when it stops finishes. */
export function startIssuingCertificates(pubsub: PubSub, deps: IssuingDeps): Promise<Unsubscribe> {
  const { prisma, participation, tracker, logger } = deps;
  const issuer = new CertificateIssuer({
    prisma,
    webinars: new WebinarRepository(prisma),
    reports: new AttendanceReports(prisma, participation),
    certificates: new CertificateRepository(prisma),
    tracker,
    logger,
  });
  return onWebinarBroadcast(pubsub, (broadcast) => {
    if (broadcast.live) return;
    issuer
      .webinarEnded(broadcast.webinarId)
      .catch((error: unknown) =>
        logger.error({ err: error, webinar: broadcast.webinarId }, 'could not end attendance or issue certificates'),
      );
  });
}
