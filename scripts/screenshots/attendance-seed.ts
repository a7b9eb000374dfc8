// Attendance for the screenshots: Theo's recorded webinar, moved to a 45-minute slot that ended an
// hour ago, with the stretches of presence a real audience leaves (people arriving late, leaving
// early, coming back, one anonymous viewer, Theo on stage throughout) written as the tracker
// writes them, and the certificates its end issues to those above 80% of the live time.
import { CertificateIssuer } from '../../api/certificates/certificate-issuer.ts';
import { CertificateRepository } from '../../api/certificates/certificate-repository.ts';
import { AttendanceReports } from '../../api/webinars/attendance-report.ts';
import { NO_PARTICIPATION } from '../../api/webinars/participation-source.ts';
import { WebinarRepository } from '../../api/webinars/webinar-repository.ts';
import type { PrismaClient } from '../../common/db/database.ts';
import { testLogger } from '../../tests/support/logger.ts';
import type { Person } from './accounts.ts';

const MINUTE = 60_000;

/** Returns the certificate number of `certified`'s certificate. */
export async function seedAttendance(
  prisma: PrismaClient,
  webinarId: string,
  host: Person,
  attendees: { person: Person; stretches: [from: number, to: number][] }[],
  certified: Person,
): Promise<string> {
  const endedAt = new Date(Date.now() - 60 * MINUTE);
  const startedAt = new Date(endedAt.getTime() - 45 * MINUTE);
  await prisma.webinar.update({ where: { id: webinarId }, data: { startedAt, endedAt } });
  const at = (minute: number) => new Date(startedAt.getTime() + minute * MINUTE);
  const userOf = async (person: Person) =>
    (await prisma.user.findUniqueOrThrow({ where: { username: person.username } })).id;
  const rows = [];
  const hostId = await userOf(host);
  rows.push({ userId: hostId, viewer: `user:${hostId}`, via: 'stage' as const, from: -5, to: 45 });
  for (const { person, stretches } of attendees) {
    const userId = await userOf(person);
    for (const [from, to] of stretches)
      rows.push({ userId, viewer: `user:${userId}`, via: 'webrtc' as const, from, to });
  }
  rows.push({ userId: null, viewer: 'anon:screenshots', via: 'hls' as const, from: 12, to: 30 });
  await prisma.webinarAttendance.createMany({
    data: rows.map(({ userId, viewer, via, from, to }) => ({
      webinarId,
      userId,
      viewer,
      via,
      joinedAt: at(from),
      lastSeenAt: at(to),
      leftAt: at(to),
    })),
  });
  const certificates = new CertificateRepository(prisma);
  await certificates.setThreshold(webinarId, 80);
  await new CertificateIssuer({
    prisma,
    webinars: new WebinarRepository(prisma),
    reports: new AttendanceReports(prisma, NO_PARTICIPATION),
    certificates,
    tracker: undefined,
    logger: testLogger,
  }).webinarEnded(webinarId);
  const certificate = await certificates.ofWebinarAndUser(webinarId, await userOf(certified));
  if (!certificate) throw new Error(`${certified.username} got no certificate`);
  return certificate.number;
}
