// Messages between a benchmark and its load processes (load-worker.ts), over the Node IPC channel:
// each process hosts many Node peers of one kind (channel viewers, webinar attendees), joined from
// `Join`, each reporting a `Window` of what it received. Each request carries an id; the process
// answers it once.

export type LoadCommand<Join> =
  | ({ type: 'add'; count: number; concurrency: number } & Join)
  /** `starvePercent` > 0: the process's first peer drops that share of its media from now on. */
  | { type: 'window-start'; starvePercent: number }
  | { type: 'window-end' }
  | { type: 'close' };

export type LoadRequest<Join> = LoadCommand<Join> & { id: number };

export type LoadAnswer<Window> =
  /** Sent once, unasked, when the process is up and listens for requests (id 0). */
  | { id: 0; ok: true; type: 'ready' }
  | { id: number; ok: true; type: 'added'; peers: number; failures: string[]; retries: number; joinMs: number[] }
  | { id: number; ok: true; type: 'window-started' }
  | { id: number; ok: true; type: 'window'; windows: Window[]; lagMs: number }
  | { id: number; ok: true; type: 'closed' }
  | { id: number; ok: false; error: string };

/** What a load process needs of each peer it hosts. */
export interface LoadPeer<Window> {
  startWindow(): void;
  endWindow(): Window;
  /** Drops `percent` of its media from now on (to show that a starved peer is caught). */
  starve?(percent: number): void;
  close(): Promise<void>;
}
