import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { StreamStatus } from '../../../common/protocol/media-signaling.ts';
import type { Channel } from '../../../common/protocol/rest/channels.ts';
import { ApiError, sendJson } from '../lib/api.ts';

/** GET /api/v1/channels/:slug, as the server's schema says. */
export type ChannelInfo = Channel;
export type ChannelOwner = Channel['owner'];

/**
 * loading: asking. found: the API knows the channel. not-found: the API answered 404.
 * failed: the API did not answer usefully; the page still plays what signaling offers.
 */
export type ChannelLookup = 'idle' | 'loading' | 'found' | 'not-found' | 'failed';

/**
 * What opening a viewer link gave. granted: this browser holds the access cookie now (or the
 * channel is public). refused: the token is wrong or revoked. not-found: no such channel.
 * failed: no useful answer; the page goes on as if there had been no link.
 */
export type ViewerAccess = 'granted' | 'refused' | 'not-found' | 'failed';

/** The channel being watched: what the API says about it, kept current by the player's live status. */
export const useChannelStore = defineStore('channel', () => {
  const slug = ref<string | null>(null);
  const info = ref<ChannelInfo | null>(null);
  const lookup = ref<ChannelLookup>('idle');
  const live = ref(false);
  const viewers = ref(0);
  const startedAt = ref<string | null>(null);
  /** A follow or unfollow on its way. */
  const followBusy = ref(false);
  let controller: AbortController | undefined;

  async function load(channel: string): Promise<void> {
    slug.value = channel;
    info.value = null;
    lookup.value = 'loading';
    live.value = false;
    viewers.value = 0;
    startedAt.value = null;
    await fetchInfo(channel);
  }

  /** Asks the API again, keeping what is shown until it answers (for players that get no live status). */
  async function refresh(): Promise<void> {
    if (slug.value) await fetchInfo(slug.value);
  }

  async function fetchInfo(channel: string): Promise<void> {
    controller?.abort();
    const mine = (controller = new AbortController());
    try {
      const response = await fetch(`/api/v1/channels/${encodeURIComponent(channel)}`, {
        headers: { accept: 'application/json' },
        signal: mine.signal,
      });
      if (response.status === 404) {
        lookup.value = 'not-found';
        return;
      }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = (await response.json()) as ChannelInfo;
      info.value = body;
      lookup.value = 'found';
      live.value = body.live;
      viewers.value = body.viewers;
      startedAt.value = body.startedAt;
    } catch (error) {
      if (mine.signal.aborted) return;
      console.warn(`[aethex] channel lookup for '${channel}' failed`, error);
      // A failed refresh keeps the details shown.
      if (!info.value) lookup.value = 'failed';
    }
  }

  /**
   * Hands a viewer link's token to the API, which answers with an HttpOnly cookie: from then on
   * every same-origin request and socket.io connection of this browser may watch the channel.
   */
  async function grantViewerAccess(channel: string, token: string): Promise<ViewerAccess> {
    try {
      await sendJson('POST', `/api/v1/channels/${encodeURIComponent(channel)}/viewer-access`, { token });
      return 'granted';
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) return 'refused';
      if (error instanceof ApiError && error.status === 404) return 'not-found';
      console.warn(`[aethex] the viewer link of '${channel}' could not be checked`, error);
      return 'failed';
    }
  }

  /** Live state from signaling is fresher than the API's. */
  function applyStreamStatus(status: StreamStatus): void {
    if (status.channel !== slug.value) return;
    live.value = status.live;
    viewers.value = status.viewers;
    startedAt.value = status.startedAt;
  }

  /**
   * Follows (or unfollows) the channel shown. The button flips at once and the count moves with it;
   * a refusal puts both back and rethrows for the caller to explain.
   */
  async function setFollowing(follow: boolean): Promise<void> {
    const before = info.value;
    if (!before || followBusy.value || Boolean(before.following) === follow) return;
    followBusy.value = true;
    info.value = { ...before, following: follow, followers: Math.max(0, (before.followers ?? 0) + (follow ? 1 : -1)) };
    try {
      await sendJson(follow ? 'PUT' : 'DELETE', `/api/v1/channels/${encodeURIComponent(before.slug)}/follow`);
    } catch (error) {
      if (info.value?.slug === before.slug)
        info.value = { ...info.value, following: before.following, followers: before.followers };
      throw error;
    } finally {
      followBusy.value = false;
    }
  }

  return {
    slug,
    info,
    lookup,
    live,
    viewers,
    startedAt,
    followBusy,
    load,
    refresh,
    grantViewerAccess,
    applyStreamStatus,
    setFollowing,
  };
});
