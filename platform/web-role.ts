// The 'web' role: the built Vue app, served with history-mode fallback.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../common/config.ts';
import { registerWebApp } from '../web/server.ts';

export async function startWeb({ config, http }: { config: Config; http: FastifyInstance }): Promise<void> {
  await registerWebApp(http, { dist: config.web.distDir, sourceMaps: config.web.sourceMaps });
}
