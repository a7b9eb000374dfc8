import { ref, shallowRef } from 'vue';
import { getJson, sendJson } from '../../lib/api.ts';
import type { ChatSettings, ChatUser } from '../../stores/chat.ts';
import { channelUrl } from '../../stores/studio-settings.ts';

export interface Moderator extends ChatUser {
  addedAt: string;
}

export interface ChatBan {
  user: ChatUser;
  /** Null for a ban, a moment for a timeout. */
  expiresAt: string | null;
  reason: string | null;
  createdAt: string;
}

export interface ModerationEntry {
  id: string;
  kind: string;
  moderator: ChatUser;
  target: ChatUser | null;
  messageId: string | null;
  details: unknown;
  createdAt: string;
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

type ListState = 'idle' | 'loading' | 'loaded' | 'failed';

/** A list loaded from the API, with its state; a failed reload keeps what was shown. */
function useList<T>(url: () => string, what: string) {
  const items = shallowRef<T[]>([]);
  const state = ref<ListState>('idle');
  async function load(): Promise<void> {
    state.value = state.value === 'loaded' ? 'loaded' : 'loading';
    try {
      items.value = await getJson<T[]>(url());
      state.value = 'loaded';
    } catch (error) {
      console.warn(`[aethex] could not load ${what}`, error);
      if (state.value !== 'loaded') state.value = 'failed';
    }
  }
  return { items, state, load };
}

/** The channel's moderators: listed, added and removed by username (owner or admin). */
export function useModerators(slug: () => string) {
  const list = useList<Moderator>(() => channelUrl(slug(), '/moderators'), 'moderators');
  async function add(username: string): Promise<void> {
    await sendJson('PUT', channelUrl(slug(), `/moderators/${encodeURIComponent(username.trim().replace(/^@/, ''))}`));
    await list.load();
  }
  async function remove(username: string): Promise<void> {
    await sendJson('DELETE', channelUrl(slug(), `/moderators/${encodeURIComponent(username)}`));
    await list.load();
  }
  return { ...list, add, remove };
}

/** Who is banned or timed out of the chat, and lifting it. */
export function useBans(slug: () => string) {
  const list = useList<ChatBan>(() => channelUrl(slug(), '/chat/bans'), 'bans');
  async function unban(userId: string): Promise<void> {
    await sendJson('DELETE', channelUrl(slug(), `/chat/bans/${encodeURIComponent(userId)}`));
    await list.load();
  }
  return { ...list, unban };
}

/** The chat's rules: slow mode, followers-only, banned words. */
export function useChatSettings(slug: () => string) {
  const settings = ref<ChatSettings | null>(null);
  const state = ref<ListState>('idle');
  async function load(): Promise<void> {
    state.value = 'loading';
    try {
      settings.value = await getJson<ChatSettings>(channelUrl(slug(), '/chat/settings'));
      state.value = 'loaded';
    } catch (error) {
      console.warn('[aethex] could not load chat settings', error);
      state.value = 'failed';
    }
  }
  async function save(change: Partial<ChatSettings>): Promise<void> {
    settings.value = await sendJson<ChatSettings>('PATCH', channelUrl(slug(), '/chat/settings'), change);
  }
  return { settings, state, load, save };
}

/** What moderators did, newest first, a page at a time. */
export function useModerationLog(slug: () => string) {
  const entries = shallowRef<ModerationEntry[]>([]);
  const nextCursor = ref<string | null>(null);
  const state = ref<ListState>('idle');
  async function load(more = false): Promise<void> {
    const query = new URLSearchParams({ limit: '20' });
    if (more && nextCursor.value) query.set('cursor', nextCursor.value);
    if (!more) state.value = 'loading';
    try {
      const page = await getJson<Page<ModerationEntry>>(channelUrl(slug(), `/moderation-log?${query}`));
      entries.value = more ? [...entries.value, ...page.items] : page.items;
      nextCursor.value = page.nextCursor;
      state.value = 'loaded';
    } catch (error) {
      console.warn('[aethex] could not load the moderation log', error);
      if (!more) state.value = 'failed';
    }
  }
  return { entries, nextCursor, state, load, loadMore: () => load(true) };
}
