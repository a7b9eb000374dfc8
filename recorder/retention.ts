// VOD retention: VODs older than `maxAgeDays`, and the oldest VODs while all recordings together
// pass `maxBytes`, are deleted (files, wherever the store keeps them, and row). Clips are files of
// their own ("clips/<id>.mp4"), outside every VOD's folder, so deleting a VOD never breaks a clip;
// live recordings are never touched. Either limit at 0 means no limit.
import path from 'node:path';
import type { Logger } from 'pino';
import type { VodCatalog } from '../common/recordings/catalog.ts';
import type { RecordingStore } from './storage/index.ts';
import { sum } from './storage/local-store.ts';

export interface RetentionPolicy {
  maxAgeDays: number;
  maxBytes: number;
}

export interface RetentionResult {
  deleted: string[];
  bytesFreed: number;
}

export async function applyRetention(
  vodCatalog: Pick<VodCatalog, 'oldestFirst' | 'delete'>,
  store: RecordingStore,
  policy: RetentionPolicy,
  logger: Logger,
  now = new Date(),
): Promise<RetentionResult> {
  const vods = await vodCatalog.oldestFirst();
  const sized = await Promise.all(
    vods.map(async (vod) => {
      const folder = `${path.posix.dirname(vod.playlistPath)}/`;
      return { ...vod, folder, bytes: sum(await store.list(folder)) };
    }),
  );
  const cutoff = policy.maxAgeDays > 0 ? now.getTime() - policy.maxAgeDays * 86_400_000 : undefined;
  let total = policy.maxBytes > 0 ? await store.totalBytes() : 0;
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
    await vodCatalog.delete(vod.id);
    await store.deleteFolder(vod.folder);
    result.deleted.push(vod.id);
    result.bytesFreed += vod.bytes;
  }
  if (result.deleted.length > 0)
    logger.info({ deleted: result.deleted.length, bytesFreed: result.bytesFreed }, 'vod retention applied');
  return result;
}

/** Applies the policy now and then every `intervalMs`; returns the function that stops it. */
export function scheduleRetention(run: () => Promise<unknown>, intervalMs: number, logger: Logger): () => void {
  const tick = () => void run().catch((error: unknown) => logger.error({ err: error }, 'vod retention failed'));
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
