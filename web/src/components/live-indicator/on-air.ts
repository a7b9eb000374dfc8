import { reactive } from 'vue';

/**
 * Whether the signed-in creator's channel is live, as the studio knows it (from this tab, or seen
 * running from another device), for the header's indicator on every page. The studio store
 * writes it; kept apart from that store so the header doesn't pull the publisher's media code
 * into every page's first load.
 */
export const onAir = reactive<{ channel: string | null; here: boolean }>({ channel: null, here: false });
