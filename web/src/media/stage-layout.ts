// How a webinar's stage is laid out for whoever watches it, and so which simulcast layer each
// video needs: a screen share large with the speaker's camera beside it and the other members in
// a strip of small tiles; or, while nobody shares, a grid of everyone's cameras. Only the big
// pictures take a high layer, so a viewer's downlink stays near one stream's bitrate however many
// are on stage.
import type { StageMember } from './stage-roster.ts';

export interface StageLayout {
  /** The member whose screen share is the main picture; null while nobody shares. */
  main: string | null;
  /** The member whose camera is shown big: beside the share, or the speaker in the grid. */
  speaker: string | null;
  /** The members shown as tiles: beside a share, everyone but the speaker (a strip); without one, everyone (the grid). */
  tiles: string[];
}

const sharing = (m: StageMember) => Boolean(m.feeds.screen && !m.feeds.screen.paused);
const onCamera = (m: StageMember) => Boolean(m.feeds.camera && !m.feeds.camera.paused);

/**
 * `members` in the order they came on stage; `activeSpeaker` the peer the server hears most;
 * `mainShare` whose share the host made the main one. Without the host's choice the first share
 * stays the main one while it lasts (a share that jumped to whoever spoke would be unreadable).
 * The camera beside it is the active speaker's, else the sharer's, else anyone's.
 */
export function stageLayout(
  members: readonly StageMember[],
  activeSpeaker: string | null,
  mainShare: string | null = null,
): StageLayout {
  const chosen = members.find((m) => m.peerId === mainShare && sharing(m));
  const main = (chosen ?? members.find(sharing))?.peerId ?? null;
  const speaking = members.find((m) => m.peerId === activeSpeaker);
  let speaker: string | null;
  if (main) {
    const sharer = members.find((m) => m.peerId === main);
    speaker =
      (speaking && onCamera(speaking) ? speaking : sharer && onCamera(sharer) ? sharer : members.find(onCamera))
        ?.peerId ?? null;
  } else {
    speaker = speaking?.peerId ?? null;
  }
  const tiles = members.map((m) => m.peerId).filter((id) => id !== speaker || main === null);
  return { main, speaker, tiles };
}

/**
 * The consumers (by id) whose pictures the layout doesn't show, so nothing of them need be sent:
 * the screen shares other than the main one. Their sound (screen audio) still plays.
 */
export function hiddenFeeds(members: readonly StageMember[], layout: StageLayout): Set<string> {
  const hidden = new Set<string>();
  for (const member of members) {
    const { screen } = member.feeds;
    if (screen && member.peerId !== layout.main) hidden.add(screen.consumerId);
  }
  return hidden;
}

/**
 * The spatial layer each consumed video should get (by consumer id): the top one for the main
 * share, a middle one for the speaker's camera beside it (a small tile: the top layer there
 * would more than double an attendee's downlink for detail nobody sees); in a grid of up to
 * four, the top one for the speaker and a middle one for the others; in a bigger grid one lower
 * each; the lowest for a strip's tiles.
 */
export function preferredLayers(members: readonly StageMember[], layout: StageLayout): Map<string, number> {
  const layers = new Map<string, number>();
  const smallGrid = members.length <= 4;
  for (const member of members) {
    const { screen, camera } = member.feeds;
    if (screen) layers.set(screen.consumerId, member.peerId === layout.main ? screen.spatialLayers - 1 : 0);
    if (!camera) continue;
    const speaking = member.peerId === layout.speaker;
    let layer: number;
    if (layout.main !== null) layer = speaking ? 1 : 0;
    else if (smallGrid) layer = speaking ? 2 : 1;
    else layer = speaking ? 1 : 0;
    layers.set(camera.consumerId, Math.min(layer, camera.spatialLayers - 1));
  }
  return layers;
}
