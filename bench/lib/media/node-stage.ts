// A webinar's whole stage in Node, for a benchmark of what the SFU does for its audience: the
// channel's owner signs in through the API, schedules a webinar, opens its backstage and joins the
// stage as a Node publisher (node-publisher.ts) of a recorded camera, voice and screen share; Node
// panelists (node-panelists.ts) join beside; the host starts it. Everyone on stage takes turns to
// speak. The same requests as the web app's host page makes (webinar-host.ts), without a browser's
// encoders, which would take a small machine's every cycle.
import { BenchError } from '../types.ts';
import { OWNER_NAME, OWNER_PASSWORD, type LiveServer } from './live-server.ts';
import { startNodePanelists, takesTurn, type NodePanelists } from './node-panelists.ts';
import { NodePublisher, type PublisherSent } from './node-publisher.ts';
import type { RecordedMedia } from './recorded-media.ts';

export interface NodeStage {
  id: string;
  /** What everyone on stage sent so far, by name (the host first). */
  sent(): { name: string; sent: PublisherSent }[];
  /** Stops every publisher; safe to call twice. */
  close(): Promise<void>;
}

export async function startNodeStage(
  server: LiveServer,
  options: { panelists: number; media: RecordedMedia; stunUrl: string; timeoutMs: number },
): Promise<NodeStage> {
  const cookie = await logIn(server);
  const api = async (method: string, url: string, body?: unknown) => {
    const response = await fetch(`${server.url}${url}`, {
      method,
      headers: { cookie, origin: server.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: response.status, body: (await response.json().catch(() => null)) as { id?: string } | null };
  };
  const created = await api('POST', `/api/v1/channels/${server.channel}/webinars`, {
    title: 'Benchmark webinar',
    scheduledStart: new Date(Date.now() + 3_600_000).toISOString(),
    durationMinutes: 60,
  });
  const id = created.body?.id;
  if (created.status !== 201 || !id) throw new BenchError(`could not schedule a webinar: ${created.status}`);
  if ((await api('POST', `/api/v1/webinars/${id}/backstage`)).status !== 200)
    throw new BenchError('could not open the backstage');

  const speakers = options.panelists + 1;
  let host: NodePublisher | undefined;
  let panelists: NodePanelists | undefined;
  let closing: Promise<void> | undefined;
  const stage: NodeStage = {
    id,
    sent: () => [
      ...(host ? [{ name: OWNER_NAME, sent: host.sent() }] : []),
      ...(panelists?.sent() ?? []).map((sent, i) => ({ name: panelists!.names[i]!, sent })),
    ],
    close: () => (closing ??= Promise.all([host?.close(), panelists?.close()]).then(() => undefined)),
  };
  try {
    host = await NodePublisher.start({
      serverUrl: server.url,
      join: { role: 'stage', webinar: id, cookie, origin: server.url },
      media: options.media,
      share: true,
      stunUrl: options.stunUrl,
      speaking: takesTurn(0, speakers),
      timeoutMs: options.timeoutMs,
    });
    panelists = await startNodePanelists(
      server,
      {
        id,
        invite: async (username) => {
          const invited = await api('POST', `/api/v1/webinars/${id}/members`, { username, role: 'panelist' });
          if (invited.status !== 201) throw new BenchError(`the host could not invite ${username}: ${invited.status}`);
        },
      },
      { ...options, count: options.panelists, turns: { speakers, firstTurn: 1 } },
    );
    if ((await api('POST', `/api/v1/webinars/${id}/start`)).status !== 200)
      throw new BenchError('could not start the webinar');
    return stage;
  } catch (error) {
    await stage.close();
    throw error;
  }
}

/** The owner's session cookie, from the log-in API as the site's own page would call it. */
async function logIn(server: LiveServer): Promise<string> {
  const response = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url },
    body: JSON.stringify({ login: server.ownerEmail, password: OWNER_PASSWORD }),
    signal: AbortSignal.timeout(15_000),
  });
  if (response.status !== 200) throw new BenchError(`the host could not sign in: ${response.status}`);
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0]!)
    .join('; ');
  if (!cookie) throw new BenchError('signing the host in set no session cookie');
  return cookie;
}
