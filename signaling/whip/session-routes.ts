// The session resources of WHIP and WHEP (RFC 9725 section 4): DELETE ends the session; PATCH
// with a trickle-ice-sdpfrag adds candidates or, with `If-Match: "*"` and new credentials,
// restarts ICE.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../common/errors.ts';
import { buildIceRestartFragment, parseTrickleFragment } from '../sdp/trickle.ts';
import type { HttpSession, HttpSessionKind, HttpSessions } from './http-sessions.ts';
import { newEtag } from './http-sessions.ts';
import { PreconditionFailedError, PreconditionRequiredError, TakenOverError } from './http-media-errors.ts';
import { Empty, IceRestarted, problems, SdpFragment, SessionHeaders, SessionParams } from './http-media-schemas.ts';
import { bearerToken, textBody, TRICKLE, type HttpMediaDeps } from './http-media-shared.ts';

type SessionRequest = FastifyRequest<{ Params: { id: string } }>;

function deleteSchema(kind: HttpSessionKind) {
  return {
    tags: [kind],
    summary: `End a ${kind.toUpperCase()} session`,
    params: SessionParams,
    headers: SessionHeaders,
    response: { 200: Empty('Ended.'), ...problems(403, 404, 409) },
  };
}

function patchSchema(kind: HttpSessionKind) {
  return {
    tags: [kind],
    summary: `Trickle ICE candidates to a ${kind.toUpperCase()} session, or restart its ICE`,
    description:
      'The body is an SDP fragment (application/trickle-ice-sdpfrag); an ICE restart answers with our new fragment.',
    params: SessionParams,
    headers: SessionHeaders,
    body: SdpFragment,
    response: {
      200: IceRestarted,
      204: Empty('Candidates accepted.'),
      ...problems(400, 403, 404, 409, 412, 415, 428),
    },
  };
}

export function registerSessionRoutes(app: FastifyInstance, _deps: HttpMediaDeps, sessions: HttpSessions): void {
  for (const kind of ['whip', 'whep'] as const) {
    const url = `/api/${kind}/sessions/:id`;

    app.options<{ Params: { id: string } }>(url, async (_request, reply) =>
      reply
        .status(204)
        .header('allow', 'OPTIONS, PATCH, DELETE')
        .header('accept-patch', TRICKLE)
        .header('access-control-allow-methods', 'OPTIONS, PATCH, DELETE')
        .send(),
    );

    app.delete<{ Params: { id: string } }>(url, { schema: deleteSchema(kind) }, async (request, reply) => {
      const session = ownedSession(sessions, kind, request);
      sessions.delete(session);
      request.log.info({ session: session.id, kind, channel: session.channel.slug }, 'session deleted');
      return reply.status(200).send();
    });

    app.patch<{ Params: { id: string } }>(url, { schema: patchSchema(kind) }, async (request, reply) => {
      const session = ownedSession(sessions, kind, request);
      const fragment = parseTrickleFragment(textBody(request, TRICKLE));
      const ifMatch = request.headers['if-match'];
      // A new client ufrag means the client restarted ICE on its side (RFC 9725 section 4.4).
      const restart =
        ifMatch === '*' || (fragment.iceUfrag !== undefined && fragment.iceUfrag !== session.remoteIceUfrag);
      if (restart) {
        if (ifMatch === undefined)
          throw new PreconditionRequiredError('An ICE restart needs "If-Match: *" (or the current ETag).');
        if (ifMatch !== '*' && ifMatch !== session.etag)
          throw new PreconditionFailedError('The ICE session changed; its ETag no longer matches.');
        if (!fragment.iceUfrag)
          throw new BadRequestError('An ICE restart fragment must carry the new a=ice-ufrag and a=ice-pwd.');
        const iceParameters = await session.transport.restartIce();
        session.remoteIceUfrag = fragment.iceUfrag;
        session.etag = newEtag();
        return reply
          .status(200)
          .type(TRICKLE)
          .header('etag', session.etag)
          .send(buildIceRestartFragment(iceParameters, session.transport.iceCandidates));
      }
      if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== session.etag) {
        throw new PreconditionFailedError('The ICE session changed; its ETag no longer matches.');
      }
      // Our side is ICE-lite: it learns the client's addresses from its connectivity checks, so
      // trickled candidates need no action. Accepting them keeps clients that send them happy.
      return reply.status(204).send();
    });
  }
}

/** The session named in the URL, if the caller may change it; otherwise a 404, 403, or 409 taken_over. */
function ownedSession(sessions: HttpSessions, kind: HttpSessionKind, request: SessionRequest): HttpSession {
  const session = sessions.get(kind, request.params.id);
  if (!session && sessions.wasTakenOver(kind, request.params.id)) throw new TakenOverError();
  if (!session) throw new NotFoundError('Session', request.params.id);
  if (!sessions.mayChange(session, bearerToken(request)))
    throw new ForbiddenError('Only the session that created this resource may change it.');
  return session;
}
