import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { MediaSource } from '../../../common/protocol/media-signaling.ts';
import type { Channel } from '../../../common/protocol/rest/channels.ts';
import type { LiveStreamEnd, StreamSummary } from '../../../common/protocol/rest/streams.ts';
import { onAir } from '../components/live-indicator/on-air.ts';
import { failureText, getJson, sendJson } from '../lib/api.ts';
import { Publisher, type PublisherStatus } from '../media/publisher.ts';
import type { PublisherStats } from '../media/stats.ts';
import { WhipPublisher, type LivePublisher } from '../media/whip-publisher.ts';
import { studioErrorText } from '../lib/error-text.ts';
import { useCaptureStore } from './capture.ts';

const STREAM_KEY = 'aethex.studio.streamKey';
const VIA_KEY = 'aethex.studio.via';
const AS_KEY = 'aethex.studio.publishAs';

/** How this browser sends: the socket.io protocol with its SFU features, or standard WHIP. */
export type PublishVia = 'webrtc' | 'whip';

/**
 * What proves the right to publish: the signed-in owner's session (no key to copy around), or a
 * stream key (someone else's channel, a shared setup). WHIP always takes a key: it is its bearer token.
 */
export type PublishAs = 'session' | 'key';

export type StudioPhase = 'offline' | 'connecting' | 'live' | 'reconnecting' | 'error';

/** The channel's stream running from somewhere else than this tab (another device, OBS, an older tab). */
export interface LiveElsewhere {
  channel: string;
  streamId: string | null;
  startedAt: string | null;
}

/** What this tab was told when another session took its stream over: no failure, so no red error. */
export const HANDED_OVER_TEXT = 'You went live from another device; this tab stopped sending.';
export const ENDED_ELSEWHERE_TEXT = 'Your stream was ended from another device; this tab stopped sending.';
const RECHECK_AFTER_HANDOVER_MS = 1500;
const SUMMARY_POLL_MS = 3000;
/** How long the summary waits for the recorder to write the VOD. */
const VOD_WAIT_MS = 180_000;

/**
 * The creator's live session: the stream key, going live and ending, what the server says about
 * the stream (channel, viewers), and outgoing stats. It publishes whatever the capture store has
 * open, and follows its changes (device switch, screen share, mute) while live.
 */
export const useStudioStore = defineStore('studio', () => {
  const capture = useCaptureStore();

  // A stream key, for publishing with one; it stays on this device.
  const streamKey = ref(localStorage.getItem(STREAM_KEY) ?? '');
  const via = ref<PublishVia>(localStorage.getItem(VIA_KEY) === 'whip' ? 'whip' : 'webrtc');
  watch(via, (value) => localStorage.setItem(VIA_KEY, value));
  const publishAs = ref<PublishAs>(localStorage.getItem(AS_KEY) === 'key' ? 'key' : 'session');
  watch(publishAs, (value) => {
    localStorage.setItem(AS_KEY, value);
    if (value === 'session') via.value = 'webrtc';
    if (phase.value === 'error') {
      phase.value = 'offline';
      error.value = null;
    }
  });
  /** The signed-in owner's channel to publish to when publishing as 'session' (the studio's picker). */
  const target = ref<string | null>(null);

  const phase = ref<StudioPhase>('offline');
  const error = ref<string | null>(null);
  /** A problem being retried; the session is still trying. */
  const notice = ref<string | null>(null);
  const channel = ref<string | null>(null);
  /** Null when unknown: a WHIP session tells nothing of viewers. */
  const viewers = ref<number | null>(0);
  const startedAt = ref<string | null>(null);
  const stats = shallowRef<PublisherStats | null>(null);
  /** This tab's stream, once the server made it live. */
  const streamId = ref<string | null>(null);
  /** Neutral news: this tab's stream went on from another session. */
  const handedOver = ref<string | null>(null);
  const elsewhere = ref<LiveElsewhere | null>(null);
  const ending = ref(false);
  /** The last stream's summary card, from the database, until dismissed. */
  const summary = ref<StreamSummary | null>(null);
  const summaryError = ref<string | null>(null);
  let summaryTimer: ReturnType<typeof setTimeout> | undefined;
  let publisher: LivePublisher | null = null;
  /** Signaling this store opened for the publisher (session publishing), closed with it. */
  watch(streamKey, (key) => {
    if (key) localStorage.setItem(STREAM_KEY, key);
    else localStorage.removeItem(STREAM_KEY);
    // A corrected key deserves a fresh start rather than the old complaint.
    if (phase.value === 'error') {
      phase.value = 'offline';
      error.value = null;
    }
  });

  const active = computed(
    () => phase.value === 'connecting' || phase.value === 'live' || phase.value === 'reconnecting',
  );

  function tracks(): Record<MediaSource, MediaStreamTrack | null> {
    return {
      camera: capture.camera,
      microphone: capture.microphone,
      screen: capture.screen,
      'screen-audio': capture.screenAudio,
    };
  }

  function onStatus(status: PublisherStatus): void {
    channel.value = status.channel ?? channel.value;
    streamId.value = status.stream?.streamId ?? streamId.value;
    if (status.stream || via.value === 'webrtc') {
      viewers.value = status.stream?.viewers ?? 0;
      startedAt.value = status.stream?.startedAt ?? null;
    } else {
      viewers.value = null;
      // The clock runs from the first moment live, and keeps running through reconnects.
      if (status.phase === 'live') startedAt.value ??= new Date().toISOString();
    }
    switch (status.phase) {
      case 'idle':
      case 'connecting':
      case 'reconnecting':
      case 'live':
        phase.value = status.phase === 'idle' ? 'connecting' : status.phase;
        notice.value = status.error && status.phase !== 'live' ? studioErrorText(status.error) : null;
        error.value = null;
        break;
      case 'error':
        if (status.error?.code === 'kicked') {
          handOver();
          break;
        }
        phase.value = 'error';
        error.value = status.error ? studioErrorText(status.error) : 'The stream stopped.';
        notice.value = null;
        stats.value = null;
        publisher = null;
        break;
      case 'stopped':
        break;
    }
  }

  /** The publisher for how the creator chose to go live, or why there can't be one. */
  function newPublisher(): LivePublisher | string {
    if (publishAs.value === 'session') {
      if (!target.value) return 'Choose the channel to go live on first.';
      if (via.value === 'whip') return 'WHIP sends with a stream key: choose "Use a stream key", or send over WebRTC.';
      return new Publisher({ channel: target.value });
    }
    const key = streamKey.value.trim();
    if (!key) return 'Enter your stream key first.';
    return via.value === 'whip' ? new WhipPublisher({ streamKey: key }) : new Publisher({ streamKey: key });
  }

  async function goLive(): Promise<void> {
    if (active.value) return;
    error.value = null;
    const media = tracks();
    if (!Object.values(media).some(Boolean)) {
      phase.value = 'error';
      error.value = 'Turn on a camera, a microphone or a screen share first.';
      return;
    }
    const session = newPublisher();
    if (typeof session === 'string') {
      phase.value = 'error';
      error.value = session;
      return;
    }
    phase.value = 'connecting';
    channel.value = null;
    startedAt.value = null;
    streamId.value = null;
    handedOver.value = null;
    elsewhere.value = null;
    dismissSummary();
    publisher = session;
    session.on('status', (status) => publisher === session && onStatus(status));
    void session.setPaused('camera', capture.cameraOff);
    void session.setPaused('microphone', capture.microphoneMuted);
    // Failures arrive as an 'error' status too; the promise only says when it got there.
    await session.start(media).catch(() => undefined);
  }

  function resetLive(): void {
    phase.value = 'offline';
    notice.value = null;
    stats.value = null;
    viewers.value = 0;
    startedAt.value = null;
  }

  /** Ends this tab's stream ('leave': the server ends it at once), then sums it up. */
  async function endStream(): Promise<void> {
    const session = publisher;
    const ended = streamId.value;
    publisher = null;
    streamId.value = null;
    resetLive();
    await session?.stop();
    if (ended) void loadSummary(ended);
  }

  /** Another session took the stream over: it goes on there, this tab stops sending. */
  function handOver(): void {
    const was = channel.value;
    const since = startedAt.value;
    const id = streamId.value;
    publisher = null;
    streamId.value = null;
    resetLive();
    error.value = null;
    handedOver.value = HANDED_OVER_TEXT;
    if (!was) return;
    elsewhere.value = { channel: was, streamId: id, startedAt: since };
    // Let go by an "End stream" elsewhere, the stream is over a moment later: then say that instead.
    setTimeout(() => void checkElsewhere(was), RECHECK_AFTER_HANDOVER_MS);
  }

  /**
   * Asks the server whether `slug` is live from somewhere else than this tab (the studio opened
   * on a second device, or after this tab was taken over).
   */
  async function checkElsewhere(slug: string): Promise<void> {
    if (active.value) return;
    try {
      const found = await getJson<Channel>(`/api/v1/channels/${encodeURIComponent(slug)}`);
      if (active.value) return;
      elsewhere.value = found.live
        ? { channel: found.slug, streamId: found.streamId, startedAt: found.startedAt }
        : null;
      // Let go by "End stream" on another device rather than taken over: say so.
      if (!found.live && handedOver.value) handedOver.value = ENDED_ELSEWHERE_TEXT;
    } catch {
      // Unknown is not live elsewhere: the Go live button stays, and the server still decides.
    }
  }

  /** Ends the stream running elsewhere (POST .../live-stream/end), waits until it is over, sums it up. */
  async function endElsewhere(): Promise<void> {
    const running = elsewhere.value;
    if (!running || ending.value) return;
    ending.value = true;
    error.value = null;
    try {
      const { streamId: ended } = await sendJson<LiveStreamEnd>(
        'POST',
        `/api/v1/channels/${encodeURIComponent(running.channel)}/live-stream/end`,
      );
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        await checkElsewhere(running.channel);
        if (!elsewhere.value) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      elsewhere.value = null;
      handedOver.value = null;
      void loadSummary(ended);
    } catch (failure) {
      error.value = failureText(failure);
    } finally {
      ending.value = false;
    }
  }

  /** The summary of stream `id`; asked again until its VOD is written (or the wait is over). */
  async function loadSummary(id: string, since = Date.now()): Promise<void> {
    clearTimeout(summaryTimer);
    try {
      summary.value = await getJson<StreamSummary>(`/api/v1/streams/${id}/summary`);
      summaryError.value = null;
    } catch (failure) {
      summaryError.value = failureText(failure);
    }
    if (summary.value?.id === id && !summary.value.vod && Date.now() - since < VOD_WAIT_MS)
      summaryTimer = setTimeout(() => void loadSummary(id, since), SUMMARY_POLL_MS);
  }

  function dismissSummary(): void {
    clearTimeout(summaryTimer);
    summary.value = null;
    summaryError.value = null;
  }

  async function refreshStats(): Promise<void> {
    stats.value = (await publisher?.stats()) ?? null;
  }

  // While live, follow the capture devices: a switched camera, a new screen share, a mute.
  const follow = (source: MediaSource, track: () => MediaStreamTrack | null) =>
    watch(track, (value) => void publisher?.setTrack(source, value));
  follow('camera', () => capture.camera);
  follow('microphone', () => capture.microphone);
  follow('screen', () => capture.screen);
  follow('screen-audio', () => capture.screenAudio);
  watch(
    () => capture.cameraOff,
    (off) => void publisher?.setPaused('camera', off),
  );
  watch(
    () => capture.microphoneMuted,
    (muted) => void publisher?.setPaused('microphone', muted),
  );

  // Wherever the creator is in the app while live: closing the tab asks first, and a closed tab
  // ends the stream at once rather than leaving it "live" for the grace period.
  window.addEventListener('beforeunload', (event) => {
    if (active.value) event.preventDefault();
  });
  window.addEventListener('pagehide', () => {
    if (active.value) void endStream();
  });

  // The header's live indicator, on every page.
  watch(
    [phase, channel, elsewhere],
    () => {
      const here = phase.value === 'live' || phase.value === 'reconnecting';
      onAir.here = here;
      onAir.channel = here ? channel.value : (elsewhere.value?.channel ?? null);
    },
    { immediate: true },
  );

  return {
    streamKey,
    via,
    publishAs,
    target,
    phase,
    error,
    notice,
    channel,
    viewers,
    startedAt,
    stats,
    streamId,
    handedOver,
    elsewhere,
    ending,
    summary,
    summaryError,
    active,
    goLive,
    endStream,
    checkElsewhere,
    endElsewhere,
    dismissSummary,
    refreshStats,
  };
});
