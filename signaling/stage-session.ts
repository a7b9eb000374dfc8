// One socket's part in a webinar, once it joined its room: its seat (asked again before each
// produce and when the stage changes), what the stage tells it (who speaks, the main share, each
// member's network quality, who stepped backstage), what it may consume (an attendee: nothing of
// a member backstage, and no packets of the voices past the loudest three), and the stage
// controls (the main share, stepping backstage). MediaSession owns the room and peer; this holds
// the webinar's rules on top of them.
import { AppError, ConflictError } from '../common/errors.ts';
import type { ViewerCredentials } from '../common/live/channel-directory.ts';
import type { StageChange, StageSeat, WebinarStageDirectory } from '../common/live/webinar-stage.ts';
import type { MediaNotification, ProducerInfo } from '../common/protocol/media-signaling.ts';
import type { Peer, RoomProducer } from '../sfu/peer.ts';
import type { Room } from '../sfu/room.ts';
import type { StageRoom } from './stage-room.ts';
import { seatOrThrow, stagePlace } from './webinar-stage.ts';

/** What a webinar session is told when the webinar ends under it. */
export const WEBINAR_ENDED_REASON = 'The webinar has ended.';

export interface StageSessionOptions {
  seat: StageSeat;
  /** How the caller proved their seat, to ask again. */
  credentials: ViewerCredentials;
  directory: WebinarStageDirectory;
  room: Room;
  stageRoom: StageRoom;
  peer: Peer;
  notify: (notification: MediaNotification) => void;
  producerInfo: (entry: RoomProducer) => ProducerInfo;
}

/** What a recheck decided: the caller keeps their seat (perhaps moved on or off stage), or leaves. */
export type StageRecheck = { leave: false } | { leave: true; reason: string };

export class StageSession {
  seat: StageSeat;
  readonly credentials: ViewerCredentials;
  readonly stageRoom: StageRoom;
  readonly #options: StageSessionOptions;

  constructor(options: StageSessionOptions) {
    this.seat = options.seat;
    this.credentials = options.credentials;
    this.stageRoom = options.stageRoom;
    this.#options = options;
  }

  get attendee(): boolean {
    return this.#options.peer.role === 'viewer';
  }

  /** Whether this session gets `peerId`'s media: an attendee gets none of a member backstage. */
  sees(peerId: string): boolean {
    return !(this.attendee && this.stageRoom.inBackstage(peerId));
  }

  /** Forwards the stage's events to the socket, starting with what it knows already; returns the stop. */
  attach(): () => void {
    const { stageRoom, attendee } = this;
    const { notify, peer, room, producerInfo } = this.#options;
    const onSpeaker = (peerId: string | null) => notify({ method: 'activeSpeaker', data: { peerId } });
    const onMainShare = (peerId: string | null) => notify({ method: 'mainShare', data: { peerId } });
    // Network quality is for the stage's members (an attendee can't act on it).
    const onScore = (producerId: string, score: number) =>
      !attendee && notify({ method: 'producerScore', data: { producerId, score } });
    // A member stepping backstage: for an attendee their media goes (its consumers close) and
    // comes back when they return; stage members are told, to mark them.
    const onBackstage = (peerId: string, backstage: boolean) => {
      if (!attendee) {
        notify({ method: 'backstage', data: { peerId, backstage } });
        return;
      }
      for (const entry of room.producers().filter((p) => p.peerId === peerId)) {
        if (backstage) {
          peer.closeConsumersOf(entry.producer.id);
          notify({ method: 'producerClosed', data: { producerId: entry.producer.id } });
        } else {
          notify({ method: 'producerAdded', data: producerInfo(entry) });
        }
      }
    };
    // The audience hears the loudest three; stage members hear each other all, as in a room.
    const onInaudible = (producerIds: ReadonlySet<string>) => attendee && void peer.setHeld(producerIds);
    stageRoom.on('active-speaker', onSpeaker);
    stageRoom.on('main-share', onMainShare);
    stageRoom.on('producer-score', onScore);
    stageRoom.on('backstage', onBackstage);
    stageRoom.on('inaudible', onInaudible);
    onInaudible(stageRoom.inaudible);
    // What the room already knows, right after the join's answer.
    queueMicrotask(() => {
      if (stageRoom.activeSpeaker !== null) onSpeaker(stageRoom.activeSpeaker);
      if (stageRoom.mainShare !== null) onMainShare(stageRoom.mainShare);
      for (const [producerId, score] of stageRoom.scores) onScore(producerId, score);
      if (!attendee) for (const peerId of stageRoom.backstage) onBackstage(peerId, true);
    });
    return () => {
      stageRoom.off('active-speaker', onSpeaker);
      stageRoom.off('main-share', onMainShare);
      stageRoom.off('producer-score', onScore);
      stageRoom.off('backstage', onBackstage);
      stageRoom.off('inaudible', onInaudible);
    };
  }

  /** The host or a co-host picks whose screen share attendees see large (null: the default). */
  setMainShare(peerId: string | null): void {
    if (this.seat.role !== 'host' && this.seat.role !== 'cohost')
      throw new AppError(403, 'not_host', "Only the webinar's host and co-hosts choose the main share.");
    if (!this.stageRoom.setMainShare(peerId))
      throw new ConflictError('not_sharing', 'That stage member is not sharing a screen.');
  }

  /**
   * A stage member steps backstage while the webinar is live (attendees stop getting their media:
   * see attach) or back on stage. Before it is live everyone on stage is backstage anyway.
   */
  async setBackstage(backstage: boolean): Promise<void> {
    const { peer } = this.#options;
    if (peer.role !== 'publisher')
      throw new AppError(403, 'not_on_stage', 'Only the members on a webinar’s stage can step backstage.');
    if (backstage) {
      this.seat = seatOrThrow(await this.#seatNow(), this.seat.webinarId);
      if (this.seat.state !== 'live')
        throw new ConflictError('webinar_not_live', 'Until the webinar is live, the whole stage is backstage.');
    }
    this.stageRoom.setBackstage(peer.id, backstage);
  }

  /** Before a stage member publishes: still on stage? (Moved off, they may not, whatever their client does.) */
  async assertStillOnStage(): Promise<void> {
    const seat = await this.#seatNow();
    if (typeof seat === 'string' || !seat.onStage)
      throw new AppError(403, 'not_on_stage', 'Only the host, co-hosts and panelists on stage may publish.');
    this.seat = seat;
  }

  /**
   * The webinar's stage changed (`change`): asks again what the caller is to it. Moved off the
   * stage, their producers close at once and they are told; back on, they are told they may
   * publish again; the webinar ended, or access to it gone, they must leave.
   */
  async recheck(change: StageChange): Promise<StageRecheck> {
    if (this.seat.webinarId !== change.webinarId) return { leave: false };
    if (change.userId !== undefined && this.seat.userId !== change.userId) return { leave: false };
    const { peer, notify } = this.#options;
    const seat = await this.#seatNow();
    if (typeof seat === 'string' || seat.state === 'ended') {
      peer.closeProducers();
      return {
        leave: true,
        reason: typeof seat === 'string' ? 'You no longer have a seat at this webinar.' : WEBINAR_ENDED_REASON,
      };
    }
    const wasOnStage = this.seat.onStage;
    this.seat = seat;
    if (wasOnStage === seat.onStage) return { leave: false };
    if (!seat.onStage) peer.closeProducers();
    const reason = seat.onStage ? 'You are on the stage: you may publish.' : 'You were moved off the stage.';
    notify({ method: 'stagePlace', data: { ...stagePlace(seat), reason } });
    return { leave: false };
  }

  #seatNow() {
    return this.#options.directory.seatAt(this.seat.webinarId, this.credentials);
  }
}
