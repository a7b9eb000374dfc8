// The one HTTP server every role hangs its routes on: request ids, problem+json errors, and
// HTTPS when configured. Roles register plugins on it in platform.ts.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Config } from '../config.ts';
import { isFailure, toProblem } from '../errors.ts';
import type { Problem } from '../protocol/problem.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { addTextKeyword } from './text-keyword.ts';
import type { Logger } from '../logger.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** What the router's own errors mean to a client, in our words (theirs quote the whole URL). */
function frameworkProblem(error: { code: string; statusCode?: number }): Problem {
  const status = error.statusCode ?? 400;
  const detail =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'A part of the address is too long.'
      : error.code === 'FST_ERR_BAD_URL'
        ? 'The address is not valid: it has a malformed percent-encoding.'
        : 'The address could not be read.';
  const code = status === 414 ? 'uri_too_long' : 'bad_request';
  return { type: 'about:blank', title: code, status, code, detail };
}

/** A number of proxies as proxy-addr takes it: the nearest `hops` addresses are trusted. */
function trustedHops(trust: Config['http']['trustProxy']) {
  return typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust;
}

export function createHttpServer(config: Config, logger: Logger): FastifyInstance {
  const https =
    config.http.tlsCertFile && config.http.tlsKeyFile
      ? { cert: fs.readFileSync(config.http.tlsCertFile), key: fs.readFileSync(config.http.tlsKeyFile) }
      : null;
  const app = Fastify({
    loggerInstance: logger,
    https,
    trustProxy: trustedHops(config.http.trustProxy),
    // Take the caller's request id when it looks like one, so logs join up across a proxy.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    // Fastify's default strips unknown body fields silently; a schema that forbids them should
    // answer 400 instead, so a client's typo (or a sneaked-in "role") is not ignored unseen.
    ajv: { customOptions: { removeAdditional: false }, plugins: [addTextKeyword] },
    // On shutdown, don't wait for clients still downloading segments or holding keep-alives.
    forceCloseConnections: true,
    // Addresses the router can't read (a bad percent-encoding, an overlong segment) get the same
    // problem+json as every other error, and never the address itself: it may hold ?token=.
    frameworkErrors: (error, request, frameworkReply) => {
      const reply = frameworkReply as FastifyReply;
      const problem = frameworkProblem(error);
      request.log.info({ code: error.code, status: problem.status }, 'refused an address the router cannot read');
      void reply.status(problem.status).type('application/problem+json').send(problem);
    },
  }) as unknown as FastifyInstance;

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerSecurityHeaders(app, { mediaOrigin: originOf(config.recorder.s3?.publicUrl) });

  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500 && isFailure(error)) request.log.error({ err: error }, 'request failed');
    const retryAfter = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    void reply.status(problem.status).type('application/problem+json').send(problem);
  });

  return app;
}

function originOf(url: string | undefined): string | undefined {
  return url ? new URL(url).origin : undefined;
}
