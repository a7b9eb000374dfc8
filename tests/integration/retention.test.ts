// VOD retention on real folders and a real database: old VODs go, then the oldest while over the
// size limit; the newest VOD, the clips and live recordings stay.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../api/admin/commands.ts';
import { createVodRepository } from '../../api/vods/vod-repository.ts';
import { openDatabase, type Database } from '../../common/db/database.ts';
import { applyRetention } from '../../recorder/retention.ts';
import { LocalRecordingStore } from '../../recorder/storage/local-store.ts';
import { testLogger } from '../support/logger.ts';

const MiB = 1024 * 1024;
let database: Database;
let recordingsDir: string;
let channelId: string;

beforeEach(async () => {
  database = await openDatabase({ kind: 'pglite' }, testLogger);
  recordingsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-retention-'));
  const context = { prisma: database.prisma, publicUrl: 'http://127.0.0.1' };
  await runAdminCommand(context, {
    command: 'user.create',
    email: 'keeper@example.test',
    password: 'long enough password',
  });
  const channel = (await runAdminCommand(context, {
    command: 'channel.create',
    owner: 'keeper@example.test',
    slug: 'archive',
  })) as { id: string };
  channelId = channel.id;
});

afterEach(async () => {
  await database.close();
  fs.rmSync(recordingsDir, { recursive: true, force: true });
});

/** A VOD `daysOld` days old whose folder holds `bytes` of segments. */
async function vod(daysOld: number, bytes: number): Promise<{ id: string; dir: string }> {
  const createdAt = new Date(Date.now() - daysOld * 86_400_000);
  const stream = await database.prisma.stream.create({
    data: { channelId, state: 'ended', startedAt: createdAt, endedAt: createdAt },
  });
  const dir = path.join(recordingsDir, stream.id);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'seg-1-00000.m4s'), Buffer.alloc(bytes));
  fs.writeFileSync(path.join(dir, 'vod.m3u8'), '#EXTM3U\n');
  const row = await database.prisma.vod.create({
    data: {
      channelId,
      streamId: stream.id,
      durationSeconds: 60,
      playlistPath: path.join(stream.id, 'vod.m3u8'),
      createdAt,
    },
  });
  return { id: row.id, dir };
}

async function remainingVods(): Promise<string[]> {
  return (await database.prisma.vod.findMany({ select: { id: true } })).map((v) => v.id).sort();
}

describe('VOD retention', () => {
  it('deletes VODs past the age limit, then the oldest while over the size limit, and never a clip or a live recording', async () => {
    const oldest = await vod(10, 1 * MiB);
    const older = await vod(5, 1 * MiB);
    const newest = await vod(1, 1 * MiB);
    fs.mkdirSync(path.join(recordingsDir, 'clips'));
    const clip = path.join(recordingsDir, 'clips', 'a-clip.mp4');
    fs.writeFileSync(clip, Buffer.alloc(100_000));
    const live = path.join(recordingsDir, 'live-stream-folder');
    fs.mkdirSync(live);
    fs.writeFileSync(path.join(live, 'seg-1-00000.m4s'), Buffer.alloc(100_000));

    const byAge = await applyRetention(
      createVodRepository(database.prisma),
      new LocalRecordingStore(recordingsDir),
      { maxAgeDays: 7, maxBytes: 0 },
      testLogger,
    );
    expect(byAge.deleted).toEqual([oldest.id]);
    expect(fs.existsSync(oldest.dir)).toBe(false);
    expect(await remainingVods()).toEqual([older.id, newest.id].sort());

    // 2 MiB of VODs and 0.2 MB of clip and live recording against a 1.5 MiB limit: one more goes.
    const bySize = await applyRetention(
      createVodRepository(database.prisma),
      new LocalRecordingStore(recordingsDir),
      { maxAgeDays: 0, maxBytes: 1.5 * MiB },
      testLogger,
    );
    expect(bySize.deleted).toEqual([older.id]);
    expect(bySize.bytesFreed).toBeGreaterThanOrEqual(1 * MiB);
    expect(await remainingVods()).toEqual([newest.id]);
    expect(fs.existsSync(newest.dir)).toBe(true);
    expect(fs.existsSync(clip)).toBe(true);
    expect(fs.existsSync(live)).toBe(true);
  });

  it('keeps everything when both limits are off', async () => {
    const a = await vod(400, MiB);
    const b = await vod(0, MiB);
    const result = await applyRetention(
      createVodRepository(database.prisma),
      new LocalRecordingStore(recordingsDir),
      { maxAgeDays: 0, maxBytes: 0 },
      testLogger,
    );
    expect(result.deleted).toEqual([]);
    expect(await remainingVods()).toEqual([a.id, b.id].sort());
  });
});
