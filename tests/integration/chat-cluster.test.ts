// Chat across processes: two platforms (separate Fastify + socket.io servers) sharing one
// PostgreSQL database and one Redis, as two API processes behind a balancer share them, plus a real
// `node server.ts` child process on the same services. Messages, deletions, bans and settings must
// reach a client whichever process it is connected to.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../api/admin/commands.ts';
import { createSession } from '../../api/accounts/sessions.ts';
import { createUser } from '../../api/accounts/users.ts';
import { ApiClient } from '../support/api-client.ts';
import { postgresTarget } from '../support/databases.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { ChatTestClient } from '../support/chat-client.ts';

const services =
  process.env.DATABASE_URL && process.env.REDIS_URL
    ? { databaseUrl: process.env.DATABASE_URL, redisUrl: process.env.REDIS_URL }
    : undefined;

interface ClusterUser {
  id: string;
  username: string;
  cookie: string;
  /** An API client of this user against the given server. */
  api(baseUrl: string): ApiClient;
}

describe.skipIf(!services)(
  'chat across processes (PostgreSQL + Redis; skipped without DATABASE_URL and REDIS_URL)',
  () => {
    let server1: TestPlatform;
    let server2: TestPlatform;
    let databaseUrl: string;
    let dispose: () => Promise<void>;
    const clients: ChatTestClient[] = [];

    beforeAll(async () => {
      const created = await postgresTarget(services!.databaseUrl).create();
      dispose = created.dispose;
      databaseUrl = (created.options as { url: string }).url;
      // One after the other: the first applies the migrations.
      server1 = await startTestPlatform({ ROLES: 'api', DATABASE_URL: databaseUrl, REDIS_URL: services!.redisUrl });
      server2 = await startTestPlatform({ ROLES: 'api', DATABASE_URL: databaseUrl, REDIS_URL: services!.redisUrl });
    });
    afterEach(() => {
      for (const client of clients.splice(0)) client.close();
    });
    afterAll(async () => {
      await server2?.close();
      await server1?.close();
      await dispose?.();
    });

    const prisma = () => server1.database!.prisma;
    const connect = async (server: { url: string }, user?: ClusterUser) => {
      const client = await ChatTestClient.connect(server.url, { cookie: user?.cookie });
      clients.push(client);
      return client;
    };

    /**
     * A user with a session, made with the account functions rather than the sign-up route: with
     * Redis the sign-up rate limit is shared by every process on this machine, other test files' included.
     */
    async function user(prefix: string): Promise<ClusterUser> {
      const username = `${prefix}_${randomBytes(4).toString('hex')}`;
      const created = await createUser(prisma(), {
        email: `${username}@example.test`,
        username,
        password: 'correct horse battery staple',
        name: prefix,
      });
      const session = await createSession(prisma(), created.id);
      const cookie = `aethex_session=${session.token}`;
      return {
        id: created.id,
        username,
        cookie,
        api(baseUrl) {
          const client = new ApiClient(baseUrl);
          client.cookie = cookie;
          return client;
        },
      };
    }

    async function channelOf(owner: ClusterUser): Promise<{ id: string; slug: string }> {
      const slug = `cluster-${randomBytes(4).toString('hex')}`;
      const email = `${owner.username}@example.test`;
      return (await runAdminCommand(
        { prisma: prisma(), publicUrl: server1.url },
        { command: 'channel.create', owner: email, slug },
      )) as { id: string; slug: string };
    }

    it('delivers a message sent through server 1 to a reader on server 2, and back', async () => {
      const owner = await user('owner');
      const channel = await channelOf(owner);
      const [alice, bob] = [await user('alice'), await user('bob')];
      const aliceOn1 = await connect(server1, alice);
      const bobOn2 = await connect(server2, bob);
      await Promise.all([aliceOn1.joined(channel.slug), bobOn2.joined(channel.slug)]);

      const sent = await aliceOn1.send(channel.slug, 'hello from server 1');

      expect(sent.ok).toBe(true);
      const received = await bobOn2.waitForEvent('message', (m) => m.body === 'hello from server 1');
      expect(received).toEqual(sent.ok ? sent.message : undefined);
      expect((await bobOn2.send(channel.slug, 'hello from server 2')).ok).toBe(true);
      await aliceOn1.waitForEvent('message', (m) => m.body === 'hello from server 2' && m.user.id === bob.id);
    });

    it("delivers a moderator's deletion through server 2's REST API to a reader on server 1", async () => {
      const owner = await user('owner');
      const channel = await channelOf(owner);
      const [mod, troll] = [await user('mod'), await user('troll')];
      await prisma().channelModerator.create({ data: { channelId: channel.id, userId: mod.id } });
      const readerOn1 = await connect(server1);
      await readerOn1.joined(channel.slug);
      const sent = await (await connect(server1, troll)).send(channel.slug, 'delete me');
      if (!sent.ok) throw new Error(JSON.stringify(sent.error));
      await readerOn1.waitForEvent('message', (m) => m.id === sent.message.id);

      const reply = await mod
        .api(server2.url)
        .delete(`/api/v1/channels/${channel.slug}/chat/messages/${sent.message.id}`);

      expect(reply.status).toBe(204);
      expect(await readerOn1.waitForEvent('message-deleted')).toEqual({ channel: channel.slug, id: sent.message.id });
      expect((await (await connect(server1)).joined(channel.slug)).history).toEqual([]);
    });

    it('announces a ban made on server 1 to server 2, where it holds at once, and settings with banned words only to moderators', async () => {
      const owner = await user('owner');
      const channel = await channelOf(owner);
      const troll = await user('troll');
      const trollOn2 = await connect(server2, troll);
      const ownerOn2 = await connect(server2, owner);
      await Promise.all([trollOn2.joined(channel.slug), ownerOn2.joined(channel.slug)]);

      expect(
        (
          await owner
            .api(server1.url)
            .post(`/api/v1/channels/${channel.slug}/chat/bans`, { username: troll.username, durationSeconds: 300 })
        ).status,
      ).toBe(201);
      await trollOn2.waitForEvent('user-timed-out', (e) => e.userId === troll.id);
      expect(await trollOn2.send(channel.slug, 'am I out?')).toMatchObject({ ok: false, error: { code: 'timed_out' } });

      expect(
        (
          await owner
            .api(server1.url)
            .patch(`/api/v1/channels/${channel.slug}/chat/settings`, { bannedWords: ['hush'] })
        ).status,
      ).toBe(200);
      expect(await ownerOn2.waitForEvent('settings')).toMatchObject({ settings: { bannedWords: ['hush'] } });
      const atTroll = await trollOn2.waitForEvent('settings');
      expect(atTroll).toEqual({
        channel: channel.slug,
        settings: { slowModeSeconds: 0, followersOnly: false, subscribersOnly: false },
      });
      expect(ownerOn2.events.filter((e) => e.event === 'settings')).toHaveLength(1);
    });

    describe('with a real server process', () => {
      let child: ChildProcess | undefined;
      let childUrl: string;
      let dataDir: string;
      let output = '';

      beforeAll(async () => {
        const port = await freePort();
        dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-chat-cluster-'));
        childUrl = `http://127.0.0.1:${port}`;
        child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
          cwd: path.resolve(import.meta.dirname, '../..'),
          env: {
            ...process.env,
            NODE_ENV: 'test',
            ROLES: 'api',
            HOST: '127.0.0.1',
            PORT: String(port),
            PUBLIC_URL: '',
            DATABASE_URL: databaseUrl,
            REDIS_URL: services!.redisUrl,
            DATA_DIR: dataDir,
            LOG_LEVEL: 'warn',
            LOG_PRETTY: 'false',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
        child.stdout!.on('data', keep);
        child.stderr!.on('data', keep);
        const state = await waitFor(
          async () => {
            if (child!.exitCode !== null || child!.signalCode !== null) return 'exited';
            const response = await fetch(`${childUrl}/healthz`, { signal: AbortSignal.timeout(1000) }).catch(
              () => undefined,
            );
            return response?.status === 200 && 'healthy';
          },
          { timeoutMs: 45_000, intervalMs: 200, what: `server.ts to answer on ${childUrl}` },
        );
        if (state === 'exited')
          throw new Error(
            `server.ts exited (code ${child.exitCode}, signal ${child.signalCode}) before it was healthy:\n${output}`,
          );
      });
      afterAll(async () => {
        if (child && child.exitCode === null) {
          const exited = new Promise((resolve) => child!.once('exit', resolve));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child!.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        }
        if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      });

      it('exchanges messages between a client of the child process and a client of this one', async () => {
        const owner = await user('owner');
        const channel = await channelOf(owner);
        const [alice, bob] = [await user('alice'), await user('bob')];
        const aliceOnChild = await connect({ url: childUrl }, alice);
        const bobOn1 = await connect(server1, bob);
        await Promise.all([aliceOnChild.joined(channel.slug), bobOn1.joined(channel.slug)]);

        expect((await aliceOnChild.send(channel.slug, 'from the child process')).ok).toBe(true);
        await bobOn1.waitForEvent('message', (m) => m.body === 'from the child process' && m.user.id === alice.id);
        expect((await bobOn1.send(channel.slug, 'from the test process')).ok).toBe(true);
        await aliceOnChild.waitForEvent('message', (m) => m.body === 'from the test process' && m.user.id === bob.id);
      });
    });
  },
);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
