import { defineStore } from 'pinia';
import { ref } from 'vue';

export interface WorkerHealth {
  index: number;
  pid: number;
  alive: boolean;
  port: number;
  cpuPercent: number;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  uptimeSeconds: number;
  database?: { ok: boolean; kind?: string; latencyMs?: number };
  pubsub?: { ok: boolean; kind?: string };
  media?: { ok: boolean; workers: WorkerHealth[] };
}

/** The server's /healthz, for the status strip on the home page. */
export const useHealthStore = defineStore('health', () => {
  const report = ref<HealthReport | null>(null);
  const error = ref<string | null>(null);

  async function refresh(): Promise<void> {
    try {
      const response = await fetch('/healthz', { headers: { accept: 'application/json' } });
      report.value = (await response.json()) as HealthReport;
      error.value = null;
    } catch (cause) {
      error.value = `The server did not answer (${(cause as Error).message}).`;
    }
  }

  return { report, error, refresh };
});
