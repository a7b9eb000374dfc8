import { getCurrentScope, onScopeDispose, ref, shallowRef, watch, type Ref } from 'vue';
import { Player, type PlayerStatus } from '../media/player.ts';
import type { PlayerStats } from '../media/stats.ts';
import { WhepPlayer, type PlaybackClient } from '../media/whep-player.ts';
import { useInterval } from './use-interval.ts';

/** How the page receives the stream: the socket.io protocol, or standard WHEP. */
export type PlaybackVia = 'webrtc' | 'whep';

/**
 * A player for `channel` drawing into `video` (and `pip`), replaced when the channel or the way of
 * playing changes and closed with the component. Status is reactive; stats refresh every second
 * while live.
 */
export function usePlayer(
  channel: Ref<string | null>,
  video: Ref<HTMLVideoElement | null>,
  pip: Ref<HTMLVideoElement | null>,
  via: Ref<PlaybackVia> = ref('webrtc'),
) {
  const status = shallowRef<PlayerStatus | null>(null);
  const stats = shallowRef<PlayerStats | null>(null);
  let player: PlaybackClient | null = null;

  const close = () => {
    player?.close();
    player = null;
    status.value = null;
    stats.value = null;
  };

  watch(
    [channel, via],
    ([slug, how]) => {
      close();
      if (!slug) return;
      const created: PlaybackClient = how === 'whep' ? new WhepPlayer({ channel: slug }) : new Player({ channel: slug });
      player = created;
      created.on('status', (next) => {
        if (player === created) status.value = next;
      });
      status.value = created.status;
      if (video.value) created.attach(video.value, pip.value);
      created.start();
    },
    { immediate: true },
  );

  watch([video, pip], ([element, pipElement]) => {
    if (element) player?.attach(element, pipElement);
    else player?.detach();
  });

  useInterval(
    async () => {
      stats.value = (await player?.stats()) ?? null;
    },
    1000,
    () => status.value?.phase === 'live',
  );

  if (getCurrentScope()) onScopeDispose(close);

  return {
    status,
    stats,
    unmute: () => player?.unmute() ?? Promise.resolve(),
    mute: () => player?.mute(),
    close,
  };
}
