// VOD retention: VODs older than `maxAgeDays`, and the oldest VODs while all recordings together
// pass `maxBytes`, are deleted (files and row). Clips are MP4s of their own, so deleting a VOD
// never breaks a clip; live recordings are never touched. Either limit at 0 means no limit.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { PrismaClient } from '../common/db/database.ts';

export interface RetentionPolicy {
  maxAgeDays: number;
  maxBytes: number;
}

export interface RetentionResult {
  deleted: string[];
  bytesFreed: number;
}

export async function applyRetention(
  prisma: PrismaClient,
  recordingsDir: string,
  policy: RetentionPolicy,
  logger: Logger,
  now = new Date(),
): Promise<RetentionResult> {
  const vods = await prisma.vod.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { id: true, createdAt: true, playlistPath: true } });
  const sized = await Promise.all(
    vods.map(async (vod) => {
      const dir = path.dirname(path.join(recordingsDir, vod.playlistPath));
      return { ...vod, dir, bytes: await folderBytes(dir) };
    }),
  );
  const cutoff = policy.maxAgeDays > 0 ? now.getTime() - policy.maxAgeDays * 86_400_000 : undefined;
  let total = policy.maxBytes > 0 ? (await folderBytes(recordingsDir)) : 0;
  const doomed = sized.filter((vod) => {
    const tooOld = cutoff !== undefined && vod.createdAt.getTime() < cutoff;
    const overQuota = policy.maxBytes > 0 && total > policy.maxBytes;
    if (!tooOld && !overQuota) return false;
    total -= vod.bytes;
    return true;
  });
  const result: RetentionResult = { deleted: [], bytesFreed: 0 };
  for (const vod of doomed) {
    // Row first: a VOD that can't be listed is gone for users even if its files linger.
    await prisma.vod.delete({ where: { id: vod.id } });
    await fs.rm(vod.dir, { recursive: true, force: true });
    result.deleted.push(vod.id);
    result.bytesFreed += vod.bytes;
  }
  if (result.deleted.length > 0) logger.info({ deleted: result.deleted.length, bytesFreed: result.bytesFreed }, 'vod retention applied');
  return result;
}

async function folderBytes(dir: string): Promise<number> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let bytes = 0;
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) bytes += await folderBytes(full);
    else if (entry.isFile()) bytes += (await fs.stat(full).catch(() => ({ size: 0 }))).size;
  }
  return bytes;
}

/** Applies the policy now and then every `intervalMs`; returns the function that stops it. */
export function scheduleRetention(run: () => Promise<unknown>, intervalMs: number, logger: Logger): () => void {
  const tick = () => void run().catch((error: unknown) => logger.error({ err: error }, 'vod retention failed'));
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
