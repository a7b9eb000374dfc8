// Where finished recordings (VOD files, clips) are kept: the recordings folder itself (the default)
// or an S3-compatible bucket. Live HLS is always written to the recordings folder by FFmpeg; a
// file becomes the store's business once it is finished. A key is the file's path relative to the
// recordings folder ("<stream id>/seg-1-00001.m4s", "clips/<id>.mp4"), which is also what the
// Vod and Clip rows hold, so rows don't change with the store.
import type { Readable } from 'node:stream';
import type { ByteRange, RangeRequest } from './byte-range.ts';

export type StoredFile =
  /** The bytes, streamed through this server: the whole file of `size` bytes, or only `range` of it. */
  | { kind: 'stream'; body: Readable; size: number; range?: ByteRange | undefined }
  /** A range was asked for and none of it is in the file. */
  | { kind: 'unsatisfiable'; size: number }
  /** Somewhere the viewer can fetch the file from directly (a CDN in front of the bucket). */
  | { kind: 'redirect'; url: string };

export interface OpenOptions {
  /** False: stream it even where a public address (S3_PUBLIC_URL) would serve it. */
  publicRedirect?: boolean;
  /** Only these bytes (a player seeking). */
  range?: RangeRequest | undefined;
}

export interface StoredEntry {
  key: string;
  size: number;
}

export interface RecordingStore {
  readonly kind: 'local' | 's3';
  /**
   * Makes the finished files at `keys` (written under the recordings folder) permanent. With S3
   * each is uploaded and its local copy removed only once the upload is confirmed; a file whose
   * upload failed stays local (and is still served from there), and the call rejects.
   */
  keep(keys: readonly string[]): Promise<void>;
  /**
   * The file for a viewer; undefined when there is none. `publicRedirect: false` streams it even
   * where a public address (S3_PUBLIC_URL) would serve it: a private channel's files go through
   * the access check every time.
   */
  open(key: string, options?: OpenOptions): Promise<StoredFile | undefined>;
  /** A small file's text (a playlist); undefined when there is none. */
  readText(key: string): Promise<string | undefined>;
  /** Runs `use` with the files `names` under `prefix` in a local folder (for FFmpeg to read). */
  withLocalFiles<T>(prefix: string, names: readonly string[], use: (dir: string) => Promise<T>): Promise<T>;
  /** Every file whose key starts with `prefix`. */
  list(prefix: string): Promise<StoredEntry[]>;
  /** Deletes these files, local copies first (missing ones are no error). */
  delete(keys: readonly string[]): Promise<void>;
  /** Deletes every file under `prefix` (a folder: "<stream id>/"). */
  deleteFolder(prefix: string): Promise<void>;
  /** What all recordings take, live ones included. */
  totalBytes(): Promise<number>;
}

/** Keys are relative paths the recorder made; refuse anything that could step outside its folder. */
export function assertKey(key: string): void {
  if (
    key === '' ||
    key.startsWith('/') ||
    key.includes('\\') ||
    key.split('/').some((part) => part === '' || part === '.' || part === '..')
  ) {
    throw new Error(`not a recording key: '${key}'`);
  }
}

const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  mp4: 'video/mp4',
  m4s: 'video/iso.segment',
  jpg: 'image/jpeg',
};

export function contentTypeOf(key: string): string {
  return CONTENT_TYPES[key.slice(key.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
}

/** A VOD's MP4 is a download, also when a CDN serves it straight from the bucket. */
export function contentDispositionOf(key: string): string | undefined {
  return key.endsWith('/vod.mp4') ? 'attachment' : undefined;
}

/** Recorded files never change once finished; playlists are served by us, so this fits every key. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
