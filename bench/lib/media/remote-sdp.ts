// The SDP offer that stands for the server's side of a receive transport, built from what the
// signaling protocol hands a viewer (transport ICE/DTLS parameters and each consumer's RTP
// parameters). mediasoup-client does the same in the browser; a Node peer without it (werift)
// needs it written out. The server is ICE-lite, offers DTLS actpass and bundles every m-line.
import type { ConsumerInfo, TransportInfo } from '../../../common/protocol/media-signaling.ts';

export function remoteOffer(transport: TransportInfo, consumers: readonly ConsumerInfo[]): string {
  const fingerprint =
    transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256') ??
    transport.dtlsParameters.fingerprints[0];
  if (!fingerprint) throw new Error('the transport has no DTLS fingerprint');
  const mids = consumers.map(midOf);
  const lines = [
    'v=0',
    `o=aethex-bench ${Date.now()} 1 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=ice-lite',
    `a=group:BUNDLE ${mids.join(' ')}`,
    'a=msid-semantic: WMS *',
  ];
  for (const consumer of consumers) lines.push(...mediaSection(transport, consumer, fingerprint));
  return `${lines.join('\r\n')}\r\n`;
}

function midOf(consumer: ConsumerInfo): string {
  const mid = consumer.rtpParameters.mid;
  if (!mid) throw new Error(`consumer ${consumer.id} has no mid`);
  return mid;
}

function mediaSection(
  transport: TransportInfo,
  consumer: ConsumerInfo,
  fingerprint: { algorithm: string; value: string },
): string[] {
  const { rtpParameters } = consumer;
  const payloadTypes = rtpParameters.codecs.map((c) => c.payloadType);
  const lines = [
    `m=${consumer.kind} 7 UDP/TLS/RTP/SAVPF ${payloadTypes.join(' ')}`,
    'c=IN IP4 127.0.0.1',
    `a=mid:${midOf(consumer)}`,
    'a=sendonly',
    `a=ice-ufrag:${transport.iceParameters.usernameFragment}`,
    `a=ice-pwd:${transport.iceParameters.password}`,
  ];
  // UDP only: the load must stay on the path a browser on a good network takes.
  for (const candidate of transport.iceCandidates) {
    if (candidate.protocol !== 'udp') continue;
    const address = (candidate as { address?: string; ip?: string }).address ?? (candidate as { ip?: string }).ip;
    lines.push(`a=candidate:${candidate.foundation} 1 udp ${candidate.priority} ${address} ${candidate.port} typ host`);
  }
  lines.push(
    'a=end-of-candidates',
    `a=fingerprint:${fingerprint.algorithm} ${fingerprint.value}`,
    'a=setup:actpass',
    'a=rtcp-mux',
    'a=rtcp-rsize',
  );
  for (const codec of rtpParameters.codecs) {
    const [, subtype] = codec.mimeType.split('/');
    lines.push(
      `a=rtpmap:${codec.payloadType} ${subtype}/${codec.clockRate}${codec.channels && codec.channels > 1 ? `/${codec.channels}` : ''}`,
    );
    const parameters = Object.entries(codec.parameters ?? {}).map(([key, value]) => `${key}=${String(value)}`);
    if (parameters.length > 0) lines.push(`a=fmtp:${codec.payloadType} ${parameters.join(';')}`);
    for (const feedback of codec.rtcpFeedback ?? []) {
      lines.push(
        `a=rtcp-fb:${codec.payloadType} ${feedback.type}${feedback.parameter ? ` ${feedback.parameter}` : ''}`,
      );
    }
  }
  for (const extension of rtpParameters.headerExtensions ?? []) lines.push(`a=extmap:${extension.id} ${extension.uri}`);
  const encoding = rtpParameters.encodings?.[0];
  const cname = rtpParameters.rtcp?.cname ?? 'aethex';
  const msid = `aethex ${consumer.id}`;
  lines.push(`a=msid:${msid}`);
  if (encoding?.ssrc !== undefined) {
    if (encoding.rtx?.ssrc !== undefined) lines.push(`a=ssrc-group:FID ${encoding.ssrc} ${encoding.rtx.ssrc}`);
    lines.push(`a=ssrc:${encoding.ssrc} cname:${cname}`, `a=ssrc:${encoding.ssrc} msid:${msid}`);
    if (encoding.rtx?.ssrc !== undefined)
      lines.push(`a=ssrc:${encoding.rtx.ssrc} cname:${cname}`, `a=ssrc:${encoding.rtx.ssrc} msid:${msid}`);
  }
  return lines;
}

/** The sha-256 fingerprint and DTLS role of the answer, for connectTransport. */
export function answerDtls(answerSdp: string): {
  role: 'client' | 'server';
  fingerprints: { algorithm: 'sha-256'; value: string }[];
} {
  const fingerprint = /^a=fingerprint:sha-256 (\S+)/im.exec(answerSdp)?.[1];
  if (!fingerprint) throw new Error('the answer has no sha-256 fingerprint');
  const setup = /^a=setup:(\S+)/m.exec(answerSdp)?.[1];
  // The offer said actpass: an "active" (or silent) answerer opens the handshake, i.e. is the DTLS client.
  return {
    role: setup === 'passive' ? 'server' : 'client',
    fingerprints: [{ algorithm: 'sha-256', value: fingerprint }],
  };
}

/**
 * The SDP answer that stands for the server's side of a send transport, to a Node peer's offer of
 * sendonly m-sections (node-publisher.ts): the server receives on each, ICE-lite, as the DTLS
 * server (the peer connects as client), one codec per section as the offer numbers it.
 */
export function remoteAnswer(transport: TransportInfo, offerSdp: string): string {
  const fingerprint =
    transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256') ??
    transport.dtlsParameters.fingerprints[0];
  if (!fingerprint) throw new Error('the transport has no DTLS fingerprint');
  const sections = offerSdp.split(/\r?\n(?=m=)/).slice(1);
  const mids = sections.map((section) => /^a=mid:(\S+)/m.exec(section)?.[1] ?? '');
  const lines = [
    'v=0',
    `o=aethex-bench ${Date.now()} 1 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=ice-lite',
    `a=group:BUNDLE ${mids.join(' ')}`,
    'a=msid-semantic: WMS *',
  ];
  sections.forEach((section, index) => {
    const kind = /^m=(\w+)/.exec(section)?.[1] ?? 'video';
    const wanted = kind === 'audio' ? /opus/i : /VP8/i;
    const rtpmap = section.split(/\r?\n/).find((line) => line.startsWith('a=rtpmap:') && wanted.test(line));
    if (!rtpmap) throw new Error(`the offer's ${kind} section has no ${wanted.source}`);
    const payloadType = /^a=rtpmap:(\d+)/.exec(rtpmap)![1];
    lines.push(
      `m=${kind} 7 UDP/TLS/RTP/SAVPF ${payloadType}`,
      'c=IN IP4 127.0.0.1',
      `a=mid:${mids[index]}`,
      'a=recvonly',
      `a=ice-ufrag:${transport.iceParameters.usernameFragment}`,
      `a=ice-pwd:${transport.iceParameters.password}`,
    );
    for (const candidate of transport.iceCandidates) {
      if (candidate.protocol !== 'udp') continue;
      const address = (candidate as { address?: string; ip?: string }).address ?? (candidate as { ip?: string }).ip;
      lines.push(
        `a=candidate:${candidate.foundation} 1 udp ${candidate.priority} ${address} ${candidate.port} typ host`,
      );
    }
    lines.push(
      'a=end-of-candidates',
      `a=fingerprint:${fingerprint.algorithm} ${fingerprint.value}`,
      'a=setup:passive',
      'a=rtcp-mux',
      'a=rtcp-rsize',
      rtpmap,
    );
  });
  return `${lines.join('\r\n')}\r\n`;
}
