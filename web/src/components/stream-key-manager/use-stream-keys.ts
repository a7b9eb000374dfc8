import { ref, shallowRef } from 'vue';
import type { IssuedStreamKey, StreamKey as StreamKeyInfo } from '../../../../common/protocol/rest/stream-keys.ts';
import { getJson, sendJson } from '../../lib/api.ts';
import { channelUrl } from '../../stores/studio-settings.ts';

/** A key as listed (never the key itself), and as issued: the only time the page holds the key. */
export type { IssuedStreamKey, StreamKey as StreamKeyInfo } from '../../../../common/protocol/rest/stream-keys.ts';

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
