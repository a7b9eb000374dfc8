// Chooses the recording store at boot: S3 when S3_BUCKET is set, the recordings folder otherwise.
import type { Logger } from 'pino';
import type { Config } from '../../common/config.ts';
import { LocalRecordingStore } from './local-store.ts';
import type { RecordingStore } from './recording-store.ts';
import { S3Client, S3Error } from './s3-client.ts';
import { S3RecordingStore } from './s3-store.ts';

export type { RecordingStore, StoredFile } from './recording-store.ts';

/**
 * With S3, one request checks the settings first: wrong keys, a missing bucket or a wrong region
 * stop the start with what to fix. An unreachable server only warns (uploads are retried per
 * file, and files stay local until they succeed).
 */
export async function createRecordingStore(recorder: Config['recorder'], logger: Logger): Promise<RecordingStore> {
  const { s3 } = recorder;
  if (!s3) return new LocalRecordingStore(recorder.recordingsDir);
  const store = new S3RecordingStore(
    new S3Client(s3),
    { recordingsDir: recorder.recordingsDir, publicUrl: s3.publicUrl },
    logger,
  );
  const where = { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, publicUrl: s3.publicUrl };
  try {
    await store.check();
  } catch (error) {
    if (error instanceof S3Error)
      throw new Error(`Recording storage: bucket '${s3.bucket}' at ${s3.endpoint}: ${error.message}`, { cause: error });
    logger.warn(
      { err: error, ...where },
      'the S3 server did not answer; a VOD whose upload fails stays in RECORDINGS_DIR (served from there) and is uploaded again at the next start',
    );
  }
  logger.info(where, 'VODs and clips are stored in S3');
  return store;
}
