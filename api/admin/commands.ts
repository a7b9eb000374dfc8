// The operator commands behind `npm run cli`. They run in the CLI process when it may open the
// database itself, or inside the running server when it may not (the embedded database allows one
// process); either way the same function does the work.
import type { PrismaClient } from '../../common/db/database.ts';
import { BadRequestError } from '../../common/errors.ts';
import { createUser } from '../accounts/users.ts';
import { createChannelRepository } from '../channels/channel-repository.ts';
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

function assertNever(value: never): never {
  throw new BadRequestError(`Unknown command ${JSON.stringify((value as { command?: unknown }).command)}.`);
}

const FIELDS: Record<AdminCommand['command'], { required: string[]; optional: string[] }> = {
  'user.create': { required: ['email', 'password'], optional: ['username', 'name'] },
  'channel.create': { required: ['owner', 'slug'], optional: ['title'] },
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
