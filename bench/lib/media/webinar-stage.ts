// Four on a webinar's stage, set up one of three ways for the benchmarks of what its audience gets:
// the host sharing a screen with camera and microphone, three panelists with camera and
// microphone. 'node': everyone a Node publisher of recorded media (node-stage.ts), which costs the
// machine a few percent; 'host-page': the host the web app's page in Chromium (webinar-host.ts),
// the panelists Node publishers; 'pages': everyone the web app's pages, a core of encoding each.
// What each one sends can be read at any time, the same way for all three.
import type { BrowserContext, Page } from 'playwright-core';
import type { BenchContext } from '../types.ts';
import type { MediaBrowser } from './browser.ts';
import { OWNER_NAME, type LiveServer } from './live-server.ts';
import { startNodePanelists, type NodePanelists } from './node-panelists.ts';
import type { PublisherSent } from './node-publisher.ts';
import { startNodeStage } from './node-stage.ts';
import type { RecordedMedia } from './recorded-media.ts';
import { callProbe, installStageProbe } from './stage-probe.ts';
import { hostWebinar } from './webinar-host.ts';

export type StageKind = 'node' | 'host-page' | 'pages';
export const STAGE_KINDS: readonly StageKind[] = ['node', 'host-page', 'pages'];
export const PANELISTS = 3;

/** What one member sends so far, per source and layer; counters grow, so two snapshots give rates. */
export interface SenderSnapshot {
  name: string;
  /** A browser encodes live; recorded media is sent as it was encoded. */
  recorded: boolean;
  streams: {
    source: string;
    /** 'r0' is the lowest layer; null for sound. */
    rid: string | null;
    bytes: number;
    frames: number;
    width: number;
    height: number;
    /** What holds a browser's encoder back now ('bandwidth', 'cpu'); 'none' otherwise. */
    limit: string;
  }[];
}

export interface WebinarStage {
  id: string;
  kind: StageKind;
  /** The web app's pages on stage, the host's first (none with 'node'). */
  pages: Page[];
  senders(): Promise<SenderSnapshot[]>;
  /** Stops every publisher and page; safe to call twice. */
  close(): Promise<void>;
}

export interface StageOptions {
  server: LiveServer;
  /** Needed unless 'node'. */
  browser: MediaBrowser | undefined;
  /** Needed unless 'pages' (with a screen for 'node'). */
  media: RecordedMedia | undefined;
  stunUrl: string;
}

/** Puts the host and PANELISTS panelists on stage as `kind` says, and starts the webinar. */
export async function setUpStage(ctx: BenchContext, kind: StageKind, options: StageOptions): Promise<WebinarStage> {
  const { server, browser, media, stunUrl } = options;
  if (kind === 'node') {
    if (!media?.screen) throw new Error('a stage in Node needs recorded media with a screen');
    const stage = await startNodeStage(server, { panelists: PANELISTS, media, stunUrl, timeoutMs: 20_000 });
    ctx.log(`webinar ${stage.id} is live with ${PANELISTS + 1} Node publishers on stage`);
    return {
      id: stage.id,
      kind,
      pages: [],
      senders: async () => stage.sent().map(({ name, sent }) => recordedSnapshot(name, sent)),
      close: () => stage.close(),
    };
  }
  if (!browser) throw new Error(`a stage with the web app's pages (${kind}) needs a browser`);
  const contexts: BrowserContext[] = [];
  let panelists: NodePanelists | undefined;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await panelists?.close();
      await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
    })());
  try {
    for (let i = 0; i <= (kind === 'pages' ? PANELISTS : 0); i++) {
      const context = await browser.browser.newContext({ viewport: { width: 1280, height: 800 } });
      await installStageProbe(context);
      contexts.push(context);
    }
    const webinar = await hostWebinar(ctx, contexts[0]!, server, {
      panelists: contexts.slice(1),
      beforeStart: async (backstage) => {
        if (kind !== 'host-page') return;
        if (!media) throw new Error('Node panelists need recorded media');
        panelists = await startNodePanelists(server, backstage, {
          count: PANELISTS,
          media,
          stunUrl,
          timeoutMs: 20_000,
        });
      },
    });
    const pages = [webinar.host, ...webinar.panelists];
    return {
      id: webinar.id,
      kind,
      pages,
      senders: async () => [
        ...(await Promise.all(
          pages.map(async (page, i) => pageSnapshot(i === 0 ? OWNER_NAME : `Panelist ${i}`, page)),
        )),
        ...(panelists?.sent() ?? []).map((sent, i) => recordedSnapshot(panelists!.names[i]!, sent)),
      ],
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A Node publisher's counters as a snapshot. */
export function recordedSnapshot(name: string, sent: PublisherSent): SenderSnapshot {
  return {
    name,
    recorded: true,
    streams: [
      ...sent.layers.map((layer, i) => ({
        source: layer.source,
        // The layer's index among its source's: r0 the lowest, as the web app names them.
        rid: `r${sent.layers.slice(0, i).filter((l) => l.source === layer.source).length}`,
        bytes: layer.bytes,
        frames: layer.frames,
        width: layer.width,
        height: layer.height,
        limit: 'none',
      })),
      { source: 'microphone', rid: null, bytes: sent.voice.bytes, frames: 0, width: 0, height: 0, limit: 'none' },
    ],
  };
}

async function pageSnapshot(name: string, page: Page): Promise<SenderSnapshot> {
  const { outbound } = await callProbe(page, 'traffic');
  return {
    name,
    recorded: false,
    streams: outbound.map((s) => ({
      source: s.source,
      rid: s.rid,
      bytes: s.bytes,
      frames: s.framesEncoded,
      width: s.frameWidth,
      height: s.frameHeight,
      limit: s.qualityLimitationReason || 'none',
    })),
  };
}

/** One member's streams between two snapshots. */
export interface SenderRates {
  name: string;
  recorded: boolean;
  streams: (SenderSnapshot['streams'][number] & { kbps: number; fps: number })[];
}

/** Each member's streams between two snapshots: payload kbit/s and frames per second. */
export function senderRates(
  before: readonly SenderSnapshot[],
  after: readonly SenderSnapshot[],
  seconds: number,
): SenderRates[] {
  return after.map((end) => {
    const start = before.find((s) => s.name === end.name);
    return {
      name: end.name,
      recorded: end.recorded,
      streams: end.streams.map((stream) => {
        const earlier = start?.streams.find((s) => s.source === stream.source && s.rid === stream.rid);
        return {
          ...stream,
          kbps: ((stream.bytes - (earlier?.bytes ?? 0)) * 8) / 1000 / seconds,
          fps: (stream.frames - (earlier?.frames ?? 0)) / seconds,
        };
      }),
    };
  });
}

/** One member's streams as '<source> <rid> <kbps> kbit/s <w>x<h>@<fps>' (with what holds a browser back). */
export function describeRates(rates: SenderRates): string {
  return `${rates.name}${rates.recorded ? ' (recorded)' : ''}: ${rates.streams
    .map((s) => {
      const video = s.source === 'microphone' ? '' : ` ${s.width}x${s.height}@${Math.round(s.fps)}`;
      const limit = s.limit !== 'none' && s.limit !== '' ? ` (${s.limit})` : '';
      return `${s.source}${s.rid ? ` ${s.rid}` : ''} ${Math.round(s.kbps)}${video}${limit}`;
    })
    .join(', ')}`;
}
