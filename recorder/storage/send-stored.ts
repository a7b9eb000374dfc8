// Answers a request for a stored file: streamed with its type and a year of caching (recorded
// files never change), or redirected to where the store serves it (a CDN in front of the bucket).
import type { FastifyReply } from 'fastify';
import { NotFoundError } from '../../common/errors.ts';
import { contentTypeOf, IMMUTABLE, type RecordingStore } from './recording-store.ts';

/** A redirect is only as stable as S3_PUBLIC_URL, which an operator may change. */
const REDIRECT_CACHE = 'public, max-age=3600';

export interface SendStoredOptions {
  downloadAs?: string;
  /** A private channel's file: no redirect to a public address, and no shared (CDN) caching. */
  private?: boolean;
}

export async function sendStored(reply: FastifyReply, store: RecordingStore, key: string, options: SendStoredOptions = {}): Promise<FastifyReply> {
  const file = await store.open(key, { publicRedirect: !options.private });
  if (!file) throw new NotFoundError('File', key.slice(key.lastIndexOf('/') + 1));
  if (file.kind === 'redirect') return reply.header('cache-control', REDIRECT_CACHE).redirect(file.url, 302);
  if (options.downloadAs) reply.header('content-disposition', `attachment; filename="${options.downloadAs}"`);
  const cacheControl = options.private ? IMMUTABLE.replace('public', 'private') : IMMUTABLE;
  return reply.type(contentTypeOf(key)).header('content-length', String(file.size)).header('cache-control', cacheControl).send(file.body);
}
