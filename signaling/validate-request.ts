// Checks the shape of a request from the network before anything acts on it, and reads it into
// the server's types: a MediaCommand is a MediaRequest whose WebRTC parameters are mediasoup's
// (media-parameters.ts reads them), so the session hands them on without a cast. mediasoup
// validates their meaning in depth itself.
import type { types as ms } from 'mediasoup';
import { BadRequestError } from '../common/errors.ts';
import { MEDIA_SOURCES, type MediaRequest, type MediaSource } from '../common/protocol/media-signaling.ts';
import { isChannelSlug } from '../common/protocol/slug.ts';
import { readDtlsParameters, readRtpCapabilities, readRtpParameters } from './media-parameters.ts';

/** The requests whose data carries WebRTC parameters, with mediasoup's types for them. */
type WithServerParameters =
  | { method: 'connectTransport'; data: { transportId: string; dtlsParameters: ms.DtlsParameters } }
  | {
      method: 'produce';
      data: { transportId: string; kind: ms.MediaKind; rtpParameters: ms.RtpParameters; source: MediaSource };
    }
  | { method: 'consume'; data: { transportId: string; producerId: string; rtpCapabilities: ms.RtpCapabilities } };

export type MediaCommand = Exclude<MediaRequest, { method: WithServerParameters['method'] }> | WithServerParameters;

const METHODS = new Set<MediaRequest['method']>([
  'join',
  'createTransport',
  'connectTransport',
  'restartIce',
  'produce',
  'closeProducer',
  'pauseProducer',
  'resumeProducer',
  'consume',
  'resumeConsumer',
  'pauseConsumer',
  'setPreferredLayers',
  'setMainShare',
  'setBackstage',
  'leave',
]);

const ID = /^[A-Za-z0-9_-]{1,100}$/;
const PEER_ID = /^[A-Za-z0-9_-]{1,100}:\d{1,9}$/;

export function validateRequest(value: unknown): MediaCommand {
  if (!isRecord(value) || typeof value.method !== 'string' || !METHODS.has(value.method as MediaRequest['method'])) {
    throw new BadRequestError('Unknown request method.');
  }
  const data = value.data ?? {};
  if (!isRecord(data)) throw new BadRequestError(`${value.method}: data must be an object.`);
  const method = value.method as MediaRequest['method'];
  switch (method) {
    case 'join':
      if (data.role === 'viewer') {
        const viewerToken = data.viewerToken === undefined ? undefined : str(data, 'viewerToken', 200);
        return {
          method,
          data: { role: 'viewer', channel: slug(data, 'channel'), ...(viewerToken ? { viewerToken } : {}) },
        };
      }
      if (data.role === 'publisher') {
        // A key, when given, decides: the session path is only for callers without one.
        if (data.streamKey !== undefined)
          return { method, data: { role: 'publisher', streamKey: str(data, 'streamKey', 200) } };
        if (data.channel !== undefined) return { method, data: { role: 'publisher', channel: slug(data, 'channel') } };
        throw new BadRequestError(
          "join: a publisher needs a 'streamKey', or the 'channel' to publish to as its signed-in owner.",
        );
      }
      if (data.role === 'stage') return { method, data: { role: 'stage', webinar: id(data, 'webinar') } };
      if (data.role === 'attendee') {
        const viewerToken = data.viewerToken === undefined ? undefined : str(data, 'viewerToken', 200);
        return {
          method,
          data: { role: 'attendee', webinar: id(data, 'webinar'), ...(viewerToken ? { viewerToken } : {}) },
        };
      }
      throw new BadRequestError("join: role must be 'viewer', 'publisher', 'stage' or 'attendee'.");
    case 'createTransport':
      if (data.direction !== 'send' && data.direction !== 'recv')
        throw new BadRequestError("createTransport: direction must be 'send' or 'recv'.");
      return { method, data: { direction: data.direction } };
    case 'connectTransport':
      return {
        method,
        data: { transportId: id(data, 'transportId'), dtlsParameters: readDtlsParameters(data.dtlsParameters) },
      };
    case 'restartIce':
      return { method, data: { transportId: id(data, 'transportId') } };
    case 'produce': {
      if (data.kind !== 'audio' && data.kind !== 'video')
        throw new BadRequestError("produce: kind must be 'audio' or 'video'.");
      const source = MEDIA_SOURCES.find((known) => known === data.source);
      if (!source) throw new BadRequestError(`produce: source must be one of ${MEDIA_SOURCES.join(', ')}.`);
      return {
        method,
        data: {
          transportId: id(data, 'transportId'),
          kind: data.kind,
          rtpParameters: readRtpParameters(data.rtpParameters),
          source,
        },
      };
    }
    case 'closeProducer':
    case 'pauseProducer':
    case 'resumeProducer':
      return { method, data: { producerId: id(data, 'producerId') } };
    case 'consume':
      return {
        method,
        data: {
          transportId: id(data, 'transportId'),
          producerId: id(data, 'producerId'),
          rtpCapabilities: readRtpCapabilities(data.rtpCapabilities),
        },
      };
    case 'resumeConsumer':
    case 'pauseConsumer':
      return { method, data: { consumerId: id(data, 'consumerId') } };
    case 'setPreferredLayers': {
      const spatialLayer = layer(data, 'spatialLayer');
      const temporalLayer = data.temporalLayer === undefined ? undefined : layer(data, 'temporalLayer');
      return {
        method,
        data: {
          consumerId: id(data, 'consumerId'),
          spatialLayer,
          ...(temporalLayer !== undefined && { temporalLayer }),
        },
      };
    }
    case 'setMainShare': {
      // Peer ids are '<socket id>:<join>', so they have a colon ids of mediasoup objects don't.
      const peerId = data.peerId;
      if (peerId !== null && (typeof peerId !== 'string' || !PEER_ID.test(peerId)))
        throw new BadRequestError("setMainShare: 'peerId' must be a peer id, or null.");
      return { method, data: { peerId } };
    }
    case 'setBackstage':
      if (typeof data.backstage !== 'boolean')
        throw new BadRequestError("setBackstage: 'backstage' must be true or false.");
      return { method, data: { backstage: data.backstage } };
    case 'leave':
      return { method, data: {} };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(data: Record<string, unknown>, field: string, maxLength: number): string {
  const value = data[field];
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new BadRequestError(`'${field}' must be a non-empty string of at most ${maxLength} characters.`);
  }
  return value;
}

function slug(data: Record<string, unknown>, field: string): string {
  const value = data[field];
  if (!isChannelSlug(value))
    throw new BadRequestError(`'${field}' must be a channel slug: letters, digits and hyphens.`);
  return value;
}

function id(data: Record<string, unknown>, field: string): string {
  const value = data[field];
  if (typeof value !== 'string' || !ID.test(value)) throw new BadRequestError(`'${field}' must be an id.`);
  return value;
}

function layer(data: Record<string, unknown>, field: string): number {
  const value = data[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 9) {
    throw new BadRequestError(`'${field}' must be a layer number from 0 to 9.`);
  }
  return value;
}
