// GET /healthz: 200 when everything this process depends on answers, 503 otherwise, with the state
// of each part so an operator sees what is down. Load balancers only look at the status.
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../common/db/database.ts';
import type { PubSub } from '../../common/pubsub/index.ts';
import type { WorkerHealth, WorkerPool } from '../../sfu/worker-pool.ts';

export interface HealthDependencies {
  database?: Database | undefined;
  pubsub?: PubSub | undefined;
  workers?: WorkerPool | undefined;
  startedAt: Date;
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

async function probeWorkers(pool: WorkerPool): Promise<ComponentHealth & { workers: WorkerHealth[] }> {
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
const componentSchema = {
  type: 'object',
  required: ['ok'],
  properties: { ok: { type: 'boolean' } },
  additionalProperties: true,
} as const;
const healthSchema = {
  type: 'object',
  required: ['status', 'uptimeSeconds'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    uptimeSeconds: { type: 'integer' },
    database: componentSchema,
    pubsub: componentSchema,
    media: {
      type: 'object',
      required: ['ok', 'workers'],
      properties: {
        ok: { type: 'boolean' },
        workers: { type: 'array', items: { type: 'object', additionalProperties: true } },
      },
      additionalProperties: true,
    },
  },
} as const;

export function registerHealthRoute(app: FastifyInstance, deps: HealthDependencies): void {
  const schema = {
    tags: ['health'],
    summary: "Whether this process's database, pub/sub and media workers answer (503 when one does not)",
    response: { 200: healthSchema, 503: healthSchema },
  };
  app.get('/healthz', { logLevel: 'warn', schema }, async (_request, reply) => {
    const report = await checkHealth(deps);
    return reply
      .status(report.status === 'ok' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(report);
  });
}
