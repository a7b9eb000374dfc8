// The WHIP URL handed out with a stream key: PUBLIC_URL, which users reach us at, plus /api/whip.
import type { FastifyInstance } from 'fastify';

export function whipUrlOf(app: FastifyInstance): string {
  const url = new URL(app.authOptions.publicUrl);
  // With PORT=0 (tests) PUBLIC_URL names port 0; the real port is known once we listen, as the
  // composition root does for the CLI's links.
  if (url.port === '0') {
    const address = app.server.address();
    if (typeof address === 'object' && address) url.port = String(address.port);
  }
  return `${url.toString().replace(/\/$/, '')}/api/whip`;
}
