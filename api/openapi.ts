// The OpenAPI document of every route that declares a schema, at /api/docs/json, with a browsable
// UI at /api/docs. Must be registered before the routes: it collects them as they are added.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { Problem } from './http/schemas.ts';
import { SESSION_COOKIE } from './accounts/auth.ts';

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  app.addSchema(Problem);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'AeThex Live API',
        version: '1',
        description:
          'REST API of AeThex Live. Errors are RFC 9457 problem+json with a stable `code`. Lists are cursor-paginated: ' +
          'pass `nextCursor` back as `cursor`. Signed-in calls use the session cookie; writes must send an Origin header naming this site.',
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } } },
      security: [],
    },
    // Only the API is documented; pages, HLS files and socket.io are not REST routes.
    hideUntagged: true,
    // Shared schemas keep their $id as their name in the document (not def-0, def-1...).
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
}
