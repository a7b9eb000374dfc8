// One socket's media session: which channel it joined, as what, and its peer in the SFU room.
// Requests are dispatched by a switch the compiler checks for exhaustiveness.
import type { types as ms } from 'mediasoup';
import type { Socket } from 'socket.io';
import type { Logger } from 'pino';
import {
  AppError,
  BadRequestError,
  ConflictError,
  NotFoundError,
  PrivateChannelError,
  UnauthorizedError,
} from '../common/errors.ts';
import type {
  ClientToServerEvents,
  ConsumerInfo,
  JoinResult,
  MediaNotification,
  MediaRequest,
  MediaResponses,
  ProducerInfo,
  ServerToClientEvents,
} from '../common/protocol/media-signaling.ts';
import type { BackstageMessage } from '../common/protocol/rest/webinars.ts';
import type { Peer } from '../sfu/peer.ts';
import type { RoomProducer } from '../sfu/peer.ts';
import type { Room } from '../sfu/room.ts';
import type {
  ChannelDirectory,
  ChannelRef,
  HandshakeCredentials,
  RecheckFilter,
  ViewerCredentials,
  WatchedChannel,
} from '../common/live/channel-directory.ts';
import type { StageChange, WebinarStageDirectory } from '../common/live/webinar-stage.ts';
import type { AttendanceLog } from '../common/live/webinar-attendance.ts';
import { AttendancePresence } from './attendance-presence.ts';
import { closeIfUnused, type LiveRegistry, type PublisherLetGo, type RoomPlacement } from './live-state.ts';
import { AlreadyLiveError } from './live-streams.ts';
import type { MediaCommand } from './validate-request.ts';
import { assertSeatTaken } from './webrtc-seats.ts';
import type { StageRoom, StageRooms } from './stage-room.ts';
import { StageSession, WEBINAR_ENDED_REASON } from './stage-session.ts';
import { assertStageHasRoom, seatOrThrow, stagePlace, webinarRoomId } from './webinar-stage.ts';

export type MediaSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** What a publisher is told when another session of its channel takes over (PUBLISHER_TAKEOVER=replace). */
const TAKEN_OVER_REASON =
  'You went live on this channel from somewhere else (another tab, device or app), so publishing stopped here.';
/** What a publisher is told when its stream is ended from elsewhere ("End stream" on another device). */
const ENDED_ELSEWHERE_REASON = 'Your stream was ended from another device, so publishing stopped here.';
/** What a viewer is told when its access to a private channel ends (a revoked link, the channel made private). */
const STAGE_TAKEN_OVER_REASON = 'You joined this stage from another window or device: it continues there.';
const ACCESS_ENDED_REASON =
  'Your access to this private channel ended: its viewer link was revoked, or the channel became private.';

export interface MediaSessionDeps {
  rooms: RoomPlacement;
  directory: ChannelDirectory;
  live: LiveRegistry;
  logger: Logger;
  /** WEBRTC_SEATS_PER_STREAM: viewers one stream takes over WebRTC (0: no limit); a channel may set its own. */
  webrtcSeatsPerStream: number;
  /** Webinars: who may be on a stage, and its size (WEBINAR_MAX_STAGE). */
  stage: WebinarStageDirectory;
  maxStage: number;
  /** Who speaks, and whose share is the main one, on each webinar stage of this process. */
  stageRooms: StageRooms;
  /**
   * Lets go of `userId`'s earlier stage sessions in room `roomId` (see MediaSession.supersededOnStage):
   * one person has one place on a stage, however many windows or reconnections they come from.
   */
  takeStagePlace(roomId: string, userId: string): Promise<void>;
  /** Where webinar attendance is recorded (none: not recorded). */
  attendance?: AttendanceLog | undefined;
}

/** Everything a joined session holds; absent before join and after leave. */
interface Joined {
  channel: ChannelRef;
  /** How a viewer proved it may watch, to ask again when the channel's access changes. */
  viewer: ViewerCredentials | undefined;
  room: Room;
  peer: Peer;
  detach: () => void;
  /** In a webinar: the caller's seat and the stage's rules. */
  stage?: StageSession;
}

export class MediaSession {
  readonly #socket: MediaSocket;
  readonly #deps: MediaSessionDeps;
  readonly #logger: Logger;
  #joined: Joined | undefined;
  #joins = 0;

  constructor(socket: MediaSocket, deps: MediaSessionDeps) {
    this.#socket = socket;
    this.#deps = deps;
    this.#logger = deps.logger.child({ session: socket.id });
  }

  async handle(request: MediaCommand): Promise<MediaResponses[MediaCommand['method']]> {
    switch (request.method) {
      case 'join':
        return this.#join(request.data);
      case 'createTransport': {
        const transport = await this.#peer().createTransport(request.data.direction);
        return {
          id: transport.id,
          iceParameters: transport.iceParameters,
          iceCandidates: transport.iceCandidates,
          dtlsParameters: transport.dtlsParameters,
        } as MediaResponses['createTransport'];
      }
      case 'connectTransport':
        await this.#peer().connectTransport(request.data.transportId, request.data.dtlsParameters);
        return {};
      case 'restartIce':
        return { iceParameters: await this.#peer().restartIce(request.data.transportId) };
      case 'produce': {
        const joined = this.#session();
        const { channel, peer } = joined;
        const { transportId, kind, rtpParameters, source } = request.data;
        if (joined.stage) {
          await joined.stage.assertStillOnStage();
          return { producerId: (await peer.produce(transportId, kind, rtpParameters, source)).id };
        }
        const producer = await peer.produce(transportId, kind, rtpParameters, source);
        // Taken over meanwhile: the channel is the new publisher's to make live.
        if (!(await this.#deps.live.holdsPublisher(channel, this.#socket.id)))
          throw new AlreadyLiveError(channel, 'overtaken');
        await this.#deps.live.mediaStarted(channel);
        return { producerId: producer.id };
      }
      case 'closeProducer':
        this.#peer().producer(request.data.producerId).close();
        return {};
      case 'pauseProducer':
        await this.#peer().producer(request.data.producerId).pause();
        return {};
      case 'resumeProducer':
        await this.#peer().producer(request.data.producerId).resume();
        return {};
      case 'consume':
        return this.#consume(request.data.transportId, request.data.producerId, request.data.rtpCapabilities);
      case 'resumeConsumer':
        await this.#peer().resumeConsumer(request.data.consumerId);
        return {};
      case 'pauseConsumer':
        await this.#peer().pauseConsumer(request.data.consumerId);
        return {};
      case 'setPreferredLayers': {
        const { consumerId, spatialLayer, temporalLayer } = request.data;
        await this.#peer().setConsumerPreferredLayers(consumerId, {
          spatialLayer,
          ...(temporalLayer !== undefined && { temporalLayer }),
        });
        return {};
      }
      case 'setMainShare':
        this.#stage().setMainShare(request.data.peerId);
        return {};
      case 'setBackstage':
        await this.#stage().setBackstage(request.data.backstage);
        return {};
      case 'leave':
        await this.#leave('left');
        return {};
      default:
        return assertNever(request);
    }
  }

  /**
   * Access narrowed (a viewer token revoked, a channel made private, a session ended): a viewer
   * that `filter` picks and that may no longer watch is told why and taken out of the room.
   */
  async recheckAccess(filter: RecheckFilter): Promise<void> {
    const joined = this.#joined;
    if (!joined?.viewer || !filter({ channelId: joined.channel.id, cookie: joined.viewer.handshake.cookie })) return;
    const found = await this.#deps.directory.channelToWatch(joined.channel.slug, joined.viewer);
    if (found !== 'private' || this.#joined !== joined) return;
    this.#socket.emit('notification', { method: 'kicked', data: { reason: ACCESS_ENDED_REASON } });
    await this.#leave('left');
  }

  /** A webinar's stage changed (`change`): see StageSession.recheck; let go if it says so. */
  async recheckStage(change: StageChange): Promise<void> {
    const joined = this.#joined;
    if (!joined?.stage) return;
    const outcome = await joined.stage.recheck(change);
    if (!outcome.leave || this.#joined !== joined) return;
    this.#socket.emit('notification', { method: 'kicked', data: { reason: outcome.reason } });
    await this.#leave('left');
  }

  /**
   * `userId` joined the stage of room `roomId` again, from another window or device, or back from a dropped
   * network before the server noticed this socket was gone: this session's place is theirs now.
   * Without this, the stale session would hold a seat of a full stage against its own member
   * (stage_full) and attendees would see a frozen tile beside the live one.
   */
  async supersededOnStage(roomId: string, userId: string): Promise<void> {
    const joined = this.#joined;
    if (!joined?.stage || joined.room.id !== roomId || joined.peer.role !== 'publisher') return;
    if (joined.stage.seat.userId !== userId) return;
    this.#socket.emit('notification', {
      method: 'kicked',
      data: { reason: STAGE_TAKEN_OVER_REASON, code: 'joined_elsewhere' },
    });
    await this.#leave('replaced');
  }

  /** A backstage chat message of `webinarId`: for its stage members, not its attendees. */
  backstageMessage(webinarId: string, message: BackstageMessage): void {
    const stage = this.#joined?.stage;
    if (!stage || stage.attendee || stage.seat.webinarId !== webinarId) return;
    this.#socket.emit('notification', { method: 'backstageMessage', data: message });
  }

  /** The socket is gone: a publisher's stream survives the grace period in case it comes back. */
  async disconnected(): Promise<void> {
    await this.#leave('disconnected');
  }

  async #join(data: Extract<MediaRequest, { method: 'join' }>['data']): Promise<JoinResult> {
    if (this.#joined) throw new ConflictError('already_joined', 'This session already joined a channel; leave first.');
    if (data.role === 'stage' || data.role === 'attendee') return this.#joinWebinar(data);
    const { directory, live, rooms } = this.#deps;
    let channel: ChannelRef | undefined;
    let watched: WatchedChannel | undefined;
    let viewer: ViewerCredentials | undefined;
    if (data.role === 'publisher') {
      if ('streamKey' in data) {
        channel = await directory.channelForStreamKey(data.streamKey);
        if (!channel) throw new UnauthorizedError('The stream key is not valid or was revoked.');
      } else {
        channel = await directory.channelForPublisherSession(this.#handshake(), data.channel);
        if (!channel)
          throw new UnauthorizedError(
            `Sign in on this site as the owner of '${data.channel}' to publish to it, or use a stream key.`,
          );
      }
      // With PUBLISHER_TAKEOVER=replace this ends the channel's current publisher (its stream goes on).
      if (!(await live.claimPublisher(channel, this.#socket.id, (why) => this.#replaced(why))))
        throw new AlreadyLiveError(channel, 'refused');
    } else {
      viewer = { handshake: this.#handshake(), token: data.viewerToken };
      const found = await directory.channelToWatch(data.channel, viewer);
      if (!found) throw new NotFoundError('Channel', data.channel);
      if (found === 'private') throw new PrivateChannelError(data.channel.trim().toLowerCase());
      channel = watched = found;
    }
    let room: Room | undefined;
    let peer: Peer | undefined;
    try {
      room = await rooms.getOrCreate(channel.id);
      peer = await room.join(`${this.#socket.id}:${++this.#joins}`, data.role);
      // A publisher that came after this one (replace mode) already has the channel.
      if (data.role === 'publisher' && !(await live.holdsPublisher(channel, this.#socket.id)))
        throw new AlreadyLiveError(channel, 'overtaken');
      // Past the stream's WebRTC seats: the player goes to HLS.
      if (watched) assertSeatTaken(room, watched, this.#deps.webrtcSeatsPerStream);
    } catch (error) {
      peer?.close();
      // Give the claim back; a stream already live keeps its grace period.
      if (data.role === 'publisher') live.publisherLost(channel, this.#socket.id);
      if (room) closeIfUnused(room, live, channel);
      throw error;
    }
    const detach = this.#wire(room, peer, channel);
    this.#joined = { channel, viewer, room, peer, detach };
    await this.#socket.join(statusRoom(channel));
    live.viewersChanged(channel, room.viewerCount());
    this.#logger.debug({ channel: channel.slug, role: data.role }, 'joined');
    return {
      peerId: peer.id,
      role: data.role,
      channel: channel.slug,
      routerRtpCapabilities: peer.rtpCapabilities as JoinResult['routerRtpCapabilities'],
      producers: data.role === 'viewer' ? room.producers().map((entry) => producerInfo(entry, room)) : [],
      stream: live.status(channel),
    };
  }

  /**
   * Joins a webinar's room: on its stage (host, co-hosts, panelists on stage; publishing and
   * seeing each other, in backstage too) or in its audience (once it is live).
   */
  async #joinWebinar(
    data: Extract<MediaRequest, { method: 'join'; data: { webinar: string } }>['data'],
  ): Promise<JoinResult> {
    const credentials: ViewerCredentials = {
      handshake: this.#handshake(),
      token: data.role === 'attendee' ? data.viewerToken : undefined,
    };
    const seat = seatOrThrow(await this.#deps.stage.seatAt(data.webinar, credentials), data.webinar);
    if (data.role === 'stage' && !seat.onStage)
      throw new AppError(403, 'not_on_stage', 'Only the host, co-hosts and panelists on stage may join the stage.');
    if (data.role === 'attendee' && seat.state !== 'live')
      throw new ConflictError(
        'webinar_not_live',
        seat.state === 'ended'
          ? WEBINAR_ENDED_REASON
          : 'The webinar has not started yet: its stage opens when it goes live.',
      );
    const peerRole = data.role === 'stage' ? 'publisher' : 'viewer';
    const roomId = webinarRoomId(seat.webinarId);
    // Before the room is looked up: letting the earlier session go may close it (it was alone).
    if (peerRole === 'publisher' && seat.userId !== undefined) await this.#deps.takeStagePlace(roomId, seat.userId);
    const room = await this.#deps.rooms.getOrCreate(roomId);
    let peer: Peer | undefined;
    let stageRoom: StageRoom;
    try {
      if (peerRole === 'publisher') assertStageHasRoom(room, this.#deps.maxStage);
      stageRoom = await this.#deps.stageRooms.of(room);
      peer = await room.join(`${this.#socket.id}:${++this.#joins}`, peerRole, { name: seat.name, userId: seat.userId });
      // Past the WebRTC seats (WEBRTC_SEATS_PER_STREAM) an attendee watches the composed HLS.
      if (peerRole === 'viewer')
        assertSeatTaken(room, { ...seat.channel, webrtcSeats: null }, this.#deps.webrtcSeatsPerStream);
    } catch (error) {
      peer?.close();
      if (room.peers().length === 0) room.close('empty');
      throw error;
    }
    const stage = new StageSession({
      seat,
      credentials,
      directory: this.#deps.stage,
      room,
      stageRoom,
      peer,
      notify: (notification) => this.#socket.emit('notification', notification),
      producerInfo: (entry) => producerInfo(entry, room),
    });
    const detachRoom = this.#wire(room, peer, seat.channel, peerRole === 'publisher', (peerId) => stage.sees(peerId));
    const detachStage = stage.attach();
    const { attendance } = this.#deps;
    const presence =
      attendance &&
      new AttendancePresence(
        attendance,
        { webinarId: seat.webinarId, userId: seat.userId, session: peer.id },
        peer,
        () => (peerRole === 'publisher' && stage.seat.onStage ? 'stage' : 'webrtc'),
      );
    this.#joined = {
      channel: seat.channel,
      // Attendees watch on the strength of the channel's access (recheckAccess asks it again).
      viewer: peerRole === 'viewer' ? credentials : undefined,
      room,
      peer,
      detach: () => {
        detachRoom();
        detachStage();
        presence?.close();
      },
      stage,
    };
    this.#logger.debug({ webinar: seat.webinarId, role: seat.role }, 'joined a webinar');
    const own = peer.id;
    return {
      peerId: own,
      role: peerRole,
      channel: seat.channel.slug,
      stage: stagePlace(seat),
      routerRtpCapabilities: peer.rtpCapabilities as JoinResult['routerRtpCapabilities'],
      producers: room
        .producers()
        .filter((entry) => entry.peerId !== own && stage.sees(entry.peerId))
        .map((entry) => producerInfo(entry, room)),
      stream: { channel: seat.channel.slug, live: seat.state === 'live', streamId: null, viewers: 0, startedAt: null },
    };
  }

  async #consume(transportId: string, producerId: string, rtpCapabilities: ms.RtpCapabilities): Promise<ConsumerInfo> {
    const { room, peer, stage } = this.#session();
    const entry = room.producers().find((p) => p.producer.id === producerId);
    // An attendee can't consume what a member backstage sends, whatever id it asks for.
    if (!entry || (stage && !stage.sees(entry.peerId))) throw new NotFoundError('Producer', producerId);
    const consumer = await peer.consume(transportId, producerId, entry.source, rtpCapabilities);
    return {
      id: consumer.id,
      producerId,
      kind: consumer.kind,
      source: entry.source,
      rtpParameters: consumer.rtpParameters as ConsumerInfo['rtpParameters'],
      type: consumer.type,
      producerPaused: consumer.producerPaused,
    };
  }

  /** Forwards room and peer events to this socket; returns the function that stops it. */
  #wire(
    room: Room,
    peer: Peer,
    channel: ChannelRef,
    onStage = false,
    sees: (peerId: string) => boolean = () => true,
  ): () => void {
    const notify = (notification: MediaNotification) => this.#socket.emit('notification', notification);
    // Viewers see every producer (but a webinar's members backstage); on a stage, members see each other's.
    const onProducerAdded = (entry: RoomProducer) =>
      ((peer.role === 'viewer' && sees(entry.peerId)) || (onStage && entry.peerId !== peer.id)) &&
      notify({ method: 'producerAdded', data: producerInfo(entry, room) });
    const onProducerClosed = (producerId: string) => notify({ method: 'producerClosed', data: { producerId } });
    const onPaused = (producerId: string) => notify({ method: 'producerPaused', data: { producerId } });
    const onResumed = (producerId: string) => notify({ method: 'producerResumed', data: { producerId } });
    const onRoomClosed = (reason: string) => {
      // The media server behind this room stopped: tell the client to join again.
      this.#logger.warn({ channel: channel.slug, reason }, 'room lost; asking the client to rejoin');
      const joined = this.#joined;
      this.#joined = undefined;
      joined?.detach();
      if (peer.role === 'publisher' && !joined?.stage) this.#deps.live.publisherLost(channel, this.#socket.id);
      notify({ method: 'mediaReset', data: { reason } });
    };
    room.on('producer-added', onProducerAdded);
    room.on('producer-closed', onProducerClosed);
    room.on('producer-paused', onPaused);
    room.on('producer-resumed', onResumed);
    room.once('closed', onRoomClosed);
    peer.on('consumer-closed', (consumer) =>
      notify({ method: 'consumerClosed', data: { consumerId: consumer.id, producerId: consumer.producerId } }),
    );
    peer.on('consumer-layers-changed', (consumer, layers) =>
      notify({
        method: 'consumerLayersChanged',
        data: {
          consumerId: consumer.id,
          spatialLayer: layers?.spatialLayer ?? null,
          temporalLayer: layers?.temporalLayer ?? null,
        },
      }),
    );
    return () => {
      room.off('producer-added', onProducerAdded);
      room.off('producer-closed', onProducerClosed);
      room.off('producer-paused', onPaused);
      room.off('producer-resumed', onResumed);
      room.off('closed', onRoomClosed);
    };
  }

  /** Another session took this one's channel over, or its stream was ended: stop publishing here, and say why. */
  #replaced(why: PublisherLetGo): void {
    // A session that has since joined as a viewer keeps watching; one between joins hears it too.
    if (this.#joined?.peer.role === 'viewer') return;
    const reason = why === 'ended' ? ENDED_ELSEWHERE_REASON : TAKEN_OVER_REASON;
    this.#socket.emit('notification', { method: 'kicked', data: { reason } });
    this.#leave('replaced').catch((error: unknown) =>
      this.#logger.error({ err: error }, 'cleanup after a takeover failed'),
    );
  }

  async #leave(why: 'left' | 'disconnected' | 'replaced'): Promise<void> {
    const joined = this.#joined;
    if (!joined) return;
    this.#joined = undefined;
    const { channel, room, peer, detach } = joined;
    detach();
    peer.close();
    if (joined.stage) {
      // A webinar's room is its own: no channel stream, publisher claim or viewer count to update.
      if (room.peers().length === 0) room.close('empty');
      return;
    }
    if (!this.#socket.disconnected) await this.#socket.leave(statusRoom(channel));
    const { live } = this.#deps;
    // A replaced publisher's claim is already the new session's.
    if (peer.role === 'publisher' && why !== 'replaced') {
      if (why === 'left') await live.publisherEnded(channel, this.#socket.id);
      else live.publisherLost(channel, this.#socket.id);
    }
    live.viewersChanged(channel, room.viewerCount());
    closeIfUnused(room, live, channel);
  }

  #handshake(): HandshakeCredentials {
    const { headers } = this.#socket.handshake;
    return { cookie: headers.cookie, origin: headers.origin, host: headers.host };
  }

  #session(): Joined {
    if (!this.#joined) throw new BadRequestError('Join a channel first.');
    return this.#joined;
  }

  #stage(): StageSession {
    const { stage } = this.#session();
    if (!stage) throw new AppError(403, 'not_on_stage', 'Only a webinar’s stage has that control.');
    return stage;
  }

  #peer(): Peer {
    return this.#session().peer;
  }
}

export function statusRoom(channel: ChannelRef | string): string {
  return `status:${typeof channel === 'string' ? channel : channel.slug}`;
}

function producerInfo(entry: RoomProducer, room: Room): ProducerInfo {
  const label = room.peer(entry.peerId)?.label;
  return {
    producerId: entry.producer.id,
    kind: entry.producer.kind,
    source: entry.source,
    paused: entry.producer.paused,
    // Only stage members carry a name: on a channel there is one publisher, and it stays anonymous.
    ...(label !== undefined && {
      owner: { peerId: entry.peerId, name: label.name, ...(label.userId !== undefined && { userId: label.userId }) },
    }),
  };
}

function assertNever(value: never): never {
  throw new BadRequestError(`Unknown request ${JSON.stringify(value)}.`);
}
