// GET /healthz over real HTTP, while the things it reports on really fail: a mediasoup worker
// killed with SIGKILL, and a Redis server that goes away and comes back.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { SESSION_COOKIE } from '../../api/accounts/auth.ts';
import { createSession } from '../../api/accounts/sessions.ts';
import { createUser } from '../../api/accounts/users.ts';
import type { HealthReport } from '../../api/health/health-route.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';

interface Health {
  status: number;
  body: HealthReport;
}

/** Each platform's administrator's session cookie: the details of /healthz are theirs to see. */
const adminCookies = new WeakMap<TestPlatform, string>();

async function adminCookie(platform: TestPlatform): Promise<string> {
  const known = adminCookies.get(platform);
  if (known) return known;
  const prisma = platform.database!.prisma;
  const email = `admin-${randomBytes(4).toString('hex')}@example.test`;
  const admin = await createUser(prisma, { email, password: 'correct horse battery', role: 'admin' });
  const cookie = `${SESSION_COOKIE}=${(await createSession(prisma, admin.id)).token}`;
  adminCookies.set(platform, cookie);
  return cookie;
}

/** /healthz as an administrator sees it, or as anyone else does with `as: 'anyone'`. */
async function health(platform: TestPlatform, as: 'admin' | 'anyone' = 'admin'): Promise<Health> {
  const headers: Record<string, string> = as === 'admin' ? { cookie: await adminCookie(platform) } : {};
  const response = await fetch(`${platform.url}/healthz`, { headers, signal: AbortSignal.timeout(5000) });
  return { status: response.status, body: (await response.json()) as HealthReport };
}

describe('health with media workers', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({ MEDIA_WORKERS: '2', RTC_PORT: '0' });
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('tells anyone only whether it is up: worker PIDs, ports and the database kind are for administrators', async () => {
    const { status, body } = await health(platform, 'anyone');
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok' });
  });

  it('answers 200 with the database and both workers up', async () => {
    const { status, body } = await health(platform);
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.database).toMatchObject({ ok: true, kind: 'pglite' });
    expect(body.pubsub).toMatchObject({ ok: true, kind: 'local' });
    const workers = body.media!.workers;
    expect(workers.map((w) => w.index)).toEqual([0, 1]);
    expect(workers.every((w) => w.alive && w.pid > 0)).toBe(true);
    expect(new Set(workers.map((w) => w.pid)).size).toBe(2);
  });

  it('replaces a worker killed with SIGKILL, in the same slot, and the server lives on', async () => {
    const before = (await health(platform)).body.media!.workers;
    const [victim, survivor] = [before[0]!, before[1]!];

    process.kill(victim.pid, 'SIGKILL');

    const after = await waitFor(
      async () => {
        const { status, body } = await health(platform);
        const replacement = body.media!.workers[0]!;
        return status === 200 && replacement.alive && replacement.pid !== victim.pid && body;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'the killed worker to be replaced' },
    );
    const workers = after.media!.workers;
    expect(workers[0]!.pid).toBeGreaterThan(0);
    expect(workers[1]!.pid).toBe(survivor.pid);
    expect(isAlive(victim.pid)).toBe(false);
    // The server is this test process: still serving requests on the same HTTP server.
    expect(platform.http.server.listening).toBe(true);
    expect(platform.workers!.workers().map((w) => w.worker.pid)).toEqual(workers.map((w) => w.pid));
  });
});

describe('health with Redis going away and coming back', () => {
  let redis: RedisServer;
  let platform: TestPlatform;

  beforeAll(async () => {
    redis = await RedisServer.start(await freePort());
    platform = await startTestPlatform({ ROLES: 'api,web', REDIS_URL: `redis://127.0.0.1:${redis.port}` });
  });
  afterAll(async () => {
    await platform?.close();
    await redis?.stop();
  });

  it('answers 200, then 503 while Redis is down, then 200 once it is back', async () => {
    const up = await health(platform);
    expect(up.status).toBe(200);
    expect(up.body.pubsub).toMatchObject({ ok: true, kind: 'redis' });

    await redis.stop();
    const down = await waitFor(
      async () => {
        const { status, body } = await health(platform);
        return status === 503 && body;
      },
      { timeoutMs: 15_000, intervalMs: 200, what: '/healthz to report Redis down' },
    );
    expect(down.status).toBe('unavailable');
    expect(down.pubsub).toMatchObject({ ok: false, error: expect.any(String) });
    expect(down.database).toMatchObject({ ok: true }); // only the broken part is reported broken

    redis = await RedisServer.start(redis.port);
    const back = await waitFor(
      async () => {
        const { status, body } = await health(platform);
        return status === 200 && body;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: '/healthz to recover after Redis restarted' },
    );
    expect(back.pubsub).toMatchObject({ ok: true, kind: 'redis' });
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A port nobody listens on right now: bind to 0, read the port, let it go. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A throwaway redis-server owned by the test: no persistence, stopped by pid. */
class RedisServer {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
  ) {}

  static async start(port: number): Promise<RedisServer> {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const server = new RedisServer(port, child, exited);
    try {
      await waitFor(() => ping(port), { timeoutMs: 10_000, what: `redis-server on port ${port}` });
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** True when a Redis server answers PING on the port. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1000);
    let reply = '';
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
