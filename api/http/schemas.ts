// Schemas shared by the API's routes. Routes declare every param, query, body and response with
// TypeBox: Fastify validates and serializes with them, @fastify/swagger turns them into the
// OpenAPI document at /api/docs, and the handlers get their types from the same source. What the
// routes answer is described in common/protocol/rest/, where the web app takes its types from.
import { Type, type Static, type TSchema } from 'typebox';

export { Type, type Static };
import { ChannelSlug } from '../../common/protocol/rest/schema.ts';
export {
  ChannelSlug,
  DateTime,
  Nullable,
  Page,
  TextBlock,
  TextLine,
  UserSummary,
  Uuid,
} from '../../common/protocol/rest/schema.ts';

/** RFC 9457 problem details, as common/errors.ts's toProblem writes them. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'Stable machine-readable error code (e.g. not_found, forbidden, slug_taken).' }),
    detail: Type.String(),
  },
  { $id: 'Problem', additionalProperties: true },
);

/** The error responses a route may give, all problem+json. */
export function problems(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, Type.Ref('Problem')]));
}

export const SlugParams = Type.Object({ slug: ChannelSlug });

export const PageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'nextCursor from the previous page.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});

/** Empty success (204). */
export const NoContent = Type.Null({ description: 'No content.' });
