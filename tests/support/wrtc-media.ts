// Real libwebrtc peers in Node (@roamhq/wrtc) with synthetic media, for WHIP/WHEP tests: a video
// source that draws a moving pattern, an audio source that plays a tone, and sinks that count what
// arrives decoded.
import wrtc from '@roamhq/wrtc';

const { RTCVideoSource, RTCAudioSource, RTCVideoSink, RTCAudioSink } = wrtc.nonstandard;

export const { RTCPeerConnection } = wrtc;

export interface SyntheticMedia {
  video: MediaStreamTrack;
  audio: MediaStreamTrack;
  stop(): void;
}

/** 640x360 at 30 fps and a 440 Hz tone, fed until stop(). */
export function syntheticMedia(width = 640, height = 360): SyntheticMedia {
  const videoSource = new RTCVideoSource();
  const audioSource = new RTCAudioSource();
  const frame = new Uint8Array((width * height * 3) / 2);
  let tick = 0;
  const videoTimer = setInterval(() => {
    // Luma: a bar that moves every frame, so the encoder has something to send.
    frame.fill(16, 0, width * height);
    const bar = (tick * 8) % width;
    for (let y = 0; y < height; y++) frame.fill(235, y * width + bar, y * width + Math.min(width, bar + 32));
    frame.fill(128, width * height);
    videoSource.onFrame({ width, height, data: frame });
    tick++;
  }, 1000 / 30);
  const sampleRate = 48_000;
  const samples = new Int16Array(sampleRate / 100);
  let phase = 0;
  const audioTimer = setInterval(() => {
    for (let i = 0; i < samples.length; i++)
      samples[i] = Math.round(Math.sin((phase++ * 2 * Math.PI * 440) / sampleRate) * 8000);
    audioSource.onData({ samples, sampleRate, bitsPerSample: 16, channelCount: 1, numberOfFrames: samples.length });
  }, 10);
  const video = videoSource.createTrack();
  const audio = audioSource.createTrack();
  return {
    video,
    audio,
    stop() {
      clearInterval(videoTimer);
      clearInterval(audioTimer);
      video.stop();
      audio.stop();
    },
  };
}

export interface ReceivedMedia {
  readonly videoFrames: number;
  readonly audioChunks: number;
  readonly width: number;
  stop(): void;
}

/** Counts decoded video frames and audio chunks arriving on a peer connection's tracks. */
export function countReceived(pc: RTCPeerConnection): ReceivedMedia {
  const counters = { videoFrames: 0, audioChunks: 0, width: 0 };
  const sinks: { stop(): void }[] = [];
  pc.addEventListener('track', (event) => {
    const track = (event as RTCTrackEvent).track;
    if (track.kind === 'video') {
      const sink = new RTCVideoSink(track);
      sink.onframe = ({ frame }: { frame: { width: number } }) => {
        counters.videoFrames++;
        counters.width = frame.width;
      };
      sinks.push(sink);
    } else {
      const sink = new RTCAudioSink(track);
      sink.ondata = () => counters.audioChunks++;
      sinks.push(sink);
    }
  });
  return {
    get videoFrames() {
      return counters.videoFrames;
    },
    get audioChunks() {
      return counters.audioChunks;
    },
    get width() {
      return counters.width;
    },
    stop: () => sinks.forEach((sink) => sink.stop()),
  };
}
