// Every query on a channel's emotes. Adding and removing one commit together with its
// ModerationAction row; the per-channel limit and the unique name hold under concurrent uploads.
import type { PrismaClient } from '../../common/db/database.ts';
import { isUniqueViolation } from '../../common/db/unique-violation.ts';
import { AppError, ConflictError } from '../../common/errors.ts';

export const MAX_EMOTES_PER_CHANNEL = 50;

export interface EmoteRow {
  id: string;
  name: string;
  imagePath: string;
}

export class TooManyEmotesError extends AppError {
  constructor() {
    super(409, 'too_many_emotes', `A channel has at most ${MAX_EMOTES_PER_CHANNEL} emotes; remove one first.`);
  }
}

export class EmoteTakenError extends ConflictError {
  constructor(name: string) {
    super('emote_taken', `The channel already has an emote named '${name}'.`);
  }
}

export interface EmoteRepository {
  /** The channel's emotes, by name. */
  list(channelId: string): Promise<EmoteRow[]>;
  /** Adds an emote whose image is stored as `imagePath`; EmoteTakenError, TooManyEmotesError. */
  add(channelId: string, actorId: string, name: string, imagePath: string): Promise<EmoteRow>;
  /** Removes one of the channel's emotes; undefined when it has none with that id (any more). */
  remove(channelId: string, actorId: string, emoteId: string): Promise<EmoteRow | undefined>;
}

export function createEmoteRepository(prisma: PrismaClient): EmoteRepository {
  return {
    list(channelId) {
      return prisma.emote.findMany({ where: { channelId }, orderBy: { name: 'asc' } });
    },
    async add(channelId, actorId, name, imagePath) {
      try {
        return await prisma.$transaction(async (tx) => {
          // Counting under the channel's row lock: two uploads at once can't both take the 50th place.
          await tx.$queryRaw`SELECT 1 FROM "Channel" WHERE "id" = ${channelId}::uuid FOR UPDATE`;
          if (await tx.emote.findUnique({ where: { channelId_name: { channelId, name } }, select: { id: true } }))
            throw new EmoteTakenError(name);
          if ((await tx.emote.count({ where: { channelId } })) >= MAX_EMOTES_PER_CHANNEL)
            throw new TooManyEmotesError();
          const created = await tx.emote.create({ data: { channelId, name, imagePath } });
          await tx.moderationAction.create({
            data: { channelId, moderatorId: actorId, kind: 'add_emote', details: { emoteId: created.id, name } },
          });
          return created;
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new EmoteTakenError(name);
        throw error;
      }
    },
    remove(channelId, actorId, emoteId) {
      return prisma.$transaction(async (tx) => {
        const found = await tx.emote.findFirst({ where: { id: emoteId, channelId } });
        if (!found) return undefined;
        // Of two removals at once, only one finds the row still there (and logs it).
        const { count } = await tx.emote.deleteMany({ where: { id: found.id } });
        if (count === 0) return undefined;
        await tx.moderationAction.create({
          data: {
            channelId,
            moderatorId: actorId,
            kind: 'remove_emote',
            details: { emoteId: found.id, name: found.name },
          },
        });
        return found;
      });
    },
  };
}
