// The werift peer connection every Node peer of the benchmarks makes (viewers, attendees,
// publishers): ICE on loopback only, answered by loopback-stun.ts's responder so werift never asks a
// STUN server on the internet, one bundled transport, and the media it negotiates with the SFU.
import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  useAbsSendTime,
  useNACK,
  useOPUS,
  usePLI,
  useSdesMid,
  useTransportWideCC,
  useTWCC,
  useVP8,
  type PeerConfig,
} from 'werift';

export type PeerMedia = Partial<Pick<PeerConfig, 'codecs' | 'headerExtensions'>>;

export function loopbackPeer(stunUrl: string, media: PeerMedia): RTCPeerConnection {
  return new RTCPeerConnection({
    iceServers: [{ urls: stunUrl }],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    bundlePolicy: 'max-bundle',
    ...media,
  });
}

/**
 * What a receiver of the SFU's VP8 (with RTX) and Opus negotiates, as a browser does; `bwe` adds
 * transport-wide congestion control, so the server runs its bandwidth estimation towards it.
 */
export function receiverMedia(bwe: boolean): PeerMedia {
  const extensions = () =>
    bwe ? [useSdesMid(), useAbsSendTime(), useTransportWideCC()] : [useSdesMid(), useAbsSendTime()];
  return {
    codecs: {
      video: [
        useVP8({ rtcpFeedback: bwe ? [useNACK(), usePLI(), useTWCC()] : [useNACK(), usePLI()] }),
        new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90000 }),
      ],
      audio: [useOPUS()],
    },
    headerExtensions: { video: extensions(), audio: extensions() },
  };
}
