// The `token` query parameter: how an external HLS player (which can send neither a cookie nor a
// header) presents a viewer token. The API counts it as a credential; the recorder's playlists
// repeat it in the URIs they name, so the player's segment requests carry it too.
import type { FastifyRequest } from 'fastify';

export function queryToken(request: FastifyRequest): string | undefined {
  const token = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof token === 'string' && token ? token : undefined;
}
