import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emoteIndex, isSafeImageUrl, splitChatText, type ChatPart } from './chat-text.ts';

const emotes = emoteIndex([
  { name: 'wave', url: '/uploads/wave.png' },
  { name: 'Kappa_2', url: 'https://cdn.example/k.gif' },
  { name: 'evil', url: 'javascript:alert(1)' },
  { name: 'sneaky', url: '//evil.example/x.png' },
]);

/** What the template shows: text as is, emotes by their alt text. */
function rendered(parts: ChatPart[]): string {
  return parts.map((p) => (p.kind === 'text' ? p.text : `:${p.name}:`)).join('');
}

describe('splitChatText', () => {
  it('turns known emotes into emote parts between text parts', () => {
    expect(splitChatText('hi :wave: there :Kappa_2:', emotes)).toEqual([
      { kind: 'text', text: 'hi ' },
      { kind: 'emote', name: 'wave', url: '/uploads/wave.png' },
      { kind: 'text', text: ' there ' },
      { kind: 'emote', name: 'Kappa_2', url: 'https://cdn.example/k.gif' },
    ]);
  });

  it('leaves unknown names, malformed tokens and emotes with untrusted URLs as text', () => {
    for (const body of [':nope:', ':a:', ':wa ve:', ':wave', 'wave:', ':evil:', ':sneaky:', '::']) {
      expect(splitChatText(body, emotes)).toEqual([{ kind: 'text', text: body }]);
    }
  });

  it('finds an emote whose opening colon closed an unknown token', () => {
    expect(splitChatText(':nope:wave:', emotes)).toEqual([
      { kind: 'text', text: ':nope' },
      { kind: 'emote', name: 'wave', url: '/uploads/wave.png' },
    ]);
    expect(splitChatText(':wave::wave:', emotes).filter((p) => p.kind === 'emote')).toHaveLength(2);
  });

  it('keeps markup as literal text, never as structure', () => {
    const hostile = '<img src=x onerror=alert(1)> :wave: <script>alert("x")</script>';
    const parts = splitChatText(hostile, emotes);
    expect(parts).toEqual([
      { kind: 'text', text: '<img src=x onerror=alert(1)> ' },
      { kind: 'emote', name: 'wave', url: '/uploads/wave.png' },
      { kind: 'text', text: ' <script>alert("x")</script>' },
    ]);
    // An emote name can't smuggle markup: the name pattern has no <, >, quotes or spaces.
    expect(splitChatText(':<img src=x onerror=alert(1)>:', emotes)).toEqual([
      { kind: 'text', text: ':<img src=x onerror=alert(1)>:' },
    ]);
  });

  it('loses and reorders nothing, whatever the body', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.string(), fc.constantFrom(':wave:', ':', ':nope:', '<img src=x onerror=alert(1)>', ':Kappa_2:')),
        ),
        (pieces) => {
          const body = pieces.join('');
          const parts = splitChatText(body, emotes);
          expect(rendered(parts)).toBe(body);
          // No empty text parts, and no two text parts in a row.
          parts.forEach((part, i) => {
            if (part.kind === 'text') {
              expect(part.text).not.toBe('');
              expect(parts[i + 1]?.kind).not.toBe('text');
            }
          });
        },
      ),
    );
  });
});

describe('isSafeImageUrl', () => {
  it('accepts same-origin paths and http(s) URLs only', () => {
    expect(isSafeImageUrl('/uploads/a.png')).toBe(true);
    expect(isSafeImageUrl('https://x.example/a.png')).toBe(true);
    expect(isSafeImageUrl('//x.example/a.png')).toBe(false);
    expect(isSafeImageUrl('/\\x.example/a.png')).toBe(false);
    expect(isSafeImageUrl('javascript:alert(1)')).toBe(false);
    expect(isSafeImageUrl('data:image/png;base64,AAAA')).toBe(false);
  });
});
