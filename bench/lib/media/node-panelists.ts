// Panelists on a webinar's stage as Node publishers (node-publisher.ts) instead of browsers: each
// a new account signed up through the API, invited by the host, on stage in backstage with a
// camera (three simulcast layers) and a microphone of recorded media. They take turns speaking
// (their audio level), so who speaks moves as in a conversation. A browser on stage encodes a
// camera at the cost of most of a core; these cost a few percent, which leaves a small machine to
// the SFU and the audience being measured.
import type { LiveServer } from './live-server.ts';
import { NodePublisher, type PublisherSent } from './node-publisher.ts';
import type { RecordedMedia } from './recorded-media.ts';
import type { Backstage } from './webinar-host.ts';
import { BenchError } from '../types.ts';

const PASSWORD = 'bench-panelist-password';
/** Each panelist speaks this long in turn. */
export const SPEAKING_TURN_MS = 10_000;

export interface NodePanelists {
  readonly names: string[];
  /** What each one sent so far. */
  sent(): PublisherSent[];
  /** Stops every one; safe to call twice. */
  close(): Promise<void>;
}

export async function startNodePanelists(
  server: LiveServer,
  backstage: Backstage,
  options: {
    count: number;
    media: RecordedMedia;
    stunUrl: string;
    timeoutMs: number;
    /** Who else takes turns to speak: `speakers` in all, these panelists from turn `firstTurn` on. */
    turns?: { speakers: number; firstTurn: number };
  },
): Promise<NodePanelists> {
  const turns = options.turns ?? { speakers: options.count, firstTurn: 0 };
  const publishers: NodePublisher[] = [];
  const names: string[] = [];
  let closing: Promise<void> | undefined;
  const panelists: NodePanelists = {
    names,
    sent: () => publishers.map((p) => p.sent()),
    close: () => (closing ??= Promise.all(publishers.map((p) => p.close())).then(() => undefined)),
  };
  try {
    for (let turn = 0; turn < options.count; turn++) {
      const name = `Panelist ${turn + 1}`;
      const { username, cookie } = await signUp(server.url, turn + 1, name);
      await backstage.invite(username);
      publishers.push(
        await NodePublisher.start({
          serverUrl: server.url,
          join: { role: 'stage', webinar: backstage.id, cookie, origin: server.url },
          media: options.media,
          stunUrl: options.stunUrl,
          speaking: takesTurn(turns.firstTurn + turn, turns.speakers),
          timeoutMs: options.timeoutMs,
        }),
      );
      names.push(name);
    }
    return panelists;
  } catch (error) {
    await panelists.close();
    throw error;
  }
}

/** Speaks in turn `turn` of `speakers`, SPEAKING_TURN_MS each. */
export function takesTurn(turn: number, speakers: number): (elapsedMs: number) => boolean {
  return (ms) => Math.floor(ms / SPEAKING_TURN_MS) % speakers === turn;
}

/** A new account through the sign-up API, as the site's own page would send it; its session cookie. */
async function signUp(serverUrl: string, number: number, name: string): Promise<{ username: string; cookie: string }> {
  const username = `panelist${number}_${Date.now().toString(36)}`.slice(0, 24);
  const response = await fetch(`${serverUrl}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: serverUrl },
    body: JSON.stringify({ email: `${username}@bench.invalid`, username, password: PASSWORD, name }),
    signal: AbortSignal.timeout(15_000),
  });
  if (response.status !== 201) throw new BenchError(`panelist ${number} could not sign up: ${response.status}`);
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0]!)
    .join('; ');
  if (!cookie) throw new BenchError(`signing panelist ${number} up set no session cookie`);
  return { username, cookie };
}
