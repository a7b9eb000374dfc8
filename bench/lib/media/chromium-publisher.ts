// Starts the page publisher (page/publisher.ts over socket.io signaling, or page/http-media.ts over
// WHIP) in its own browser context and waits until every layer it sends is encoding, so a benchmark starts on a stream in its steady state rather than
// while the sender's bandwidth estimate is still ramping up to the top layer.
import type { BrowserContext, Page } from 'playwright-core';
import { callPage, type MediaBrowser } from './browser.ts';
import type { LiveServer } from './live-server.ts';
import type { PublishOptions, PublishedLayer } from './page/publisher.ts';

export interface ChromiumPublisher {
  readonly page: Page;
  readonly context: BrowserContext;
  layers(): Promise<PublishedLayer[]>;
  /** Leaves the channel and closes the context; safe to call twice. */
  stop(): Promise<void>;
}

export type PublisherOptions = Omit<PublishOptions, 'serverUrl' | 'streamKey'> & {
  /** How the media goes in: the studio's socket.io signaling (the default), or WHIP (the clock only, no audio). */
  via?: 'signaling' | 'whip';
};

export async function startChromiumPublisher(
  browser: MediaBrowser,
  server: LiveServer,
  options: PublisherOptions,
  ready: { layers: number; deadlineMs: number; settleMs: number },
): Promise<ChromiumPublisher> {
  const { via = 'signaling', ...publish } = options;
  if (via === 'whip' && (publish.video !== 'clock' || publish.audio))
    throw new Error('the WHIP publisher sends the clock only, without audio');
  const { context, page } = await browser.newPage();
  let stopping: Promise<void> | undefined;
  const publisher: ChromiumPublisher = {
    page,
    context,
    layers: () => callPage(page, via === 'whip' ? 'whipPublisherStats' : 'publisherStats'),
    stop: () =>
      (stopping ??= (async () => {
        await callPage(page, via === 'whip' ? 'stopWhip' : 'stopPublishing').catch(() => undefined);
        await context.close();
      })()),
  };
  try {
    if (via === 'whip') {
      await callPage(page, 'publishWhip', {
        serverUrl: server.url,
        streamKey: server.streamKey,
        fps: publish.fps,
        simulcast: publish.simulcast,
      });
    } else {
      await callPage(page, 'publish', { ...publish, serverUrl: server.url, streamKey: server.streamKey });
    }
    const deadline = Date.now() + ready.deadlineMs;
    for (;;) {
      const layers = await publisher.layers();
      if (layers.filter((l) => l.framesPerSecond > 0 && l.frameWidth > 0).length >= ready.layers) break;
      if (Date.now() > deadline) {
        throw new Error(
          `the publisher had not started all ${ready.layers} layers after ${ready.deadlineMs} ms: ` +
            layers.map((l) => `${l.rid ?? 'single'} ${l.frameWidth}x${l.frameHeight}@${l.framesPerSecond}`).join(', '),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await new Promise((resolve) => setTimeout(resolve, ready.settleMs));
    return publisher;
  } catch (error) {
    await publisher.stop();
    throw error;
  }
}

export function describeLayers(layers: readonly PublishedLayer[]): string {
  return layers
    .map((l) => {
      const limited =
        l.qualityLimitationReason && l.qualityLimitationReason !== 'none'
          ? `, limited by ${l.qualityLimitationReason}`
          : '';
      const lost = l.remotePacketsLost > 0 ? `, ${l.remotePacketsLost} packets lost on the way in` : '';
      return `${l.rid ?? 'single layer'} ${l.frameWidth}x${l.frameHeight} @ ${Math.round(l.framesPerSecond)} fps${limited}${lost}`;
    })
    .join('; ')
    .concat(
      layers[0] && layers[0].availableOutgoingBitrate > 0
        ? ` (send estimate ${Math.round(layers[0].availableOutgoingBitrate / 1000)} kbit/s)`
        : '',
    )
    .concat(
      layers[0] && layers[0].packetsDiscardedOnSend > 0
        ? ` (Chrome discarded ${layers[0].packetsDiscardedOnSend} packets on send)`
        : '',
    );
}
