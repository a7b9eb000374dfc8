// The request body of an upload route, for the OpenAPI document. Such routes stream the multipart
// body themselves (ImageStore.receive), so Fastify has no parsed body to validate: it sees null.
// The schema therefore admits null and describes the form for readers; the store enforces it.
import { Type, type TSchema } from 'typebox';

export function multipartBody(description: string, fields: Record<string, TSchema> = {}) {
  const schema = Type.Unsafe({
    type: ['object', 'null'],
    description,
    properties: {
      file: {
        type: 'string',
        contentMediaType: 'application/octet-stream',
        description: 'The image: PNG, JPEG, GIF or WebP, as the route says.',
      },
      ...fields,
    },
    required: ['file', ...Object.keys(fields)],
  });
  return { content: { 'multipart/form-data': { schema } } };
}
