// HTTP load for the discovery benchmark: a closed loop (N connections, each sending its next
// request when the previous answer is in: the most the server can take) and an open loop (requests
// on a fixed schedule, whatever the answers do: latency at a given load). Open-loop latencies are
// measured from the scheduled send time, so a request that waited for a free connection counts
// its wait too (no coordinated omission). Keep-alive connections through one node:http agent.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface PlannedRequest {
  /** The row of the report this request counts toward. */
  endpoint: string;
  path: string;
  cookie?: string | undefined;
}

export interface Sample {
  endpoint: string;
  ms: number;
  ok: boolean;
}

export interface LoadRun {
  samples: Sample[];
  /** From the first send to the last answer. */
  elapsedMs: number;
}

const REQUEST_TIMEOUT_MS = 10_000;

export class LoadClient {
  readonly #agent: http.Agent;
  readonly #url: URL;

  constructor(baseUrl: string, connections: number) {
    this.#url = new URL(baseUrl);
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  /** Milliseconds until the whole body arrived, and whether it was a 200. */
  send(request: PlannedRequest): Promise<{ ok: boolean; endMs: number }> {
    return new Promise((resolve) => {
      const req = http.get(
        {
          agent: this.#agent,
          host: this.#url.hostname,
          port: this.#url.port,
          path: request.path,
          headers: request.cookie ? { cookie: request.cookie } : {},
          timeout: REQUEST_TIMEOUT_MS,
        },
        (res) => {
          res.resume();
          res.once('end', () => resolve({ ok: res.statusCode === 200, endMs: performance.now() }));
          res.once('error', () => resolve({ ok: false, endMs: performance.now() }));
        },
      );
      req.once('timeout', () => req.destroy(new Error('timeout')));
      req.once('error', () => resolve({ ok: false, endMs: performance.now() }));
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** `connections` loops, each sending one request after another, for `durationMs`. */
export async function closedLoop(
  client: LoadClient,
  next: () => PlannedRequest,
  options: { connections: number; durationMs: number },
): Promise<LoadRun> {
  const samples: Sample[] = [];
  const started = performance.now();
  const until = started + options.durationMs;
  const loop = async () => {
    while (performance.now() < until) {
      const request = next();
      const sentAt = performance.now();
      const { ok, endMs } = await client.send(request);
      samples.push({ endpoint: request.endpoint, ms: endMs - sentAt, ok });
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  return { samples, elapsedMs: performance.now() - started };
}

/**
 * `ratePerSecond` requests a second on a fixed schedule for `durationMs`. A server that can't keep
 * up makes requests queue: those still unanswered `drainMs` after the last send are counted as
 * failed, with the time they had waited, so an overloaded run ends on time and says so.
 */
export async function openLoop(
  client: LoadClient,
  next: () => PlannedRequest,
  options: { ratePerSecond: number; durationMs: number; drainMs: number },
): Promise<LoadRun> {
  const samples: Sample[] = [];
  const intervalMs = 1000 / options.ratePerSecond;
  const total = Math.floor((options.durationMs / 1000) * options.ratePerSecond);
  const started = performance.now();
  const pending = new Map<number, { endpoint: string; scheduledAt: number }>();
  const answers: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduledAt = started + i * intervalMs;
    const wait = scheduledAt - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const request = next();
    pending.set(i, { endpoint: request.endpoint, scheduledAt });
    answers.push(
      client.send(request).then(({ ok, endMs }) => {
        if (!pending.delete(i)) return; // already counted as failed
        samples.push({ endpoint: request.endpoint, ms: endMs - scheduledAt, ok });
      }),
    );
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(answers), new Promise((resolve) => (timer = setTimeout(resolve, options.drainMs)))]);
  clearTimeout(timer);
  const gaveUpAt = performance.now();
  for (const { endpoint, scheduledAt } of pending.values())
    samples.push({ endpoint, ms: gaveUpAt - scheduledAt, ok: false });
  pending.clear();
  return { samples, elapsedMs: gaveUpAt - started };
}
