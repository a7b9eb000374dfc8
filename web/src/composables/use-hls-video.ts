import { getCurrentScope, onScopeDispose, ref, shallowRef, watch, type Ref } from 'vue';
import { playWithSoundIfAllowed } from '../media/autoplay.ts';
import { HlsSource, type HlsFailure } from '../media/hls-source.ts';
import { createLog } from '../media/log.ts';
import { announce, withdraw } from '../media/page-media.ts';

export type HlsVideoState = 'idle' | 'loading' | 'ready' | 'failed';

/**
 * Plays the HLS playlist at `url` (a VOD) in `video`, starting by itself (muted when the browser
 * wants that); replaced when either changes, released with the component.
 */
export function useHlsVideo(url: Ref<string | null>, video: Ref<HTMLVideoElement | null>) {
  const state = ref<HlsVideoState>('idle');
  const failure = shallowRef<HlsFailure | null>(null);
  let source: HlsSource | null = null;

  const close = () => {
    if (source) withdraw('hlsPlayer', source);
    source?.close();
    source = null;
  };

  watch(
    [url, video],
    ([playlist, element]) => {
      close();
      failure.value = null;
      state.value = 'idle';
      if (!playlist || !element) return;
      const created = new HlsSource({ url: playlist, live: false, log: createLog('vod', playlist) });
      source = created;
      state.value = 'loading';
      created.on('ready', () => {
        state.value = 'ready';
        void playWithSoundIfAllowed(element);
      });
      created.on('failed', (reason) => {
        state.value = 'failed';
        failure.value = reason;
      });
      announce('hlsPlayer', created);
      void created.start(element);
    },
    { immediate: true },
  );

  if (getCurrentScope()) onScopeDispose(close);

  return { state, failure };
}
