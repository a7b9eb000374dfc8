// A viewer link revoked on one process lets go of the viewers watching on another: an API process
// takes the revocation, a media process (signaling and SFU) holds the viewers, both on one
// PostgreSQL database and one Redis. The revocation travels as an access change on the pub/sub;
// with the in-process pub/sub the media process would never hear of it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../api/admin/commands.ts';
import { SESSION_COOKIE } from '../../api/accounts/auth.ts';
import { createSession } from '../../api/accounts/sessions.ts';
import { ApiClient } from '../support/api-client.ts';
import { postgresTarget } from '../support/databases.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { TestSignalingClient } from '../support/signaling-client.ts';
import { waitFor } from '../support/wait.ts';
import { completeOffer, publishOverWhip, type WhipPublication } from '../support/whip-publisher.ts';
import { countReceived, RTCPeerConnection } from '../support/wrtc-media.ts';

const services =
  process.env.DATABASE_URL && process.env.REDIS_URL
    ? { databaseUrl: process.env.DATABASE_URL, redisUrl: process.env.REDIS_URL }
    : undefined;

describe.skipIf(!services)(
  'a viewer link revoked on another process (PostgreSQL + Redis; skipped without DATABASE_URL and REDIS_URL)',
  () => {
    /** Takes the owner's requests: where the link is revoked. */
    let api: TestPlatform;
    /** Holds the stream and its viewers. */
    let media: TestPlatform;
    let dispose: (() => Promise<void>) | undefined;
    let publication: WhipPublication | undefined;
    let owner: ApiClient;
    let slug: string;

    beforeAll(async () => {
      const created = await postgresTarget(services!.databaseUrl).create();
      dispose = created.dispose;
      const shared = { DATABASE_URL: (created.options as { url: string }).url, REDIS_URL: services!.redisUrl };
      // One after the other: the first applies the migrations.
      media = await startTestPlatform({ ROLES: 'api,signaling,sfu', STREAM_END_GRACE_MS: '1000', ...shared });
      api = await startTestPlatform({ ROLES: 'api', ...shared });

      // The owner, made with the account functions: with Redis the sign-up rate limit is shared by
      // every process on this machine, other test files' included.
      const prisma = api.database!.prisma;
      const suffix = randomBytes(4).toString('hex');
      const email = `owner-${suffix}@example.test`;
      slug = `cluster-${suffix}`;
      const context = { prisma, publicUrl: api.url };
      const user = (await runAdminCommand(context, {
        command: 'user.create',
        email,
        password: 'correct horse battery',
      })) as { id: string };
      await runAdminCommand(context, { command: 'channel.create', owner: email, slug });
      const key = (await runAdminCommand(context, { command: 'stream-key.create', channel: slug })) as { key: string };
      owner = new ApiClient(api.url);
      owner.cookie = `${SESSION_COOKIE}=${(await createSession(prisma, user.id)).token}`;
      expect((await owner.patch(`/api/v1/channels/${slug}`, { private: true })).body.private).toBe(true);
      publication = await publishOverWhip(media.url, key.key);
    }, 120_000);

    afterAll(async () => {
      await publication?.stop().catch(() => undefined);
      // Let the stream end before the processes close: its end is announced over Redis.
      await waitFor(
        async () => (await media?.database?.prisma.stream.count({ where: { channel: { slug }, state: 'live' } })) === 0,
        { timeoutMs: 20_000, what: 'the stream to end' },
      ).catch(() => undefined);
      await api?.close();
      await media?.close();
      await dispose?.();
    });

    it('lets go of the socket.io and WHEP viewers on the media process, and of no one else', async () => {
      const issue = async (label: string) =>
        (await owner.post(`/api/v1/channels/${slug}/viewer-tokens`, { label })).body as { id: string; token: string };
      const revoked = await issue('revoked on the API process');
      const kept = await issue('kept');
      const room = await waitFor(() => media.rooms!.rooms().find((r) => r.producers().length === 2), {
        timeoutMs: 20_000,
        what: 'both producers on the media process',
      });
      const guest = await TestSignalingClient.connect(media.url);
      const other = await TestSignalingClient.connect(media.url);
      const pc = new RTCPeerConnection();
      pc.addTransceiver('video', { direction: 'recvonly' });
      const received = countReceived(pc);
      try {
        await guest.ok('join', { role: 'viewer', channel: slug, viewerToken: revoked.token });
        await other.ok('join', { role: 'viewer', channel: slug, viewerToken: kept.token });
        const whep = await fetch(`${media.url}/api/whep/${slug}`, {
          method: 'POST',
          headers: { 'content-type': 'application/sdp', authorization: `Bearer ${revoked.token}` },
          body: await completeOffer(pc),
        });
        expect(whep.status).toBe(201);
        await pc.setRemoteDescription({ type: 'answer', sdp: await whep.text() });
        await waitFor(() => received.videoFrames > 5, { timeoutMs: 20_000, what: 'video over WHEP' });
        expect(room.viewerCount()).toBe(3);

        // Revoked on the API process, which holds none of these viewers.
        expect((await owner.delete(`/api/v1/channels/${slug}/viewer-tokens/${revoked.id}`)).status).toBe(204);

        const kicked = await guest.waitForNotification('kicked');
        expect(kicked.reason).toMatch(/access to this private channel ended/);
        await waitFor(() => room.viewerCount() === 1, { what: "the revoked link's two viewers to be let go" });
        expect((await fetch(`${media.url}${whep.headers.get('location')}`, { method: 'DELETE' })).status).toBe(404);
        expect(other.notificationsOf('kicked')).toEqual([]);
        // And the link opens nothing on either process any more.
        expect((await guest.request('join', { role: 'viewer', channel: slug, viewerToken: revoked.token })).ok).toBe(
          false,
        );
      } finally {
        received.stop();
        pc.close();
        guest.close();
        other.close();
      }
    });
  },
);
