// A Unix socket in the data folder through which `npm run cli` reaches a running server. Only the
// owner of the data folder can connect (the socket's folder is mode 0700), which is the same
// person who could open the database files directly: no password needed, nothing on the network.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { toProblem } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { parseAdminCommand, runAdminCommand, type AdminContext } from './commands.ts';

export function adminSocketPath(dataDir: string): string {
  return path.join(dataDir, 'run', 'admin.sock');
}

const MAX_BODY_BYTES = 64 * 1024;

export interface AdminSocket {
  readonly path: string;
  close(): Promise<void>;
}

export async function listenAdminSocket(dataDir: string, context: AdminContext, logger: Logger): Promise<AdminSocket> {
  const socketPath = adminSocketPath(dataDir);
  fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  fs.chmodSync(path.dirname(socketPath), 0o700);
  // A socket file left by a process that crashed would make listen() fail with EADDRINUSE. The
  // data-folder lock (embedded database) or the operator (PostgreSQL) guarantees it is stale.
  fs.rmSync(socketPath, { force: true });
  const log = logger.child({ component: 'admin-socket' });

  const server = http.createServer((req, res) => {
    void handle(req, res, context, log);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  fs.chmodSync(socketPath, 0o600);
  return {
    path: socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          fs.rmSync(socketPath, { force: true });
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  context: AdminContext,
  log: Logger,
): Promise<void> {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': status < 300 ? 'application/json' : 'application/problem+json' });
    res.end(JSON.stringify(body));
  };
  try {
    if (req.method !== 'POST' || req.url !== '/command') {
      reply(404, { status: 404, code: 'not_found', detail: 'POST /command only.' });
      return;
    }
    const body = await readBody(req);
    const command = parseAdminCommand(JSON.parse(body));
    const result = await runAdminCommand(context, command);
    log.info({ command: command.command }, 'admin command');
    reply(200, result);
  } catch (error) {
    const problem =
      error instanceof SyntaxError ? toProblem(Object.assign(error, { statusCode: 400 })) : toProblem(error);
    if (problem.status >= 500) log.error({ err: error }, 'admin command failed');
    reply(problem.status, problem);
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(Object.assign(new Error('Request body too large.'), { statusCode: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
