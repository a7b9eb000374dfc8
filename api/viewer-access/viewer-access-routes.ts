// Viewer tokens of a private channel, from the studio (list, issue one shown once, revoke; owner
// or admin), and the exchange of a share link's token for this browser's access cookie.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../common/errors.ts';
import { cookieAttributes, requireUser } from '../accounts/auth.ts';
import { channelBySlugOr404, channelToManage } from '../channels/permissions.ts';
import { IssuedViewerToken, VIEWER_TOKEN_LABEL_MAX, ViewerToken } from '../../common/protocol/rest/viewer-tokens.ts';
import { NoContent, problems, SlugParams, TextLine, Type, Uuid } from '../http/schemas.ts';
import { publicUrlOf } from '../stream-keys/whip-url.ts';
import type { AccessNarrowed } from './access-changes.ts';
import { accessCookieName } from './watch-access.ts';
import {
  countActiveViewerTokens,
  isViewerTokenOf,
  issueViewerToken,
  listViewerTokens,
  MAX_ACTIVE_VIEWER_TOKENS,
  revokeViewerToken,
} from './viewer-tokens.ts';

/** How long a browser keeps its access to a channel; the token's revocation ends it sooner. */
const ACCESS_COOKIE_DAYS = 30;

export interface ViewerAccessRouteDeps {
  prisma: PrismaClient;
  /** Announces that a token was revoked, so whoever watches with it is asked again. */
  accessNarrowed: AccessNarrowed;
}

export function registerViewerAccessRoutes(
  app: FastifyInstance,
  { prisma, accessNarrowed }: ViewerAccessRouteDeps,
): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/v1/channels/:slug/viewer-tokens',
    {
      schema: {
        tags: ['private channels'],
        summary:
          "The channel's viewer tokens, newest first, revoked ones included; never the tokens themselves (owner or admin)",
        params: SlugParams,
        response: { 200: Type.Array(ViewerToken), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const channel = await channelToManage(prisma, await requireUser(request), request.params.slug);
      const tokens = await listViewerTokens(prisma, channel.id);
      return reply.header('cache-control', 'no-store').send(
        tokens.map((t): ViewerToken => ({
          id: t.id,
          label: t.label,
          prefix: t.prefix,
          createdAt: t.createdAt.toISOString(),
          revokedAt: t.revokedAt?.toISOString() ?? null,
        })),
      );
    },
  );

  api.post(
    '/api/v1/channels/:slug/viewer-tokens',
    {
      schema: {
        tags: ['private channels'],
        summary: `Issue a viewer token: a link that lets its holders watch the private channel (at most ${MAX_ACTIVE_VIEWER_TOKENS} active; owner or admin)`,
        params: SlugParams,
        body: Type.Object(
          { label: Type.Optional(TextLine({ maxLength: VIEWER_TOKEN_LABEL_MAX })) },
          { additionalProperties: false },
        ),
        response: { 201: IssuedViewerToken, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const channel = await channelToManage(prisma, await requireUser(request), request.params.slug);
      if ((await countActiveViewerTokens(prisma, channel.id)) >= MAX_ACTIVE_VIEWER_TOKENS) {
        throw new ConflictError(
          'too_many_viewer_tokens',
          `A channel has at most ${MAX_ACTIVE_VIEWER_TOKENS} active viewer tokens; revoke one first.`,
        );
      }
      const issued = await issueViewerToken(prisma, channel.id, request.body.label?.trim() ?? '');
      return reply
        .status(201)
        .header('cache-control', 'no-store')
        .send({
          id: issued.id,
          label: issued.label,
          prefix: issued.prefix,
          createdAt: issued.createdAt.toISOString(),
          token: issued.token,
          watchUrl: publicUrlOf(app, `/${channel.slug}?token=${encodeURIComponent(issued.token)}`),
          whepUrl: publicUrlOf(app, `/api/whep/${channel.slug}`),
        });
    },
  );

  api.delete(
    '/api/v1/channels/:slug/viewer-tokens/:id',
    {
      schema: {
        tags: ['private channels'],
        summary: 'Revoke a viewer token: its links stop working at once (owner or admin)',
        params: Type.Object({ ...SlugParams.properties, id: Uuid }),
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const channel = await channelToManage(prisma, await requireUser(request), request.params.slug);
      if (!(await revokeViewerToken(prisma, channel.id, request.params.id)))
        throw new NotFoundError('Viewer token', request.params.id);
      // Whoever watches with it now is let go too, not only at their next request.
      accessNarrowed({ channelId: channel.id });
      return reply.status(204).send(null);
    },
  );

  api.post(
    '/api/v1/channels/:slug/viewer-access',
    {
      schema: {
        tags: ['private channels'],
        summary:
          "Trade a share link's viewer token for this browser's access to the private channel (an HttpOnly cookie)",
        params: SlugParams,
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 204: NoContent, ...problems(400, 403, 404) },
      },
    },
    async (request, reply) => {
      const channel = await channelBySlugOr404(prisma, request.params.slug);
      if (!channel.private) return reply.status(204).send(null);
      if (!(await isViewerTokenOf(prisma, channel.id, request.body.token)))
        throw new ForbiddenError('This viewer link is not valid, or its creator revoked it.');
      reply.setCookie(accessCookieName(channel.id), request.body.token, {
        ...cookieAttributes(reply),
        maxAge: ACCESS_COOKIE_DAYS * 24 * 3600,
      });
      return reply.status(204).send(null);
    },
  );
}
