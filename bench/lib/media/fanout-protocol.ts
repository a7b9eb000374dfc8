// Messages between the fan-out benchmark and its viewer processes (fanout-worker.ts), over the
// Node IPC channel. Each request carries an id; the worker answers it once.
import type { ViewerWindow } from './werift-viewer.ts';

export type WorkerRequest =
  | {
      id: number;
      type: 'add';
      count: number;
      serverUrl: string;
      channel: string;
      audio: boolean;
      bwe: boolean;
      receive: 'full' | 'headers';
      concurrency: number;
      timeoutMs: number;
    }
  /** `starvePercent` > 0: the process's first viewer drops that share of its media from now on (--starve-one-viewer). */
  | { id: number; type: 'window-start'; starvePercent: number }
  | { id: number; type: 'window-end' }
  | { id: number; type: 'close' };

export type WorkerAnswer =
  | { id: number; ok: true; type: 'added'; viewers: number; failures: string[]; retries: number; joinMs: number[] }
  | { id: number; ok: true; type: 'window-started' }
  | { id: number; ok: true; type: 'window'; viewers: ViewerWindow[]; lagMs: number }
  | { id: number; ok: true; type: 'closed' }
  | { id: number; ok: false; error: string };
