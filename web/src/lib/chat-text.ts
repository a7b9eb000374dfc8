// A chat message body cut into what the template renders: runs of plain text (shown as text, so
// markup in them stays literal) and the channel's emotes (`:name:`, shown as an image). The chat
// never renders a body as HTML; this is the only thing that gives a body structure.

export interface Emote {
  name: string;
  url: string;
}

export type ChatPart = { kind: 'text'; text: string } | { kind: 'emote'; name: string; url: string };

/** `:name:` where name is an emote name as the API allows it (2-24 of A-Z a-z 0-9 _). */
const EMOTE_TOKEN = ':([A-Za-z0-9_]{2,24}):';

/**
 * Only image URLs the platform serves (a same-origin path) or an absolute http(s) URL; anything
 * else (javascript:, data:, protocol-relative //host) is not trusted as an emote picture.
 */
export function isSafeImageUrl(url: string): boolean {
  if (url.startsWith('/')) return !url.startsWith('//') && !url.startsWith('/\\');
  return /^https?:\/\//i.test(url);
}

/** Emotes by name, keeping only those with a URL we are willing to load. */
export function emoteIndex(emotes: readonly Emote[]): ReadonlyMap<string, string> {
  const index = new Map<string, string>();
  for (const emote of emotes) if (isSafeImageUrl(emote.url)) index.set(emote.name, emote.url);
  return index;
}

/** Splits `body` into text and emote parts; `:name:` that is not one of the channel's emotes stays text. */
export function splitChatText(body: string, emotes: ReadonlyMap<string, string>): ChatPart[] {
  const parts: ChatPart[] = [];
  let text = '';
  let from = 0;
  const token = new RegExp(EMOTE_TOKEN, 'g');
  for (let match = token.exec(body); match; match = token.exec(body)) {
    const name = match[1]!;
    const url = emotes.get(name);
    if (!url) {
      // The closing colon may open the next token (":nope:wave:"): look again from it.
      token.lastIndex = match.index + name.length + 1;
      continue;
    }
    text += body.slice(from, match.index);
    if (text) parts.push({ kind: 'text', text });
    text = '';
    parts.push({ kind: 'emote', name, url });
    from = match.index + match[0].length;
  }
  text += body.slice(from);
  if (text) parts.push({ kind: 'text', text });
  return parts;
}
