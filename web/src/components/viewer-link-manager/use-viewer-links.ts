import { ref, shallowRef } from 'vue';
import type {
  IssuedViewerToken as IssuedViewerLink,
  ViewerToken as ViewerLinkInfo,
} from '../../../../common/protocol/rest/viewer-tokens.ts';
import { getJson, sendJson } from '../../lib/api.ts';
import { channelUrl } from '../../stores/studio-settings.ts';

/**
 * What the server takes as a link's label (VIEWER_TOKEN_LABEL_MAX). A copy: importing the value
 * would bring the schema library into the page, which only needs the types.
 */
export const VIEWER_LINK_LABEL_MAX = 60;

/** A link as listed (never its token), and as created: the only time the page holds its token. */
export type {
  IssuedViewerToken as IssuedViewerLink,
  ViewerToken as ViewerLinkInfo,
} from '../../../../common/protocol/rest/viewer-tokens.ts';

/**
 * A private channel's viewer links (viewer tokens, on the API): the list (never the tokens),
 * creating one with a label, and revoking one, which stops it working at once.
 */
export function useViewerLinks(slug: () => string) {
  const links = shallowRef<ViewerLinkInfo[]>([]);
  const state = ref<'idle' | 'loading' | 'loaded' | 'failed'>('idle');
  /** The link just created, shown once until dismissed. */
  const issued = shallowRef<IssuedViewerLink | null>(null);

  async function load(): Promise<void> {
    state.value = 'loading';
    try {
      links.value = await getJson<ViewerLinkInfo[]>(channelUrl(slug(), '/viewer-tokens'));
      state.value = 'loaded';
    } catch (error) {
      console.warn('[aethex] could not load viewer links', error);
      state.value = 'failed';
    }
  }

  /** A new link; a blank label is left out (the server has no label then). */
  async function create(label: string): Promise<IssuedViewerLink> {
    const trimmed = label.trim();
    const link = await sendJson<IssuedViewerLink>(
      'POST',
      channelUrl(slug(), '/viewer-tokens'),
      trimmed ? { label: trimmed } : {},
    );
    issued.value = link;
    await load();
    return link;
  }

  async function revoke(id: string): Promise<void> {
    await sendJson('DELETE', channelUrl(slug(), `/viewer-tokens/${encodeURIComponent(id)}`));
    if (issued.value?.id === id) issued.value = null;
    await load();
  }

  function dismissIssued(): void {
    issued.value = null;
  }

  return { links, state, issued, load, create, revoke, dismissIssued };
}
