// A webinar ready for its stage, as the stage e2e tests start from: a new channel whose owner is
// signed in over the API, a webinar scheduled an hour ahead, a signed-up panelist invited, and
// its backstage open.
import { expect } from 'vitest';
import type { Platform } from '../../platform.ts';
import { ApiClient, signUp, type TestUser } from './api-client.ts';
import { createTestChannel, OWNER_PASSWORD, type TestChannel } from './channels.ts';

export interface BackstageWebinar {
  channel: TestChannel;
  /** The channel's owner, signed in. */
  hostApi: ApiClient;
  hostId: string;
  webinarId: string;
  panelist: TestUser;
  panelistName: string;
}

/** `hostName` renames the channel's owner first (the name their stage tiles show). */
export async function backstageWebinar(
  platform: Platform,
  { title, hostName }: { title: string; hostName?: string },
): Promise<BackstageWebinar> {
  const prisma = platform.database!.prisma;
  const channel = await createTestChannel(platform);
  const host = hostName
    ? await prisma.user.update({ where: { email: channel.ownerEmail }, data: { name: hostName } })
    : await prisma.user.findUniqueOrThrow({ where: { email: channel.ownerEmail } });
  const hostApi = new ApiClient(platform.url);
  expect(
    (await hostApi.post('/api/v1/auth/login', { login: channel.ownerEmail, password: OWNER_PASSWORD })).status,
  ).toBe(200);
  const created = await hostApi.post(`/api/v1/channels/${channel.slug}/webinars`, {
    title,
    scheduledStart: new Date(Date.now() + 3_600_000).toISOString(),
    durationMinutes: 60,
  });
  expect(created.status).toBe(201);
  const webinarId: string = created.body.id;
  const panelist = await signUp(platform.url, 'panelist');
  const panelistName = (await prisma.user.findUniqueOrThrow({ where: { id: panelist.id } })).name;
  expect(
    (await hostApi.post(`/api/v1/webinars/${webinarId}/members`, { username: panelist.username, role: 'panelist' }))
      .status,
  ).toBe(201);
  expect((await hostApi.post(`/api/v1/webinars/${webinarId}/backstage`)).body.state).toBe('backstage');
  return { channel, hostApi, hostId: host.id, webinarId, panelist, panelistName };
}
