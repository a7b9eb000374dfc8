// Schemas shared by the API's routes. Routes declare every param, query, body and response with
// TypeBox: Fastify validates and serializes with them, @fastify/swagger turns them into the
// OpenAPI document at /api/docs, and the handlers get their types from the same source.
import { Type, type Static, type TSchema } from 'typebox';

export { Type, type Static };

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

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const DateTime = Type.String({ format: 'date-time' });
export const Uuid = Type.String({ format: 'uuid' });

export const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 64 }) });

/** A user as others see them (chat authors, channel owners, moderators). Inlined where used. */
export const UserSummary = Type.Object({ id: Uuid, username: Type.String(), name: Type.String() });

export const PageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'nextCursor from the previous page.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});

/** A page of items with the cursor of the next page (null on the last one). */
export function Page<T extends TSchema>(item: T, options: { $id?: string } = {}) {
  return Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) }, options);
}

/** Empty success (204). */
export const NoContent = Type.Null({ description: 'No content.' });
