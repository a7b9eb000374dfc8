// Stream keys against a real database: the lookup a publish will make (channelForStreamKey) finds
// the channel for an active key and nothing for anything else, and rotation keeps the old key
// working until it is revoked.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannelRepository } from '../../api/channels/channel-repository.ts';
import {
  channelForStreamKey,
  createStreamKey,
  hashStreamKey,
  revokeStreamKeys,
} from '../../api/stream-keys/stream-keys.ts';
import { openDatabase, type Database } from '../../common/db/database.ts';
import { NotFoundError } from '../../common/errors.ts';
import { databaseTargets } from '../support/databases.ts';
import { testLogger } from '../support/logger.ts';

describe.each(databaseTargets())('stream keys on $name', (target) => {
  let database: Database;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const created = await target.create();
    dispose = created.dispose;
    database = await openDatabase(created.options, testLogger);
  });
  afterAll(async () => {
    await database?.close();
    await dispose?.();
  });

  /** A channel of its own for each test, with an owner (rows made directly: no password hashing). */
  async function newChannel(): Promise<{ id: string; slug: string }> {
    const id = randomUUID().slice(0, 8);
    const owner = await database.prisma.user.create({
      data: {
        email: `owner-${id}@example.com`,
        username: `owner_${id}`.slice(0, 24),
        name: 'Owner',
        passwordHash: '-',
      },
    });
    return createChannelRepository(database.prisma).create({ ownerEmail: owner.email, slug: `chan-${id}` });
  }

  it('finds the channel for a fresh key', async () => {
    const channel = await newChannel();
    const issued = await createStreamKey(database.prisma, channel.slug);

    expect(issued.key).toMatch(/^live_/);
    expect(issued.prefix).toBe(issued.key.slice(0, 9));
    expect(await channelForStreamKey(database.prisma, issued.key)).toMatchObject({
      id: channel.id,
      slug: channel.slug,
    });
  });

  it('finds nothing for a key it never issued, or one that is malformed', async () => {
    const channel = await newChannel();
    const { key } = await createStreamKey(database.prisma, channel.slug);

    const notIssued = [
      `live_${randomBytes(20).toString('base64url')}`,
      `${key}x`,
      key.slice(0, -1),
      key.toUpperCase(),
      key.replace(/^live_/, 'test_'),
      // The stored hash itself must not work as a key.
      hashStreamKey(key),
      '',
      'live_',
      `live_${'a'.repeat(200)}`,
    ];
    for (const candidate of notIssued) {
      expect(await channelForStreamKey(database.prisma, candidate), candidate).toBeUndefined();
    }
  });

  it('finds nothing once the key is revoked', async () => {
    const channel = await newChannel();
    const { key } = await createStreamKey(database.prisma, channel.slug);

    expect(await revokeStreamKeys(database.prisma, channel.slug)).toEqual({ channel: channel.slug, revoked: 1 });
    expect(await channelForStreamKey(database.prisma, key)).toBeUndefined();
    // Revoking again finds nothing left to revoke.
    expect(await revokeStreamKeys(database.prisma, channel.slug)).toEqual({ channel: channel.slug, revoked: 0 });
  });

  it('keeps two keys working at once during a rotation, until they are revoked', async () => {
    const channel = await newChannel();
    const old = await createStreamKey(database.prisma, channel.slug);
    const rotated = await createStreamKey(database.prisma, channel.slug);
    expect(rotated.key).not.toBe(old.key);

    expect(await channelForStreamKey(database.prisma, old.key)).toMatchObject({ id: channel.id });
    expect(await channelForStreamKey(database.prisma, rotated.key)).toMatchObject({ id: channel.id });

    expect(await revokeStreamKeys(database.prisma, channel.slug)).toEqual({ channel: channel.slug, revoked: 2 });
    expect(await channelForStreamKey(database.prisma, old.key)).toBeUndefined();
    expect(await channelForStreamKey(database.prisma, rotated.key)).toBeUndefined();

    // A key issued after the revocation works: revoking is not a ban on the channel.
    const next = await createStreamKey(database.prisma, channel.slug);
    expect(await channelForStreamKey(database.prisma, next.key)).toMatchObject({ id: channel.id });
  });

  it("never resolves one channel's key to another channel, and revokes only that channel's keys", async () => {
    const [first, second] = [await newChannel(), await newChannel()];
    const firstKey = await createStreamKey(database.prisma, first.slug);
    const secondKey = await createStreamKey(database.prisma, second.slug);

    expect(await channelForStreamKey(database.prisma, firstKey.key)).toMatchObject({ id: first.id });
    expect(await channelForStreamKey(database.prisma, secondKey.key)).toMatchObject({ id: second.id });

    await revokeStreamKeys(database.prisma, first.slug);
    expect(await channelForStreamKey(database.prisma, firstKey.key)).toBeUndefined();
    expect(await channelForStreamKey(database.prisma, secondKey.key)).toMatchObject({ id: second.id });
  });

  it('refuses a key for a channel that does not exist', async () => {
    await expect(createStreamKey(database.prisma, `missing-${randomUUID().slice(0, 8)}`)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
