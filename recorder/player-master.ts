// What /hls/<channel>/master.m3u8 serves, the playlist the web player starts from: always a master
// playlist (the ladder's, or one that names the source alone), so that the URIs of its variants
// can carry a playback id (hls-audience.ts). /hls/<channel>/index.m3u8 stays what it was (the
// source's media playlist without a ladder) for the players and scripts given that address.
import { liveMasterPlaylist, type InitSegmentCache } from './live-master.ts';
import { SOURCE_RENDITION } from './renditions.ts';
import { readAllRuns, type StreamRecording } from './stream-recording.ts';

export type LiveRecording = Pick<StreamRecording, 'dir' | 'livePlaylist'>;

/** Init segments never change; each recording's are read once, and forgotten with it. */
const initSegments = new WeakMap<LiveRecording, InitSegmentCache>();

/** Undefined until there is something to play. */
export async function playerMasterPlaylist(recording: LiveRecording, window: number): Promise<string | undefined> {
  const live = await recording.livePlaylist(window);
  if (live === undefined || live.includes('#EXT-X-STREAM-INF:')) return live;
  let cache = initSegments.get(recording);
  if (!cache) {
    cache = new Map();
    initSegments.set(recording, cache);
  }
  const source = { name: SOURCE_RENDITION, dir: recording.dir, runs: await readAllRuns(recording.dir) };
  return liveMasterPlaylist(source, [], window, cache);
}
