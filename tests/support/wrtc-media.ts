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

/** Tones (Hz) for each side of a stereo source: a different one left and right. */
export interface StereoTones {
  left: number;
  right: number;
}

/** 640x360 at 30 fps and a 440 Hz tone (or, with `stereo`, a tone of its own on each side), fed until stop(). */
export function syntheticMedia(width = 640, height = 360, stereo?: StereoTones): SyntheticMedia {
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
  const numberOfFrames = sampleRate / 100;
  const tones = stereo ? [stereo.left, stereo.right] : [440];
  const channelCount = tones.length;
  const samples = new Int16Array(numberOfFrames * channelCount);
  let phase = 0;
  const audioTimer = setInterval(() => {
    // Interleaved: frame i holds one sample per channel.
    for (let i = 0; i < numberOfFrames; i++, phase++)
      for (let c = 0; c < channelCount; c++)
        samples[i * channelCount + c] = Math.round(Math.sin((phase * 2 * Math.PI * tones[c]!) / sampleRate) * 8000);
    audioSource.onData({ samples, sampleRate, bitsPerSample: 16, channelCount, numberOfFrames });
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

/** The power of one frequency in a block of samples (Goertzel): enough to tell two tones apart. */
export function tonePower(samples: readonly number[], frequency: number, sampleRate = 48_000): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let previous = 0;
  let beforePrevious = 0;
  for (const sample of samples) {
    const current = sample + coefficient * previous - beforePrevious;
    beforePrevious = previous;
    previous = current;
  }
  return (
    (previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious) / samples.length
  );
}

export interface ReceivedSound {
  /** How many channels the decoder gave the last chunk. */
  readonly channelCount: number;
  /** The last `frames` samples of each channel, left first. */
  channels(frames: number): number[][];
  stop(): void;
}

/** Keeps the latest decoded audio of a peer connection's audio track, channel by channel. */
export function keepReceivedSound(pc: RTCPeerConnection): ReceivedSound {
  const kept: number[][] = [];
  let channelCount = 0;
  let sink: { stop(): void } | null = null;
  pc.addEventListener('track', (event) => {
    const track = (event as RTCTrackEvent).track;
    if (track.kind !== 'audio') return;
    const audioSink = new RTCAudioSink(track);
    audioSink.ondata = (data: { samples: Int16Array; channelCount: number; numberOfFrames: number }) => {
      channelCount = data.channelCount;
      for (let c = 0; c < data.channelCount; c++) {
        const channel = (kept[c] ??= []);
        for (let i = 0; i < data.numberOfFrames; i++) channel.push(data.samples[i * data.channelCount + c]!);
        // A second of sound is all a check needs.
        if (channel.length > 48_000) channel.splice(0, channel.length - 48_000);
      }
    };
    sink = audioSink;
  });
  return {
    get channelCount() {
      return channelCount;
    },
    channels: (frames) => kept.slice(0, channelCount).map((channel) => channel.slice(-frames)),
    stop: () => sink?.stop(),
  };
}
