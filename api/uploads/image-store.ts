// The uploads folder: receives an image from a multipart request, keeps it under a random name,
// and removes files nothing points at any more. A file is streamed to a temporary name in the same
// folder and renamed once it is known good, so a half-written, oversized or wrongly typed upload
// never appears under a served name and leaves nothing behind.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
// Types only: request.isMultipart(), which the plugin adds.
import type {} from '@fastify/multipart';
import { AppError } from '../../common/errors.ts';
import { readImageSize } from './image-dimensions.ts';
import { checkPixelLimit, type ImageKind } from './image-limits.ts';
import { detectImageType, EXTENSION, type ImageType } from './image-types.ts';
import { FILE_FIELD, readUploadForm } from './multipart-form.ts';

export interface UploadSpec {
  /** What the image is for, which sets how many pixels it may have (PIXEL_LIMITS). */
  kind: ImageKind;
  /** The largest file accepted, in bytes. */
  maxBytes: number;
  types: readonly ImageType[];
  /** Text fields the form may carry besides `file` (e.g. an emote's name). */
  fields?: readonly string[];
}

/** An image received and checked, still under its temporary name: keep() or discard() it. */
export interface ReceivedImage {
  readonly tempPath: string;
  readonly type: ImageType;
  readonly fields: Readonly<Record<string, string>>;
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}

/** Names this store gives files; anything else in the folder (temporaries) is never served. */
export const STORED_NAME = /^[A-Za-z0-9_-]{22}\.(?:png|jpg|gif|webp)$/;

export function uploadUrl(name: string): string {
  return `/uploads/${name}`;
}

export class ImageStore {
  readonly #dir: string;
  readonly #logger: FastifyBaseLogger;

  constructor(dir: string, logger: FastifyBaseLogger) {
    this.#dir = dir;
    this.#logger = logger;
    fs.mkdirSync(dir, { recursive: true });
  }

  /**
   * Streams the request's single `file` part to a temporary file and checks by its bytes that it
   * is one of `spec.types`, of a size in pixels a `spec.kind` may have. Throws 415 for anything
   * else, 413 past `spec.maxBytes`, 400 for a malformed form or too many pixels; in every such
   * case nothing stays on disk.
   */
  async receive(request: FastifyRequest, spec: UploadSpec): Promise<ReceivedImage> {
    if (!request.isMultipart()) {
      throw new UnsupportedMediaTypeError(`Send the image as multipart/form-data, in a field named '${FILE_FIELD}'.`);
    }
    const tempPath = path.join(this.#dir, `.incoming-${randomBytes(12).toString('hex')}`);
    try {
      const fields = await readUploadForm(request, { maxBytes: spec.maxBytes, fields: spec.fields ?? [] }, tempPath);
      // The whole file (at most maxBytes): a JPEG's frame header may follow long EXIF and ICC segments.
      const bytes = await fs.promises.readFile(tempPath);
      const type = detectImageType(bytes);
      if (!type || !spec.types.includes(type)) {
        throw new UnsupportedMediaTypeError(
          `Only ${spec.types.map((t) => t.toUpperCase()).join(', ')} images are accepted here.`,
        );
      }
      checkPixelLimit(spec.kind, readImageSize(type, bytes));
      return { tempPath, type, fields };
    } catch (error) {
      await this.#unlink(tempPath);
      throw error;
    }
  }

  /** Moves a received image to its permanent random name; returns that name. */
  async keep(image: ReceivedImage): Promise<string> {
    const name = `${randomBytes(16).toString('base64url')}.${EXTENSION[image.type]}`;
    try {
      await fs.promises.rename(image.tempPath, path.join(this.#dir, name));
    } catch (error) {
      await this.#unlink(image.tempPath);
      throw error;
    }
    return name;
  }

  async discard(image: ReceivedImage): Promise<void> {
    await this.#unlink(image.tempPath);
  }

  /** Removes a stored file (an image nothing points at any more). Never throws: a leftover file is harmless. */
  async remove(name: string | null | undefined): Promise<void> {
    if (!name) return;
    if (!STORED_NAME.test(name)) {
      this.#logger.warn({ name }, 'refusing to remove a file this store did not name');
      return;
    }
    await this.#unlink(path.join(this.#dir, name));
  }

  /**
   * Keeps the image, lets `point` make the database refer to it (returning the name it referred
   * to before), then removes the old file. The old file goes only once nothing points at it; if
   * the database write fails, the new file goes instead.
   */
  async replace(image: ReceivedImage, point: (name: string) => Promise<string | null | undefined>): Promise<string> {
    const name = await this.keep(image);
    let previous: string | null | undefined;
    try {
      previous = await point(name);
    } catch (error) {
      await this.remove(name);
      throw error;
    }
    await this.remove(previous);
    return name;
  }

  async #unlink(file: string): Promise<void> {
    try {
      await fs.promises.unlink(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.#logger.error({ err: error, file }, 'could not remove an upload');
    }
  }
}
