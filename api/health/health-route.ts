// GET /healthz: 200 when everything this process depends on answers, 503 otherwise. Load balancers
// only look at the status; administrators also see the state of each part, so an operator sees
// what is down. Others don't: PIDs, ports and the database kind help an attacker, not a viewer.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../../common/db/database.ts';
import type { PubSub } from '../../common/pubsub/index.ts';

/** A media worker as the media plane reports it (sfu/worker-pool.ts's health(), which adds details). */
export interface WorkerHealth {
  index: number;
  pid: number;
  alive: boolean;
}

export interface HealthDependencies {
  database?: Database | undefined;
  pubsub?: PubSub | undefined;
  workers?: { health(): Promise<WorkerHealth[]> } | undefined;
  startedAt: Date;
  /** Whether the caller may see the details (worker PIDs and ports, database kind); absent: nobody. */
  isAdmin?: ((request: FastifyRequest) => Promise<boolean>) | undefined;
}

interface ComponentHealth {
  ok: boolean;
  [detail: string]: unknown;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  uptimeSeconds: number;
  database?: ComponentHealth;
  pubsub?: ComponentHealth;
  media?: ComponentHealth & { workers: WorkerHealth[] };
}

/** A dependency that takes longer than this to answer counts as down. */
const CHECK_TIMEOUT_MS = 2000;

export async function checkHealth(deps: HealthDependencies): Promise<HealthReport> {
  const [database, pubsub, media] = await Promise.all([
    deps.database && probe(async () => ({ kind: deps.database!.kind, latencyMs: await deps.database!.ping() })),
    deps.pubsub && probe(async () => ({ kind: deps.pubsub!.kind, latencyMs: await deps.pubsub!.ping() })),
    deps.workers && probeWorkers(deps.workers),
  ]);
  const parts = [database, pubsub, media].filter((part): part is ComponentHealth => part !== undefined);
  return {
    status: parts.every((part) => part.ok) ? 'ok' : 'unavailable',
    uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000),
    ...(database && { database }),
    ...(pubsub && { pubsub }),
    ...(media && { media }),
  };
}

async function probe(check: () => Promise<Record<string, unknown>>): Promise<ComponentHealth> {
  try {
    return { ok: true, ...(await withTimeout(check())) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

async function probeWorkers(
  pool: NonNullable<HealthDependencies['workers']>,
): Promise<ComponentHealth & { workers: WorkerHealth[] }> {
  try {
    const workers = await withTimeout(pool.health());
    return { ok: workers.length > 0 && workers.every((w) => w.alive), workers };
  } catch (error) {
    return { ok: false, error: (error as Error).message, workers: [] };
  }
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Each part keeps its own details (kind, latency, error): open-ended on purpose.
const Component = Type.Object({ ok: Type.Boolean() }, { additionalProperties: true });
const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  uptimeSeconds: Type.Optional(Type.Integer()),
  database: Type.Optional(Component),
  pubsub: Type.Optional(Component),
  media: Type.Optional(
    Type.Object(
      { ok: Type.Boolean(), workers: Type.Array(Type.Object({}, { additionalProperties: true })) },
      { additionalProperties: true },
    ),
  ),
});

export function registerHealthRoute(app: FastifyInstance, deps: HealthDependencies): void {
  const schema = {
    tags: ['health'],
    summary: "Whether this process's database, pub/sub and media workers answer (503 when one does not)",
    description:
      'Anyone gets the status, which is all a load balancer needs; administrators also get each part ' +
      '(database kind and latency, pub/sub, worker PIDs and ports).',
    response: { 200: Health, 503: Health },
  };
  app.get('/healthz', { logLevel: 'warn', schema }, async (request, reply) => {
    const report = await checkHealth(deps);
    const detailed = (await deps.isAdmin?.(request)) ?? false;
    return reply
      .status(report.status === 'ok' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(detailed ? report : { status: report.status });
  });
}
