// Serves uploaded images (avatars, banners, emotes) under /uploads/. Names are random and never
// reused, so a file can be cached forever. The bytes came from users: the Content-Type follows
// the extension we chose after checking the bytes, browsers are told not to guess another one,
// and the CSP keeps anything that still looks like a document from running or loading anything.
import fs from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { STORED_NAME } from './image-store.ts';

export interface UploadFileRouteDeps {
  /** The folder ImageStore writes to. */
  uploadsDir: string;
}

export function registerUploadFileRoutes(app: FastifyInstance, { uploadsDir }: UploadFileRouteDeps): void {
  fs.mkdirSync(uploadsDir, { recursive: true });
  app.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: uploadsDir,
      prefix: '/uploads/',
      // The web app's static plugin owns reply.sendFile.
      decorateReply: false,
      index: false,
      list: false,
      redirect: false,
      dotfiles: 'deny',
      // Only files the store named: never its temporaries, never a folder.
      allowedPath: (pathName) => STORED_NAME.test(pathName.replace(/^\//, '')),
      cacheControl: true,
      maxAge: '365d',
      immutable: true,
      setHeaders(res) {
        res.setHeader('x-content-type-options', 'nosniff');
        res.setHeader('content-security-policy', "default-src 'none'; sandbox");
      },
    });
  });
}
