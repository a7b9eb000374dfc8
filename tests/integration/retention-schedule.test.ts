// Retention as the platform runs it: from VOD_RETENTION_DAYS and RECORDINGS_MAX_GB, once at start
// and then every VOD_RETENTION_CHECK_SECONDS, with nothing calling applyRetention but the platform.
// (retention.test.ts checks the policy itself by calling it.) VODs are rows and folders made the
// way the recorder leaves them; the size limit is crossed with sparse files, which count their
// full size and take no disk.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../common/db/database.ts';
import { createTestChannel } from '../support/channels.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';

const GiB = 1024 ** 3;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-retention-schedule-'));
const platforms: TestPlatform[] = [];

afterAll(async () => {
  for (const platform of platforms.reverse()) await platform.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function start(env: Record<string, string>): Promise<TestPlatform> {
  // Recorder settings only: no stream runs here, but the recorder role is what schedules retention.
  const platform = await startTestPlatform({ DATA_DIR: dataDir, ...env });
  platforms.push(platform);
  return platform;
}

/** A finished VOD `daysOld` days old whose folder holds a segment of `bytes` (sparse: no disk used). */
async function vod(platform: TestPlatform, channelId: string, daysOld: number, bytes: number) {
  const prisma: PrismaClient = platform.database!.prisma;
  const createdAt = new Date(Date.now() - daysOld * 86_400_000);
  const stream = await prisma.stream.create({
    data: { channelId, state: 'ended', startedAt: createdAt, endedAt: createdAt },
  });
  const dir = path.join(platform.config.recorder.recordingsDir, stream.id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'vod.m3u8'), '#EXTM3U\n');
  fs.closeSync(fs.openSync(path.join(dir, 'seg-1-00000.m4s'), 'w'));
  fs.truncateSync(path.join(dir, 'seg-1-00000.m4s'), Math.round(bytes));
  const row = await prisma.vod.create({
    data: { channelId, streamId: stream.id, durationSeconds: 60, playlistPath: `${stream.id}/vod.m3u8`, createdAt },
  });
  return { id: row.id, dir };
}

async function exists(platform: TestPlatform, id: string): Promise<boolean> {
  return (await platform.database!.prisma.vod.count({ where: { id } })) === 1;
}

describe('retention run by the platform', () => {
  it('applies VOD_RETENTION_DAYS at start, and both limits every VOD_RETENTION_CHECK_SECONDS after', async () => {
    // A platform without retention holds an old VOD and a recent one, then stops.
    const before = await start({});
    const channel = await before.database!.prisma.channel.findUniqueOrThrow({
      where: { slug: (await createTestChannel(before)).slug },
    });
    const old = await vod(before, channel.id, 30, 1000);
    const recent = await vod(before, channel.id, 2, 1000);
    const clip = path.join(before.config.recorder.recordingsDir, 'clips', 'kept.mp4');
    fs.mkdirSync(path.dirname(clip), { recursive: true });
    fs.writeFileSync(clip, Buffer.alloc(1000));
    await before.close();

    // Started with a 7-day limit and the default hourly check: the start alone deletes the old VOD.
    const withAge = await start({ VOD_RETENTION_DAYS: '7' });
    // Its row goes first, then its folder (retention.ts), so both are waited for.
    await waitFor(async () => !(await exists(withAge, old.id)) && !fs.existsSync(old.dir), {
      what: 'the 30-day-old VOD and its folder to go at start',
    });
    expect(await exists(withAge, recent.id)).toBe(true);
    await withAge.close();

    // With a 1 GiB limit checked every second: VODs added while it runs push recordings past the
    // limit, and the next check deletes the oldest until they fit; the newest, and the clip, stay.
    const withSize = await start({ VOD_RETENTION_DAYS: '7', RECORDINGS_MAX_GB: '1', VOD_RETENTION_CHECK_SECONDS: '1' });
    const big = await vod(withSize, channel.id, 1, 0.6 * GiB);
    const bigger = await vod(withSize, channel.id, 0, 0.6 * GiB);
    await waitFor(
      async () =>
        !(await exists(withSize, recent.id)) &&
        !(await exists(withSize, big.id)) &&
        !fs.existsSync(recent.dir) &&
        !fs.existsSync(big.dir),
      {
        what: 'the two oldest VODs to go while recordings are over 1 GiB',
      },
    );
    expect(await exists(withSize, bigger.id)).toBe(true);
    expect([fs.existsSync(recent.dir), fs.existsSync(big.dir), fs.existsSync(bigger.dir)]).toEqual([
      false,
      false,
      true,
    ]);
    expect(fs.existsSync(clip)).toBe(true);
  });
});
