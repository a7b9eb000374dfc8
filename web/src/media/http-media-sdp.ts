// The text-level pieces of WHIP and WHEP (RFC 9725 and the WHEP draft): ICE servers from Link
// headers, the trickle-ice-sdpfrag bodies of an ICE restart (RFC 8840), and the remote description
// rebuilt from the previous answer with the server's new credentials. Pure functions over strings.

/** `<stun:host>; rel="ice-server"` and, for TURN, `username="..."; credential="..."`. */
export function parseLinkIceServers(header: string | null): RTCIceServer[] {
  if (!header) return [];
  const servers: RTCIceServer[] = [];
  for (const link of splitOutsideQuotes(header, ',')) {
    const match = /^\s*<([^>]*)>(.*)$/s.exec(link);
    if (!match) continue;
    const url = match[1]!.trim();
    const params = new Map<string, string>();
    for (const part of splitOutsideQuotes(match[2]!, ';')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const name = part.slice(0, eq).trim().toLowerCase();
      const raw = part.slice(eq + 1).trim();
      params.set(
        name,
        raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw,
      );
    }
    const rel = (params.get('rel') ?? '').toLowerCase().split(/\s+/);
    if (!rel.includes('ice-server') || !/^(stun|stuns|turn|turns):/i.test(url)) continue;
    const server: RTCIceServer = { urls: url };
    const username = params.get('username');
    const credential = params.get('credential');
    if (username !== undefined) server.username = username;
    if (credential !== undefined) server.credential = credential;
    servers.push(server);
  }
  return servers;
}

function splitOutsideQuotes(text: string, separator: ',' | ';'): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let bracketed = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '\\' && i + 1 < text.length) {
      current += c + text[++i];
      continue;
    }
    if (c === '"' && !bracketed) quoted = !quoted;
    else if (c === '<' && !quoted) bracketed = true;
    else if (c === '>' && !quoted) bracketed = false;
    if (c === separator && !quoted && !bracketed) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (current.trim()) parts.push(current);
  return parts;
}

/**
 * The offer with `stereo=1` on every Opus format: libwebrtc decodes Opus in as many channels as its
 * own description's `stereo` says (mono without it, whatever arrives), so a player that wants a DJ's
 * stereo must ask in its offer. Formats that have the parameter keep theirs.
 */
export function withStereoOpus(sdp: string): string {
  const opus = new Set<string>();
  for (const match of sdp.matchAll(/^a=rtpmap:(\d+) opus\/48000\/2\r?$/gim)) opus.add(match[1]!);
  return sdp.replace(/^a=fmtp:(\d+) (.*?)(\r?)$/gm, (line, payload: string, config: string, cr: string) =>
    opus.has(payload) && !/(^|;)\s*stereo=/.test(config) ? `a=fmtp:${payload} ${config};stereo=1${cr}` : line,
  );
}

export interface IceFragment {
  ufrag: string | null;
  pwd: string | null;
  /** `a=candidate:` values, without the prefix. */
  candidates: string[];
  endOfCandidates: boolean;
}

function lines(sdp: string): string[] {
  return sdp.split(/\r?\n/).filter((line) => line.length > 0);
}

/** Credentials and candidates of an SDP or an sdpfrag, wherever they appear in it. */
export function parseIceFragment(text: string): IceFragment {
  const fragment: IceFragment = { ufrag: null, pwd: null, candidates: [], endOfCandidates: false };
  for (const line of lines(text)) {
    if (line.startsWith('a=ice-ufrag:')) fragment.ufrag ??= line.slice('a=ice-ufrag:'.length).trim();
    else if (line.startsWith('a=ice-pwd:')) fragment.pwd ??= line.slice('a=ice-pwd:'.length).trim();
    else if (line.startsWith('a=candidate:')) fragment.candidates.push(line.slice('a=candidate:'.length).trim());
    else if (line === 'a=end-of-candidates') fragment.endOfCandidates = true;
  }
  return fragment;
}

/**
 * The PATCH body announcing an ICE restart: the new credentials and candidates of the local offer,
 * on the first media section (the BUNDLE tag, which carries the transport for all of them).
 */
export function buildRestartFragment(localSdp: string): string {
  const all = lines(localSdp);
  const firstMedia = all.findIndex((line) => line.startsWith('m='));
  if (firstMedia < 0) throw new Error('The offer has no media section.');
  const session = all.slice(0, firstMedia);
  const media: string[] = [];
  for (let i = firstMedia + 1; i < all.length && !all[i]!.startsWith('m='); i++) media.push(all[i]!);
  const { ufrag, pwd, candidates, endOfCandidates } = parseIceFragment(localSdp);
  if (!ufrag || !pwd) throw new Error('The offer has no ICE credentials.');
  const mid = media.find((line) => line.startsWith('a=mid:'));
  const out = [
    ...session.filter((line) => line.startsWith('a=ice-options:') || line.startsWith('a=group:BUNDLE')),
    all[firstMedia]!,
    ...(mid ? [mid] : []),
    `a=ice-ufrag:${ufrag}`,
    `a=ice-pwd:${pwd}`,
    // The first section's candidates: with BUNDLE, the others repeat them.
    ...candidatesOfFirstSection(media, candidates).map((c) => `a=candidate:${c}`),
    ...(endOfCandidates || candidates.length > 0 ? ['a=end-of-candidates'] : []),
  ];
  return `${out.join('\r\n')}\r\n`;
}

function candidatesOfFirstSection(media: string[], all: string[]): string[] {
  const own = media
    .filter((line) => line.startsWith('a=candidate:'))
    .map((line) => line.slice('a=candidate:'.length).trim());
  return own.length > 0 ? own : [...new Set(all)];
}

/**
 * The previous answer with the server's new ICE credentials, and its new candidates when it sent
 * some: what setRemoteDescription needs to finish an ICE restart.
 */
export function applyRestartFragment(answerSdp: string, fragment: IceFragment): string {
  if (!fragment.ufrag || !fragment.pwd) throw new Error('The ICE restart answer has no ICE credentials.');
  const replaceCandidates = fragment.candidates.length > 0;
  const out: string[] = [];
  const endSection = () => {
    if (!replaceCandidates || !out.some((line) => line.startsWith('m='))) return;
    for (const c of fragment.candidates) out.push(`a=candidate:${c}`);
    if (fragment.endOfCandidates) out.push('a=end-of-candidates');
  };
  for (const line of lines(answerSdp)) {
    if (line.startsWith('m=')) endSection();
    if (line.startsWith('a=ice-ufrag:')) out.push(`a=ice-ufrag:${fragment.ufrag}`);
    else if (line.startsWith('a=ice-pwd:')) out.push(`a=ice-pwd:${fragment.pwd}`);
    else if (replaceCandidates && (line.startsWith('a=candidate:') || line === 'a=end-of-candidates')) continue;
    else out.push(line);
  }
  endSection();
  return `${out.join('\r\n')}\r\n`;
}
