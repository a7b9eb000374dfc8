// A live webinar's stage when something breaks under it, in real Chromium with fake devices: the
// media workers its room is on die, or a panelist's network drops. Nobody on the stage presses
// anything: each member's page rejoins the stage by itself, publishes again, and the attendee
// receives them again without ever being told the webinar ended (issue #13, item 7).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { SESSION_COOKIE } from '../../api/accounts/auth.ts';
import type { Room } from '../../sfu/room.ts';
import { ApiClient, type TestUser } from '../support/api-client.ts';
import { launchBrowser, newContext, recordConsole, screenshot } from '../support/browser.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { signIn, signInOwner, stagePublishes } from '../support/web-session.ts';
import { backstageWebinar } from '../support/webinars.ts';

/** What this file reads of the page's stage client (the test build's window.__aethex.stage). */
interface StageHandle {
  status: { phase: string; publishing: string[]; place: { onStage: boolean } | null };
  members: { name: string; feeds: Record<string, { consumerId: string; track: MediaStreamTrack } | undefined> }[];
  on(event: 'status', listener: (status: { phase: string }) => void): () => void;
}

interface StageView {
  phase: string;
  onStage: boolean | null;
  publishing: string[];
}

function stageOf(page: Page): Promise<StageView | null> {
  return page.evaluate(() => {
    const stage = (window as unknown as { __aethex?: { stage?: StageHandle } }).__aethex?.stage;
    if (!stage) return null;
    const { phase, publishing, place } = stage.status;
    return { phase, publishing, onStage: place?.onStage ?? null };
  });
}

/** Waits until the page's stage client is joined, on stage and publishing every one of `sources`. */
function backOnStage(page: Page, sources: string[], what: string, timeoutMs: number): Promise<StageView> {
  return waitFor(
    async () => {
      const view = await stageOf(page);
      return view?.phase === 'joined' && view.onStage && sources.every((s) => view.publishing.includes(s))
        ? view
        : undefined;
    },
    { timeoutMs, what },
  );
}

/**
 * From now on, remembers every phase the page's stage client goes through and whether the page
 * ever says the webinar ended; `phasesSeen` reads them back.
 */
async function watchStage(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen = new Set<string>();
    (window as unknown as { __phasesSeen: Set<string> }).__phasesSeen = seen;
    const stage = (window as unknown as { __aethex: { stage: StageHandle } }).__aethex.stage;
    seen.add(stage.status.phase);
    stage.on('status', (status) => seen.add(status.phase));
    const ended = () => document.querySelector('[data-testid="webinar-ended"]') && seen.add('page says ended');
    new MutationObserver(ended).observe(document.body, { childList: true, subtree: true });
    // A new stage client (the page rebuilt its stage) would be a page that gave up on this one.
    setInterval(() => {
      const now = (window as unknown as { __aethex: { stage?: StageHandle } }).__aethex.stage;
      if (now !== stage) seen.add('stage client replaced');
    }, 100);
  });
}

function phasesSeen(page: Page): Promise<string[]> {
  return page.evaluate(() => [...(window as unknown as { __phasesSeen: Set<string> }).__phasesSeen]);
}

/** The consumer of `name`'s `source` on the page and how far its <video> got; null while there is none. */
function pictureOf(page: Page, name: string, source: 'camera' | 'screen') {
  return page.evaluate(
    ([name, source]) => {
      const stage = (window as unknown as { __aethex?: { stage?: StageHandle } }).__aethex?.stage;
      const feed = stage?.members.find((m) => m.name === name)?.feeds[source];
      if (!feed) return null;
      // The tile's <video> that plays this very consumer's track.
      const video = [...document.querySelectorAll<HTMLVideoElement>('[data-testid="stage-tile"] video')].find(
        (v) => v.srcObject instanceof MediaStream && v.srcObject.getVideoTracks().includes(feed.track),
      );
      return {
        consumerId: feed.consumerId,
        width: video?.videoWidth ?? 0,
        frames: video?.getVideoPlaybackQuality().totalVideoFrames ?? 0,
      };
    },
    [name, source] as const,
  );
}

/**
 * Waits for the page to play `name`'s `source` from a consumer other than `notFrom` (one made
 * after the failure): a picture, then ten more frames of it. Returns that consumer's id. On a
 * timeout, the error says what the page holds and what the server receives.
 */
async function decodes(
  page: Page,
  name: string,
  source: 'camera' | 'screen',
  what: string,
  { notFrom, room }: { notFrom?: string; room: () => Room | undefined },
): Promise<string> {
  try {
    const first = await waitFor(
      async () => {
        const picture = await pictureOf(page, name, source);
        return picture && picture.consumerId !== notFrom && picture.width > 0 ? picture : undefined;
      },
      { timeoutMs: 20_000, what: `${what}: a picture of ${name}'s ${source}` },
    );
    await waitFor(
      async () => {
        const picture = await pictureOf(page, name, source);
        return picture?.consumerId === first.consumerId && picture.frames >= first.frames + 10;
      },
      { timeoutMs: 15_000, what: `${what}: ${name}'s ${source} to play on` },
    );
    return first.consumerId;
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await explain(page, room())}`, { cause: error });
  }
}

/** What the page's stage shows and what the server's room receives, for a failure's message. */
async function explain(page: Page, room: Room | undefined): Promise<string> {
  const shown = await page
    .evaluate(() => {
      const stage = (window as unknown as { __aethex?: { stage?: StageHandle } }).__aethex?.stage;
      return {
        status: stage?.status,
        feeds: stage?.members.flatMap((m) =>
          Object.entries(m.feeds).map(([s, f]) => `${m.name}:${s}:${f?.consumerId}`),
        ),
        videos: [...document.querySelectorAll<HTMLVideoElement>('[data-testid="stage-tile"] video')].map((v) => ({
          tile: `${v.closest('figure')?.dataset.name}:${v.closest('figure')?.dataset.source}`,
          width: v.videoWidth,
          tracks:
            v.srcObject instanceof MediaStream ? v.srcObject.getTracks().map((t) => [t.readyState, t.muted]) : null,
        })),
      };
    })
    .catch((error: unknown) => String(error));
  const received = await Promise.all(
    (room?.producers() ?? []).map(async (entry) => ({
      producer: `${room?.peer(entry.peerId)?.label?.name}:${entry.source}`,
      closed: entry.producer.closed,
      paused: entry.producer.paused,
      layers: entry.producer.closed
        ? []
        : (await entry.producer.getStats()).map((stat) => `${stat.rid ?? '-'} ${stat.byteCount} B score ${stat.score}`),
    })),
  );
  return JSON.stringify({ page: shown, server: room ? { closed: room.closed, received } : 'no room' }, null, 1);
}

/**
 * For the running test: records each step it gets through with the time since it began, and
 * prints them if it fails (a test that times out says no more than that by itself).
 */
function progress(): (step: string) => void {
  const began = Date.now();
  const done: string[] = [];
  onTestFailed(() => console.log(`The test got through: ${done.join(', ') || 'nothing'}.`));
  return (step) => done.push(`${step} (${((Date.now() - began) / 1000).toFixed(1)} s)`);
}

interface LiveWebinar {
  webinarId: string;
  roomId: string;
  /** The webinar's room on the server now (a new one after its workers die). */
  room: () => Room | undefined;
  hostId: string;
  hostName: string;
  host: Page;
  panelist: TestUser;
  panelistName: string;
  panelistPage: Page;
  panelistContext: BrowserContext;
  attendee: Page;
}

describe('a webinar stage that loses its media server or a member’s network', () => {
  let platform: TestPlatform;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** Ends what a test started, whether it passed or not: the next test starts from a quiet server. */
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform({
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
      // Two workers, as in production: the room's worker dies, another one stays up.
      MEDIA_WORKERS: '2',
      // All but the recorder: its FFmpeg composition (webinar-recording.test.ts) would take most of
      // a core of the two, and nothing here looks at it.
      ROLES: 'api,signaling,sfu,web',
    });
    // Chromium's fake devices include a screen: getDisplayMedia answers with a test pattern.
    browser = await launchBrowser(['--auto-select-desktop-capture-source=Entire screen']);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
  });

  async function page(name: string): Promise<Page> {
    const context = await newContext(browser, platform.url);
    contexts.push(context);
    const opened = await context.newPage();
    recordConsole(opened, name);
    return opened;
  }

  /**
   * A live webinar: the host on stage with camera and microphone (and a screen share when
   * `hostShares`), a panelist with camera and microphone, and an attendee who decodes them.
   */
  async function liveWebinar(hostShares: boolean, step: (step: string) => void): Promise<LiveWebinar> {
    const prisma = platform.database!.prisma;
    const hostName = 'Hana Host';
    const { channel, hostApi, hostId, webinarId, panelist, panelistName } = await backstageWebinar(platform, {
      title: 'Failure test',
      hostName,
    });
    cleanups.push(() => hostApi.post(`/api/v1/webinars/${webinarId}/end`));

    const host = await page('host');
    // Signing in needs a page of the site; a static file spares booting the app twice.
    await host.goto('/favicon.svg');
    await signInOwner(host, channel);
    await host.goto(`/webinars/${webinarId}`);
    await host.getByTestId('stage-join').click();
    await stagePublishes(host, ['camera', 'microphone'], "the host's camera and microphone");
    if (hostShares) {
      await host.getByTestId('stage-share').click();
      await stagePublishes(host, ['screen'], "the host's screen share");
    }
    step('the host on stage');

    const panelistPage = await page('panelist');
    await panelistPage.goto('/favicon.svg');
    await signIn(panelistPage, { login: panelist.username, password: panelist.password });
    await panelistPage.goto(`/webinars/${webinarId}`);
    await panelistPage.getByTestId('stage-join').click();
    await stagePublishes(panelistPage, ['camera', 'microphone'], "the panelist's camera and microphone");
    step('the panelist on stage');

    await host.getByTestId('stage-start').click();
    await waitFor(async () => (await prisma.webinar.findUniqueOrThrow({ where: { id: webinarId } })).state === 'live', {
      what: 'the webinar to be live',
    });
    const attendee = await page('attendee');
    await attendee.goto(`/webinars/${webinarId}`);
    await waitFor(async () => (await stageOf(attendee))?.phase === 'joined', {
      timeoutMs: 20_000,
      what: 'the attendee to join the stage',
    });
    step('live, with the attendee');
    return {
      webinarId,
      roomId: `webinar:${webinarId}`,
      room: () => platform.rooms!.get(`webinar:${webinarId}`),
      hostId,
      hostName,
      host,
      panelist,
      panelistName,
      panelistPage,
      panelistContext: panelistPage.context(),
      attendee,
    };
  }

  /** Who publishes what in the room, by user id: `${userId}:${source}`. */
  function publishedIn(roomId: string): string[] {
    const room = platform.rooms!.get(roomId);
    if (!room || room.closed) return [];
    return room
      .producers()
      .filter((entry) => !entry.producer.closed)
      .map((entry) => `${room.peer(entry.peerId)?.label?.userId}:${entry.source}`);
  }

  /** The webinar as anyone reads it. */
  async function webinarState(webinarId: string): Promise<string> {
    return (await new ApiClient(platform.url).get(`/api/v1/webinars/${webinarId}`)).body.state;
  }

  it('rebuilds the room with the host and the panelist still on stage (and backstage) when its media workers die', async () => {
    const step = progress();
    const live = await liveWebinar(true, step);
    const { host, panelistPage, attendee, hostName, panelistName, roomId, room } = live;
    const shareBefore = await decodes(attendee, hostName, 'screen', 'the attendee', { room });
    const cameraBefore = await decodes(attendee, panelistName, 'camera', 'the attendee', { room });
    step('the attendee plays the share and the panelist');
    // The panelist steps backstage: the rebuilt room must not put them back in front of attendees.
    await panelistPage.getByTestId('stage-backstage').click();
    await waitFor(async () => (await pictureOf(attendee, panelistName, 'camera')) === null, {
      timeoutMs: 5_000,
      what: 'the attendee to stop showing the panelist once backstage',
    });
    step('the panelist backstage');
    for (const watched of [host, panelistPage, attendee]) await watchStage(watched);

    const before = room()!;
    expect(before).toBeDefined();
    const victims = [...new Set(before.routerLoad().map((r) => r.workerIndex))].map(
      (index) => platform.workers!.worker(index)!.worker.pid,
    );
    for (const pid of victims) process.kill(pid, 'SIGKILL');
    step('workers killed');

    const pool = platform.workers!;
    await waitFor(
      () =>
        pool.ports().every((_, index) => {
          const worker = pool.worker(index)?.worker;
          return worker && !worker.closed && !victims.includes(worker.pid);
        }),
      { timeoutMs: 15_000, what: 'the killed workers to be replaced' },
    );
    step('workers replaced');
    // Each member's page joins again by itself and publishes what it did before, into a new room.
    await backOnStage(host, ['camera', 'microphone', 'screen'], 'the host back on stage', 30_000);
    await backOnStage(panelistPage, ['camera', 'microphone'], 'the panelist back on stage', 30_000);
    step('the host and the panelist back on stage');
    const rebuilt = await waitFor(
      () => {
        const published = publishedIn(roomId);
        const everyone = [
          ...['camera', 'microphone', 'screen'].map((source) => `${live.hostId}:${source}`),
          ...['camera', 'microphone'].map((source) => `${live.panelist.id}:${source}`),
        ];
        return everyone.every((entry) => published.includes(entry)) && platform.rooms!.get(roomId);
      },
      { timeoutMs: 10_000, what: 'the rebuilt room to carry the whole stage again' },
    );
    expect(rebuilt).not.toBe(before);
    expect(before.closed).toBe(true);

    // The attendee gets the share again, from a new consumer; the panelist, still backstage (their
    // page stepped back before publishing into the new room), not at all until they come back.
    await decodes(attendee, hostName, 'screen', 'the attendee after the workers died', { notFrom: shareBefore, room });
    step('the share back at the attendee');
    expect(await stageOf(panelistPage)).toMatchObject({ phase: 'joined', onStage: true });
    expect(await panelistPage.getByTestId('stage-backstage').getAttribute('aria-pressed')).toBe('true');
    expect(await pictureOf(attendee, panelistName, 'camera')).toBeNull();
    await panelistPage.getByTestId('stage-backstage').click();
    await decodes(attendee, panelistName, 'camera', 'the attendee after the workers died', {
      notFrom: cameraBefore,
      room,
    });
    step("the panelist's camera back at the attendee");

    for (const [name, watched] of [
      ['host', host],
      ['panelist', panelistPage],
      ['attendee', attendee],
    ] as const) {
      const phases = await phasesSeen(watched);
      expect(phases, `${name}'s stage went through`).toContain('reconnecting');
      for (const never of ['ended', 'error', 'closed', 'page says ended', 'stage client replaced'])
        expect(phases, `${name}'s stage went through`).not.toContain(never);
    }
    expect(await webinarState(live.webinarId)).toBe('live');
    await screenshot(attendee, 'e2e-webinar-stage-after-worker-death');
  });

  it('takes a panelist whose network drops back on stage by themselves within the grace period', async () => {
    const step = progress();
    const live = await liveWebinar(false, step);
    const { host, panelistPage, panelistContext, attendee, hostName, panelistName, roomId, room, panelist } = live;
    const cameraBefore = await decodes(attendee, panelistName, 'camera', 'the attendee', { room });
    await decodes(attendee, hostName, 'camera', 'the attendee', { room });
    step('the attendee plays both cameras');
    for (const watched of [host, panelistPage, attendee]) await watchStage(watched);

    // The panelist's network goes: their page reaches the server no more, and their connections
    // break. The server cuts them as it does once pings stop coming back (up to 20 s on a silent
    // link; a broken TCP connection is the same thing, sooner).
    const session = (await panelistContext.cookies()).find((cookie) => cookie.name === SESSION_COOKIE)!;
    expect(session).toBeDefined();
    await panelistContext.setOffline(true);
    const droppedAt = Date.now();
    expect(cutConnections(platform, `${SESSION_COOKIE}=${session.value}`)).toBeGreaterThan(0);
    step("the panelist's network down");

    // The server lets their peer go at once, and the attendee stops showing them. Only then does
    // the network come back: the page has nothing left on the server to resume.
    await waitFor(() => !publishedIn(roomId).some((entry) => entry.startsWith(`${panelist.id}:`)), {
      timeoutMs: 5_000,
      what: "the server to let the panelist's peer go",
    });
    await waitFor(async () => (await pictureOf(attendee, panelistName, 'camera')) === null, {
      timeoutMs: 5_000,
      what: 'the attendee to stop showing the panelist',
    });
    await panelistContext.setOffline(false);
    step('the panelist gone from the server and the attendee; network back');

    // Back by themselves, on stage, publishing what they did, before the grace period a publisher
    // has to come back (STREAM_END_GRACE_MS, its default here) is over.
    const graceMs = platform.config.streams.endGraceMs;
    await backOnStage(
      panelistPage,
      ['camera', 'microphone'],
      'the panelist back on stage by themselves',
      graceMs - (Date.now() - droppedAt),
    );
    step('the panelist back on stage');
    expect(Date.now() - droppedAt).toBeLessThanOrEqual(graceMs);
    expect(await panelistPage.getByTestId('stage-member').getAttribute('data-on-stage')).toBe('true');
    expect(await panelistPage.getByTestId('stage-member').getAttribute('data-on-air')).toBe('true');
    await waitFor(
      () => ['camera', 'microphone'].every((source) => publishedIn(roomId).includes(`${panelist.id}:${source}`)),
      { timeoutMs: 5_000, what: "the room to carry the panelist's media again" },
    );

    // Their camera reaches the attendee (and the host) again, from a new consumer.
    await decodes(attendee, panelistName, 'camera', 'the attendee after the drop', { notFrom: cameraBefore, room });
    await decodes(host, panelistName, 'camera', 'the host after the drop', { room });
    step("the panelist's camera back at the attendee and the host");

    const panelistPhases = await phasesSeen(panelistPage);
    expect(panelistPhases, "the panelist's stage went through").toContain('reconnecting');
    for (const never of ['ended', 'error', 'closed', 'page says ended', 'stage client replaced'])
      expect(panelistPhases, "the panelist's stage went through").not.toContain(never);
    for (const [name, watched] of [
      ['host', host],
      ['attendee', attendee],
    ] as const)
      expect(await phasesSeen(watched), `${name}'s stage went through`).toEqual(['joined']);
    expect(await webinarState(live.webinarId)).toBe('live');
  });
});

/**
 * Breaks every connection whose handshake carried `cookie` (socket.io's, all namespaces) the way
 * a dead link does: the TCP connection goes without a close handshake. Returns how many.
 */
function cutConnections(platform: TestPlatform, cookie: string): number {
  interface EngineConnection {
    request: { headers: { cookie?: string } };
    transport: { name: string; socket?: { terminate(): void } };
    close(): void;
  }
  const clients = (platform.io!.engine as unknown as { clients: Record<string, EngineConnection> }).clients;
  let cut = 0;
  for (const connection of Object.values(clients)) {
    if (!connection.request.headers.cookie?.includes(cookie)) continue;
    if (connection.transport.name === 'websocket' && connection.transport.socket)
      connection.transport.socket.terminate();
    else connection.close();
    cut += 1;
  }
  return cut;
}
