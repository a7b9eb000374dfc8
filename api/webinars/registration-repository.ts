// Webinar registrations: the one module that queries them. Registering, and the host's decisions,
// run with the webinar's row locked (SELECT ... FOR UPDATE), so two people taking the last place at
// once can't both get it, and the settings they are checked against are the ones in force.
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../common/db/database.ts';
import { AppError, BadRequestError, ConflictError } from '../../common/errors.ts';
import type { RegistrationQuestion, RegistrationStatus } from '../../common/protocol/rest/webinars.ts';
import { isUniqueViolation } from '../../common/db/unique-violation.ts';

const JOIN_TOKEN_PREFIX = 'wreg_';
/** Statuses that hold a place (count against the capacity). */
const HOLDING: RegistrationStatus[] = ['pending', 'approved'];

const WITH_USER = { user: { select: { id: true, username: true, name: true, email: true } } } as const;

export type RegistrationRow = NonNullable<Awaited<ReturnType<RegistrationRepository['ofUser']>>>;

interface LockedSettings {
  audience: string;
  state: string;
  registrationApproval: boolean;
  registrationCapacity: number | null;
  registrationQuestions: unknown;
}

/** The questions a webinar row holds (JSON), as the API states them. */
export function questionsOf(json: unknown): RegistrationQuestion[] {
  if (!Array.isArray(json)) return [];
  return json.flatMap((q: unknown) =>
    typeof q === 'object' && q !== null && typeof (q as { text?: unknown }).text === 'string'
      ? [{ text: (q as { text: string }).text, required: (q as { required?: unknown }).required === true }]
      : [],
  );
}

/** Throws 400 unless `answers` answer `questions`: one each, in order, required ones not blank. */
export function checkAnswers(questions: readonly RegistrationQuestion[], answers: readonly string[]): void {
  if (answers.length !== questions.length)
    throw new BadRequestError(`Answer each of the ${questions.length} questions (blank for an optional one).`, {
      code: 'answers_mismatch',
    });
  questions.forEach((question, i) => {
    if (question.required && answers[i]!.trim() === '')
      throw new BadRequestError(`"${question.text}" needs an answer.`, { code: 'answer_required' });
  });
}

export function newJoinToken(): string {
  return JOIN_TOKEN_PREFIX + randomBytes(24).toString('base64url');
}

/**
 * The cookie a browser keeps a join link's token in, once the webinar's page traded it
 * (POST .../registration/join): the stage's socket and the HLS requests then carry it.
 */
export function joinCookieName(webinarId: string): string {
  return `aethex_join_${webinarId.replaceAll('-', '')}`;
}

/** Whether a string may be a join token at all (so other tokens cost no lookup). */
export function looksLikeJoinToken(token: string | undefined): token is string {
  return token !== undefined && token.startsWith(JOIN_TOKEN_PREFIX) && token.length <= 64;
}

export class RegistrationRepository {
  constructor(private readonly prisma: PrismaClient) {}

  ofUser(webinarId: string, userId: string) {
    return this.prisma.webinarRegistration.findUnique({
      where: { webinarId_userId: { webinarId, userId } },
      include: WITH_USER,
    });
  }

  async byToken(webinarId: string, token: string) {
    if (!looksLikeJoinToken(token)) return null;
    const row = await this.prisma.webinarRegistration.findUnique({ where: { joinToken: token }, include: WITH_USER });
    return row?.webinarId === webinarId ? row : null;
  }

  /** Whether the user, or the holder of the token, is an approved registrant of the webinar. */
  async isApproved(webinarId: string, who: { userId?: string | undefined; token?: string | undefined }) {
    const or = [
      ...(who.userId ? [{ userId: who.userId }] : []),
      ...(looksLikeJoinToken(who.token) ? [{ joinToken: who.token }] : []),
    ];
    if (or.length === 0) return undefined;
    return (
      (await this.prisma.webinarRegistration.findFirst({
        where: { webinarId, status: 'approved', OR: or },
        include: WITH_USER,
      })) ?? undefined
    );
  }

  list(webinarId: string) {
    return this.prisma.webinarRegistration.findMany({
      where: { webinarId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      include: WITH_USER,
    });
  }

  /** Places held (pending and approved) per webinar, for those given. */
  async holding(webinarIds: string[]): Promise<Map<string, number>> {
    if (webinarIds.length === 0) return new Map();
    const groups = await this.prisma.webinarRegistration.groupBy({
      by: ['webinarId'],
      where: { webinarId: { in: webinarIds }, status: { in: HOLDING } },
      _count: { _all: true },
    });
    return new Map(groups.map((g) => [g.webinarId, g._count._all]));
  }

  count(webinarId: string, statuses?: RegistrationStatus[]) {
    return this.prisma.webinarRegistration.count({
      where: { webinarId, ...(statuses ? { status: { in: statuses } } : {}) },
    });
  }

  /**
   * Registers the user: approved at once, or pending when the host approves each. 409 when the
   * webinar takes no registrations, has ended or is full, or the user registered already (or was
   * declined); 400 when the answers don't fit the questions. A cancelled registration is renewed.
   */
  async register(webinarId: string, userId: string, answers: string[]) {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const settings = await lockedSettings(tx, webinarId);
        if (settings.audience !== 'registered')
          throw new ConflictError('registration_not_required', 'This webinar takes no registrations.');
        if (settings.state === 'ended') throw new ConflictError('webinar_ended', 'The webinar has ended.');
        checkAnswers(questionsOf(settings.registrationQuestions), answers);
        const existing = await tx.webinarRegistration.findUnique({
          where: { webinarId_userId: { webinarId, userId } },
        });
        if (existing && HOLDING.includes(existing.status))
          throw new ConflictError('already_registered', `You are registered already (${existing.status}).`);
        if (existing?.status === 'declined')
          throw new ConflictError('registration_declined', 'The host declined your registration.');
        const held = await tx.webinarRegistration.count({ where: { webinarId, status: { in: HOLDING } } });
        if (settings.registrationCapacity !== null && held >= settings.registrationCapacity)
          throw new ConflictError('webinar_full', 'The webinar is full: no place is left.');
        const data = {
          status: settings.registrationApproval ? ('pending' as const) : ('approved' as const),
          answers,
          joinToken: newJoinToken(),
        };
        return existing
          ? tx.webinarRegistration.update({ where: { id: existing.id }, data, include: WITH_USER })
          : tx.webinarRegistration.create({ data: { webinarId, userId, ...data }, include: WITH_USER });
      });
    } catch (error) {
      // Two requests of the same user at once: the second meets the first's row.
      if (isUniqueViolation(error)) throw new ConflictError('already_registered', 'You are registered already.');
      throw error;
    }
  }

  /** The registrant cancels: 409 unless their registration holds a place. */
  async cancel(webinarId: string, userId: string) {
    const { count } = await this.prisma.webinarRegistration.updateMany({
      where: { webinarId, userId, status: { in: HOLDING } },
      data: { status: 'cancelled' },
    });
    if (count === 0) throw new ConflictError('not_registered', 'You hold no registration to cancel.');
    return (await this.ofUser(webinarId, userId))!;
  }

  /**
   * The host approves or declines a registrant. Approving a declined one takes a place, so it is
   * checked against the capacity; a cancelled registration is the registrant's and stays so.
   */
  async decide(webinarId: string, registrationId: string, status: 'approved' | 'declined') {
    return this.prisma.$transaction(async (tx) => {
      const settings = await lockedSettings(tx, webinarId);
      const row = await tx.webinarRegistration.findFirst({ where: { id: registrationId, webinarId } });
      if (!row) throw new AppError(404, 'not_found', `Registrant '${registrationId}' does not exist.`);
      if (row.status === 'cancelled')
        throw new ConflictError('registration_cancelled', 'The registrant cancelled: there is nothing to decide.');
      if (row.status !== status && status === 'approved' && row.status === 'declined') {
        const held = await tx.webinarRegistration.count({ where: { webinarId, status: { in: HOLDING } } });
        if (settings.registrationCapacity !== null && held >= settings.registrationCapacity)
          throw new ConflictError('webinar_full', 'The webinar is full: no place is left.');
      }
      return tx.webinarRegistration.update({ where: { id: row.id }, data: { status }, include: WITH_USER });
    });
  }
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

async function lockedSettings(tx: Tx, webinarId: string): Promise<LockedSettings> {
  const rows = await tx.$queryRaw<LockedSettings[]>`
    SELECT "audience"::text AS "audience", "state"::text AS "state", "registrationApproval",
           "registrationCapacity", "registrationQuestions"
    FROM "Webinar" WHERE "id" = ${webinarId}::uuid FOR UPDATE`;
  if (!rows[0]) throw new AppError(404, 'not_found', `Webinar '${webinarId}' does not exist.`);
  return rows[0];
}
