// The operator commands behind `npm run cli`. They run in the CLI process when it may open the
// database itself, or inside the running server when it may not (the embedded database allows one
// process); either way the same function does the work.
import type { PrismaClient } from '../../common/db/database.ts';
import { BadRequestError, NotFoundError } from '../../common/errors.ts';
import { CHANNEL_MODES, DJ_AUDIO_KBPS, isChannelMode, type ChannelMode } from '../../common/protocol/channel-mode.ts';
import { createUser } from '../accounts/users.ts';
import { createChannelRepository, type ChannelChanges } from '../channels/channel-repository.ts';
import { createStreamKey, revokeStreamKeys } from '../stream-keys/stream-keys.ts';

export type AdminCommand =
  | {
      command: 'user.create';
      email: string;
      password: string;
      username?: string | undefined;
      name?: string | undefined;
    }
  | { command: 'channel.create'; owner: string; slug: string; title?: string | undefined }
  | { command: 'channel.update'; slug: string; mode?: string | undefined; audioKbps?: string | undefined }
  | { command: 'stream-key.create'; channel: string }
  | { command: 'stream-key.revoke'; channel: string };

export interface AdminContext {
  prisma: PrismaClient;
  publicUrl: string;
}

export async function runAdminCommand(context: AdminContext, input: AdminCommand): Promise<unknown> {
  const { prisma } = context;
  switch (input.command) {
    case 'user.create':
      return createUser(prisma, {
        email: input.email,
        password: input.password,
        username: input.username,
        name: input.name,
      });
    case 'channel.create':
      return createChannelRepository(prisma).create({ ownerEmail: input.owner, slug: input.slug, title: input.title });
    case 'channel.update':
      return updateChannel(prisma, input);
    case 'stream-key.create': {
      const issued = await createStreamKey(prisma, input.channel);
      return {
        key: issued.key,
        whipUrl: `${context.publicUrl}/api/whip`,
        channel: issued.channel,
        id: issued.id,
        prefix: issued.prefix,
      };
    }
    case 'stream-key.revoke':
      return revokeStreamKeys(prisma, input.channel);
    default:
      return assertNever(input);
  }
}

/** The operator's switch between DJ mode and the default one: the fields as typed on the command line. */
async function updateChannel(
  prisma: PrismaClient,
  input: Extract<AdminCommand, { command: 'channel.update' }>,
): Promise<{ slug: string; mode: ChannelMode; audioKbps: number }> {
  const changes: ChannelChanges = {};
  if (input.mode !== undefined) {
    if (!isChannelMode(input.mode))
      throw new BadRequestError(`mode must be one of ${CHANNEL_MODES.join(', ')}; got '${input.mode}'.`, {
        code: 'invalid_mode',
      });
    changes.mode = input.mode;
  }
  if (input.audioKbps !== undefined) {
    const kbps = Number(input.audioKbps);
    if (!/^\d+$/.test(input.audioKbps) || kbps < DJ_AUDIO_KBPS.min || kbps > DJ_AUDIO_KBPS.max)
      throw new BadRequestError(
        `audio-kbps must be a whole number of kbit/s from ${DJ_AUDIO_KBPS.min} to ${DJ_AUDIO_KBPS.max}; got '${input.audioKbps}'.`,
        { code: 'invalid_audio_kbps' },
      );
    changes.audioKbps = kbps;
  }
  if (Object.keys(changes).length === 0)
    throw new BadRequestError('channel update: give --mode and/or --audio-kbps.', { code: 'nothing_to_change' });
  const channel = await prisma.channel.findUnique({ where: { slug: input.slug }, select: { id: true } });
  if (!channel) throw new NotFoundError(`There is no channel '${input.slug}'.`);
  await createChannelRepository(prisma).update(channel.id, changes);
  return prisma.channel.findUniqueOrThrow({
    where: { id: channel.id },
    select: { slug: true, mode: true, audioKbps: true },
  });
}

function assertNever(value: never): never {
  throw new BadRequestError(`Unknown command ${JSON.stringify((value as { command?: unknown }).command)}.`);
}

const FIELDS: Record<AdminCommand['command'], { required: string[]; optional: string[] }> = {
  'user.create': { required: ['email', 'password'], optional: ['username', 'name'] },
  'channel.create': { required: ['owner', 'slug'], optional: ['title'] },
  'channel.update': { required: ['slug'], optional: ['mode', 'audioKbps'] },
  'stream-key.create': { required: ['channel'], optional: [] },
  'stream-key.revoke': { required: ['channel'], optional: [] },
};

/** Checks an untrusted value (from the admin socket) is a well-formed command. */
export function parseAdminCommand(value: unknown): AdminCommand {
  if (typeof value !== 'object' || value === null)
    throw new BadRequestError('Expected a JSON object with a "command".');
  const record = value as Record<string, unknown>;
  const command = record.command;
  if (typeof command !== 'string' || !(command in FIELDS)) {
    throw new BadRequestError(`Unknown command ${JSON.stringify(command)}; known: ${Object.keys(FIELDS).join(', ')}.`);
  }
  const { required, optional } = FIELDS[command as AdminCommand['command']];
  for (const field of required) {
    if (typeof record[field] !== 'string' || record[field] === '')
      throw new BadRequestError(`${command}: '${field}' is required.`);
  }
  for (const [field, fieldValue] of Object.entries(record)) {
    if (field === 'command') continue;
    if (!required.includes(field) && !optional.includes(field))
      throw new BadRequestError(`${command}: unknown field '${field}'.`);
    if (fieldValue !== undefined && typeof fieldValue !== 'string')
      throw new BadRequestError(`${command}: '${field}' must be a string.`);
  }
  return record as AdminCommand;
}
