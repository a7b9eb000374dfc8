// The HTTP side of media: WHIP ingest (RFC 9725) at /api/whip and WHEP playback at
// /api/whep/<channel>, with their session resources. They land in the same SFU rooms as the
// browser's socket.io sessions, so a WHIP publisher and browser viewers (or a browser publisher
// and WHEP viewers) meet.
//
// Registered as an encapsulated Fastify plugin: the SDP body parsers and CORS headers here apply
// to these routes only.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { RoomRegistry } from '../../sfu/room-registry.ts';
import type { ChannelDirectory } from '../../common/live/channel-directory.ts';
import type { LiveStreams } from '../live-streams.ts';
import { HttpSessions } from './http-sessions.ts';
import { UnsupportedMediaTypeError } from './http-media-errors.ts';
import { registerSessionRoutes } from './session-routes.ts';
import { registerWhepRoutes } from './whep-routes.ts';
import { registerWhipRoutes } from './whip-routes.ts';

export interface HttpMediaDeps {
  rooms: RoomRegistry;
  directory: ChannelDirectory;
  live: LiveStreams;
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

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, content-type, if-match',
  'access-control-expose-headers': 'location, etag, link, accept-post, accept-patch',
};

export async function registerHttpMedia(app: FastifyInstance, deps: HttpMediaDeps): Promise<HttpSessions> {
  const sessions = new HttpSessions(deps.logger);
  await app.register(async (scope) => {
    scope.addContentTypeParser(
      [SDP, TRICKLE],
      { parseAs: 'string', bodyLimit: MAX_SDP_BYTES },
      (_request, body, done) => done(null, body),
    );
    // Any other body type reaches the handler as "unsupported", which answers 415 in problem+json.
    scope.addContentTypeParser('*', { bodyLimit: MAX_SDP_BYTES }, (_request, _payload, done) =>
      done(null, UNSUPPORTED),
    );
    scope.addHook('onSend', async (_request, reply) => {
      reply.headers(CORS_HEADERS);
    });
    registerWhipRoutes(scope, deps, sessions);
    registerWhepRoutes(scope, deps, sessions);
    registerSessionRoutes(scope, deps, sessions);
  });
  return sessions;
}

const UNSUPPORTED = Symbol('unsupported body');

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
