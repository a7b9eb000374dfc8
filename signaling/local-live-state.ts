// The single-process implementation of live state: this process's streams (LiveStreams), in rooms on
// this process's media workers (the SFU's RoomRegistry). Chosen at boot by the composition root.
import type { Logger } from 'pino';
import type { ChannelDirectory } from '../common/live/channel-directory.ts';
import { RoomRegistry, type RoomSettings } from '../sfu/room-registry.ts';
import type { WorkerPool } from '../sfu/worker-pool.ts';
import type { LiveState } from './live-state.ts';
import { LiveStreams, type LiveStreamsOptions } from './live-streams.ts';

export interface LocalLiveStateOptions {
  streams: LiveStreamsOptions;
  rooms: RoomSettings;
}

export function createLocalLiveState(
  workers: WorkerPool,
  directory: ChannelDirectory,
  options: LocalLiveStateOptions,
  logger: Logger,
): LiveState {
  return {
    streams: new LiveStreams(directory, options.streams, logger),
    rooms: new RoomRegistry(workers, options.rooms, logger),
  };
}
