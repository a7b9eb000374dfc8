// Certificates and each webinar's certificate policy: the one module that queries them.
import type { PrismaClient } from '../../common/db/database.ts';

export type CertificateRow = NonNullable<Awaited<ReturnType<CertificateRepository['byNumber']>>>;

export interface NewCertificate {
  number: string;
  userId: string;
  attendeeName: string;
  attendedSeconds: number;
}

const WITH_WEBINAR = {
  webinar: {
    select: { id: true, channel: { select: { id: true, slug: true, ownerId: true, avatarPath: true } } },
  },
} as const;

export class CertificateRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The webinar's threshold in percent, or null: no certificates. */
  async thresholdOf(webinarId: string): Promise<number | null> {
    const policy = await this.prisma.webinarCertificatePolicy.findUnique({ where: { webinarId } });
    return policy?.thresholdPercent ?? null;
  }

  async setThreshold(webinarId: string, thresholdPercent: number | null): Promise<void> {
    if (thresholdPercent === null) await this.prisma.webinarCertificatePolicy.deleteMany({ where: { webinarId } });
    else
      await this.prisma.webinarCertificatePolicy.upsert({
        where: { webinarId },
        create: { webinarId, thresholdPercent },
        update: { thresholdPercent },
      });
  }

  byNumber(number: string) {
    return this.prisma.webinarCertificate.findUnique({ where: { number }, include: WITH_WEBINAR });
  }

  ofUser(userId: string) {
    return this.prisma.webinarCertificate.findMany({
      where: { userId },
      orderBy: { webinarStartedAt: 'desc' },
      include: WITH_WEBINAR,
    });
  }

  ofWebinarAndUser(webinarId: string, userId: string) {
    return this.prisma.webinarCertificate.findUnique({
      where: { webinarId_userId: { webinarId, userId } },
      include: WITH_WEBINAR,
    });
  }

  /**
   * Issues the webinar's certificates; one that exists already stays as it is (each process hears
   * the end, and may issue at once), so the count is of the new ones.
   */
  async issue(
    webinar: { id: string; title: string; hostName: string; startedAt: Date; liveSeconds: number },
    certificates: readonly NewCertificate[],
  ): Promise<number> {
    if (certificates.length === 0) return 0;
    const { count } = await this.prisma.webinarCertificate.createMany({
      data: certificates.map((certificate) => ({
        ...certificate,
        webinarId: webinar.id,
        webinarTitle: webinar.title,
        hostName: webinar.hostName,
        webinarStartedAt: webinar.startedAt,
        liveSeconds: webinar.liveSeconds,
      })),
      skipDuplicates: true,
    });
    return count;
  }

  /** Revokes it (once: a second revoke keeps the first time). */
  async revoke(number: string, at: Date = new Date()): Promise<void> {
    await this.prisma.webinarCertificate.updateMany({ where: { number, revokedAt: null }, data: { revokedAt: at } });
  }
}
