// TypeBox schemas of the WHIP, WHEP and session routes, for validation and the OpenAPI document.
// Their bodies are SDP, not JSON: fastify-swagger's `content` form says so per content type.
import { Type, type TSchema } from 'typebox';
import { ChannelSlug } from '../../common/protocol/rest/schema.ts';
import { SDP, TRICKLE } from './http-media-shared.ts';

/** problem+json (registered by the API as 'Problem') for each status. */
export function problems(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, Type.Ref('Problem')]));
}

export const SdpOffer = { content: { [SDP]: { schema: Type.String({ description: 'The SDP offer.' }) } } };
export const SdpAnswer = { description: 'The SDP answer.', content: { [SDP]: { schema: Type.String() } } };
export const SdpFragment = {
  content: { [TRICKLE]: { schema: Type.String({ description: 'The SDP fragment.' }) } },
};
export const IceRestarted = {
  description: 'ICE restarted: our new credentials and candidates.',
  content: { [TRICKLE]: { schema: Type.String() } },
};
export const Empty = (description: string) => Type.Null({ description });

export const WhipHeaders = Type.Object({
  authorization: Type.Optional(Type.String({ description: 'Bearer <stream key>' })),
});
export const WhepParams = Type.Object({ channel: ChannelSlug });
export const SessionParams = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'From the Location of the POST.' }),
});
export const SessionHeaders = Type.Object({
  authorization: Type.Optional(Type.String({ description: 'WHIP: Bearer <the stream key that created the session>.' })),
  'if-match': Type.Optional(Type.String({ description: 'The session ETag, or * for an ICE restart.' })),
});
