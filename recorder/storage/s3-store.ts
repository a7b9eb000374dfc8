// Finished recordings in an S3-compatible bucket. A file is first written to the recordings folder
// (FFmpeg needs a disk), uploaded when finished, and deleted locally only once S3 has confirmed it.
// Reads look in the recordings folder first: a file being uploaded, or whose upload failed, is
// served from there, so nothing is ever unreachable while it moves.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Logger } from 'pino';
import { parseContentRange, rangeHeader, resolveRange, type RangeRequest } from './byte-range.ts';
import {
  assertKey,
  contentDispositionOf,
  contentTypeOf,
  IMMUTABLE,
  type OpenOptions,
  type RecordingStore,
  type StoredEntry,
  type StoredFile,
} from './recording-store.ts';
import { deleteLocal, isMissing, listLocal, openLocal, readLocalText, sum } from './local-store.ts';
import type { S3Client } from './s3-client.ts';
import { S3Error } from './s3-client.ts';

export interface S3StoreOptions {
  recordingsDir: string;
  /** A CDN or public bucket URL serving the keys; viewers are redirected there instead of streamed through. */
  publicUrl: string | undefined;
}

/** Uploads at once: enough to hide latency to the bucket, few enough not to starve live HLS. */
const PARALLEL_UPLOADS = 4;
const ATTEMPTS = 3;

export class S3RecordingStore implements RecordingStore {
  readonly kind = 's3' as const;
  readonly #s3: S3Client;
  readonly #root: string;
  readonly #publicUrl: string | undefined;
  readonly #logger: Logger;
  /** keep() calls in progress, each with the keys it uploads: deleteFolder waits for those inside. */
  readonly #uploading = new Set<{ keys: readonly string[]; done: Promise<unknown> }>();

  constructor(s3: S3Client, options: S3StoreOptions, logger: Logger) {
    this.#s3 = s3;
    this.#root = options.recordingsDir;
    this.#publicUrl = options.publicUrl?.replace(/\/$/, '');
    this.#logger = logger.child({ component: 'recording-store', bucket: s3.bucket });
  }

  /** Lists one key: wrong credentials, a missing bucket or a wrong region show at start. */
  async check(): Promise<void> {
    await this.#s3.list('aethex-check/');
  }

  async keep(keys: readonly string[]): Promise<void> {
    keys.forEach(assertKey);
    const done = this.#uploadAll(keys);
    const entry = { keys, done };
    this.#uploading.add(entry);
    try {
      await done;
    } finally {
      this.#uploading.delete(entry);
    }
  }

  async #uploadAll(keys: readonly string[]): Promise<void> {
    const queue = [...keys];
    const failed: { key: string; error: unknown }[] = [];
    const worker = async () => {
      for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
        try {
          await this.#upload(key);
        } catch (error) {
          failed.push({ key, error });
          // The same mistake would fail every other file too.
          if (error instanceof S3Error && error.isConfiguration) queue.length = 0;
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_UPLOADS }, worker));
    await this.#removeEmptyFolders(keys);
    if (failed.length > 0) {
      throw new Error(
        `${failed.length} of ${keys.length} files could not be uploaded to bucket '${this.#s3.bucket}' and stay in the recordings folder; first: ${failed[0]!.key}`,
        {
          cause: failed[0]!.error,
        },
      );
    }
  }

  async open(key: string, options: OpenOptions = {}): Promise<StoredFile | undefined> {
    const local = await openLocal(this.#root, key, options.range);
    if (local) return local;
    if (this.#publicUrl && options.publicRedirect !== false)
      return { kind: 'redirect', url: `${this.#publicUrl}/${key}` };
    const response = await this.#s3.get(key, options.range && (await this.#explicitRange(key, options.range)));
    if (!response) return undefined;
    // 206 with the range, 416 for none of it, or 200: a server that ignored the range sends it all.
    const contentRange = parseContentRange(response.headers.get('content-range'));
    if (response.status === 416) {
      await response.body?.cancel();
      // Not every server names the size in a 416 (AWS answers with an XML error): ask for it.
      return { kind: 'unsatisfiable', size: contentRange?.size ?? (await this.#s3.size(key)) ?? 0 };
    }
    if (!response.body) return undefined;
    const body = Readable.fromWeb(response.body as WebReadableStream);
    if (response.status === 206 && contentRange?.range)
      return { kind: 'stream', body, size: contentRange.size, range: contentRange.range };
    return { kind: 'stream', body, size: Number(response.headers.get('content-length') ?? 0) };
  }

  /**
   * The Range header for S3 with explicit first and last bytes: not every S3-compatible server
   * reads a suffix range (`bytes=-N`) right, so its start is worked out from the object's size.
   */
  async #explicitRange(key: string, range: RangeRequest): Promise<string | undefined> {
    if (!('suffix' in range)) return rangeHeader(range);
    const size = await this.#s3.size(key);
    if (size === undefined) return undefined;
    const bytes = resolveRange(range, size);
    // None of it in the object: a range past its end gets S3's own 416.
    return bytes === 'unsatisfiable' ? `bytes=${size}-` : rangeHeader({ start: bytes.start, end: bytes.end });
  }

  async readText(key: string): Promise<string | undefined> {
    const local = await readLocalText(this.#root, key);
    if (local !== undefined) return local;
    return (await this.#s3.get(key))?.text();
  }

  async withLocalFiles<T>(prefix: string, names: readonly string[], use: (dir: string) => Promise<T>): Promise<T> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aethex-fetch-'));
    try {
      for (const name of names) await this.#copyTo(`${prefix}${name}`, path.join(dir, name));
      return await use(dir);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  async list(prefix: string): Promise<StoredEntry[]> {
    // Local files are those not uploaded yet; a key in both places counts once.
    const [local, remote] = await Promise.all([listLocal(this.#root, prefix), this.#s3.list(prefix)]);
    const byKey = new Map(remote.map((entry) => [entry.key, entry]));
    for (const entry of local) byKey.set(entry.key, entry);
    return [...byKey.values()];
  }

  async delete(keys: readonly string[]): Promise<void> {
    await deleteLocal(this.#root, keys);
    await this.#s3.delete(keys);
  }

  async deleteFolder(prefix: string): Promise<void> {
    assertKey(prefix.replace(/\/$/, ''));
    const folder = prefix.endsWith('/') ? prefix : `${prefix}/`;
    // An upload into the folder still running would put its objects back after the delete, where
    // nothing lists them again: let it finish first (its failure is the uploader's to report).
    const inside = [...this.#uploading].filter((upload) => upload.keys.some((key) => key.startsWith(folder)));
    await Promise.allSettled(inside.map((upload) => upload.done));
    await this.#s3.delete((await this.#s3.list(folder)).map((entry) => entry.key));
    await fs.rm(path.join(this.#root, folder), { recursive: true, force: true });
  }

  async totalBytes(): Promise<number> {
    return sum(await this.list(''));
  }

  async #upload(key: string): Promise<void> {
    const file = path.join(this.#root, key);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#s3.putFile(key, file, {
          contentType: contentTypeOf(key),
          cacheControl: IMMUTABLE,
          contentDisposition: contentDispositionOf(key),
        });
        break;
      } catch (error) {
        if (isMissing(error)) return; // uploaded and removed by an earlier keep() of the same key
        if (attempt >= ATTEMPTS || (error instanceof S3Error && error.isConfiguration)) throw error;
        this.#logger.warn({ err: error, key, attempt }, 'upload failed; trying again');
        await new Promise((resolve) => setTimeout(resolve, 500 * 4 ** (attempt - 1)));
      }
    }
    await fs.rm(file, { force: true });
  }

  async #copyTo(key: string, file: string): Promise<void> {
    assertKey(key);
    try {
      await fs.copyFile(path.join(this.#root, key), file);
      return;
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    const response = await this.#s3.get(key);
    if (!response?.body)
      throw Object.assign(new Error(`'${key}' is in neither the recordings folder nor the bucket`), { code: 'ENOENT' });
    await fs.writeFile(file, Readable.fromWeb(response.body as WebReadableStream));
  }

  /** Folders the upload emptied (a VOD's stream folder); never the recordings folder itself. */
  async #removeEmptyFolders(keys: readonly string[]): Promise<void> {
    const folders = new Set(keys.map((key) => path.posix.dirname(key)).filter((folder) => folder !== '.'));
    for (const folder of folders) await fs.rmdir(path.join(this.#root, folder)).catch(() => undefined);
  }
}
