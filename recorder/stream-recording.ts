// The recording of one live stream: its audio and video are consumed from the SFU room over plain
// RTP and fed to FFmpeg, which writes fMP4 HLS. FFmpeg is supervised: when it dies, a new run
// starts within `restartDelayMs` (its segments follow a discontinuity; nothing written is lost).
// When the room goes away (its worker died) the run stops, and a new run starts when the stream's
// new room is attached. `finish()` ends the last run and leaves a complete VOD playlist.
// With a rendition ladder (renditions.ts) each run also writes the lower renditions, which serve
// live viewers only: the VOD is the source, and the lower renditions are deleted when it is made.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import type { Room } from '../sfu/room.ts';
import { runPlaylistName } from './ffmpeg-args.ts';
import { FfmpegProcess, type FfmpegEnd } from './ffmpeg-process.ts';
import { freeRtpPortPair, udpPortsBound } from './free-ports.ts';
import { liveMasterPlaylist, type InitSegmentCache, type RenditionRuns } from './live-master.ts';
import { composePlaylist, parseRunPlaylist, type RunPlaylist } from './playlist.ts';
import { renditionDir, renditionName, SOURCE_RENDITION } from './renditions.ts';
import { channelPlanner, type RecordingPlanner } from './run-plan.ts';
import { rtpInputSdp, type RtpInputTrack } from './rtp-input-sdp.ts';

export interface RecordingOptions {
  /** Folder of this stream's files. */
  dir: string;
  segmentSeconds: number;
  restartDelayMs: number;
  ffmpegPath: string;
  /** Heights of lower HLS renditions to encode beside the source, tallest first; none by default. */
  renditions?: readonly number[];
  /** What each run records: a channel's publisher (the default), or a webinar's whole stage. */
  planner?: RecordingPlanner;
}

export interface RecordingEvents {
  'run-started': [run: number, pid: number | undefined];
  'run-ended': [run: number, end: FfmpegEnd];
}

interface ActiveRun {
  run: number;
  ffmpeg: FfmpegProcess;
  transports: ms.PlainTransport[];
  keyframeTimer: NodeJS.Timeout | undefined;
}

/** How long a new run waits to see FFmpeg bind its RTP ports (it takes tens of ms). */
const FFMPEG_LISTEN_TIMEOUT_MS = 2000;

export class StreamRecording extends EventEmitter<RecordingEvents> {
  readonly streamId: string;
  readonly #options: RecordingOptions;
  readonly #planner: RecordingPlanner;
  readonly #logger: Logger;
  #room: Room | undefined;
  #detachRoom: (() => void) | undefined;
  #active: ActiveRun | undefined;
  #runs = 0;
  readonly #initSegments: InitSegmentCache = new Map();
  #finished = false;
  #restartTimer: NodeJS.Timeout | undefined;
  /** Serializes starting and stopping runs. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(streamId: string, options: RecordingOptions, logger: Logger) {
    super();
    this.streamId = streamId;
    this.#options = options;
    this.#planner = options.planner ?? channelPlanner(options.renditions ?? []);
    this.#logger = logger.child({ component: 'recording', stream: streamId });
  }

  get dir(): string {
    return this.#options.dir;
  }

  /** The FFmpeg of the current run, if one is running (tests kill it). */
  get ffmpegPid(): number | undefined {
    return this.#active?.ffmpeg.pid;
  }

  /** Follows `room`: records its producers now and whenever they change. */
  attach(room: Room): void {
    if (this.#finished || room === this.#room) return;
    this.#detachRoom?.();
    this.#room = room;
    const changed = () => this.#scheduleRun(300);
    const closed = () => {
      this.#detachRoom?.();
      this.#room = undefined;
      void this.#serialize(() => this.#stopRun());
    };
    room.on('producer-added', changed);
    room.on('producer-closed', changed);
    room.once('closed', closed);
    const unwatch = this.#planner.watch(room, changed);
    this.#detachRoom = () => {
      room.off('producer-added', changed);
      room.off('producer-closed', changed);
      room.off('closed', closed);
      unwatch();
      this.#detachRoom = undefined;
    };
    this.#scheduleRun(0);
  }

  /**
   * What /hls/<channel>/index.m3u8 serves: the source's live playlist or, with a ladder, the master
   * playlist naming each rendition's. Undefined until there is something to play.
   */
  async livePlaylist(window: number): Promise<string | undefined> {
    if (this.#lowerRenditions.length === 0) return this.renditionPlaylist(SOURCE_RENDITION, window);
    const [source, ...lower] = await Promise.all(
      [SOURCE_RENDITION, ...this.#lowerRenditions].map((name) => this.#renditionRuns(name)),
    );
    return liveMasterPlaylist(source!, lower, window, this.#initSegments);
  }

  /** The live playlist of one rendition: the last `window` segments of every run so far. */
  async renditionPlaylist(name: string, window: number): Promise<string | undefined> {
    if (!this.renditionDir(name)) return undefined;
    const { runs } = await this.#renditionRuns(name);
    if (runs.every((run) => run.segments.length === 0)) return undefined;
    return composePlaylist(runs, { window, ended: false });
  }

  /** The folder of a rendition this recording makes (`source` always). */
  renditionDir(name: string): string | undefined {
    if (name !== SOURCE_RENDITION && !this.#lowerRenditions.includes(name)) return undefined;
    return renditionDir(this.#options.dir, name);
  }

  get #lowerRenditions(): string[] {
    return (this.#options.renditions ?? []).map(renditionName);
  }

  async #renditionRuns(name: string): Promise<RenditionRuns> {
    const dir = renditionDir(this.#options.dir, name);
    return { name, dir, runs: await readRuns(dir, this.#runs) };
  }

  /** The runs recorded so far (to cut a clip from). */
  runs(): Promise<RunPlaylist[]> {
    return readRuns(this.#options.dir, this.#runs);
  }

  /** Ends the recording: stops FFmpeg (which closes its files) and writes the VOD playlist. */
  async finish(): Promise<{ runs: RunPlaylist[]; playlistPath: string } | undefined> {
    if (this.#finished) return undefined;
    this.#finished = true;
    clearTimeout(this.#restartTimer);
    this.#detachRoom?.();
    await this.#serialize(() => this.#stopRun());
    await this.#removeLowerRenditions();
    const runs = await this.#readRuns();
    if (runs.every((run) => run.segments.length === 0)) return { runs, playlistPath: '' };
    const playlistPath = path.join(this.#options.dir, 'vod.m3u8');
    await fs.writeFile(playlistPath, composePlaylist(runs, { ended: true }));
    return { runs, playlistPath };
  }

  async #removeLowerRenditions(): Promise<void> {
    for (const name of this.#lowerRenditions) {
      await fs.rm(renditionDir(this.#options.dir, name), { recursive: true, force: true }).catch((error: unknown) => {
        this.#logger.warn({ err: error, rendition: name }, 'could not delete a live-only rendition');
      });
    }
  }

  #scheduleRun(delayMs: number): void {
    if (this.#finished) return;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      void this.#serialize(async () => {
        await this.#stopRun();
        await this.#startRun();
      });
    }, delayMs);
  }

  async #startRun(): Promise<void> {
    const room = this.#room;
    if (this.#finished || !room || room.closed) return;
    const plan = await this.#planner.plan(room);
    if (!plan) return; // nothing to record yet: producer-added schedules a run

    const run = ++this.#runs;
    const transports: ms.PlainTransport[] = [];
    const consumers: ms.Consumer[] = [];
    const tracks: RtpInputTrack[] = [];
    try {
      await fs.mkdir(this.#options.dir, { recursive: true });
      for (const { entry, spatialLayer } of plan.inputs) {
        const port = await freeRtpPortPair();
        const { transport, consumer } = await room.consumeAsPlainRtp(entry.producer.id, {
          ip: '127.0.0.1',
          port,
          rtcpPort: port + 1,
        });
        transports.push(transport);
        consumers.push(consumer);
        if (spatialLayer !== undefined && consumer.type === 'simulcast')
          await consumer.setPreferredLayers({ spatialLayer });
        const codec = consumer.rtpParameters.codecs[0]!;
        tracks.push({
          kind: consumer.kind,
          port,
          payloadType: codec.payloadType,
          mimeType: codec.mimeType,
          clockRate: codec.clockRate,
          channels: codec.channels,
          parameters: codec.parameters,
        });
      }
    } catch (error) {
      for (const transport of transports) transport.close();
      // The stream changing under us (a producer closed, the room went away) is routine: the
      // event that caused it schedules the next run. Anything else is worth an operator's look.
      const routine = this.#finished || room.closed || plan.inputs.some(({ entry }) => entry.producer.closed);
      if (routine) this.#logger.debug({ err: error, run }, 'stream changed while the recorder attached');
      else this.#logger.error({ err: error, run }, 'could not attach the recorder to the stream');
      this.#scheduleRun(this.#options.restartDelayMs);
      return;
    }

    const sdpPath = path.join(this.#options.dir, `input-${run}.sdp`);
    await fs.writeFile(sdpPath, rtpInputSdp(tracks));
    const { args, copiesVideo, renditions } = await plan.command({
      sdpPath,
      dir: this.#options.dir,
      run,
      segmentSeconds: this.#options.segmentSeconds,
      tracks,
    });
    for (const height of renditions)
      await fs.mkdir(renditionDir(this.#options.dir, renditionName(height)), { recursive: true });
    const ffmpeg = new FfmpegProcess(args, this.#options.ffmpegPath);
    const videoConsumers = consumers.filter((c) => c.kind === 'video');
    const requestKeyFrames = () =>
      Promise.all(videoConsumers.map((consumer) => consumer.requestKeyFrame().catch(() => undefined)));
    // Copied H.264 can only be cut at the publisher's keyframes: ask for one per segment.
    // Transcoding needs only a first keyframe to start decoding, but the first ones may reach the
    // ports before FFmpeg listens on them (and WebRTC encoders send none unasked): keep asking
    // until the run's playlist exists.
    const runPlaylist = path.join(this.#options.dir, runPlaylistName(run));
    const keyframeTimer =
      videoConsumers.length > 0
        ? setInterval(() => {
            if (!copiesVideo && existsSync(runPlaylist)) clearInterval(keyframeTimer);
            else void requestKeyFrames();
          }, this.#options.segmentSeconds * 1000)
        : undefined;
    const active: ActiveRun = { run, ffmpeg, transports, keyframeTimer };
    this.#active = active;
    if (plan.followsLayers && videoConsumers[0]) this.#restartOnBetterLayer(videoConsumers[0], active);
    ffmpeg.once('exit', (end) => {
      this.emit('run-ended', run, end);
      if (this.#active !== active) return;
      // FFmpeg died on its own: start a new run on fresh ports.
      this.#logger.warn({ run, end }, 'ffmpeg exited; restarting');
      this.#closeRun(active);
      this.#active = undefined;
      this.#scheduleRun(this.#options.restartDelayMs);
    });
    // Media sent before FFmpeg listens is lost, and with it the keyframe asked for below: the
    // recording would start a keyframe interval late. Resume once FFmpeg holds its ports.
    const listening = await udpPortsBound(
      tracks.map((track) => track.port),
      FFMPEG_LISTEN_TIMEOUT_MS,
    );
    if (!listening) this.#logger.debug({ run }, 'could not see FFmpeg bind its RTP ports; sending media anyway');
    // The consumers close with their producer or the room; the run's exit handler cleans up then.
    await Promise.all(consumers.map((consumer) => consumer.resume().catch(() => undefined)));
    await requestKeyFrames();
    this.#logger.info(
      { run, pid: ffmpeg.pid, inputs: tracks.length, copiesVideo, renditions },
      'recording run started',
    );
    this.emit('run-started', run, ffmpeg.pid);
  }

  /**
   * FFmpeg keeps the picture size its run started with (it scales later frames to it, or copies
   * them under the first init segment), so a run that started while the publisher's bandwidth
   * estimate was still ramping up would record a low simulcast layer for good. When a higher layer
   * than the run started on reaches the recorder, a new run starts on it: a segment boundary and a
   * short gap instead of a whole stream at 320x180. Each restart raises the layer a run starts on,
   * so a stream settles after at most one restart per layer; a drop and recovery costs none.
   */
  #restartOnBetterLayer(consumer: ms.Consumer, active: ActiveRun): void {
    if (consumer.type === 'simple') return;
    let startLayer = consumer.currentLayers?.spatialLayer;
    consumer.on('layerschange', (layers) => {
      if (!layers || this.#active !== active) return;
      if (startLayer === undefined) {
        startLayer = layers.spatialLayer;
      } else if (layers.spatialLayer > startLayer) {
        this.#logger.info(
          { run: active.run, from: startLayer, to: layers.spatialLayer },
          'a higher simulcast layer arrived; recording it in a new run',
        );
        startLayer = layers.spatialLayer;
        this.#scheduleRun(0);
      }
    });
  }

  async #stopRun(): Promise<void> {
    const active = this.#active;
    if (!active) return;
    this.#active = undefined;
    await active.ffmpeg.stop();
    this.#closeRun(active);
  }

  #closeRun(active: ActiveRun): void {
    clearInterval(active.keyframeTimer);
    for (const transport of active.transports) transport.close();
  }

  #readRuns(): Promise<RunPlaylist[]> {
    return readRuns(this.#options.dir, this.#runs);
  }

  #serialize<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(task, task);
    this.#queue = next.catch((error: unknown) => this.#logger.error({ err: error }, 'recording step failed'));
    return next;
  }
}

/** The playlists the FFmpeg runs 1..`count` wrote into `dir` (a run that wrote nothing is skipped). */
export async function readRuns(dir: string, count: number): Promise<RunPlaylist[]> {
  const runs: RunPlaylist[] = [];
  for (let run = 1; run <= count; run++) {
    try {
      runs.push(parseRunPlaylist(run, await fs.readFile(path.join(dir, runPlaylistName(run)), 'utf8')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return runs;
}

/** Every run playlist a finished recording left in `dir`. */
export async function readAllRuns(dir: string): Promise<RunPlaylist[]> {
  const names = await fs.readdir(dir);
  const count = Math.max(0, ...names.map((name) => Number(/^run-(\d+)\.m3u8$/.exec(name)?.[1] ?? 0)));
  return readRuns(dir, count);
}
