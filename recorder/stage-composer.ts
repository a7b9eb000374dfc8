// The recording plan of a webinar's room: its whole stage in one picture, as attendees see it
// (stage-layout.ts), with every microphone and screen audio mixed. Each change of what is on stage
// starts a new run with the new layout: someone joins or leaves, starts or stops a share, turns a
// camera or microphone off or on (a paused producer sends nothing, and a filter graph waiting on
// an input that sends nothing would stall), steps backstage or back (attendees don't see them
// there, so neither does the recording), or the host picks another main share. Who speaks only
// orders the strip when a run starts: re-laying out at every change of speaker would cut the
// recording every few seconds.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { RoomProducer } from '../sfu/peer.ts';
import type { Room } from '../sfu/room.ts';
import type { StageRoom } from '../signaling/stage-room.ts';
import type { RecordingPlanner, RunInput, RunPlan } from './run-plan.ts';
import { composedHlsArgs, labelText, type ComposedTile } from './stage-composition-args.ts';
import { stageLayout, type StageMemberMedia, type Tile } from './stage-layout.ts';
import type { StageOverlays } from './stage-overlays.ts';

/** The stage state of a webinar room on this process (signaling keeps it). */
export type StageOf = (
  room: Room,
) => Promise<Pick<StageRoom, 'mainShare' | 'activeSpeaker' | 'inBackstage' | 'on' | 'off'>>;

/** Tiles no taller than this take a camera's middle simulcast layer: the top one would be scaled away. */
const SMALL_TILE_HEIGHT = 240;

/** `overlays`: the pinned question drawn over the picture (stage-overlays.ts), when given. */
export function stageComposer(stageOf: StageOf, overlays?: StageOverlays): RecordingPlanner {
  return {
    async plan(room) {
      const stage = await stageOf(room);
      // What attendees get: a member backstage is not in the recording either.
      const flowing = room
        .producers()
        .filter((entry) => !entry.producer.closed && !entry.producer.paused && !stage.inBackstage(entry.peerId));
      const members = stageMembers(room, flowing);
      const tiles = stageLayout({ members, mainShare: stage.mainShare, activeSpeaker: stage.activeSpeaker });
      const videoInputs: RunInput[] = [];
      const placed = tiles.map((tile) => {
        const entry = tile.content === 'name' ? undefined : producerOf(flowing, tile.peerId, tile.content);
        if (!entry) return { tile: { ...tile, content: 'name' as const }, videoInput: null };
        videoInputs.push({ entry, spatialLayer: tile.height <= SMALL_TILE_HEIGHT ? 1 : undefined });
        return { tile, videoInput: videoInputs.length - 1 };
      });
      const audioInputs = flowing
        .filter((entry) => entry.source === 'microphone' || entry.source === 'screen-audio')
        .map((entry) => ({ entry }));
      if (placed.length === 0 && audioInputs.length === 0) return undefined;
      return composedPlan(placed, videoInputs, audioInputs, overlays && { overlays, roomId: room.id });
    },
    watch(room, changed) {
      let stage: Awaited<ReturnType<StageOf>> | undefined;
      let stopped = false;
      room.on('producer-paused', changed);
      room.on('producer-resumed', changed);
      void stageOf(room)
        .then((found) => {
          if (stopped) return;
          stage = found;
          found.on('main-share', changed);
          found.on('backstage', changed);
        })
        .catch(() => undefined);
      return () => {
        stopped = true;
        room.off('producer-paused', changed);
        room.off('producer-resumed', changed);
        stage?.off('main-share', changed);
        stage?.off('backstage', changed);
      };
    },
  };
}

function composedPlan(
  placed: { tile: Tile; videoInput: number | null }[],
  videoInputs: RunInput[],
  audioInputs: RunInput[],
  overlay: { overlays: StageOverlays; roomId: string } | undefined,
): RunPlan {
  return {
    inputs: [...videoInputs, ...audioInputs],
    // The canvas has its size whatever each input's is: a better layer needs no new run.
    followsLayers: false,
    async command({ sdpPath, dir, run, segmentSeconds }) {
      const tiles: ComposedTile[] = [];
      for (const [index, { tile, videoInput }] of placed.entries()) {
        const labelFile = path.join(dir, `label-${run}-${index}.txt`);
        await fs.writeFile(labelFile, labelText(tile.label));
        tiles.push({ tile, videoInput, labelFile });
      }
      const args = composedHlsArgs({
        sdpPath,
        outputDir: dir,
        run,
        tiles,
        audioInputs: audioInputs.length,
        segmentSeconds,
        overlayFile: overlay ? await overlay.overlays.fileFor(overlay.roomId, dir) : undefined,
      });
      return { args, copiesVideo: false, renditions: [] };
    },
  };
}

/** Everyone publishing into the room, in the order they joined it, with the media they send. */
function stageMembers(room: Room, flowing: RoomProducer[]): StageMemberMedia[] {
  const members: StageMemberMedia[] = [];
  for (const peer of room.peers()) {
    const sources = new Set(flowing.filter((entry) => entry.peerId === peer.id).map((entry) => entry.source));
    if (sources.size === 0) continue;
    members.push({
      peerId: peer.id,
      name: peer.label?.name ?? '',
      camera: sources.has('camera'),
      screen: sources.has('screen'),
    });
  }
  return members;
}

function producerOf(flowing: RoomProducer[], peerId: string, source: 'camera' | 'screen'): RoomProducer | undefined {
  return flowing.find((entry) => entry.peerId === peerId && entry.source === source);
}
