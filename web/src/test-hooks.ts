// Test builds only (`vite build --mode test`, loaded by main.ts): tests and benchmarks drive and
// observe the page through `window.__aethex`, which holds the media objects at work on the page
// (media/page-media.ts): the player or the publisher, the WHIP or WHEP client behind it, the HLS
// playback and which way the channel page receives the stream. The production bundle leaves this
// module out, so no other script on a real page can reach those objects.
import { collectPageMedia, type PageMedia } from './media/page-media.ts';

declare global {
  interface Window {
    __aethex: Partial<PageMedia>;
  }
}

window.__aethex = {};
collectPageMedia(window.__aethex);
