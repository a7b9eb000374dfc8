// The HTTP side of media: WHIP ingest (RFC 9725) at /api/whip and WHEP playback at
// /api/whep/<channel>, with their session resources. They land in the same SFU rooms as the
// browser's socket.io sessions, so a WHIP publisher and browser viewers (or a browser publisher
// and WHEP viewers) meet.
//
// Registered as an encapsulated Fastify plugin: the SDP body parsers and CORS headers here apply
// to these routes only.
import type { FastifyInstance } from 'fastify';
import { HttpSessions } from './http-sessions.ts';
import { MAX_SDP_BYTES, SDP, TRICKLE, UNSUPPORTED, type HttpMediaDeps } from './http-media-shared.ts';
import { registerSessionRoutes } from './session-routes.ts';
import { registerWhepRoutes } from './whep-routes.ts';
import { registerWhipRoutes } from './whip-routes.ts';

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
