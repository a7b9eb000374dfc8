// What the WHIP, WHEP and session routes share: their content types, how they read the body and
// the bearer token, the Link headers they answer with, and the dependencies they are built with.
// A module of its own so the route files and the plugin that registers them don't import each other.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ChannelDirectory } from '../../common/live/channel-directory.ts';
import { UnsupportedMediaTypeError } from './http-media-errors.ts';
import type { LiveRegistry, RoomPlacement } from '../live-state.ts';

export interface HttpMediaDeps {
  rooms: RoomPlacement;
  directory: ChannelDirectory;
  live: LiveRegistry;
  /** STUN/TURN servers advertised to clients in Link headers. */
  iceServers: readonly string[];
  logger: Logger;
  /** WEBRTC_SEATS_PER_STREAM: WHEP players count as WebRTC viewers. */
  webrtcSeatsPerStream: number;
}

export const SDP = 'application/sdp';
export const TRICKLE = 'application/trickle-ice-sdpfrag';
/** Real offers are a few KiB; this bounds what a hostile client can make us parse. */
export const MAX_SDP_BYTES = 64 * 1024;

/** What the catch-all body parser hands a handler for a body of any other type: textBody answers 415. */
export const UNSUPPORTED = Symbol('unsupported body');

/** The request body as text of the given content type, or a 415. */
export function textBody(request: FastifyRequest, contentType: string): string {
  const given = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (given !== contentType || typeof request.body !== 'string') throw new UnsupportedMediaTypeError(contentType);
  return request.body;
}

/** The bearer token of the Authorization header, if any. */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}

export function linkHeaders(reply: FastifyReply, iceServers: readonly string[]): void {
  if (iceServers.length === 0) return;
  reply.header(
    'link',
    iceServers.map((url) => `<${url}>; rel="ice-server"`),
  );
}
