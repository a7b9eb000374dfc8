// Operator CLI. With a running server on the embedded database it goes through the server's admin
// socket (PGlite allows one process); otherwise it opens the database itself.
import fs from 'node:fs';
import http from 'node:http';
import { adminSocketPath } from '../api/admin/admin-socket.ts';
import { runAdminCommand, type AdminCommand } from '../api/admin/commands.ts';
import { ConfigError, loadConfig, type Config } from '../common/config.ts';
import { openDatabase } from '../common/db/database.ts';
import { toProblem } from '../common/errors.ts';
import { createLogger } from '../common/logger.ts';
import { parseCliArgs, USAGE, UsageError } from './parse-args.ts';

class CommandFailed extends Error {}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  if (fs.existsSync('.env')) process.loadEnvFile('.env');
  let command: AdminCommand;
  let config: Config;
  try {
    command = parseCliArgs(argv);
    config = loadConfig(process.env, []);
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message, 2);
    if (error instanceof ConfigError) return fail(error.problems.join(' '), 2);
    throw error;
  }
  try {
    const result = (await viaRunningServer(config, command)) ?? (await directly(config, command));
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof CommandFailed) return fail(error.message, 1);
    const problem = toProblem(error);
    return fail(problem.status < 500 ? problem.detail : (error as Error).message, 1);
  }
}

function fail(message: string, code: number): number {
  process.stderr.write(`error: ${message}\n`);
  return code;
}

/** Sends the command to a server listening on the admin socket; undefined when none is running. */
function viaRunningServer(config: Config, command: AdminCommand): Promise<unknown> {
  const socketPath = adminSocketPath(config.dataDir);
  if (!fs.existsSync(socketPath)) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, path: '/command', method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { detail?: string };
          if (res.statusCode === 200) resolve(body);
          else reject(new CommandFailed(body.detail ?? `server answered ${res.statusCode}`));
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      // A socket file without a server behind it: the server stopped uncleanly. Work directly.
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') resolve(undefined);
      else reject(error);
    });
    req.end(JSON.stringify(command));
  });
}

async function directly(config: Config, command: AdminCommand): Promise<unknown> {
  const logger = createLogger({ level: 'warn', pretty: false });
  const database = await openDatabase(
    config.database.url
      ? { kind: 'postgresql', url: config.database.url }
      : { kind: 'pglite', dir: `${config.dataDir}/pglite` },
    logger,
  );
  try {
    return await runAdminCommand({ prisma: database.prisma, publicUrl: config.http.publicUrl }, command);
  } finally {
    await database.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
