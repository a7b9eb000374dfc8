// Serves the built Vue app (web/dist) with history-mode fallback: any GET that is not an API path
// or a file gets index.html, and the router in the browser takes it from there.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'dist');

/** Paths owned by the server; they never fall back to the app. */
const SERVER_PATHS = /^\/(api|hls|socket\.io|healthz|uploads)(\/|$)|^\/(vod|clip)\/[^/]+\//;

export interface WebAppOptions {
  /** The build to serve; web/dist by default. */
  dist?: string | undefined;
  /** Whether to serve the build's source maps; without, a .map answers 404 like any missing file. */
  sourceMaps: boolean;
}

export async function registerWebApp(app: FastifyInstance, options: WebAppOptions): Promise<void> {
  const dist = options.dist ?? WEB_DIST;
  const indexFile = path.join(dist, 'index.html');
  if (!fs.existsSync(indexFile)) {
    throw new Error(
      `The web app is not built (${indexFile} is missing): run 'npm run build:web' or 'npm start' ` +
        `('npm run build:web:test' for the test build, web/dist-test, which tests serve).`,
    );
  }
  await app.register(fastifyStatic, {
    root: dist,
    wildcard: false,
    index: false,
    allowedPath: (pathName) => options.sourceMaps || !pathName.endsWith('.map'),
    // Vite puts a content hash in every asset name, so assets can be cached forever.
    setHeaders(res, filePath) {
      const hashed = filePath.includes(`${path.sep}assets${path.sep}`);
      res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const index = fs.readFileSync(indexFile);
  app.setNotFoundHandler((request, reply) => {
    const urlPath = request.url.split('?')[0] ?? '/';
    const wantsPage =
      (request.method === 'GET' || request.method === 'HEAD') &&
      !SERVER_PATHS.test(urlPath) &&
      !/\.[a-z0-9]+$/i.test(urlPath);
    if (wantsPage) return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
    return reply
      .status(404)
      .type('application/problem+json')
      .send({
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        code: 'not_found',
        detail: `No route for ${request.method} ${urlPath}.`,
      });
  });
}
