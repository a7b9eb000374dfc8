// A WHIP publisher as OBS or FFmpeg would be one, here libwebrtc in the test process sending a
// synthetic picture and tone: publishes to a test platform, ends with a DELETE.
import { waitFor } from './wait.ts';
import { RTCPeerConnection, syntheticMedia, type StereoTones, type SyntheticMedia } from './wrtc-media.ts';

export interface WhipPublication {
  pc: RTCPeerConnection;
  media: SyntheticMedia;
  /** The session URL (path) from the Location header. */
  location: string;
  etag: string;
  /** Ends the session with a DELETE and releases the peer. */
  stop(): Promise<void>;
  /** Drops the peer without a DELETE, as a crashed encoder would. */
  vanish(): void;
}

/** Creates an offer and waits for ICE gathering, as a non-trickle WHIP client does. */
export async function completeOffer(pc: RTCPeerConnection): Promise<string> {
  await pc.setLocalDescription(await pc.createOffer());
  await waitFor(() => pc.iceGatheringState === 'complete', { timeoutMs: 5000, what: 'ICE gathering' });
  return pc.localDescription!.sdp;
}

/**
 * `videoEncodings` sends simulcast (RFC 8853 rids), lowest layer first; `stereo` a tone of its own
 * on each side, or 'mono' to send one channel whatever the answer asks.
 */
export async function publishOverWhip(
  baseUrl: string,
  streamKey: string,
  size: { width: number; height: number } = { width: 640, height: 360 },
  videoEncodings?: RTCRtpEncodingParameters[],
  stereo?: StereoTones | 'mono',
): Promise<WhipPublication> {
  const pc = new RTCPeerConnection();
  const media = syntheticMedia(size.width, size.height, stereo === 'mono' ? undefined : stereo);
  pc.addTransceiver(media.video, {
    direction: 'sendonly',
    ...(videoEncodings ? { sendEncodings: videoEncodings } : {}),
  });
  pc.addTransceiver(media.audio, { direction: 'sendonly' });
  const vanish = () => {
    media.stop();
    pc.close();
  };
  const response = await fetch(`${baseUrl}/api/whip`, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp', authorization: `Bearer ${streamKey}` },
    body: await completeOffer(pc),
  });
  if (response.status !== 201) {
    vanish();
    throw new Error(`WHIP publish answered ${response.status}: ${await response.text()}`);
  }
  const answer = await response.text();
  // 'mono': an encoder that ignores the answer's stereo=1 (libwebrtc then sends one channel, at the
  // bitrate and ramp-up it had before the server asked for stereo).
  await pc.setRemoteDescription({
    type: 'answer',
    sdp: stereo === 'mono' ? answer.replace(/;stereo=1;sprop-stereo=1/g, '') : answer,
  });
  const location = response.headers.get('location')!;
  return {
    pc,
    media,
    location,
    etag: response.headers.get('etag')!,
    async stop() {
      await fetch(`${baseUrl}${location}`, { method: 'DELETE', headers: { authorization: `Bearer ${streamKey}` } });
      vanish();
    },
    vanish,
  };
}
