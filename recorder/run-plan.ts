// What one FFmpeg run of a recording consumes from its room and how FFmpeg turns it into HLS. A
// channel's recording takes its one publisher's picture and sound (channelPlanner, below); a
// webinar's composes its whole stage (stage-composer.ts). StreamRecording runs either the same way:
// it consumes the planned producers over plain RTP, starts FFmpeg, and supervises it.
import type { RoomProducer } from '../sfu/peer.ts';
import type { Room } from '../sfu/room.ts';
import { liveHlsArgs } from './ffmpeg-args.ts';
import type { RtpInputTrack } from './rtp-input-sdp.ts';

export interface RunInput {
  entry: RoomProducer;
  /** The simulcast layer to consume (0 lowest); the highest when absent. */
  spatialLayer?: number | undefined;
}

export interface RunContext {
  sdpPath: string;
  /** The recording's folder. */
  dir: string;
  run: number;
  segmentSeconds: number;
  /** The SDP's tracks, in the plan's input order. */
  tracks: readonly RtpInputTrack[];
}

export interface RunCommand {
  args: string[];
  /** Video is copied as it comes: cut only at the publisher's keyframes, so ask for one a segment. */
  copiesVideo: boolean;
  /** Heights of the lower renditions this run writes beside the source. */
  renditions: readonly number[];
}

export interface RunPlan {
  /** The producers to consume, videos first; never empty. */
  inputs: RunInput[];
  /**
   * Start a new run when a higher simulcast layer than the first arrives: a run keeps the picture
   * size it started with, so one that started on a low layer would record it for good.
   */
  followsLayers: boolean;
  command(context: RunContext): Promise<RunCommand>;
}

export interface RecordingPlanner {
  /** What the next run records, or undefined while there is nothing to record. */
  plan(room: Room): Promise<RunPlan | undefined>;
  /** Calls `changed` whenever the plan would come out differently, beyond producers coming and going. */
  watch(room: Room, changed: () => void): () => void;
}

const VIDEO_SOURCES = ['camera', 'screen'] as const;
const AUDIO_SOURCES = ['microphone', 'screen-audio'] as const;

/** A channel's stream: its publisher's camera (or screen) and microphone (or screen audio). */
export function channelPlanner(renditions: readonly number[]): RecordingPlanner {
  return {
    async plan(room) {
      const producers = room.producers();
      const inputs = [pick(producers, VIDEO_SOURCES), pick(producers, AUDIO_SOURCES)]
        .filter((entry) => entry !== undefined)
        .map((entry) => ({ entry }));
      if (inputs.length === 0) return undefined;
      return {
        inputs,
        followsLayers: true,
        async command({ sdpPath, dir, run, segmentSeconds, tracks }) {
          const video = tracks.find((track) => track.kind === 'video');
          // H.264 is copied as it comes; anything else (VP8) is encoded to H.264.
          const mode = video ? (video.mimeType.toLowerCase() === 'video/h264' ? 'copy' : 'transcode') : null;
          const heights = mode ? renditions : [];
          const args = liveHlsArgs({
            sdpPath,
            outputDir: dir,
            run,
            video: mode,
            audio: tracks.some((track) => track.kind === 'audio'),
            segmentSeconds,
            renditions: heights,
          });
          return { args, copiesVideo: mode === 'copy', renditions: heights };
        },
      };
    },
    watch: () => () => undefined,
  };
}

function pick(producers: RoomProducer[], sources: readonly string[]): RoomProducer | undefined {
  for (const source of sources) {
    const found = producers.find((p) => p.source === source && !p.producer.closed);
    if (found) return found;
  }
  return undefined;
}
