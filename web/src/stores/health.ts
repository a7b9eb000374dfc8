import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

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

/**
 * The server's /healthz, for the admin page. Anyone gets the status; administrators also get each
 * part (database, pub/sub, media workers), so `detailed` says whether the answer had them.
 */
export const useHealthStore = defineStore('health', () => {
  const report = ref<HealthReport | null>(null);
  const error = ref<string | null>(null);
  const detailed = computed(() => Boolean(report.value && ('database' in report.value || 'media' in report.value)));

  async function refresh(): Promise<void> {
    try {
      // 503 (a part not answering) still carries the report.
      const response = await fetch('/healthz', { headers: { accept: 'application/json' }, cache: 'no-store' });
      report.value = (await response.json()) as HealthReport;
      error.value = null;
    } catch (cause) {
      error.value = `The server did not answer (${(cause as Error).message}).`;
    }
  }

  return { report, error, detailed, refresh };
});
