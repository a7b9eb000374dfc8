import { randomBytes } from 'node:crypto';
import { runAdminCommand } from '../../api/admin/commands.ts';
import type { Platform } from '../../platform.ts';

/** The password of every owner createTestChannel makes. */
export const OWNER_PASSWORD = 'correct horse battery';

export interface TestChannel {
  slug: string;
  ownerEmail: string;
  streamKey: string;
}

/** A user, a channel and a stream key of their own, made through the same commands as the CLI. */
export async function createTestChannel(platform: Platform): Promise<TestChannel> {
  const prisma = platform.database!.prisma;
  const context = { prisma, publicUrl: platform.url };
  const suffix = randomBytes(4).toString('hex');
  const ownerEmail = `creator-${suffix}@example.test`;
  const slug = `live-${suffix}`;
  await runAdminCommand(context, { command: 'user.create', email: ownerEmail, password: OWNER_PASSWORD });
  await runAdminCommand(context, {
    command: 'channel.create',
    owner: ownerEmail,
    slug,
    title: `Test stream ${suffix}`,
  });
  const issued = (await runAdminCommand(context, { command: 'stream-key.create', channel: slug })) as { key: string };
  return { slug, ownerEmail, streamKey: issued.key };
}
