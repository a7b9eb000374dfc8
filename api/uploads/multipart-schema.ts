// The request body of an upload route, for the OpenAPI document. Such routes stream the multipart
// body themselves (ImageStore.receive), so Fastify has no parsed body to validate: it sees null.
// The schema therefore admits null and describes the form for readers; the store enforces it. The
// outer object is written out (Type.Unsafe) because `type: ['object', 'null']` keeps `properties`
// where OpenAPI readers look for them; an anyOf of an object and null would hide them a level down.
import { Type, type TSchema } from 'typebox';

const File = Type.String({
  contentMediaType: 'application/octet-stream',
  description: 'The image: PNG, JPEG, GIF or WebP, as the route says.',
});

export function multipartBody(description: string, fields: Record<string, TSchema> = {}) {
  const schema = Type.Unsafe({
    type: ['object', 'null'],
    description,
    properties: { file: File, ...fields },
    required: ['file', ...Object.keys(fields)],
  });
  return { content: { 'multipart/form-data': { schema } } };
}
