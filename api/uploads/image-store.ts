// The uploads folder: receives an image from a multipart request, keeps it under a random name,
// and removes files nothing points at any more. A file is streamed to a temporary name in the same
// folder and renamed once it is known good, so a half-written, oversized or wrongly typed upload
// never appears under a served name and leaves nothing behind.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
// Types only: request.isMultipart() and request.parts(), which the plugin adds.
import type {} from '@fastify/multipart';
import { AppError, BadRequestError } from '../../common/errors.ts';
import { detectImageType, EXTENSION, SNIFF_BYTES, type ImageType } from './image-types.ts';

export interface UploadSpec {
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

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super(413, 'payload_too_large', message);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}

/** Names this store gives files; anything else in the folder (temporaries) is never served. */
export const STORED_NAME = /^[A-Za-z0-9_-]{22}\.(?:png|jpg|gif|webp)$/;
const FILE_FIELD = 'file';
/** Text fields are short (names); a long one is a mistake or an attack. */
const MAX_FIELD_BYTES = 256;

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
   * Streams the request's single `file` part to a temporary file and checks by its first bytes
   * that it is one of `spec.types`. Throws 415 for anything else, 413 past `spec.maxBytes`, 400
   * for a malformed form; in every such case nothing stays on disk.
   */
  async receive(request: FastifyRequest, spec: UploadSpec): Promise<ReceivedImage> {
    if (!request.isMultipart()) {
      throw new UnsupportedMediaTypeError(`Send the image as multipart/form-data, in a field named '${FILE_FIELD}'.`);
    }
    const allowedFields = spec.fields ?? [];
    const tempPath = path.join(this.#dir, `.incoming-${randomBytes(12).toString('hex')}`);
    const fields: Record<string, string> = {};
    const mistakes: string[] = [];
    let received = false;
    try {
      const parts = request.parts({
        limits: {
          files: 1,
          fileSize: spec.maxBytes,
          fields: allowedFields.length,
          fieldSize: MAX_FIELD_BYTES,
          parts: allowedFields.length + 1,
          headerPairs: 100,
        },
      });
      // Every part is read to its end, whatever is wrong with it: the parser only moves on (and
      // reports its limits) once the current part is consumed. Mistakes are reported afterwards.
      for await (const part of parts) {
        if (part.type === 'file') {
          if (part.fieldname !== FILE_FIELD) {
            mistakes.push(`the file must be in the field '${FILE_FIELD}', not '${part.fieldname}'`);
            await pipeline(part.file, discardAll());
            continue;
          }
          await pipeline(part.file, fs.createWriteStream(tempPath, { flags: 'wx' }));
          if (part.file.truncated) throw tooLarge(spec.maxBytes);
          received = true;
        } else if (!allowedFields.includes(part.fieldname)) {
          mistakes.push(`unknown field '${part.fieldname}'`);
        } else if (part.valueTruncated || typeof part.value !== 'string') {
          mistakes.push(`the field '${part.fieldname}' is too long`);
        } else {
          fields[part.fieldname] = part.value;
        }
      }
      if (mistakes.length > 0) throw new BadRequestError(`The form is not right: ${mistakes.join('; ')}.`);
      if (!received) throw new BadRequestError(`Send the image in a multipart field named '${FILE_FIELD}'.`);
      const type = detectImageType(await readHead(tempPath));
      if (!type || !spec.types.includes(type)) {
        throw new UnsupportedMediaTypeError(
          `Only ${spec.types.map((t) => t.toUpperCase()).join(', ')} images are accepted here.`,
        );
      }
      return { tempPath, type, fields };
    } catch (error) {
      await this.#unlink(tempPath);
      throw translateMultipartError(error, spec);
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

async function readHead(file: string): Promise<Uint8Array> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function discardAll(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`The image is larger than ${formatBytes(maxBytes)}.`);
}

/** The multipart parser's own errors carry internal codes; clients get ours, with a clear message. */
function translateMultipartError(error: unknown, spec: UploadSpec): unknown {
  switch ((error as { code?: unknown }).code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return tooLarge(spec.maxBytes);
    case 'FST_FILES_LIMIT':
      return new BadRequestError(`Send exactly one file, in the field '${FILE_FIELD}'.`);
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new BadRequestError(
        `The form has too many fields; send '${FILE_FIELD}'${spec.fields?.length ? ` and ${spec.fields.map((f) => `'${f}'`).join(', ')}` : ''} only.`,
      );
    default:
      return error;
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}
