import { computed, onBeforeUnmount, watch } from 'vue';
import { useRoute } from 'vue-router';
import { formatDateTime } from '../lib/format.ts';
import { useChannelStore } from '../stores/channel.ts';
import type { RecordingLookup } from '../stores/recordings.ts';

interface Recording {
  id: string;
  channel: string;
  title: string;
  createdAt: string;
}

/**
 * What the VOD and clip pages share: the recording the address names (/vod/:id, /clip/:id),
 * loaded again when the id changes; its channel's title for the way there; the date it was made;
 * and the page's title, given back when the page goes.
 */
export function useRecordingPage<T extends Recording>(options: {
  /** The store's answer for the id asked last, and how to ask. */
  lookup: () => RecordingLookup;
  current: () => T | null;
  load: (id: string) => Promise<void>;
  /** "Broadcast", "Clip": the page title when it is missing or private. */
  noun: string;
  /** Its title to show, from what it has and its date in words. */
  titleOf: (recording: T, date: string) => string;
}) {
  const route = useRoute();
  const channel = useChannelStore();
  const id = computed(() => String(route.params.id ?? ''));

  watch(id, (value) => void options.load(value), { immediate: true });
  /** The recording, once the store has it for this page's id. */
  const recording = computed(() => {
    const current = options.current();
    return options.lookup() === 'found' && current?.id === id.value ? current : null;
  });
  watch(
    () => recording.value?.channel,
    (slug) => {
      if (slug && channel.slug !== slug) void channel.load(slug);
    },
  );

  const date = computed(() => (recording.value ? formatDateTime(recording.value.createdAt) : ''));
  const title = computed(() => (recording.value ? options.titleOf(recording.value, date.value) : ''));
  const channelTitle = computed(() =>
    channel.info && channel.slug === recording.value?.channel ? channel.info.title : (recording.value?.channel ?? ''),
  );

  watch(
    [title, options.lookup],
    ([shown, lookup]) => {
      if (lookup === 'not-found') document.title = `${options.noun} not found · AeThex Live`;
      else if (lookup === 'forbidden') document.title = `Private ${options.noun.toLowerCase()} · AeThex Live`;
      else if (shown) document.title = `${shown} · AeThex Live`;
    },
    { immediate: true },
  );
  onBeforeUnmount(() => (document.title = 'AeThex Live'));

  return { id, recording, date, title, channelTitle, retry: () => options.load(id.value) };
}
