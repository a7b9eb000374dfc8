// The benchmark's WHIP publisher and WHEP viewer: RTCPeerConnection and one POST each, as OBS or a
// standard player does it (complete offer, no trickle: the server is ICE-lite). The web app's
// clients (web/src/media/whip-client.ts, whep-client.ts) add reconnection around the same
// exchange; they are not imported because they pull the whole web app's types into this bundle's
// type check. The publisher sends the clock canvas with the studio's camera layers; the viewer
// hands its <video> to the same clock reading as the SFU viewer.
import { cameraLayers } from '../../../../web/src/media/simulcast.ts';
import { clockTrack, layersOf, type PublishedLayer } from './publisher.ts';
import { attach, nextFrame, watch, type FirstFrameTimings, type WatchOptions } from './viewer.ts';

export interface WhipPublishOptions {
  serverUrl: string;
  streamKey: string;
  fps: number;
  /** Three layers as the studio sends a camera, or one. */
  simulcast: boolean;
}

let publishing: { pc: RTCPeerConnection; session: string; stopDrawing: () => void } | undefined;

export async function publishWhip(options: WhipPublishOptions): Promise<void> {
  if (publishing) throw new Error('already publishing');
  const { track, stop } = clockTrack(options.fps, false);
  const pc = new RTCPeerConnection();
  pc.addTransceiver(track, { direction: 'sendonly', ...(options.simulcast ? { sendEncodings: cameraLayers() } : {}) });
  try {
    const session = await exchange(pc, `${options.serverUrl}/api/whip`, options.streamKey);
    publishing = { pc, session, stopDrawing: stop };
  } catch (error) {
    stop();
    pc.close();
    throw error;
  }
}

export async function whipPublisherStats(): Promise<PublishedLayer[]> {
  if (!publishing) throw new Error('not publishing');
  return layersOf(await publishing.pc.getStats());
}

/** Ends the stream with a DELETE on the session, as a WHIP client does. */
export async function stopWhip(): Promise<void> {
  const current = publishing;
  publishing = undefined;
  if (!current) return;
  current.stopDrawing();
  await fetch(current.session, { method: 'DELETE' }).catch(() => undefined);
  current.pc.close();
}

/**
 * Watches the channel's video over WHEP until the first frame is presented. Only firstFrameMs
 * (from the start of the WHEP exchange) means something here; the SFU-only steps are NaN.
 */
export async function firstFrameWhep(options: WatchOptions): Promise<FirstFrameTimings> {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  const t0 = performance.now();
  const track = new Promise<MediaStreamTrack>((resolve) => (pc.ontrack = (event) => resolve(event.track)));
  const session = await exchange(pc, `${options.serverUrl}/api/whep/${encodeURIComponent(options.channel)}`);
  const video = attach(await track);
  watch({
    video,
    stats: () => pc.getStats(),
    close: async () => {
      await fetch(session, { method: 'DELETE' }).catch(() => undefined);
      pc.close();
    },
  });
  const frame = await nextFrame(video, options.timeoutMs);
  return {
    connectMs: NaN,
    joinedMs: NaN,
    deviceLoadedMs: NaN,
    transportMs: NaN,
    consumedMs: NaN,
    resumedMs: NaN,
    firstFrameMs: frame.metadata.presentationTime - t0,
    frameWidth: frame.metadata.width,
    frameHeight: frame.metadata.height,
  };
}

/** Offer with every candidate, POST it, apply the answer; returns the session URL. */
async function exchange(pc: RTCPeerConnection, endpoint: string, token?: string): Promise<string> {
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
  });
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: pc.localDescription!.sdp,
  });
  if (response.status !== 201) throw new Error(`${endpoint} answered ${response.status}: ${await response.text()}`);
  const location = response.headers.get('location');
  if (!location) throw new Error(`${endpoint} sent no Location (is it exposed to CORS?)`);
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  return new URL(location, endpoint).href;
}
