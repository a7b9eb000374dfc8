// An attendee's stage join, started by the router the moment the address names a webinar, while
// the page's code and the webinar's details are still on their way, and handed to the page's stage
// when it mounts. The join (socket, seat, device, transport, the share's consumer) then overlaps
// with loading the page instead of following it: that is most of an attendee's wait for the first
// frame. Nobody claims it when the visitor turns out to be on stage, or the webinar is not live:
// it is closed then, or after a few seconds unclaimed.
import { HLS_INSTEAD, StageClient } from './stage-client.ts';

/** Long enough for a slow phone to load the page; short enough not to hold a seat for nobody. */
const UNCLAIMED_MS = 15_000;

let waiting: { webinarId: string; client: StageClient; timer: ReturnType<typeof setTimeout> } | null = null;

/** Starts joining `webinarId`'s audience, unless that is under way already. */
export function prestartAudience(webinarId: string): void {
  if (waiting?.webinarId === webinarId) return;
  discardPrestarted();
  const client = new StageClient({ webinar: webinarId, role: 'attendee' });
  // A refusal (not live yet, private...) shows in its status; the page decides what to do with it.
  client.start().catch(() => undefined);
  waiting = { webinarId, client, timer: setTimeout(discardPrestarted, UNCLAIMED_MS) };
}

/**
 * The audience join started for `webinarId`, once, if it is still worth having: joining, joined,
 * or sent to HLS (past the WebRTC seats). One refused for another reason is closed: the page's own
 * join will say why, with what the page knows now.
 */
export function claimPrestarted(webinarId: string): StageClient | undefined {
  const found = waiting;
  if (!found || found.webinarId !== webinarId) return undefined;
  clearTimeout(found.timer);
  waiting = null;
  const { phase, error } = found.client.status;
  if (phase === 'connecting' || phase === 'joined' || phase === 'reconnecting') return found.client;
  if (phase === 'error' && HLS_INSTEAD.has(error?.code ?? '')) return found.client;
  found.client.close();
  return undefined;
}

/** Closes the join nobody claimed (the visitor is on stage, left, or took too long). */
export function discardPrestarted(): void {
  if (!waiting) return;
  clearTimeout(waiting.timer);
  waiting.client.close();
  waiting = null;
}
