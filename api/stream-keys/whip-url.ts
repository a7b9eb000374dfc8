// Links handed out with secrets (the WHIP URL with a stream key, watch links with viewer tokens):
// PUBLIC_URL, which users reach us at, plus a path.
import type { FastifyInstance } from 'fastify';

export function publicUrlOf(app: FastifyInstance, pathAndQuery: string): string {
  const url = new URL(app.authOptions.publicUrl);
  // With PORT=0 (tests) PUBLIC_URL names port 0; the real port is known once we listen, as the
  // composition root does for the CLI's links.
  if (url.port === '0') {
    const address = app.server.address();
    if (typeof address === 'object' && address) url.port = String(address.port);
  }
  return `${url.toString().replace(/\/$/, '')}${pathAndQuery}`;
}

export function whipUrlOf(app: FastifyInstance): string {
  return publicUrlOf(app, '/api/whip');
}
