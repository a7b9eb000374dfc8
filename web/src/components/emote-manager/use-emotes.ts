import { ref, shallowRef } from 'vue';
import { getJson, sendJson } from '../../lib/api.ts';
import { channelUrl } from '../../stores/studio-settings.ts';

export interface ChannelEmote {
  id: string;
  name: string;
  url: string;
}

export const EMOTE_NAME = /^[A-Za-z0-9_]{2,24}$/;
export const EMOTE_MAX_BYTES = 256 * 1024;
export const EMOTE_TYPES = ['image/png', 'image/gif', 'image/webp'];

/** Why this emote can't be uploaded, before asking the server; null when it looks fine. */
export function emoteProblem(name: string, file: File | null, taken: readonly string[]): string | null {
  if (!EMOTE_NAME.test(name)) return 'Names are 2 to 24 letters, digits or underscores.';
  if (taken.includes(name)) return `There already is an emote called :${name}:.`;
  if (!file) return 'Choose an image.';
  if (file.type && !EMOTE_TYPES.includes(file.type)) return 'Emotes are PNG, GIF or WebP images.';
  if (file.size > EMOTE_MAX_BYTES) return 'Emotes can be at most 256 KiB.';
  return null;
}

/** The channel's emotes: listed, uploaded (name + image) and deleted. */
export function useEmotes(slug: () => string) {
  const emotes = shallowRef<ChannelEmote[]>([]);
  const state = ref<'idle' | 'loading' | 'loaded' | 'failed'>('idle');

  async function load(): Promise<void> {
    if (state.value !== 'loaded') state.value = 'loading';
    try {
      emotes.value = await getJson<ChannelEmote[]>(channelUrl(slug(), '/emotes'));
      state.value = 'loaded';
    } catch (error) {
      console.warn('[aethex] could not load emotes', error);
      if (state.value !== 'loaded') state.value = 'failed';
    }
  }

  async function upload(name: string, file: File): Promise<void> {
    const form = new FormData();
    // The name first: the server reads fields in order and wants it before the file.
    form.append('name', name);
    form.append('file', file);
    const created = await sendJson<ChannelEmote>('POST', channelUrl(slug(), '/emotes'), form);
    emotes.value = [...emotes.value.filter((e) => e.id !== created.id), created].sort((a, b) =>
      a.name.localeCompare(b.name),
    );
  }

  async function remove(id: string): Promise<void> {
    await sendJson('DELETE', channelUrl(slug(), `/emotes/${encodeURIComponent(id)}`));
    emotes.value = emotes.value.filter((e) => e.id !== id);
  }

  return { emotes, state, load, upload, remove };
}
