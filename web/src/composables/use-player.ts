import { getCurrentScope, onScopeDispose, ref, shallowRef, watch, type Ref } from 'vue';
import { AutoPlayer, type PlaybackFailure } from '../media/auto-player.ts';
import { HlsPlayer, type LiveStatusSource } from '../media/hls-player.ts';
import { announce, withdraw } from '../media/page-media.ts';
import type { PlaybackClient, PlaybackVia, Rendition, RenditionPick } from '../media/playback-client.ts';
import { Player, type PlayerStatus } from '../media/player.ts';
import type { PlayerStats } from '../media/stats.ts';
import { WhepPlayer } from '../media/whep-player.ts';
import type { PlaybackSource } from './use-playback-source.ts';
import { useInterval } from './use-interval.ts';

export type { PlaybackVia } from '../media/playback-client.ts';

declare module '../media/page-media.ts' {
  interface PageMedia {
    /** How the channel page's player receives the stream now. */
    via: PlaybackVia;
  }
}

/**
 * A player for `channel` drawing into `video` (and `pip`), replaced when the channel or the source
 * changes and closed with the component. Status and the way the stream arrives (`via`) are
 * reactive; stats refresh every second while live. When Auto had to fall back to HLS, Auto means
 * HLS for the rest of this player's life (the page view), without trying WebRTC again. The
 * viewer's pick of a rendition (`rendition`) holds across players; `renditions` lists what the
 * current one can offer (an HLS ladder), refreshed with the stats. With `liveStatus`, the player
 * is HLS only, live while that says so (a webinar's composed stage on its channel's HLS).
 */
export function usePlayer(
  channel: Ref<string | null>,
  video: Ref<HTMLVideoElement | null>,
  pip: Ref<HTMLVideoElement | null>,
  source: Ref<PlaybackSource> = ref('auto'),
  liveStatus?: LiveStatusSource,
) {
  const status = shallowRef<PlayerStatus | null>(null);
  const stats = shallowRef<PlayerStats | null>(null);
  const via = shallowRef<PlaybackVia | null>(null);
  /** Why Auto left WebRTC, when it did. */
  const fallback = shallowRef<PlaybackFailure | null>(null);
  const renditions = shallowRef<Rendition[]>([]);
  const rendition = ref<RenditionPick>('auto');
  let webrtcFailedFor: string | null = null;
  let player: PlaybackClient | null = null;

  const close = () => {
    const closing = player;
    player = null;
    closing?.close();
    if (closing) withdraw('via', closing.via);
    status.value = null;
    stats.value = null;
    via.value = null;
    renditions.value = [];
  };

  function create(slug: string, how: PlaybackSource): PlaybackClient {
    if (liveStatus) return new HlsPlayer({ channel: slug, liveStatus });
    switch (how) {
      case 'webrtc':
        return new Player({ channel: slug });
      case 'whep':
        return new WhepPlayer({ channel: slug });
      case 'hls':
        return new HlsPlayer({ channel: slug });
      case 'auto': {
        if (webrtcFailedFor === slug) return new HlsPlayer({ channel: slug });
        const auto = new AutoPlayer({
          webrtc: () => new Player({ channel: slug }),
          hls: () => new HlsPlayer({ channel: slug }),
        });
        auto.on('fallback', (reason) => {
          console.info(`[aethex player ${slug}] playing over HLS: ${reason.message}`);
          webrtcFailedFor = slug;
          fallback.value = reason;
        });
        return auto;
      }
    }
  }

  watch(
    [channel, source],
    ([slug, how]) => {
      close();
      if (!slug) return;
      if (slug !== webrtcFailedFor) fallback.value = null;
      const created = create(slug, how);
      player = created;
      const sync = () => {
        if (player !== created) return;
        status.value = created.status;
        via.value = created.via;
        announce('via', created.via);
      };
      created.on('status', sync);
      sync();
      created.pickRendition?.(rendition.value);
      if (video.value) created.attach(video.value, pip.value);
      created.start();
    },
    { immediate: true },
  );

  watch([video, pip], ([element, pipElement]) => {
    if (element) player?.attach(element, pipElement);
    else player?.detach();
  });

  watch(rendition, (pick) => player?.pickRendition?.(pick));

  useInterval(
    async () => {
      stats.value = (await player?.stats()) ?? null;
      const offered = player?.renditions?.() ?? [];
      if (!sameRenditions(offered, renditions.value)) renditions.value = offered;
      // A new stream whose ladder lacks the height picked plays Auto; say so.
      const pick = rendition.value;
      if (pick !== 'auto' && offered.length > 0 && !offered.some((r) => r.height === pick)) rendition.value = 'auto';
    },
    1000,
    () => status.value?.phase === 'live',
  );

  if (getCurrentScope()) onScopeDispose(close);

  return {
    status,
    stats,
    via,
    fallback,
    renditions,
    rendition,
    unmute: () => player?.unmute() ?? Promise.resolve(),
    mute: () => player?.mute(),
    close,
  };
}

function sameRenditions(a: readonly Rendition[], b: readonly Rendition[]): boolean {
  return a.length === b.length && a.every((r, i) => r.height === b[i]!.height && r.bitrate === b[i]!.bitrate);
}
