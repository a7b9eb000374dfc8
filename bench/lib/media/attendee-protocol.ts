// Messages between the attendees-per-core benchmark and its attendee processes (attendee-worker.ts),
// over the Node IPC channel. Each request carries an id; the worker answers it once.
import type { AttendeeWindow } from './werift-attendee.ts';

export type AttendeeRequest =
  | {
      id: number;
      type: 'add';
      count: number;
      serverUrl: string;
      webinar: string;
      concurrency: number;
      timeoutMs: number;
    }
  | { id: number; type: 'window-start' }
  | { id: number; type: 'window-end' }
  | { id: number; type: 'close' };

export type AttendeeAnswer =
  /** Sent once, unasked, when the process is up and listens for requests (id 0). */
  | { id: 0; ok: true; type: 'ready' }
  | { id: number; ok: true; type: 'added'; attendees: number; failures: string[]; retries: number; joinMs: number[] }
  | { id: number; ok: true; type: 'window-started' }
  | { id: number; ok: true; type: 'window'; attendees: AttendeeWindow[]; lagMs: number }
  | { id: number; ok: true; type: 'closed' }
  | { id: number; ok: false; error: string };
