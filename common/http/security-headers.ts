// Security headers on every answer, and a Content-Security-Policy on every HTML page (the app,
// /api/docs). The policy allows exactly what the app does: its own scripts and styles (Vue binds
// inline styles, hence 'unsafe-inline' for styles only), hls.js's worker and MediaSource (blob:),
// socket.io on this origin, and recordings from S3_PUBLIC_URL when set. Routes that set their own
// policy keep it (uploads are served with a sandbox of their own).
import type { FastifyInstance } from 'fastify';

export interface SecurityHeadersOptions {
  /** Another origin the pages load media from (S3_PUBLIC_URL's), if any. */
  mediaOrigin?: string | undefined;
}

export function pagePolicy(options: SecurityHeadersOptions): string {
  const media = options.mediaOrigin ? ` ${options.mediaOrigin}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${media}`,
    `media-src 'self' blob:${media}`,
    `connect-src 'self'${media}`,
    "worker-src 'self' blob:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    // Pages may be framed by this site only (clickjacking); X-Frame-Options says the same to old browsers.
    "frame-ancestors 'self'",
  ].join('; ');
}

export function registerSecurityHeaders(app: FastifyInstance, options: SecurityHeadersOptions = {}): void {
  const policy = pagePolicy(options);
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    // Same-origin requests keep the full referrer; others get none, so a ?token= page can't leak it.
    reply.header('referrer-policy', 'same-origin');
    if (!reply.hasHeader('x-frame-options')) reply.header('x-frame-options', 'SAMEORIGIN');
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html') && !reply.hasHeader('content-security-policy')) {
      reply.header('content-security-policy', policy);
    }
  });
}
