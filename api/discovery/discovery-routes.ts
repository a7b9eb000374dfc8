// Discovery: live now, categories, full-text search, recommendations, and the watch history that
// feeds the recommendations. The queries live in their own modules; this file is the HTTP face.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { Category, RecommendedCards } from '../../common/protocol/rest/discovery.ts';
import { requireUser, userOf } from '../accounts/auth.ts';
import { channelBySlugOr404 } from '../channels/permissions.ts';
import { ChannelSlug, NoContent, Page, PageQuery, problems, Type } from '../http/schemas.ts';
import { categoriesWithLiveCounts } from './categories.ts';
import { CategoryNames } from './category-names.ts';
import { addChannelCardSchema } from './channel-card.ts';
import { liveNow } from './live-now.ts';
import { recommendedChannels } from './recommendations.ts';
import { searchChannels } from './search.ts';
import { recordWatched } from './watched.ts';

const DEFAULT_LIMIT = 20;
const CardPage = Page(Type.Ref('ChannelCard'));
const CategorySlug = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9-]+$' });
const Tag = Type.String({ minLength: 1, maxLength: 24, pattern: '^[a-z0-9-]+$' });

export interface DiscoveryRouteDeps {
  prisma: PrismaClient;
}

export function registerDiscoveryRoutes(app: FastifyInstance, { prisma }: DiscoveryRouteDeps): void {
  const cards = { prisma, categories: new CategoryNames(prisma) };
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  addChannelCardSchema(app);

  api.get(
    '/api/v1/discover/live',
    {
      schema: {
        tags: ['discovery'],
        summary: 'Live channels, most watched first',
        querystring: Type.Object(
          { ...PageQuery.properties, category: Type.Optional(CategorySlug), tag: Type.Optional(Tag) },
          { additionalProperties: false },
        ),
        response: { 200: CardPage, ...problems(400) },
      },
    },
    async (request) => liveNow(cards, { ...request.query, limit: request.query.limit ?? DEFAULT_LIMIT }),
  );

  api.get(
    '/api/v1/categories',
    {
      schema: {
        tags: ['discovery'],
        summary: 'Categories in display order, with how many channels are live in each',
        response: { 200: Type.Array(Category) },
      },
    },
    async () => categoriesWithLiveCounts(cards),
  );

  api.get(
    '/api/v1/search',
    {
      schema: {
        tags: ['discovery'],
        summary: 'Search channels and live streams by relevance (live first among equals)',
        querystring: Type.Object(
          {
            ...PageQuery.properties,
            // Not TextLine: search reads control characters as spaces and says 'empty_query' for
            // blank text (searchTerms), which suits a search box better than refusing.
            q: Type.String({
              minLength: 1,
              maxLength: 100,
              description: 'Words to find; the last one may be a prefix.',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: CardPage, ...problems(400) },
      },
    },
    async (request) => searchChannels(cards, { ...request.query, limit: request.query.limit ?? DEFAULT_LIMIT }),
  );

  api.get(
    '/api/v1/discover/recommended',
    {
      schema: {
        tags: ['discovery'],
        summary: 'Live channels for the caller: followed, then similar to what they follow or watched, then popular',
        querystring: Type.Object({ limit: PageQuery.properties.limit }, { additionalProperties: false }),
        response: { 200: RecommendedCards, ...problems(400) },
      },
    },
    async (request): Promise<RecommendedCards> => {
      const user = await userOf(request);
      return { items: await recommendedChannels(cards, user?.id, request.query.limit ?? DEFAULT_LIMIT) };
    },
  );

  api.post(
    '/api/v1/me/watched',
    {
      schema: {
        tags: ['discovery'],
        summary: 'Record that the caller started watching a channel (feeds recommendations)',
        body: Type.Object({ channel: ChannelSlug }, { additionalProperties: false }),
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const user = await requireUser(request);
      const channel = await channelBySlugOr404(prisma, request.body.channel);
      await recordWatched(prisma, user.id, channel.id);
      return reply.status(204).send(null);
    },
  );
}
