// Reads an upload form: one file part, written to a path we choose, and a few short text fields.
// Everything the multipart parser can object to (no boundary, a body cut short or not multipart at
// all, too many parts, a file too large, a client that hung up) becomes one of our errors with a
// sentence saying what is wrong, decided here for every upload route. Only a failure to write the
// file is ours, and stays an unexpected error.
import fs from 'node:fs';
import type { FastifyRequest } from 'fastify';
// Types only: request.parts(), which the plugin adds.
import type {} from '@fastify/multipart';
import { AppError, BadRequestError } from '../../common/errors.ts';

export interface FormSpec {
  /** The largest file accepted, in bytes. */
  maxBytes: number;
  /** Text fields the form may carry besides the file (e.g. an emote's name). */
  fields: readonly string[];
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super(413, 'payload_too_large', message);
  }
}

/** The body is not well-formed multipart/form-data: the parser could not read it. */
export class MalformedFormError extends AppError {
  constructor(message: string) {
    super(400, 'malformed_form', message);
  }
}

export const FILE_FIELD = 'file';
/** Text fields are short (names); a long one is a mistake or an attack. */
const MAX_FIELD_BYTES = 256;

/**
 * Reads the request's form, writing its `file` part to `filePath` (created, never overwritten),
 * and returns its text fields. Throws our errors (400, 413) for anything wrong with the form; the
 * caller removes `filePath` whatever happens.
 */
export async function readUploadForm(
  request: FastifyRequest,
  spec: FormSpec,
  filePath: string,
): Promise<Record<string, string>> {
  const fields: Record<string, string> = {};
  const mistakes: string[] = [];
  let received = false;
  const fromParser = <T>(source: AsyncIterable<T>) =>
    translated(source, (error) => {
      const refusal = parserError(error, spec);
      if (refusal !== error) request.log.info({ err: error, code: refusal.code }, 'refused an upload form');
      return refusal;
    });
  const parts = request.parts({
    limits: {
      files: 1,
      fileSize: spec.maxBytes,
      fields: spec.fields.length,
      fieldSize: MAX_FIELD_BYTES,
      parts: spec.fields.length + 1,
      headerPairs: 100,
    },
  });
  // Every part is read to its end, whatever is wrong with it: the parser only moves on (and
  // reports its limits) once the current part is consumed. Mistakes are reported afterwards.
  for await (const part of fromParser(parts)) {
    if (part.type === 'file') {
      if (part.fieldname !== FILE_FIELD) {
        mistakes.push(`the file must be in the field '${FILE_FIELD}', not '${part.fieldname}'`);
        for await (const _ of fromParser(part.file));
        continue;
      }
      await writeFile(fromParser(part.file), filePath);
      if (part.file.truncated) throw tooLarge(spec.maxBytes);
      received = true;
    } else if (!spec.fields.includes(part.fieldname)) {
      mistakes.push(
        part.fieldname === FILE_FIELD
          ? `'${FILE_FIELD}' came as a text field; send the image as a file`
          : `unknown field '${part.fieldname}'`,
      );
    } else if (part.valueTruncated || typeof part.value !== 'string') {
      mistakes.push(`the field '${part.fieldname}' is too long`);
    } else {
      fields[part.fieldname] = part.value;
    }
  }
  if (mistakes.length > 0) throw new BadRequestError(`The form is not right: ${mistakes.join('; ')}.`);
  if (!received) throw new BadRequestError(`Send the image in a multipart field named '${FILE_FIELD}'.`);
  return fields;
}

/** Writes the chunks to a new file. Errors from `chunks` are the parser's; from the file, the disk's. */
async function writeFile(chunks: AsyncIterable<Buffer>, filePath: string): Promise<void> {
  const file = await fs.promises.open(filePath, 'wx');
  try {
    for await (const chunk of chunks) await file.write(chunk);
  } finally {
    await file.close();
  }
}

/**
 * The parser's output, with whatever it throws translated: a for-await over it sees only our
 * errors. What the loop body throws (a disk error) is not the parser's and passes untouched.
 */
async function* translated<T>(source: AsyncIterable<T>, translate: (error: unknown) => unknown): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (error) {
    throw translate(error);
  }
}

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`The image is larger than ${formatBytes(maxBytes)}.`);
}

/**
 * @fastify/multipart's errors carry codes of its own, and busboy's are bare Errors told apart only
 * by their messages; clients get our codes, and a sentence that says what to fix.
 */
function parserError(error: unknown, spec: FormSpec): AppError {
  if (error instanceof AppError) return error;
  const { code, message } = error as { code?: unknown; message?: unknown };
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return tooLarge(spec.maxBytes);
    case 'FST_FILES_LIMIT':
      return new BadRequestError(`Send exactly one file, in the field '${FILE_FIELD}'.`);
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new BadRequestError(`The form has more parts than it should: send ${expectedParts(spec)} only.`);
    case 'FST_PROTO_VIOLATION':
      return new BadRequestError('The form has a field whose name is not allowed.');
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return new BadRequestError('A field of the form says it is JSON but is not.');
    case 'FST_MP_PREMATURE_CLOSE':
      return new MalformedFormError('The request ended before the whole form was sent.');
  }
  const text = typeof message === 'string' ? message : '';
  if (/boundary/i.test(text)) {
    return new MalformedFormError(
      "The Content-Type names no boundary: send 'multipart/form-data; boundary=...' with the boundary the body uses.",
    );
  }
  if (/unexpected end|terminated early/i.test(text)) {
    return new MalformedFormError(
      "The form ends before its closing boundary: the body is cut short, or is not made of parts separated by the Content-Type's boundary.",
    );
  }
  return new MalformedFormError('The body is not a multipart/form-data form that can be read.');
}

function expectedParts(spec: FormSpec): string {
  return [FILE_FIELD, ...spec.fields].map((field) => `'${field}'`).join(' and ');
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}
