// Webinar rows: the one module that queries them. A state change is one conditional update, so two
// hosts pressing "Start" and "End" at once can't both win, and a webinar never goes back.
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../common/db/database.ts';
import { NotFoundError } from '../../common/errors.ts';
import {
  WEBINAR_MAX_MINUTES,
  type RegistrationQuestion,
  type WebinarAudience,
  type WebinarState,
} from '../../common/protocol/rest/webinars.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import { TRANSITIONS, wrongState, type WebinarAction } from './webinar-rules.ts';

const WITH_CHANNEL = {
  channel: { select: { id: true, slug: true, title: true, ownerId: true, private: true, avatarPath: true } },
} as const;

export type WebinarRow = NonNullable<Awaited<ReturnType<WebinarRepository['byId']>>>;

export interface NewWebinar {
  title: string;
  description: string;
  scheduledStart: Date;
  durationMinutes: number;
  audience: WebinarAudience;
  registrationApproval: boolean;
  registrationCapacity: number | null;
  registrationQuestions: RegistrationQuestion[];
  /** Attendees may raise a hand (the column's default, on, when absent). */
  handRaising?: boolean;
}

export type WebinarChange = Partial<NewWebinar> & { reminderSentAt?: null };

/** Upcoming: not ended, soonest first. Past: ended, latest first. */
export type WebinarWhen = 'upcoming' | 'past';

const UPCOMING_STATES: WebinarState[] = ['scheduled', 'backstage', 'live'];

export class WebinarRepository {
  constructor(private readonly prisma: PrismaClient) {}

  create(channelId: string, webinar: NewWebinar) {
    return this.prisma.webinar.create({ data: { channelId, ...webinar }, include: WITH_CHANNEL });
  }

  /** The webinar, or undefined for an unknown id (or one that is not a UUID). */
  async byId(id: string) {
    if (!UUID.test(id)) return undefined;
    return (await this.prisma.webinar.findUnique({ where: { id }, include: WITH_CHANNEL })) ?? undefined;
  }

  update(id: string, change: WebinarChange) {
    return this.prisma.webinar.update({ where: { id }, data: change, include: WITH_CHANNEL });
  }

  /** Deletes the webinar; returns the cover it had, for the caller to remove. */
  delete(id: string): Promise<string | null> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ coverPath: string | null }[]>`
        SELECT "coverPath" FROM "Webinar" WHERE "id" = ${id}::uuid FOR UPDATE`;
      await tx.webinar.deleteMany({ where: { id } });
      return rows[0]?.coverPath ?? null;
    });
  }

  /**
   * Points the webinar at a new cover (null: none) and returns the one it had. The row is locked
   * meanwhile, so two uploads at once can't both take the same old file for theirs.
   */
  setCover(id: string, coverPath: string | null): Promise<string | null> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ coverPath: string | null }[]>`
        SELECT "coverPath" FROM "Webinar" WHERE "id" = ${id}::uuid FOR UPDATE`;
      if (rows.length === 0) throw new NotFoundError('Webinar', id);
      await tx.webinar.update({ where: { id }, data: { coverPath } });
      return rows[0]!.coverPath;
    });
  }

  /**
   * Takes the host's action if the webinar is still in a state it starts from; otherwise throws
   * 409 webinar_state with the state it is in. Stamps startedAt (and the recording's stream id) on
   * going live, endedAt on ending.
   */
  async transition(id: string, action: WebinarAction) {
    const { from, to } = TRANSITIONS[action];
    const now = new Date();
    // Going live names the recording it makes (recorder/recorder-service.ts).
    const stamp = to === 'live' ? { startedAt: now, streamId: randomUUID() } : to === 'ended' ? { endedAt: now } : {};
    const { count } = await this.prisma.webinar.updateMany({
      where: { id, state: { in: [...from] } },
      data: { state: to, ...stamp },
    });
    const row = await this.byId(id);
    if (count === 0 && row) throw wrongState(action, row.state);
    return row;
  }

  /** A channel's webinars, a page at a time. */
  async ofChannel(channelId: string, when: WebinarWhen, page: { cursor?: string | undefined; limit: number }) {
    const after = decodeCursor(page.cursor, { t: 'epochMs', id: 'uuid' });
    const upcoming = when === 'upcoming';
    const rows = await this.prisma.webinar.findMany({
      where: {
        channelId,
        state: upcoming ? { in: UPCOMING_STATES } : 'ended',
        ...(after
          ? {
              OR: [
                { scheduledStart: upcoming ? { gt: new Date(after.t) } : { lt: new Date(after.t) } },
                { scheduledStart: new Date(after.t), id: { gt: after.id } },
              ],
            }
          : {}),
      },
      orderBy: [{ scheduledStart: upcoming ? 'asc' : 'desc' }, { id: 'asc' }],
      take: page.limit + 1,
      include: WITH_CHANNEL,
    });
    return toPage(
      rows,
      page.limit,
      (row) => ({ t: row.scheduledStart.getTime(), id: row.id }),
      (row) => row,
    );
  }

  /**
   * For discovery: webinars of public channels that are live, and those still to come (scheduled
   * or backstage, not yet past their expected end), soonest first.
   */
  async liveAndUpcoming(limit: number, now: Date = new Date()) {
    const publicChannel = { channel: { private: false } };
    const [live, upcoming] = await Promise.all([
      this.prisma.webinar.findMany({
        where: { state: 'live', ...publicChannel },
        orderBy: [{ startedAt: 'desc' }, { id: 'asc' }],
        take: limit,
        include: WITH_CHANNEL,
      }),
      // Started no earlier than the longest webinar ago: the rest are checked against their own length below.
      this.prisma.webinar.findMany({
        where: {
          state: { in: ['scheduled', 'backstage'] },
          scheduledStart: { gt: new Date(now.getTime() - MAX_MINUTES_MS) },
          ...publicChannel,
        },
        orderBy: [{ scheduledStart: 'asc' }, { id: 'asc' }],
        take: limit * 2,
        include: WITH_CHANNEL,
      }),
    ]);
    const notOver = upcoming.filter(
      (row) => row.scheduledStart.getTime() + row.durationMinutes * 60_000 > now.getTime(),
    );
    return { live, upcoming: notOver.slice(0, limit) };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The longest a webinar may be expected to take, in ms. */
const MAX_MINUTES_MS = WEBINAR_MAX_MINUTES * 60_000;
