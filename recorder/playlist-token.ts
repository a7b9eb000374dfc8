// A private channel's playlists fetched with `?token=` (an external player: VLC, ffplay, a smart
// TV) name their segments, init segments and variant playlists relatively, and a player asks for
// those without the query. The token is carried into every URI of the playlist, so the player's
// next requests carry it too. Browsers on the channel page use the access cookie instead.
// The master playlist hands out playback ids (playback-id.ts) the same way.

/** `playlist` with `token` added as a `token` query parameter to every URI it names. */
export function withTokenInUris(playlist: string, token: string): string {
  return withQueryInUris(playlist, 'token', token);
}

/** `playlist` with `name=value` added to the query of every URI it names. */
export function withQueryInUris(playlist: string, name: string, value: string): string {
  const query = `${name}=${encodeURIComponent(value)}`;
  const addTo = (uri: string) => `${uri}${uri.includes('?') ? '&' : '?'}${query}`;
  return playlist
    .split('\n')
    .map((line) => {
      if (line.startsWith('#')) return line.replace(/URI="([^"]+)"/g, (_match, uri: string) => `URI="${addTo(uri)}"`);
      return line.trim() === '' ? line : addTo(line);
    })
    .join('\n');
}
