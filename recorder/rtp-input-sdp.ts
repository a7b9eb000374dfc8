// The SDP file FFmpeg reads to receive the RTP that a mediasoup PlainTransport sends it: one m=
// line per track, on the local ports FFmpeg listens on (RTP on `port`, RTCP on `port + 1`).

export interface RtpInputTrack {
  kind: 'audio' | 'video';
  port: number;
  payloadType: number;
  /** e.g. 'video/H264', 'video/VP8', 'audio/opus'. */
  mimeType: string;
  clockRate: number;
  channels?: number | undefined;
  parameters?: Record<string, unknown> | undefined;
}

export function rtpInputSdp(tracks: readonly RtpInputTrack[]): string {
  const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=AeThex Live recorder', 'c=IN IP4 127.0.0.1', 't=0 0'];
  for (const track of tracks) {
    const encoding = track.mimeType.split('/')[1]!;
    const channels = track.kind === 'audio' && track.channels && track.channels > 1 ? `/${track.channels}` : '';
    lines.push(`m=${track.kind} ${track.port} RTP/AVP ${track.payloadType}`);
    lines.push(`a=rtcp:${track.port + 1}`);
    lines.push(`a=rtpmap:${track.payloadType} ${encoding}/${track.clockRate}${channels}`);
    const fmtp = Object.entries(track.parameters ?? {})
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(';');
    if (fmtp) lines.push(`a=fmtp:${track.payloadType} ${fmtp}`);
    lines.push('a=recvonly');
  }
  return `${lines.join('\n')}\n`;
}
