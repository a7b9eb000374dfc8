import { ref, shallowRef } from 'vue';
import { getJson, sendJson } from '../../lib/api.ts';
import { channelUrl } from '../../stores/studio-settings.ts';

export interface StreamKeyInfo {
  id: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

/** A key as issued: the only time the page ever holds the key itself. */
export interface IssuedStreamKey {
  id: string;
  key: string;
  prefix: string;
  createdAt: string;
  whipUrl: string;
}

/** A channel's stream keys: the list (never the keys), and issuing, rotating and revoking them. */
export function useStreamKeys(slug: () => string) {
  const keys = shallowRef<StreamKeyInfo[]>([]);
  const state = ref<'idle' | 'loading' | 'loaded' | 'failed'>('idle');
  /** The key just issued, shown once until dismissed. */
  const issued = shallowRef<IssuedStreamKey | null>(null);

  async function load(): Promise<void> {
    state.value = 'loading';
    try {
      keys.value = await getJson<StreamKeyInfo[]>(channelUrl(slug(), '/stream-keys'));
      state.value = 'loaded';
    } catch (error) {
      console.warn('[aethex] could not load stream keys', error);
      state.value = 'failed';
    }
  }

  /** A new key; with `rotate`, every older key stops working. */
  async function issue(rotate: boolean): Promise<IssuedStreamKey> {
    const key = await sendJson<IssuedStreamKey>(
      'POST',
      channelUrl(slug(), rotate ? '/stream-keys/rotate' : '/stream-keys'),
    );
    issued.value = key;
    await load();
    return key;
  }

  async function revoke(id: string): Promise<void> {
    await sendJson('DELETE', channelUrl(slug(), `/stream-keys/${encodeURIComponent(id)}`));
    if (issued.value?.id === id) issued.value = null;
    await load();
  }

  function dismissIssued(): void {
    issued.value = null;
  }

  return { keys, state, issued, load, issue, revoke, dismissIssued };
}
