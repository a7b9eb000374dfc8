// The default store: finished files stay where the recorder wrote them, in the recordings folder.
import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveRange, type RangeRequest } from './byte-range.ts';
import {
  assertKey,
  type OpenOptions,
  type RecordingStore,
  type StoredEntry,
  type StoredFile,
} from './recording-store.ts';

export class LocalRecordingStore implements RecordingStore {
  readonly kind = 'local' as const;
  readonly #root: string;

  constructor(recordingsDir: string) {
    this.#root = recordingsDir;
  }

  async keep(): Promise<void> {
    // Already where they belong.
  }

  open(key: string, options: OpenOptions = {}): Promise<StoredFile | undefined> {
    return openLocal(this.#root, key, options.range);
  }

  readText(key: string): Promise<string | undefined> {
    return readLocalText(this.#root, key);
  }

  async withLocalFiles<T>(prefix: string, _names: readonly string[], use: (dir: string) => Promise<T>): Promise<T> {
    return use(path.join(this.#root, prefix));
  }

  list(prefix: string): Promise<StoredEntry[]> {
    return listLocal(this.#root, prefix);
  }

  delete(keys: readonly string[]): Promise<void> {
    return deleteLocal(this.#root, keys);
  }

  async deleteFolder(prefix: string): Promise<void> {
    assertKey(prefix.replace(/\/$/, ''));
    await fs.rm(path.join(this.#root, prefix), { recursive: true, force: true });
  }

  async totalBytes(): Promise<number> {
    return sum(await listLocal(this.#root, ''));
  }
}

/** The local file at `key`, opened before it is stat'ed so a concurrent delete can't break the reply. */
export async function openLocal(root: string, key: string, range?: RangeRequest): Promise<StoredFile | undefined> {
  assertKey(key);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path.join(root, key));
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
    const bytes = range && resolveRange(range, stat.size);
    if (bytes === 'unsatisfiable') {
      await handle.close();
      return { kind: 'unsatisfiable', size: stat.size };
    }
    return { kind: 'stream', body: handle.createReadStream(bytes ?? {}), size: stat.size, range: bytes };
  } catch (error) {
    await handle.close();
    if (isMissing(error)) return undefined;
    throw error;
  }
}

export async function readLocalText(root: string, key: string): Promise<string | undefined> {
  assertKey(key);
  return fs.readFile(path.join(root, key), 'utf8').catch((error: unknown) => {
    if (isMissing(error)) return undefined;
    throw error;
  });
}

/** Files under `prefix` ("" for all), recursively, as keys. */
export async function listLocal(root: string, prefix: string): Promise<StoredEntry[]> {
  const folder = prefix.endsWith('/') || prefix === '' ? prefix : `${path.posix.dirname(prefix)}/`.replace(/^\.\//, '');
  const entries: StoredEntry[] = [];
  const walk = async (relative: string): Promise<void> => {
    let names;
    try {
      names = await fs.readdir(path.join(root, relative), { withFileTypes: true });
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return;
      throw error;
    }
    for (const entry of names) {
      const key = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) await walk(key);
      else if (entry.isFile() && key.startsWith(prefix)) {
        const size = (await fs.stat(path.join(root, key)).catch(() => ({ size: 0 }))).size;
        entries.push({ key, size });
      }
    }
  };
  await walk(folder.replace(/\/$/, ''));
  return entries;
}

export async function deleteLocal(root: string, keys: readonly string[]): Promise<void> {
  keys.forEach(assertKey);
  await Promise.all(keys.map((key) => fs.rm(path.join(root, key), { force: true })));
}

export function sum(entries: readonly StoredEntry[]): number {
  return entries.reduce((total, entry) => total + entry.size, 0);
}

export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
