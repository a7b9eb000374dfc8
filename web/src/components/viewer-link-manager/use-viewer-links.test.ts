import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VIEWER_TOKEN_LABEL_MAX } from '../../../../common/protocol/rest/viewer-tokens.ts';
import {
  useViewerLinks,
  VIEWER_LINK_LABEL_MAX,
  type IssuedViewerLink,
  type ViewerLinkInfo,
} from './use-viewer-links.ts';

function reply(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

const link = (id: string, revokedAt: string | null = null): ViewerLinkInfo => ({
  id,
  label: `Team ${id}`,
  prefix: `view_${id}`,
  createdAt: '2026-03-12T18:04:00Z',
  revokedAt,
});

const issuedLink = (id: string): IssuedViewerLink => ({
  ...link(id),
  token: `view_${id}_secret`,
  watchUrl: `http://x/ada?token=view_${id}_secret`,
  whepUrl: 'http://x/api/whep/ada',
});

describe('useViewerLinks', () => {
  let replies: Response[];
  let asked: { request: string; body: unknown }[];

  beforeEach(() => {
    replies = [];
    asked = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      asked.push({
        request: `${init?.method ?? 'GET'} ${url}`,
        body: init?.body === undefined ? undefined : JSON.parse(String(init.body)),
      });
      const next = replies.shift();
      if (!next) throw new Error(`unexpected request ${url}`);
      return next;
    });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('shows a new link once, lists links without the token, and forgets it when revoked', async () => {
    const links = useViewerLinks(() => 'ada');
    replies.push(reply(200, []));
    await links.load();
    expect(links.state.value).toBe('loaded');

    replies.push(reply(201, issuedLink('t1')), reply(200, [link('t1')]));
    await links.create('  Team t1 ');
    expect(links.issued.value?.watchUrl).toBe('http://x/ada?token=view_t1_secret');
    expect(links.links.value).toEqual([link('t1')]);
    expect(JSON.stringify(links.links.value)).not.toContain('secret');

    replies.push(reply(204), reply(200, [link('t1', '2026-03-12T18:06:00Z')]));
    await links.revoke('t1');
    expect(links.issued.value).toBeNull();
    expect(links.links.value[0]!.revokedAt).not.toBeNull();
    expect(asked).toEqual([
      { request: 'GET /api/v1/channels/ada/viewer-tokens', body: undefined },
      { request: 'POST /api/v1/channels/ada/viewer-tokens', body: { label: 'Team t1' } },
      { request: 'GET /api/v1/channels/ada/viewer-tokens', body: undefined },
      { request: 'DELETE /api/v1/channels/ada/viewer-tokens/t1', body: undefined },
      { request: 'GET /api/v1/channels/ada/viewer-tokens', body: undefined },
    ]);
  });

  it('sends no label when none was typed', async () => {
    const links = useViewerLinks(() => 'ada');
    replies.push(reply(201, issuedLink('t2')), reply(200, [link('t2')]));
    await links.create('   ');
    expect(asked[0]!.body).toEqual({});
  });

  it('keeps nothing issued when the server refuses', async () => {
    const links = useViewerLinks(() => 'ada');
    replies.push(reply(409, { status: 409, code: 'too_many_viewer_tokens', detail: 'revoke one' }));
    await expect(links.create('One too many')).rejects.toMatchObject({ code: 'too_many_viewer_tokens' });
    expect(links.issued.value).toBeNull();
  });

  it('says the list failed when the server is unreachable', async () => {
    const links = useViewerLinks(() => 'ada');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    replies.push(reply(500, { status: 500, code: 'internal', detail: 'boom' }));
    await links.load();
    expect(links.state.value).toBe('failed');
    warn.mockRestore();
  });
});

describe('a link label', () => {
  it("is held to the server's length (a copy, so the page doesn't bundle the schema library)", () => {
    expect(VIEWER_LINK_LABEL_MAX).toBe(VIEWER_TOKEN_LABEL_MAX);
  });
});
