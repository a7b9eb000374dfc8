// A webinar hosted in Chromium through the web app, as its host and panelists run one: the
// channel's owner signs in, schedules a webinar, opens its backstage and joins the stage from the
// webinar's page with the fake camera and microphone and a "screen" (a canvas standing in for
// getDisplayMedia); panelists, each a new account in its own browser context, are invited by
// username and join the stage with camera and microphone; the host starts the webinar. Every
// page is the server's own web app (its test build, whose window.__aethex shows the stage client).
import type { BrowserContext, Page } from 'playwright-core';
import { BenchError, type BenchContext } from '../types.ts';
import { OWNER_PASSWORD, type LiveServer } from './live-server.ts';

const STAGE_DEADLINE_MS = 30_000;
const PANELIST_PASSWORD = 'bench-panelist-password';

/** Puts a "screen" into the host's page before its scripts run (it replaces getDisplayMedia). */
export type ScreenSource = (page: Page) => Promise<void>;

export interface HostOptions {
  /** The host's screen; the slide canvas (useCanvasScreen) when absent. */
  screen?: ScreenSource;
  /**
   * One browser context per panelist: each signs up, is invited by the host and joins the stage
   * with camera and microphone in backstage, before the webinar starts.
   */
  panelists?: readonly BrowserContext[];
  /**
   * Runs in backstage once the host (and any panelists above) are on stage, before the webinar
   * starts: e.g. to bring Node panelists (node-panelists.ts), invited through the host's session.
   */
  beforeStart?: (backstage: Backstage) => Promise<void>;
}

/** A webinar in backstage, as its host sees it. */
export interface Backstage {
  id: string;
  /** Invites a user to the stage as a panelist, by username (the host's API call). */
  invite(username: string): Promise<void>;
}

export interface HostedWebinar {
  id: string;
  /** The host's webinar page (camera, microphone and screen on stage). */
  host: Page;
  /** The panelists' webinar pages, in the order of HostOptions.panelists. */
  panelists: Page[];
}

type PageApi = (
  method: string,
  url: string,
  body?: unknown,
) => Promise<{ status: number; body: { id?: string; username?: string } | null }>;

/** Signs in as the channel's owner, schedules a webinar, joins its stage sharing a screen (with any panelists), starts it. */
export async function hostWebinar(
  ctx: BenchContext,
  context: BrowserContext,
  server: LiveServer,
  options: HostOptions = {},
): Promise<HostedWebinar> {
  const page = await context.newPage();
  await context.grantPermissions(['camera', 'microphone'], { origin: server.url });
  await (options.screen ?? useCanvasScreen)(page);
  await page.goto(`${server.url}/`);
  const api = pageApi(page);
  const login = await api('POST', '/api/v1/auth/login', { login: server.ownerEmail, password: OWNER_PASSWORD });
  if (login.status !== 200) throw new BenchError(`the host could not sign in: ${login.status}`);
  const created = await api('POST', `/api/v1/channels/${server.channel}/webinars`, {
    title: 'Benchmark webinar',
    scheduledStart: new Date(Date.now() + 3_600_000).toISOString(),
    durationMinutes: 60,
  });
  const id = created.body?.id;
  if (created.status !== 201 || !id) throw new BenchError(`could not schedule a webinar: ${created.status}`);
  if ((await api('POST', `/api/v1/webinars/${id}/backstage`)).status !== 200)
    throw new BenchError('could not open the backstage');

  await page.goto(`${server.url}/webinars/${id}`);
  await withEvidence(page, 'the host joining the stage', async () => {
    await page.getByTestId('stage-join').click({ timeout: STAGE_DEADLINE_MS });
    await publishing(page, ['camera', 'microphone']);
    await page.getByTestId('stage-share').click();
    await publishing(page, ['screen']);
  });

  const panelists: Page[] = [];
  for (const [index, panelistContext] of (options.panelists ?? []).entries()) {
    panelists.push(await joinAsPanelist(panelistContext, server, id, api, index + 1));
  }
  await options.beforeStart?.({
    id,
    invite: async (username) => {
      const invited = await api('POST', `/api/v1/webinars/${id}/members`, { username, role: 'panelist' });
      if (invited.status !== 201) throw new BenchError(`the host could not invite ${username}: ${invited.status}`);
    },
  });

  await withEvidence(page, 'the host starting the webinar', async () => {
    await page.getByTestId('stage-start').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="stage-end"]') !== null, undefined, {
      timeout: STAGE_DEADLINE_MS,
    });
  });
  ctx.log(
    `webinar ${id} is live with the host's camera, microphone and screen share` +
      (panelists.length > 0 ? ` and ${panelists.length} panelists' cameras and microphones` : ''),
  );
  return { id, host: page, panelists };
}

/** A new account, invited by the host as a panelist, on the stage with camera and microphone. */
async function joinAsPanelist(
  context: BrowserContext,
  server: LiveServer,
  webinarId: string,
  hostApi: PageApi,
  number: number,
): Promise<Page> {
  const page = await context.newPage();
  await context.grantPermissions(['camera', 'microphone'], { origin: server.url });
  await page.goto(`${server.url}/`);
  const username = `panelist${number}_${Date.now().toString(36)}`.slice(0, 24);
  // Signing up signs in: the session cookie lands in this context.
  const signedUp = await pageApi(page)('POST', '/api/v1/auth/signup', {
    email: `${username}@bench.invalid`,
    username,
    password: PANELIST_PASSWORD,
    name: `Panelist ${number}`,
  });
  if (signedUp.status !== 201) throw new BenchError(`panelist ${number} could not sign up: ${signedUp.status}`);
  const invited = await hostApi('POST', `/api/v1/webinars/${webinarId}/members`, { username, role: 'panelist' });
  if (invited.status !== 201) throw new BenchError(`the host could not invite panelist ${number}: ${invited.status}`);
  await page.goto(`${server.url}/webinars/${webinarId}`);
  await withEvidence(page, `panelist ${number} joining the stage`, async () => {
    await page.getByTestId('stage-join').click({ timeout: STAGE_DEADLINE_MS });
    await publishing(page, ['camera', 'microphone']);
  });
  return page;
}

/** Runs a step on a stage page; when it fails, the error says what the page showed and its stage client's state. */
async function withEvidence(page: Page, what: string, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    const seen = await page
      .evaluate(() => {
        const stage = (window as unknown as { __aethex?: { stage?: { status: unknown } } }).__aethex?.stage;
        return { stage: stage?.status ?? null, text: document.body.innerText.slice(0, 600) };
      })
      .catch((reason: unknown) => `(the page could not be read: ${String(reason)})`);
    throw new BenchError(`${what} failed: ${(error as Error).message.split('\n')[0]}\n${JSON.stringify(seen)}`);
  }
}

/** fetch() from the page, so the request carries the page's session cookie. */
function pageApi(page: Page): PageApi {
  return (method, url, body) =>
    page.evaluate(
      async ([m, u, b]) => {
        const response = await fetch(u as string, {
          method: m as string,
          headers: b === undefined ? {} : { 'content-type': 'application/json' },
          body: b === undefined ? undefined : JSON.stringify(b),
        });
        return {
          status: response.status,
          body: (await response.json().catch(() => null)) as { id?: string; username?: string } | null,
        };
      },
      [method, url, body] as const,
    );
}

/** Waits until the page's stage client publishes every one of `sources`. */
export function publishing(page: Page, sources: string[]): Promise<unknown> {
  return page.waitForFunction(
    (wanted) => {
      const stage = (window as unknown as { __aethex?: { stage?: { status: { publishing: string[] } } } }).__aethex
        ?.stage;
      return Boolean(stage && wanted.every((source) => stage.status.publishing.includes(source)));
    },
    sources,
    { timeout: STAGE_DEADLINE_MS },
  );
}

/** The host's "screen": a 1920x1080 canvas that changes every frame, at 15 fps. */
export async function useCanvasScreen(page: Page): Promise<void> {
  await page.addInitScript(() => {
    navigator.mediaDevices.getDisplayMedia = async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 1920;
      canvas.height = 1080;
      const context = canvas.getContext('2d')!;
      let frame = 0;
      setInterval(() => {
        context.fillStyle = '#1d3557';
        context.fillRect(0, 0, 1920, 1080);
        context.fillStyle = '#f1faee';
        context.font = '64px sans-serif';
        context.fillText(`Slide text, frame ${frame++}`, 120, 540);
      }, 1000 / 15);
      return canvas.captureStream(15);
    };
  });
}
