// A viewer process of the fan-out benchmark (load-worker.ts): hosts many werift viewers of a
// channel for the parent's LoadPool (load-pool.ts, viewerLoad).
import { serveLoad } from './load-worker.ts';
import { WeriftViewer, type ViewerOptions, type ViewerWindow } from './werift-viewer.ts';

/** How the benchmark asks for viewers: everything a viewer needs but the STUN server, which is this process's own. */
export type ViewerJoin = Omit<ViewerOptions, 'stunUrl'>;

await serveLoad<ViewerJoin, ViewerWindow>('fanout-worker', (join, stunUrl) =>
  WeriftViewer.join({
    serverUrl: join.serverUrl,
    channel: join.channel,
    audio: join.audio,
    bwe: join.bwe,
    receive: join.receive,
    timeoutMs: join.timeoutMs,
    stunUrl,
  }),
);
