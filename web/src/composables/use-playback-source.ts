import { computed, shallowRef, type ComputedRef } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import type { PlaybackVia } from '../media/playback-client.ts';

/** What the viewer picked: Auto (WebRTC, HLS when WebRTC cannot deliver) or one way for good. */
export type PlaybackSource = 'auto' | PlaybackVia;

const SOURCES: readonly PlaybackSource[] = ['auto', 'webrtc', 'whep', 'hls'];
const STORAGE_KEY = 'aethex:playback-source';

export function parsePlaybackSource(value: unknown): PlaybackSource | null {
  return typeof value === 'string' && (SOURCES as readonly string[]).includes(value) ? (value as PlaybackSource) : null;
}

function readStored(): PlaybackSource {
  try {
    return parsePlaybackSource(localStorage.getItem(STORAGE_KEY)) ?? 'auto';
  } catch {
    // Storage can be off (privacy settings): the choice then lasts for the page.
    return 'auto';
  }
}

/**
 * The viewer's playback source, remembered in localStorage across visits. A `?via=` in the address
 * (webrtc, whep, hls) wins while it is there, so a link can ask for one way of playing.
 */
export function usePlaybackSource(): { source: ComputedRef<PlaybackSource>; choose(value: PlaybackSource): void } {
  const route = useRoute();
  const router = useRouter();
  const stored = shallowRef(readStored());
  const source = computed(() => parsePlaybackSource(route.query.via) ?? stored.value);

  function choose(value: PlaybackSource): void {
    stored.value = value;
    try {
      localStorage.setItem(STORAGE_KEY, value);
    } catch (error) {
      console.warn('[aethex] could not remember the playback source', error);
    }
    if (route.query.via !== undefined) void router.replace({ query: { ...route.query, via: undefined } });
  }

  return { source, choose };
}
