// Initials and a stable colour for channels and users without a picture.

/** Up to two letters: the first of the first two words ("Ada Lovelace" -> "AL", "ada_l" -> "A"). */
export function initialsOf(name: string): string {
  const words = name
    .trim()
    .split(/[\s_-]+/u)
    .filter(Boolean);
  const letters = words.slice(0, 2).map((word) => Array.from(word)[0] ?? '');
  return letters.join('').toUpperCase() || '?';
}

/** The same seed (a slug, a username) always gets the same hue, so a channel is recognisable. */
export function tintOf(seed: string): string {
  let hash = 0;
  for (const char of seed) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  const hue = hash % 360;
  return `linear-gradient(135deg, hsl(${hue} 55% 42%), hsl(${(hue + 40) % 360} 60% 30%))`;
}
