// The media signaling protocol between a browser (or bot) and the server, over socket.io.
// Requests go client -> server as `request` events with an ack; the server pushes `notification`
// events. Both are discriminated unions on `method`, so each side's switch is checked for
// exhaustiveness by the compiler. The web app imports this file (types only).
import type {
  DtlsParameters,
  IceCandidate,
  IceParameters,
  RtpCapabilities,
  RtpParameters,
  SctpParameters,
} from 'mediasoup-client/types';
import type { BackstageMessage } from './rest/webinars.ts';

export type { DtlsParameters, IceCandidate, IceParameters, RtpCapabilities, RtpParameters };

/** The socket.io namespace of media signaling. */
export const MEDIA_NAMESPACE = '/media';

export type MediaSource = 'camera' | 'microphone' | 'screen' | 'screen-audio';
export const MEDIA_SOURCES: readonly MediaSource[] = ['camera', 'microphone', 'screen', 'screen-audio'];

export type PeerRole = 'publisher' | 'viewer';

/** Who one is to a webinar: host (the channel's owner), co-host, panelist, or attendee. */
export type StageRole = 'host' | 'cohost' | 'panelist' | 'attendee';

/** A joined webinar session's place: its role, and whether it may publish now (on stage). */
export interface StagePlace {
  webinarId: string;
  role: StageRole;
  onStage: boolean;
}

export interface ProducerInfo {
  producerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  paused: boolean;
  /** In a webinar, whose it is: several people publish on a stage. Absent on a channel. */
  owner?: { peerId: string; name: string; userId?: string };
}

export interface TransportInfo {
  id: string;
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
  sctpParameters?: SctpParameters | undefined;
}

export interface ConsumerInfo {
  id: string;
  producerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  rtpParameters: RtpParameters;
  /** 'simulcast' when the viewer can pick layers with setPreferredLayers. */
  type: 'simple' | 'simulcast' | 'svc' | 'pipe';
  producerPaused: boolean;
}

export interface StreamStatus {
  channel: string;
  live: boolean;
  streamId: string | null;
  viewers: number;
  startedAt: string | null;
}

export type MediaRequest =
  /**
   * Viewers join by channel slug. Publishers prove the right to publish with a stream key (OBS,
   * bots), or name the channel and are let in by the session cookie of its owner (or an admin)
   * that the connection's handshake carried from this site's pages (the studio).
   */
  | {
      method: 'join';
      data: {
        role: 'viewer';
        channel: string;
        /** A private channel's viewer token, when the page has no access cookie. */ viewerToken?: string;
      };
    }
  | { method: 'join'; data: { role: 'publisher'; streamKey: string } }
  | { method: 'join'; data: { role: 'publisher'; channel: string } }
  /**
   * A webinar's stage members (host, co-hosts, panelists on stage) join its room by id and may
   * publish; attendees watch once it is live. Both are let in by the session cookie their
   * handshake carried from this site's pages (or, for attendees of a private channel, a token).
   */
  | { method: 'join'; data: { role: 'stage'; webinar: string } }
  | { method: 'join'; data: { role: 'attendee'; webinar: string; viewerToken?: string } }
  | { method: 'createTransport'; data: { direction: 'send' | 'recv' } }
  | { method: 'connectTransport'; data: { transportId: string; dtlsParameters: DtlsParameters } }
  | { method: 'restartIce'; data: { transportId: string } }
  | {
      method: 'produce';
      data: { transportId: string; kind: 'audio' | 'video'; rtpParameters: RtpParameters; source: MediaSource };
    }
  | { method: 'closeProducer'; data: { producerId: string } }
  | { method: 'pauseProducer'; data: { producerId: string } }
  | { method: 'resumeProducer'; data: { producerId: string } }
  | { method: 'consume'; data: { transportId: string; producerId: string; rtpCapabilities: RtpCapabilities } }
  | { method: 'resumeConsumer'; data: { consumerId: string } }
  /** The client doesn't show a consumer's media now (a webinar share off screen): stop sending it. */
  | { method: 'pauseConsumer'; data: { consumerId: string } }
  | { method: 'setPreferredLayers'; data: { consumerId: string; spatialLayer: number; temporalLayer?: number } }
  /** A webinar's host or co-host: whose screen share attendees see large (null: the first one). */
  | { method: 'setMainShare'; data: { peerId: string | null } }
  /** A stage member steps backstage (attendees stop seeing and hearing them) or back on stage. */
  | { method: 'setBackstage'; data: { backstage: boolean } }
  | { method: 'leave'; data?: Record<string, never> };

export type MediaMethod = MediaRequest['method'];

export interface JoinResult {
  peerId: string;
  role: PeerRole;
  channel: string;
  /** In a webinar: the session's place on its stage. */
  stage?: StagePlace;
  routerRtpCapabilities: RtpCapabilities;
  producers: ProducerInfo[];
  stream: StreamStatus;
}

/** What each request answers with. */
export interface MediaResponses {
  join: JoinResult;
  createTransport: TransportInfo;
  connectTransport: Record<string, never>;
  restartIce: { iceParameters: IceParameters };
  produce: { producerId: string };
  closeProducer: Record<string, never>;
  pauseProducer: Record<string, never>;
  resumeProducer: Record<string, never>;
  consume: ConsumerInfo;
  resumeConsumer: Record<string, never>;
  pauseConsumer: Record<string, never>;
  setPreferredLayers: Record<string, never>;
  setMainShare: Record<string, never>;
  setBackstage: Record<string, never>;
  leave: Record<string, never>;
}

export type MediaNotification =
  | { method: 'producerAdded'; data: ProducerInfo }
  | { method: 'producerClosed'; data: { producerId: string } }
  | { method: 'producerPaused'; data: { producerId: string } }
  | { method: 'producerResumed'; data: { producerId: string } }
  | { method: 'consumerClosed'; data: { consumerId: string; producerId: string } }
  /** Layers the viewer actually receives (they drop on a bad link). */
  | {
      method: 'consumerLayersChanged';
      data: { consumerId: string; spatialLayer: number | null; temporalLayer: number | null };
    }
  | { method: 'streamStatus'; data: StreamStatus }
  /** The media server behind this session restarted: join again (the client does so by itself). */
  | { method: 'mediaReset'; data: { reason: string } }
  /**
   * Another session of the same channel took over publishing; or access ended, or the webinar did.
   * `joined_elsewhere`: the same person joined the webinar's stage from another window (this one
   * may take it back by joining again).
   */
  | { method: 'kicked'; data: { reason: string; code?: 'joined_elsewhere' } }
  /** A webinar session's place changed (moved off the stage: its producers are closed already). */
  | { method: 'stagePlace'; data: StagePlace & { reason: string } }
  /** On a webinar's stage, who speaks now (by peer id; null: nobody heard since the last one left). */
  | { method: 'activeSpeaker'; data: { peerId: string | null } }
  /** On a webinar's stage, whose screen share is the main one (null: players show the first share). */
  | { method: 'mainShare'; data: { peerId: string | null } }
  /**
   * To stage members: how well a stage member's producer reaches the server, 0 (nothing arrives)
   * to 10 (no loss), when it changes (mediasoup's producer score).
   */
  | { method: 'producerScore'; data: { producerId: string; score: number } }
  /** To stage members: a member stepped backstage (attendees don't get their media) or came back. */
  | { method: 'backstage'; data: { peerId: string; backstage: boolean } }
  /** To stage members: a message in the webinar's backstage chat (sent through its REST route). */
  | { method: 'backstageMessage'; data: BackstageMessage };

export interface SignalingErrorBody {
  /** Stable, machine-readable: bad_request, unauthorized, forbidden, not_found, conflict, unavailable, internal. */
  code: string;
  message: string;
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: SignalingErrorBody };

export interface ClientToServerEvents {
  request: (request: MediaRequest, ack: (response: Ack<unknown>) => void) => void;
}

export interface ServerToClientEvents {
  notification: (notification: MediaNotification) => void;
}
