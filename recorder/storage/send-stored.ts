// Answers a request for a stored file: streamed with its type and a year of caching (recorded
// files never change), or redirected to where the store serves it (a CDN in front of the bucket).
import type { FastifyReply } from 'fastify';
import { AppError, NotFoundError } from '../../common/errors.ts';
import { parseRange } from './byte-range.ts';
import { contentTypeOf, IMMUTABLE, type RecordingStore } from './recording-store.ts';

/** A redirect is only as stable as S3_PUBLIC_URL, which an operator may change. */
const REDIRECT_CACHE = 'public, max-age=3600';

export interface SendStoredOptions {
  downloadAs?: string;
  /** A private channel's file: no redirect to a public address, and no shared (CDN) caching. */
  private?: boolean;
  /** The request's `Range` header: a player seeking, or Safari, which plays only what answers ranges. */
  range?: string | undefined;
}

export async function sendStored(
  reply: FastifyReply,
  store: RecordingStore,
  key: string,
  options: SendStoredOptions = {},
): Promise<FastifyReply> {
  const file = await store.open(key, { publicRedirect: !options.private, range: parseRange(options.range) });
  if (!file) throw new NotFoundError('File', key.slice(key.lastIndexOf('/') + 1));
  if (file.kind === 'redirect') return reply.header('cache-control', REDIRECT_CACHE).redirect(file.url, 302);
  reply.header('accept-ranges', 'bytes');
  if (file.kind === 'unsatisfiable') {
    reply.header('content-range', `bytes */${file.size}`);
    throw new AppError(
      416,
      'range_not_satisfiable',
      `The file has ${file.size} bytes; the range asked for lies past its end.`,
    );
  }
  if (options.downloadAs) reply.header('content-disposition', `attachment; filename="${options.downloadAs}"`);
  const cacheControl = options.private ? IMMUTABLE.replace('public', 'private') : IMMUTABLE;
  reply.type(contentTypeOf(key)).header('cache-control', cacheControl);
  if (file.range) {
    const { start, end } = file.range;
    return reply
      .status(206)
      .header('content-range', `bytes ${start}-${end}/${file.size}`)
      .header('content-length', String(end - start + 1))
      .send(file.body);
  }
  return reply.header('content-length', String(file.size)).send(file.body);
}
